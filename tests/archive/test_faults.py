"""Faults of the machine, for real: a storage that is full, a database that restarts.

The media folder is a 2 MB tmpfs mounted for the test (root only; the test skips, with the
reason, where mounting is not allowed), filled up with a file so that writes really fail with
ENOSPC, as they do when a disk is full.

The restart test stops and starts the local PostgreSQL service itself (``pg_ctlcluster``) while a
real worker process reads documents: every other client of that server sees the restart too.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client

from archive.documents import document_rerun
from archive.ingest import document_create
from archive.models import Document, Page
from archive.processing import document_process
from archive.processing.stuck import requeue_stuck
from tests.archive.conftest import encode, render_page
from tests.archive.workers import start_cluster, stop_cluster, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_disk(tmp_path: Path, settings: Any) -> Iterator[Path]:
    mount = tmp_path / "media"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {result.stderr.strip()}")
    settings.MEDIA_ROOT = str(mount)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int = 0) -> Path:
    """Fill the disk up to ``leave`` free bytes."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
                if free <= leave:
                    break
                out.write(b"\0" * min(65536, max(1, free - leave)))
                out.flush()
        except OSError:
            pass
    return filler


def _files(disk: Path) -> set[str]:
    return {str(p.relative_to(disk)) for p in disk.rglob("*") if p.is_file()}


def test_an_upload_to_a_full_disk_is_refused_clearly_and_leaves_nothing(
    client: Client, alice: User, make_upload: Any, small_disk: Path
) -> None:
    client.force_login(alice)
    filler = _fill(small_disk, leave=4096)  # room for a few blocks, not for the scan
    upload = make_upload("letter.png", lines=["Storage full letter"])
    size = upload.size
    assert size > 8192

    response = client.post("/upload/", {"scans": upload}, HTTP_ACCEPT="application/json")

    assert response.status_code == 507
    message = response.json()["files"][0]["message"]
    assert "could not store this file (No space left on device)" in message
    assert not Document.objects.exists()
    assert _files(small_disk) == {"filler"}  # no partial original left behind

    filler.unlink()
    upload.seek(0)
    response = client.post("/upload/", {"scans": upload}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert Document.objects.count() == 1


def test_a_worker_that_cannot_store_page_images_fails_the_document_and_loses_nothing(
    alice: User, make_upload: Any, small_disk: Path
) -> None:
    upload = make_upload("report.png", lines=["Quarterly storage report", "All is well"])
    data = upload.read()
    upload.seek(0)
    document = document_create(owner=alice, upload=upload, name="report.png").document
    filler = _fill(small_disk)

    document_process(document.pk)

    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "could not be stored (No space left on device)" in document.error
    assert document.pages.count() == 0
    with document.original.open("rb") as original:
        assert hashlib.sha256(original.read()).digest() == hashlib.sha256(data).digest()

    filler.unlink()
    document_rerun(document)
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    assert "storage report" in document.pages.get().text.lower()


# --- PostgreSQL restarted under load ------------------------------------------------------------


def _postgres_cluster() -> list[str]:
    """``pg_ctlcluster`` arguments for the local PostgreSQL service the tests use, or skip."""
    url = os.environ.get("DATABASE_URL", "")
    if "127.0.0.1" not in url and "localhost" not in url:
        pytest.skip("the tests' PostgreSQL is not the local service (DATABASE_URL)")
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        pytest.skip("no pg_ctlcluster: the local PostgreSQL cannot be restarted from here")
    version = sorted(Path("/etc/postgresql").iterdir())[-1].name
    return ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main"]


def _scan(word: str) -> SimpleUploadedFile:
    frames = [render_page([f"{word} first page"]), render_page([f"{word} second page"])]
    return SimpleUploadedFile(f"{word}.tif", encode(frames, "TIFF"))


@pytest.mark.slow
@pytest.mark.serial  # every other test on this server would see the restart too
@pytest.mark.django_db(transaction=True)
def test_postgres_restarted_while_uploads_and_ocr_run_loses_and_duplicates_nothing(
    alice: User, settings: Any
) -> None:
    pg_ctl = _postgres_cluster()
    settings.STUCK_AFTER_SECONDS = 5  # the periodic check, run by the test (below) for speed
    words = ["Alder", "Birch", "Cedar", "Dogwood"]
    accepted = [document_create(owner=alice, upload=_scan(w), name=f"{w}.tif") for w in words]
    workers = [start_cluster(settings)]
    try:
        wait_for(lambda: Page.objects.exists(), 120, "the first page")

        subprocess.run([*pg_ctl, "stop", "-m", "fast"], check=True, capture_output=True)
        try:
            # While the database is away, the app says so, and takes nothing.
            browser = Client(raise_request_exception=False)
            response = browser.post("/login/", {"username": "alice", "password": "x"})
            assert response.status_code == 503
            assert "cannot be reached right now" in response.content.decode()
            assert response["Retry-After"] == "30"
        finally:
            subprocess.run([*pg_ctl, "start"], check=True, capture_output=True)
        connections.close_all()

        # Uploads go on once it is back.
        accepted += [
            document_create(owner=alice, upload=_scan(w), name=f"{w}.tif") for w in ["Elm", "Fir"]
        ]

        def settled() -> bool:
            if workers[-1].poll() is not None:  # a supervisor (systemd, serve) would restart it
                workers.append(start_cluster(settings))
            requeue_stuck()  # what the schedule does every 5 minutes in production
            return not Document.objects.filter(
                status__in=[Document.Status.QUEUED, Document.Status.PROCESSING]
            ).exists()

        wait_for(settled, 240, "every document to finish after the restart")
    finally:
        for worker in workers:
            stop_cluster(worker)

    documents = list(Document.objects.order_by("pk"))
    # None lost or added (ids are random, not in upload order: compare as sets).
    assert sorted(d.pk for d in documents) == sorted(r.document.pk for r in accepted)
    for document in documents:
        assert document.status == Document.Status.DONE, (document.title, document.error)
        numbers = list(document.pages.order_by("number").values_list("number", flat=True))
        assert numbers == [1, 2]
        assert "second page" in document.pages.get(number=2).text.lower()
