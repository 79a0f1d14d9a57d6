"""archive.storage.files on the local disk (the S3 side runs in the other storage tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from archive.storage.errors import storage_error_reason, storage_errors
from archive.storage.files import is_s3, local_copy, open_stream, signed_url


def test_local_copy_holds_the_bytes_and_is_removed_even_on_error(
    settings: Any, tmp_path: Path
) -> None:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    name = default_storage.save("a/file.bin", ContentFile(b"x" * 3_000_000))
    with local_copy(name) as path:
        assert path.parent == tmp_path
        assert path.read_bytes() == b"x" * 3_000_000
    assert not path.exists()
    with pytest.raises(RuntimeError), local_copy(name) as path:
        raise RuntimeError("the page failed")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FileNotFoundError), local_copy("a/none.bin"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_local_disk_streams_and_signs_nothing() -> None:
    name = default_storage.save("b/file.bin", ContentFile(b"abc"))
    assert not is_s3()
    stream, size = open_stream(name)
    with stream:
        assert stream.read() == b"abc"
    assert size is None
    assert signed_url(name, seconds=60) is None


def test_storage_errors_cover_the_disk_and_s3() -> None:
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import EndpointConnectionError

    assert issubclass(EndpointConnectionError, storage_errors())
    assert issubclass(OSError, storage_errors())
    assert storage_error_reason(OSError(28, "No space left on device")) == (
        "No space left on device"
    )
    reason = storage_error_reason(EndpointConnectionError(endpoint_url="http://s3.local"))
    assert reason == "storage server unreachable"  # the server's address is not for users
    refused = S3UploadFailedError("Failed to upload a to b/a: An error occurred (AccessDenied)")
    assert storage_error_reason(refused) == "storage server: AccessDenied"
