"""Faults of the machine, for real: a storage that is full.

The media folder is a 2 MB tmpfs mounted for the test (root only; the test skips, with the
reason, where mounting is not allowed), filled up with a file so that writes really fail with
ENOSPC, as they do when a disk is full.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from archive.documents import document_rerun
from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process

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
