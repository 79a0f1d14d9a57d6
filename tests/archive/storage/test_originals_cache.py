"""A worker host's cache of originals (``archive.storage.originals``, issue 18) on a real S3
server (SeaweedFS): the pages of one document fetch the original once, not once a page; a
damaged cached copy is fetched again; the cache stays under its limit; off, every page job
fetches the original as before; on the local disk nothing is copied at all."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from archive.storage.originals import cache_dir, original_file
from tests.archive.conftest import encode, render_page, run_queued_tasks

pytestmark = [pytest.mark.django_db]


class Gets:
    """The bytes of each stored object that the archive's S3 client asked for with GetObject
    (boto3's own request events on this thread's connection of the storage: the jobs run
    here). A large object comes in ranged parts (boto3's multipart download)."""

    def __init__(self) -> None:
        self.requested: dict[str, int] = {}

    def __call__(self, params: dict[str, Any], **_other: Any) -> None:
        key = str(params.get("Key"))
        requested = str(params.get("Range") or "")
        if requested.startswith("bytes="):
            first, _, last = requested.removeprefix("bytes=").partition("-")
            end = int(last) + 1 if last else default_storage.size(key)  # "bytes=N-": to the end
            amount = min(end, default_storage.size(key)) - int(first)
        else:
            amount = default_storage.size(key)
        self.requested[key] = self.requested.get(key, 0) + amount

    def copies(self, key: str) -> float:
        """How many whole copies of the object ``key`` were fetched."""
        return self.requested.get(key, 0) / default_storage.size(key)


@pytest.fixture
def gets() -> Iterator[Gets]:
    """The GetObject requests from now on."""
    seen = Gets()
    events = default_storage.connection.meta.client.meta.events  # type: ignore[attr-defined]
    events.register("provide-client-params.s3.GetObject", seen, unique_id="test-gets")
    yield seen
    events.unregister("provide-client-params.s3.GetObject", unique_id="test-gets")


def _three_pages(owner: Any) -> Document:
    data = encode([render_page([f"{word} section"]) for word in ("Kilo", "Lima", "Mike")], "TIFF")
    upload = ContentFile(data, name="three.tif")
    return document_create(owner=owner, upload=upload, name="three.tif").document


def _process(document: Document) -> Document:
    document_process(document.pk)
    run_queued_tasks()  # the other pages, as a worker runs them
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert document.page_count == 3
    assert [p.text.split()[0] for p in document.pages.order_by("number")] == [
        "Kilo",
        "Lima",
        "Mike",
    ]
    return document


@pytest.mark.slow
@pytest.mark.usefixtures("s3_storage")
def test_a_documents_pages_fetch_the_original_once(alice: Any, settings: Any, gets: Gets) -> None:
    settings.WORKER_ORIGINALS_CACHE_MB = 50
    document = _process(_three_pages(alice))
    assert gets.copies(str(document.original.name)) == 1
    cached = cache_dir() / document.sha256
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == document.sha256
    # Only the cached copy is left, no per-use link or temporary file.
    assert [p.name for p in cache_dir().iterdir()] == [document.sha256]


@pytest.mark.slow
@pytest.mark.usefixtures("s3_storage")
def test_cache_off_fetches_the_original_for_every_page(
    alice: Any, settings: Any, gets: Gets
) -> None:
    settings.WORKER_ORIGINALS_CACHE_MB = 0
    document = _process(_three_pages(alice))
    # Each page job copies the whole original (the first page's job opens it twice: to count
    # the pages, then to read the page).
    assert gets.copies(str(document.original.name)) >= 3
    assert not cache_dir().exists() or list(cache_dir().iterdir()) == []


@pytest.mark.usefixtures("s3_storage")
def test_a_truncated_cached_copy_is_fetched_again(settings: Any, gets: Gets) -> None:
    settings.WORKER_ORIGINALS_CACHE_MB = 5
    data = bytes(range(256)) * 4000
    name = default_storage.save("originals/t.bin", ContentFile(data))
    digest = hashlib.sha256(data).hexdigest()
    for _ in range(2):
        with original_file(name, sha256=digest, size=len(data)) as path:
            assert path.read_bytes() == data
    assert gets.copies(name) == 1
    cached = cache_dir() / digest
    cached.write_bytes(data[:1000])  # a half-written or damaged copy
    with original_file(name, sha256=digest, size=len(data)) as path:
        assert path.read_bytes() == data
    assert gets.copies(name) == 2
    assert cached.read_bytes() == data


@pytest.mark.usefixtures("s3_storage")
def test_a_copy_not_matching_its_hash_is_never_cached(settings: Any, gets: Gets) -> None:
    # The stored object is not what the document's sha256 says (replaced meanwhile): this job
    # reads it, no other document ever gets it from the cache.
    settings.WORKER_ORIGINALS_CACHE_MB = 5
    name = default_storage.save("originals/r.bin", ContentFile(b"replaced" * 100))
    claimed = hashlib.sha256(b"original" * 100).hexdigest()
    with original_file(name, sha256=claimed, size=800) as path:
        assert path.read_bytes() == b"replaced" * 100
    assert list(cache_dir().iterdir()) == []


@pytest.mark.usefixtures("s3_storage")
def test_eviction_keeps_the_cache_under_its_limit(settings: Any, gets: Gets) -> None:
    settings.WORKER_ORIGINALS_CACHE_MB = 1
    stored = []
    for n in range(4):
        data = bytes([n]) * 400_000
        name = default_storage.save(f"originals/e{n}.bin", ContentFile(data))
        stored.append((name, hashlib.sha256(data).hexdigest(), len(data)))

    def use(n: int) -> None:
        name, digest, size = stored[n]
        with original_file(name, sha256=digest, size=size) as path:
            assert path.stat().st_size == size

    def cached() -> set[str]:
        files = {p.name: p.stat().st_size for p in cache_dir().iterdir()}
        assert sum(files.values()) <= 1024 * 1024
        return set(files)

    use(0)
    use(1)
    use(0)  # used again: the second is now the least recently used
    use(2)
    assert cached() == {stored[0][1], stored[2][1]}
    use(3)
    assert cached() == {stored[2][1], stored[3][1]}
    assert gets.copies(stored[0][0]) == 1


def test_the_local_disk_is_read_in_place(settings: Any, tmp_path: Path) -> None:
    settings.WORKER_ORIGINALS_CACHE_MB = 50
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    data = b"scan" * 1000
    name = default_storage.save("originals/l.bin", ContentFile(data))
    with original_file(name, sha256=hashlib.sha256(data).hexdigest(), size=len(data)) as path:
        assert path == Path(default_storage.path(name))
    assert list(tmp_path.iterdir()) == []
    assert not cache_dir().exists() or list(cache_dir().iterdir()) == []
