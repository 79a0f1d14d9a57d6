"""The fair OCR queue (archive.processing.jobs): turns between users, priorities, the per-user
limit at upload, and one job to one worker when two race for it. Real OCR, real PostgreSQL."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_q.models import OrmQ

from archive.ingest import UploadRejected, document_create
from archive.models import Document, Page, PageJob
from archive.processing.jobs import Lease, claim, sweep
from tests.archive.conftest import encode, render_page, run_queued_tasks

pytestmark = pytest.mark.django_db

WORDS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]


def _tiff(name: str, words: list[str]) -> SimpleUploadedFile:
    frames = [render_page([f"{word} page"], size=(900, 400)) for word in words]
    return SimpleUploadedFile(name, encode(frames, "TIFF"))


def _upload(owner, upload, capture, **options) -> Document:
    with capture(execute=True):  # the ticket is sent when the upload commits, as in production
        return document_create(
            owner=owner, upload=upload, name=upload.name, language="en", **options
        ).document


def _read_order() -> list[tuple[int, int]]:
    """(document, page) in the order the pages were saved (one worker: the order read)."""
    return list(Page.objects.order_by("id").values_list("document_id", "number"))


def test_a_one_page_scan_waits_for_one_page_not_for_another_users_long_upload(
    alice, bob, make_upload, django_capture_on_commit_callbacks
):
    long = _upload(alice, _tiff("long.tif", WORDS), django_capture_on_commit_callbacks)
    # One worker opens Alice's file: it queues pages 2-6 and reads page 1.
    assert run_queued_tasks(limit=1) == 1
    scan = _upload(bob, make_upload("scan.png"), django_capture_on_commit_callbacks)
    run_queued_tasks()
    order = _read_order()
    # Bob's page comes right after the page being read when he uploaded, not after Alice's 5.
    assert order.index((scan.pk, 1)) == 1, order
    assert sorted(order) == sorted([(long.pk, n) for n in range(1, 7)] + [(scan.pk, 1)])
    for document in (long, scan):
        document.refresh_from_db()
        assert document.status == Document.Status.DONE, document.error
    assert not PageJob.objects.exists()


def test_two_users_with_long_uploads_take_turns_page_by_page(
    alice, bob, django_capture_on_commit_callbacks
):
    first = _upload(alice, _tiff("a.tif", WORDS[:4]), django_capture_on_commit_callbacks)
    assert run_queued_tasks(limit=1) == 1  # Alice's file opened, its page 1 read
    _upload(bob, _tiff("b.tif", WORDS[2:]), django_capture_on_commit_callbacks)
    run_queued_tasks()
    owners = ["a" if document == first.pk else "b" for document, _number in _read_order()]
    assert "".join(owners) == "abababab", owners


def test_interactive_uploads_go_before_bulk_imports(
    alice, make_upload, django_capture_on_commit_callbacks
):
    bulk = _upload(
        alice,
        _tiff("import.tif", WORDS[:4]),
        django_capture_on_commit_callbacks,
        priority=PageJob.Priority.BULK,
    )
    assert run_queued_tasks(limit=1) == 1  # opened: pages 2-4 wait
    scan = _upload(alice, make_upload("scan.png"), django_capture_on_commit_callbacks)
    run_queued_tasks()
    order = _read_order()
    # Same owner, so fair shares do not reorder them: the priority does.
    assert order == [(bulk.pk, 1), (scan.pk, 1), (bulk.pk, 2), (bulk.pk, 3), (bulk.pk, 4)]


def test_an_upload_past_the_queued_page_limit_is_refused_with_a_message(
    alice, bob, settings, django_capture_on_commit_callbacks
):
    settings.OCR_QUEUED_PAGES_PER_USER = 5
    _upload(alice, _tiff("one.tif", WORDS[:3]), django_capture_on_commit_callbacks)
    with pytest.raises(UploadRejected) as refusal:
        _upload(alice, _tiff("two.tif", WORDS[3:]), django_capture_on_commit_callbacks)
    assert str(refusal.value) == (
        "You have 3 pages waiting to be read, and this file's 3 would pass the limit of 5 "
        "pages per user. Upload it again once some of your documents are done."
    )
    assert Document.objects.filter(owner=alice).count() == 1  # nothing stored for it
    # Other users have their own share; the administrator's bulk imports are not limited.
    _upload(bob, _tiff("bob.tif", WORDS[3:]), django_capture_on_commit_callbacks)
    _upload(
        alice,
        _tiff("import.tif", WORDS[3:]),
        django_capture_on_commit_callbacks,
        priority=PageJob.Priority.BULK,
    )
    run_queued_tasks()
    # Once read, the pages no longer count.
    _upload(alice, _tiff("two.tif", WORDS[3:]), django_capture_on_commit_callbacks)


def _race(start: threading.Barrier, claims: list[Lease | None]) -> None:
    """One worker: claim the first job at the same moment as the others."""
    start.wait()
    try:
        claims.append(claim())
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_an_expired_lease_only_one_gets_it(alice, make_upload):
    document = document_create(owner=alice, upload=make_upload(), name="scan.png").document
    job = PageJob.objects.get(document=document)
    for _round in range(10):
        # Held by a worker that died: its lease ran out a second ago.
        PageJob.objects.filter(pk=job.pk).update(
            lease_token=uuid.uuid4(), lease_until=timezone.now() - timedelta(seconds=1)
        )
        start = threading.Barrier(2)
        claims: list[Lease | None] = []
        threads = [threading.Thread(target=_race, args=(start, claims)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        won = [lease for lease in claims if lease is not None]
        assert len(won) == 1, claims
        assert (won[0].job, won[0].taken_over) == (job.pk, True)
        assert PageJob.objects.get(pk=job.pk).lease_token == won[0].token


@pytest.mark.django_db(transaction=True)
def test_the_sweep_frees_expired_leases_and_replaces_lost_tickets(alice, make_upload):
    document = document_create(owner=alice, upload=make_upload(), name="scan.png").document
    OrmQ.objects.all().delete()  # the upload's ticket is lost (a flushed broker)
    assert sweep() == 1  # a ticket for the job waiting without one
    assert sweep() == 0  # and only one
    lease = claim()
    assert lease is not None
    OrmQ.objects.all().delete()  # its worker took the ticket, then died
    PageJob.objects.filter(pk=lease.job).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert sweep() == 1
    job = PageJob.objects.get(pk=lease.job)
    assert (job.lease_token, job.lease_until, job.holder) == (None, None, "")
    assert run_queued_tasks() == 1
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
