"""A worker host's cache of originals, so that the pages of one document fetch it once.

Each page job needs the document's original as a local file. On the local disk that is the
stored file itself (no copy at all). On S3 (or any storage without local paths) a page job
used to copy the whole original from the bucket, so an 8-page document of 46 MB moved
8 × 46 MB (issue 18). Here a copy is kept in ``WORKER_ORIGINALS_CACHE_DIR`` for the next pages,
up to ``WORKER_ORIGINALS_CACHE_MB`` (least recently used out first; 0 turns it off).

Contracts:

- A cached file is named by the document's sha256 and only enters the cache (``os.replace``
  of a finished temporary file, atomic for the other worker processes sharing the folder)
  once its bytes hash to that name. A copy made while the stored object was replaced or
  deleted therefore never serves another document: whatever document uses it has exactly
  those bytes.
- Before each use the file's size is checked against the document's (a truncated or
  half-written file is removed and fetched again), and the job reads a hard link of its own,
  so another process evicting the entry meanwhile cannot take it away mid-page.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage, default_storage

from archive.storage.files import download_to, local_copy

_CHUNK = 1 << 20
_HASH_NAME = re.compile(r"^[0-9a-f]{64}$")
# A temporary or per-use file older than this is a dead worker's: removed by the eviction.
_STALE_SECONDS = 3600


def cache_dir() -> Path:
    """The cache folder: ``WORKER_ORIGINALS_CACHE_DIR``, or ``scan-archive-originals`` in the
    worker's temporary folder (``FILE_UPLOAD_TEMP_DIR``, else the system's: ``TMPDIR``)."""
    configured = getattr(settings, "WORKER_ORIGINALS_CACHE_DIR", "")
    if configured:
        return Path(configured)
    base = settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir()
    return Path(base) / "scan-archive-originals"


def _local_path(storage: Storage, name: str) -> Path | None:
    """The stored file's own path if the storage has local paths (the local disk), else None."""
    try:
        return Path(storage.path(name))
    except NotImplementedError:
        return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while block := source.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def original_file(
    name: str, *, sha256: str, size: int, storage: Storage | None = None
) -> Iterator[Path]:
    """A local path holding the stored file ``name`` (whose content hashes to ``sha256`` and is
    ``size`` bytes), valid inside the block. The local disk's own file; else a copy from the
    cache (fetched into it on a miss); else, with the cache off, too small for the file or
    without a valid hash, a temporary copy deleted on leaving the block (as before).
    ``FileNotFoundError`` if the storage has no such file."""
    target = default_storage if storage is None else storage
    local = _local_path(target, name)
    if local is not None:
        if not local.is_file():
            raise FileNotFoundError(name)
        yield local
        return
    limit = int(getattr(settings, "WORKER_ORIGINALS_CACHE_MB", 0)) * 1024 * 1024
    if limit <= 0 or size > limit or not _HASH_NAME.match(sha256):
        with local_copy(name, storage=target) as path:
            yield path
        return
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    use = folder / f".use-{os.getpid()}-{uuid.uuid4().hex}"
    try:
        _link_or_fetch(name, sha256, size, target, folder, use, limit)
        yield use
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(use)


def _link_or_fetch(
    name: str, sha256: str, size: int, storage: Storage, folder: Path, use: Path, limit: int
) -> None:
    """Make ``use`` a hard link of the cached copy of ``sha256``, fetching it first if it is
    missing or has the wrong size."""
    entry = folder / sha256
    with contextlib.suppress(FileNotFoundError):
        os.link(entry, use)
        if use.stat().st_size == size:
            os.utime(entry)  # most recently used: evicted last
            return
        # Truncated or grown: never used. Remove it (a good copy another process just put
        # there is only fetched again) and fetch.
        os.unlink(use)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(entry)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as sink:
            download_to(name, sink, storage=storage)
        os.link(temporary, use)
        # Published only with the bytes the name promises: a copy of an object replaced or
        # half-deleted meanwhile stays this job's own.
        if use.stat().st_size == size and _sha256(use) == sha256:
            os.replace(temporary, entry)
            evict(limit, folder)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def evict(limit: int, folder: Path | None = None) -> None:
    """Remove the least recently used cached originals until the cache holds at most ``limit``
    bytes, and temporary files of dead workers. Safe with other processes evicting at once (a
    file already gone is skipped; a job's own hard link keeps its copy readable)."""
    folder = cache_dir() if folder is None else folder
    entries: list[tuple[float, int, Path]] = []
    now = time.time()
    with os.scandir(folder) as listing:
        for item in listing:
            try:
                status = item.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            if _HASH_NAME.match(item.name):
                entries.append((status.st_mtime, status.st_size, Path(item.path)))
            elif item.name.startswith((".tmp-", ".use-")):
                if now - status.st_mtime < _STALE_SECONDS:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(item.path)
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= limit:
            break
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        total -= size
