"""The S3 server goes down in the middle of an upload: the user is told, nothing is half made.

This test runs its own SeaweedFS (the session's one stays up for the other tests), kills it
while boto3 is sending the original's parts, then starts it again on the same data to look at
what the bucket holds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from archive.models import Document
from tests.archive.storage.conftest import keys, start_seaweedfs, use_s3
from tests.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def own_seaweedfs(tmp_path: Path) -> Iterator[SeaweedFS]:
    server = start_seaweedfs(tmp_path / "seaweedfs")
    yield server
    server.stop()


def _noise_png(megabytes: int) -> bytes:
    """A valid PNG of about ``megabytes`` MB (noise does not compress): sent in parts."""
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 1
    pixels = np.random.default_rng(7).integers(0, 256, (side, side, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=0)
    return buffer.getvalue()


def test_storage_outage_mid_upload_keeps_nothing_and_says_why(
    client: Any,
    alice: Any,
    make_upload: Any,
    settings: Any,
    tmp_path: Path,
    own_seaweedfs: SeaweedFS,
) -> None:
    from boto3.s3.transfer import TransferConfig

    bucket = "outage"
    own_seaweedfs.client().create_bucket(Bucket=bucket)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = blocker / "media"
    settings.AWS_S3_TRANSFER_CONFIG = TransferConfig(
        multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, use_threads=False
    )
    use_s3(settings, own_seaweedfs, bucket)
    data = _noise_png(12)
    assert len(data) > 10 * 1024 * 1024  # three parts

    sent: list[str] = []

    def kill_after_first_part(**_: Any) -> None:
        sent.append("part")
        if len(sent) == 2:  # the first part arrived; the server dies before the second
            own_seaweedfs.stop()

    events = default_storage.connection.meta.client.meta.events  # type: ignore[attr-defined]
    events.register("before-send.s3.UploadPart", kill_after_first_part)
    client.force_login(alice)
    response = client.post(reverse("upload"), {"scans": [make_upload("big.png", data=data)]})
    assert len(sent) >= 2, "the upload never reached its second part"
    assert response.status_code == 507
    text = response.content.decode()
    assert "could not store this file" in text
    assert "storage server unreachable" in text
    assert "Nothing was kept" in text
    assert not Document.objects.exists()
    assert not blocker.with_name("media").exists()

    # The server comes back with the same data: no object was made from the parts sent.
    own_seaweedfs.start()
    assert keys(own_seaweedfs, bucket) == []

    # And the same upload now works.
    response = client.post(reverse("upload"), {"scans": [make_upload("big.png", data=data)]})
    assert response.status_code == 302  # to the library
    document = Document.objects.get()
    assert keys(own_seaweedfs, bucket) == [document.original.name]


def test_an_unreachable_storage_refuses_the_upload_at_once(
    client: Any, alice: Any, make_upload: Any, settings: Any, own_seaweedfs: SeaweedFS
) -> None:
    use_s3(settings, own_seaweedfs, "never-made")
    own_seaweedfs.stop()
    client.force_login(alice)
    response = client.post(reverse("upload"), {"scans": [make_upload("scan.png")]})
    assert response.status_code == 507
    assert "storage server unreachable" in response.content.decode()
    assert not Document.objects.exists()


def test_a_worker_that_cannot_reach_the_storage_fails_the_page_with_the_reason(
    alice: Any, make_upload: Any, settings: Any, tmp_path: Path, own_seaweedfs: SeaweedFS
) -> None:
    from archive.documents import document_rerun
    from archive.ingest import document_create
    from archive.processing import document_process

    own_seaweedfs.client().create_bucket(Bucket="worker-outage")
    use_s3(settings, own_seaweedfs, "worker-outage")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    upload = make_upload("scan.png", lines=["Outage at work"])
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    own_seaweedfs.stop()
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.FAILED
    assert "storage" in document.error
    assert "internal error" not in document.error
    assert "re-run" in document.error
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("scan-archive-")] == []

    own_seaweedfs.start()
    document_rerun(document)
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert document.pages.count() == 1
