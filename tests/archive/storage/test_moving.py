"""``manage.py move_files``: an archive on the local disk moved to S3, resumable, verified."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from archive.storage.moving import referenced_files
from tests.archive.conftest import encode, render_page, run_queued_tasks
from tests.archive.storage.conftest import keys, use_s3
from tests.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _local_archive(alice: Any, make_upload: Any) -> list[Document]:
    """Two processed documents (three pages) stored on the local disk (MEDIA_ROOT)."""
    documents = []
    for name, data in [
        ("one.png", make_upload(lines=["Moving day"]).read()),
        ("two.tif", encode([render_page(["Box one"]), render_page(["Box two"])], "TIFF")),
    ]:
        document = document_create(owner=alice, upload=make_upload(name, data=data), name=name)
        document_process(document.document.pk)
        documents.append(document.document)
    run_queued_tasks()
    return documents


def _move(*args: str) -> str:
    out = io.StringIO()
    call_command("move_files", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_move_to_s3_is_resumable_and_verified(
    client: Any,
    alice: Any,
    make_upload: Any,
    settings: Any,
    seaweedfs: SeaweedFS,
    bucket: str,
) -> None:
    documents = _local_archive(alice, make_upload)
    media = Path(settings.MEDIA_ROOT)
    names = [name for name, _ in referenced_files()]
    assert len(names) == 2 + 3 * 2  # originals, page images, thumbnails
    local = {name: hashlib.sha256((media / name).read_bytes()).hexdigest() for name in names}

    use_s3(settings, seaweedfs, bucket)
    first = _move("--source", str(media), "--limit", "3")  # stopped after 3 files
    assert first.splitlines()[-1].startswith("3 file(s) copied")
    assert len(keys(seaweedfs, bucket)) == 3
    journal = (media / ".move-journal").read_text().splitlines()
    assert len(journal) == 3

    second = _move("--source", str(media))  # resumed: the rest, the first three skipped
    assert second.splitlines()[-1].startswith("5 file(s) copied")
    assert "3 already there" in second
    assert "files/s" in second
    assert keys(seaweedfs, bucket) == sorted(names)
    s3 = seaweedfs.client()
    for name, digest in local.items():
        body = s3.get_object(Bucket=bucket, Key=name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == digest

    # Nothing left to do; and the archive now serves from S3 with no local file.
    assert _move("--source", str(media)).splitlines()[-1].startswith("0 file(s) copied")
    blocker = media.parent / "moved-away"
    media.rename(blocker)
    client.force_login(alice)
    page = documents[1].pages.get(number=2)
    response = client.get(reverse("page_image", args=[documents[1].pk, 2]))
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == local[str(page.image.name)]


def test_an_object_left_by_a_killed_run_is_checked_and_a_changed_original_refused(
    alice: Any, make_upload: Any, settings: Any, seaweedfs: SeaweedFS, bucket: str
) -> None:
    documents = _local_archive(alice, make_upload)
    media = Path(settings.MEDIA_ROOT)
    original = str(documents[0].original.name)
    image = str(documents[1].pages.get(number=1).image.name)
    use_s3(settings, seaweedfs, bucket)
    s3 = seaweedfs.client()
    # A run killed after uploading one file (no journal line) and another after a bad copy.
    s3.put_object(Bucket=bucket, Key=image, Body=(media / image).read_bytes())
    thumbnail = str(documents[1].pages.get(number=1).thumbnail.name)
    s3.put_object(Bucket=bucket, Key=thumbnail, Body=b"damaged")
    # An original changed on disk since it was uploaded.
    (media / original).write_bytes(b"not what was uploaded")

    with pytest.raises(CommandError, match="1 file"):
        _move("--source", str(media))
    moved = set(keys(seaweedfs, bucket))
    assert original not in moved
    assert {image, thumbnail} <= moved
    body = s3.get_object(Bucket=bucket, Key=thumbnail)["Body"].read()
    assert body == (media / thumbnail).read_bytes()  # the damaged copy was replaced


def test_move_refuses_without_s3(settings: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not S3"):
        _move("--source", str(tmp_path))
