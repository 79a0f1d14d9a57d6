"""Workers on other hosts, for real: each worker a ``qcluster`` in a network namespace of its
own (veth pair, its own host name and empty media folder), reaching PostgreSQL, SeaweedFS and
(with the Redis broker) Redis only over the network. Each test runs with django-q2's ORM
broker and with its Redis broker (``broker``). A document's pages fan out across the hosts,
each read once; a host killed mid-page loses nothing, its page is taken over when its lease
runs out.

The brokers differ where a host dies: the ORM broker hands a task out again when it has not
been acknowledged for ``OCR_RETRY_SECONDS``, the Redis broker has no acknowledgement, so the
tickets the killed host had taken (one per page it was reading or had queued in advance) are
gone for good. The jobs they stood for wait in the fair queue (``archive.processing.jobs``)
without a ticket, and ``jobs.sweep`` (``serve`` every few seconds, the ``sweep-ocr-leases``
schedule every minute) sends new ones: the killed-host test shows both.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.functions import Now
from django_q.models import Schedule

from archive.ingest import document_create
from archive.models import Document, PageAttempt, PageJob
from archive.processing.enqueue import tickets_waiting
from archive.processing.jobs import sweep
from tests.archive.conftest import encode, render_page
from tests.archive.hosts.cluster import (
    connect,
    holders,
    host_of,
    log_tail,
    start_worker,
    worker_env,
)
from tests.archive.storage.conftest import keys
from tests.archive.workers import wait_for
from tests.netns import Forwarder, Host, hosts
from tests.redis_broker import DB as REDIS_DB
from tests.redis_broker import PORT as REDIS_PORT
from tests.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

WORDS = ["Kilo", "Lima", "Mike", "November", "Oscar", "Papa"]


def upload(owner: Any) -> Document:
    # Pages of a dozen lines (a few seconds of OCR each), so that every worker is busy while
    # tickets are waiting and each gets some: one-line pages were all taken by the first.
    lines = [f"line {n} of the minutes" for n in range(12)]
    frames = [render_page([f"{word} section", *lines], size=(1200, 1600)) for word in WORDS]
    upload = SimpleUploadedFile("six.tif", encode(frames, "TIFF"))
    return document_create(owner=owner, upload=upload, name="six.tif").document


def start_hosts(
    made: list[Host],
    forwarder: Forwarder,
    seaweedfs: SeaweedFS,
    bucket: str,
    tmp_path: Path,
    broker: str,
) -> list[Path]:
    """A worker on each host, with ``broker`` ("orm" or "redis"); returns their logs, once
    every cluster runs."""
    redis = broker == "redis"
    logs = []
    for host in made:
        connect(host, forwarder, seaweedfs, redis_port=REDIS_PORT if redis else 0)
        log = tmp_path / f"{host.name}.log"
        env = worker_env(host, tmp_path / host.name, bucket, redis_db=REDIS_DB if redis else None)
        start_worker(host, env, log)
        logs.append(log)
    wait_for(
        lambda: all("running" in log.read_text(errors="replace") for log in logs),
        120,
        "every worker cluster to run",
    )
    return logs


def check_done(document: Document, seaweedfs: SeaweedFS, bucket: str) -> None:
    """Done, every page saved once with its words, one image and thumbnail a page stored."""
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    pages = list(document.pages.order_by("number"))
    assert [page.number for page in pages] == [1, 2, 3, 4, 5, 6]
    for page, word in zip(pages, WORDS, strict=True):
        assert word.lower() in page.text.lower()
    stored = keys(seaweedfs, bucket, f"pages/{document.owner_id}/{document.pk}/")
    assert stored == sorted(str(n) for p in pages for n in (p.image.name, p.thumbnail.name))


def test_pages_fan_out_across_worker_hosts_each_read_once(
    alice: Any,
    s3_storage: str,
    seaweedfs: SeaweedFS,
    forwarder: Forwarder,
    broker: str,
    tmp_path: Path,
) -> None:
    with hosts(3) as made:
        logs = start_hosts(made, forwarder, seaweedfs, s3_storage, tmp_path, broker)
        document = upload(alice)
        seen: dict[int, set[str]] = {}

        def finished() -> bool:
            for number, holder in holders(document.pk).items():
                seen.setdefault(number, set()).add(host_of(holder))
            return Document.objects.get(pk=document.pk).is_finished

        try:
            wait_for(finished, 300, "the document to finish on the worker hosts")
        except BaseException:
            print(log_tail(logs))
            raise

    check_done(document, seaweedfs, s3_storage)
    # The pages went to more than one host, and no page was started twice. Not "every host":
    # the hosts take pages as they come free, and on an idle machine two of them read all six
    # before the third polled (seen in CI); which host takes what is the queue's business.
    readers = {host for names in seen.values() for host in names}
    assert len(readers) >= 2, (seen, log_tail(logs))
    assert readers <= {h.name for h in made}, seen
    assert all(len(names) == 1 for names in seen.values()), seen
    attempts = dict(PageAttempt.objects.filter(document=document).values_list("number", "count"))
    assert attempts == {number: 1 for number in range(1, 7)}


SWEEP_LEASES = "archive.tasks.sweep_leases"
REQUEUE_STUCK = "archive.tasks.requeue_stuck"
#: Seconds that jobs must wait with no ticket queued and no page being read before the Redis
#: case counts their tickets as lost: a live worker holding a ticket claims a job within
#: moments. (A sweep run too early would only send tickets that find nothing to do.)
STALL_SECONDS = 5


def lacking_tickets(document: Document) -> int:
    """Jobs of ``document`` waiting while no worker reads any and the broker holds no
    ticket (0 while anything is being read or queued)."""
    jobs = PageJob.objects.filter(document=document)
    if not jobs.exists() or jobs.filter(lease_until__gt=Now()).exists() or tickets_waiting():
        return 0
    return jobs.count()


def test_a_killed_worker_host_loses_nothing_and_doubles_nothing(
    alice: Any,
    s3_storage: str,
    seaweedfs: SeaweedFS,
    forwarder: Forwarder,
    broker: str,
    tmp_path: Path,
) -> None:
    if broker == "redis":
        # This test sweeps as `serve` would, once it has seen the lost tickets: the clusters'
        # own schedules (left by the migrations when this test runs first) would sweep at a
        # moment of their choosing, perhaps before.
        Schedule.objects.filter(func__in=[SWEEP_LEASES, REQUEUE_STUCK]).delete()
    with hosts(2) as made:
        victim, survivor = made
        logs = start_hosts(made, forwarder, seaweedfs, s3_storage, tmp_path, broker)
        document = upload(alice)

        def victim_reading() -> list[tuple[int, str]]:
            # Pages the victim holds and has started reading (its attempt counted): a page
            # held while the victim still opens the file has not been started yet.
            started = set(
                PageAttempt.objects.filter(document=document).values_list("number", flat=True)
            )
            return [
                (n, holder)
                for n, holder in holders(document.pk).items()
                if host_of(holder) == victim.name and n in started
            ]

        wait_for(lambda: bool(victim_reading()), 240, f"{victim.name} to read a page")
        taken, killed = victim_reading()[0]
        victim.kill()  # SIGKILL, mid-page
        victim.unplug()  # and the host is gone from the network
        assert document.pages.filter(number=taken).count() == 0, "the page was already saved"
        takers: set[str] = set()
        stalled_since: float | None = None
        lost: list[int] = []  # jobs found waiting without a ticket (Redis)
        sent: list[int] = []  # tickets the sweep sent for them

        def finished() -> bool:
            nonlocal stalled_since
            holder = holders(document.pk).get(taken)
            if holder and holder != killed:  # the killed worker's lease, until it is cleared
                takers.add(host_of(holder))
            if broker == "redis":
                # The Redis broker never hands a task out again: the tickets the killed host
                # had taken are gone. Once the survivor has nothing left to do while jobs
                # wait, sweep as `serve` and the sweep-ocr-leases schedule do.
                waiting = lacking_tickets(document)
                if not waiting:
                    stalled_since = None
                elif stalled_since is None:
                    stalled_since = time.monotonic()
                elif time.monotonic() - stalled_since > STALL_SECONDS:
                    lost.append(waiting)
                    sent.append(sweep())
                    stalled_since = None
            return Document.objects.get(pk=document.pk).is_finished

        try:
            wait_for(finished, 300, "the document to finish on the surviving host")
        except BaseException:
            print(log_tail(logs))
            raise

    check_done(document, seaweedfs, s3_storage)
    # The killed host's page was read again, by the other host, and saved once.
    assert takers == {survivor.name}
    assert PageAttempt.objects.get(document=document, number=taken).count == 2
    if broker == "redis":
        # Tickets went with the killed host (it holds one it reads and two in advance), so
        # jobs waited with none; the sweep sent them new ones, and nothing else could have.
        assert lost, "no job waited without a ticket: the killed host took none with it?"
        assert all(count > 0 for count in sent), (lost, sent)
