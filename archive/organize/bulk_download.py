"""Downloading many documents as one zip: their originals and/or their searchable PDFs.

``bulk_download_plan`` decides what goes in (and refuses what is too much), before a byte is
sent; ``zip_stream`` then writes the zip while it is sent, one stored file at a time, so a
web process never holds more than one chunk of it in memory (``zipfile`` writes to a
non-seekable stream with data descriptors, and Zip64 for entries over 4 GiB).

Access: only the owner's documents are planned. The selection is the library's bulk-edit
selection (ticked ids, or every document matching its filter); an id that is not one of the
owner's documents refuses the whole download with the same message as a deleted one, so a
guessed id reveals nothing and a partly-foreign selection never silently shrinks.

Bounds (settings): at most ``BULK_DOWNLOAD_MAX_DOCUMENTS`` documents (default 1,000) and
``BULK_DOWNLOAD_MAX_BYTES`` (default 2 GiB) of files per zip; beyond either, the request is
refused with a message that says the limit and how much was chosen.

What goes in (``files``):

- ``originals``: each original, under its uploaded name;
- ``searchable``: each document's searchable PDF where it is built; the original for the
  others (a build takes seconds per page and runs in the worker: a download never waits for
  one);
- ``both``: the originals under ``originals/`` and the built searchable PDFs under
  ``searchable/``.

Names are cleaned (``archive.filenames``) and made unique inside the zip (``a.pdf``,
``a (2).pdf``). When some documents had no searchable PDF, or a file vanished from storage
between the plan and its turn in the stream (deleted meanwhile), a ``README.txt`` at the end of
the zip says which.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.files.storage import default_storage
from django.utils.formats import number_format
from django.utils.translation import gettext

from archive.exports import download_name
from archive.filenames import clean_filename
from archive.models import Document, storage_name
from archive.organize.errors import OrganizeError
from archive.storage.files import open_stream

FILES = ("originals", "searchable", "both")
#: Bytes read from storage (and sent) at a time.
CHUNK = 1024 * 1024


def max_documents() -> int:
    """Most documents in one zip (``BULK_DOWNLOAD_MAX_DOCUMENTS``)."""
    return int(getattr(settings, "BULK_DOWNLOAD_MAX_DOCUMENTS", 1_000))


def max_bytes() -> int:
    """Most bytes of files in one zip (``BULK_DOWNLOAD_MAX_BYTES``)."""
    return int(getattr(settings, "BULK_DOWNLOAD_MAX_BYTES", 2 * 1024**3))


@dataclass(frozen=True)
class Entry:
    """One file of the zip: its name inside, the stored file, its size (bytes)."""

    name: str
    stored: str
    size: int


@dataclass
class DownloadPlan:
    """The files of one download, and notes for the README (documents without a searchable
    PDF). ``size`` is the sum of the files' sizes."""

    entries: list[Entry]
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return sum(entry.size for entry in self.entries)


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:,.1f} MB"


class _Names:
    """Unique names inside the zip: the second ``a.pdf`` becomes ``a (2).pdf``."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def unique(self, folder: str, name: str) -> str:
        path = PurePosixPath(clean_filename(name))
        stem, suffix = path.stem, path.suffix
        candidate = f"{folder}{path}"
        number = 1
        while candidate.lower() in self._taken:
            number += 1
            candidate = f"{folder}{stem} ({number}){suffix}"
        self._taken.add(candidate.lower())
        return candidate


def bulk_download_plan(
    *, owner: AbstractBaseUser, documents: Iterable[int], files: str = "originals"
) -> DownloadPlan:
    """The zip's files for the owner's ``documents`` (in the order given), or
    ``OrganizeError`` with a message: unknown ``files``, nothing chosen, a document that is not
    the owner's (or no longer exists), more than ``max_documents()`` or ``max_bytes()``."""
    if files not in FILES:
        raise OrganizeError(
            gettext("Unknown choice of files %(files)r: one of %(choices)s.")
            % {"files": files, "choices": ", ".join(FILES)},
            field="files",
        )
    wanted = list(dict.fromkeys(int(pk) for pk in documents))
    if not wanted:
        raise OrganizeError(gettext("No documents selected."), field="documents")
    limit = max_documents()
    if len(wanted) > limit:
        raise OrganizeError(
            gettext(
                "At most %(limit)s documents go into one download; %(selected)s are selected. "
                "Narrow the selection (a filter, or fewer ticks) and download in parts."
            )
            % {
                "limit": number_format(limit, force_grouping=True),
                "selected": number_format(len(wanted), force_grouping=True),
            },
            field="documents",
        )
    found = {
        document.pk: document
        for document in Document.objects.filter(owner_id=owner.pk, pk__in=wanted).only(
            "id", "title", "original", "original_name", "size", "searchable_pdf"
        )
    }
    missing = len(wanted) - len(found)
    if missing:
        raise OrganizeError(
            gettext(
                "%(missing)s of the selected documents do not exist (any more); reload the "
                "library and select again."
            )
            % {"missing": number_format(missing, force_grouping=True)},
            field="documents",
        )
    names = _Names()
    plan = DownloadPlan(entries=[])
    without_pdf = []
    for pk in wanted:
        document = found[pk]
        original = Entry(
            names.unique(
                "originals/" if files == "both" else "",
                document.original_name or PurePosixPath(storage_name(document.original)).name,
            ),
            storage_name(document.original),
            document.size,
        )
        pdf = document.searchable_pdf.name
        if files != "searchable":
            plan.entries.append(original)
        if files == "originals":
            continue
        if pdf:
            folder = "searchable/" if files == "both" else ""
            plan.entries.append(
                Entry(names.unique(folder, download_name(document)), pdf, _size(pdf))
            )
        else:
            without_pdf.append(document.title)
            if files == "searchable":
                plan.entries.append(original)
    if without_pdf:
        plan.notes.append(
            f"{len(without_pdf):,} document(s) have no searchable PDF built yet"
            + (" (their originals are included instead)" if files == "searchable" else "")
            + ": "
            + "; ".join(without_pdf)
        )
    if plan.size > max_bytes():
        raise OrganizeError(
            gettext(
                "At most %(limit)s go into one download; the selected files are %(size)s. "
                "Narrow the selection and download in parts."
            )
            % {"limit": _megabytes(max_bytes()), "size": _megabytes(plan.size)},
            field="documents",
        )
    return plan


def _size(name: str) -> int:
    try:
        return int(default_storage.size(name))
    except OSError:
        return 0


class _Sink:
    """A write-only stream whose written bytes are taken out by ``drain`` (what ``zipfile``
    writes between two drains: at most a chunk and a header)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered beyond ``drain``."""

    def close(self) -> None:
        """Nothing to release: the response ends the stream."""

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def zip_stream(plan: DownloadPlan) -> Iterator[bytes]:
    """The zip of ``plan``'s files, chunk by chunk (files stored as they are: scans and PDFs
    are compressed already). A file missing from storage is left out and named in the
    README."""
    sink = _Sink()
    notes = list(plan.notes)
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for entry in plan.entries:
            try:
                # Streamed from the bucket on S3 (open() would fetch the whole object first).
                source, _size = open_stream(entry.stored)
            except OSError:
                notes.append(f"{entry.name}: the stored file is missing; left out.")
                continue
            with source, archive.open(entry.name, mode="w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    yield sink.drain()
            yield sink.drain()
        if notes:
            archive.writestr("README.txt", "\n\n".join(notes) + "\n")
    yield sink.drain()
