"""Stored files without a local path: a temporary local copy, a stream, a signed URL.

Each function takes an optional ``storage`` (default: ``default_storage``). On S3 they use the
bucket directly, so nothing is held in memory or copied twice: ``download_to`` streams the
object in parts into the file given, ``open_stream`` hands out the HTTP body as it arrives,
``signed_url`` signs a short-lived URL. On any other storage they use ``Storage.open``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage

from archive.storage.config import S3_BACKEND

_CHUNK = 1 << 20


def is_s3(storage: Storage | None = None) -> bool:
    """True if ``storage`` (default: the archive's) is django-storages' S3 backend."""
    if settings.STORAGES["default"]["BACKEND"] != S3_BACKEND and storage is None:
        return False
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:
        return False
    target = default_storage if storage is None else storage
    # default_storage is a lazy object: isinstance sees through it.
    return isinstance(target, S3Storage)


def _s3_key(storage: Any, name: str) -> str:
    """The object key of storage name ``name`` (with ``AWS_LOCATION`` in front), as
    django-storages computes it."""
    from storages.utils import clean_name

    key: str = storage._normalize_name(clean_name(name))
    return key


def download_to(name: str, sink: IO[bytes], *, storage: Storage | None = None) -> None:
    """Write the stored file ``name`` into ``sink`` (open for binary writing); its bytes
    stream through, never all in memory. ``FileNotFoundError`` if there is no such file;
    ``storage_errors()`` if the storage fails."""
    target = default_storage if storage is None else storage
    if is_s3(target):
        from botocore.exceptions import ClientError

        s3: Any = target
        try:
            s3.bucket.download_fileobj(_s3_key(s3, name), sink, Config=s3.transfer_config)
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(name) from error
            raise
        return
    with target.open(name, "rb") as source:
        shutil.copyfileobj(source, sink, _CHUNK)


@contextlib.contextmanager
def local_copy(name: str, *, storage: Storage | None = None, suffix: str = "") -> Iterator[Path]:
    """A local temporary file holding the stored file ``name``, deleted on leaving the block
    (also on an error). It lives in ``FILE_UPLOAD_TEMP_DIR`` (or the system's temporary
    folder), never under ``MEDIA_ROOT``: a worker needs no shared disk."""
    handle, path = tempfile.mkstemp(
        prefix="scan-archive-", suffix=suffix, dir=settings.FILE_UPLOAD_TEMP_DIR
    )
    try:
        with os.fdopen(handle, "wb") as sink:
            download_to(name, sink, storage=storage)
        yield Path(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def open_stream(name: str, *, storage: Storage | None = None) -> tuple[IO[bytes], int | None]:
    """(a binary stream of the stored file ``name``, its size if known). The caller closes
    it. On S3 the stream is the HTTP body itself (a response starts with the first bytes, not
    after the whole object was fetched). ``FileNotFoundError`` if there is no such file."""
    target = default_storage if storage is None else storage
    if is_s3(target):
        from botocore.exceptions import ClientError

        s3: Any = target
        try:
            answer = s3.bucket.meta.client.get_object(Bucket=s3.bucket_name, Key=_s3_key(s3, name))
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(name) from error
            raise
        return answer["Body"], int(answer["ContentLength"])
    return target.open(name, "rb"), None


def signed_url(
    name: str,
    *,
    seconds: int,
    content_type: str | None = None,
    attachment_name: str | None = None,
    storage: Storage | None = None,
) -> str | None:
    """A URL that gives the stored file ``name`` to whoever holds it for ``seconds``, with
    these response headers; ``None`` when the storage cannot sign URLs (the local disk): the
    caller then streams the file itself. Only call it after the access check."""
    target = default_storage if storage is None else storage
    if not is_s3(target):
        return None
    from django.utils.http import content_disposition_header

    parameters = {}
    if content_type:
        parameters["ResponseContentType"] = content_type
    if attachment_name:
        disposition = content_disposition_header(True, attachment_name)
        if disposition:
            parameters["ResponseContentDisposition"] = disposition
    # A user's file: a shared cache must never keep it.
    parameters["ResponseCacheControl"] = "private, no-store"
    s3: Any = target
    url: str = s3.url(name, parameters=parameters, expire=seconds)
    return url


def _missing(error: Any) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}
