"""Moving an archive's files from a local folder to the configured storage (S3).

``move_files`` copies every file the database refers to (originals, imported OCR files,
searchable PDFs, page images, thumbnails, OCR service inputs) under the same storage name, so
no row changes: once it has run, setting ``STORAGE_BACKEND=s3`` is the whole switch.

- **Verified.** Each file's sha256 is computed from the local copy (and compared with the
  recorded one for originals), and again from the object read back from the target: a file
  counts as moved only when both agree.
- **Resumable.** Each verified file is appended to a journal (one line: sha256, size, name;
  flushed and synced). A later run skips the files the journal lists whose object is still
  there with that size, and checks by hash any object that is there but not in the journal (a
  run killed after the upload, before the journal line). Stop it at any point and run again.
- **Read-only on the source.** Local files are never changed or deleted: keep them until the
  archive has run on S3 for a while (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.core.files import File
from django.core.files.storage import Storage

from archive.models import Document, Page
from archive.ocr_jobs import OcrJob
from archive.storage.files import download_to

_CHUNK = 1 << 20


class MoveError(Exception):
    """The move cannot start (a source or target that makes no sense)."""


@dataclass
class MoveSummary:
    """What one run did; ``problems`` lists files not moved, with the reason."""

    files: int = 0
    copied: int = 0
    already: int = 0
    bytes_copied: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def files_per_second(self) -> float:
        """Files handled (copied or found already there) per second of the run."""
        return (self.copied + self.already) / self.seconds if self.seconds else 0.0


def referenced_files() -> Iterator[tuple[str, str | None]]:
    """(storage name, expected sha256 or None) of every file a row refers to, each once."""
    seen: set[str] = set()

    def once(name: str | None, digest: str | None = None) -> Iterator[tuple[str, str | None]]:
        if name and name not in seen:
            seen.add(name)
            yield name, digest

    rows = Document.objects.order_by("pk").values_list(
        "original", "sha256", "ocr_file", "searchable_pdf"
    )
    for original, sha256, ocr_file, pdf in rows.iterator(chunk_size=2000):
        yield from once(original, sha256)
        yield from once(ocr_file)
        yield from once(pdf)
    pages = Page.objects.order_by("pk").values_list("image", "thumbnail")
    for image, thumbnail in pages.iterator(chunk_size=2000):
        yield from once(image)
        yield from once(thumbnail)
    for name in OcrJob.objects.order_by("pk").values_list("input", flat=True).iterator():
        yield from once(name)


class _HashingSink:
    """A write-only file that keeps only the sha256 and size of what is written to it."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return len(data)


def _local_digest(handle: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def _target_digest(name: str, target: Storage) -> tuple[str, int]:
    sink = _HashingSink()
    download_to(name, sink, storage=target)  # type: ignore[arg-type]  # only write() is used
    return sink.digest.hexdigest(), sink.size


def _read_journal(journal: Path) -> dict[str, tuple[str, int]]:
    done: dict[str, tuple[str, int]] = {}
    if journal.exists():
        for line in journal.read_text(encoding="utf-8").splitlines():
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[1].isdigit():  # a line cut by a crash is ignored
                done[parts[2]] = (parts[0], int(parts[1]))
    return done


def move_files(
    *,
    source: Storage,
    target: Storage,
    journal: Path,
    limit: int | None = None,
    on_file: Callable[[MoveSummary, str], None] | None = None,
) -> MoveSummary:
    """Copy every referenced file from ``source`` to ``target`` under its name, verified by
    sha256 and recorded in ``journal`` (see the module's docstring); at most ``limit`` files
    are copied in this run. ``on_file(summary, name)`` is called after each file."""
    done = _read_journal(journal)
    summary = MoveSummary()
    began = time.monotonic()
    journal.parent.mkdir(parents=True, exist_ok=True)
    with journal.open("a", encoding="utf-8") as log:
        for name, expected in referenced_files():
            if limit is not None and summary.copied >= limit:
                break
            summary.files += 1
            outcome = _move_one(name, expected, source, target, done.get(name))
            if isinstance(outcome, str):
                summary.problems.append(f"{name}: {outcome}")
            else:
                digest, size, copied = outcome
                if copied:
                    summary.copied += 1
                    summary.bytes_copied += size
                else:
                    summary.already += 1
                if done.get(name) != (digest, size):
                    log.write(f"{digest} {size} {name}\n")
                    log.flush()
                    os.fsync(log.fileno())
                    done[name] = (digest, size)
            if on_file is not None:
                on_file(summary, name)
    summary.seconds = time.monotonic() - began
    return summary


def _move_one(
    name: str,
    expected: str | None,
    source: Storage,
    target: Storage,
    journaled: tuple[str, int] | None,
) -> tuple[str, int, bool] | str:
    """(sha256, size, copied now) of ``name`` once verified on ``target``, or the reason it
    could not be moved."""
    if journaled is not None and target.exists(name) and target.size(name) == journaled[1]:
        return journaled[0], journaled[1], False
    if not source.exists(name):
        if target.exists(name):  # moved by an earlier run whose journal was lost
            digest, size = _target_digest(name, target)
            if expected is None or digest == expected:
                return digest, size, False
        return "missing from the source folder"
    with source.open(name, "rb") as handle:
        digest, size = _local_digest(handle)
        if expected is not None and digest != expected:
            return f"the local file's sha256 {digest} is not the recorded {expected}; not moved"
        if target.exists(name):
            if _target_digest(name, target) == (digest, size):
                return digest, size, False
            target.delete(name)  # a damaged or partial copy of an earlier run
        stored = target.save(name, File(handle, name=name))
    if stored != name:
        target.delete(stored)
        return f"the target stored it as {stored!r}; not moved"
    if _target_digest(name, target) != (digest, size):
        return "the copy read back from the target differs; run the command again"
    return digest, size, True
