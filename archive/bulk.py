"""Importing many files from the local disk: ``manage.py import`` and the consume folder.

Every file goes through ``archive.ingest.document_create``, the same service as a browser upload,
so it gets the same checks, the same duplicate detection (by sha256) and the same messages. This
module adds what a batch needs on top: finding the files, turning each file's fate into an
``ImportResult`` (an ``archive.outcomes.Outcome`` and its details) instead of an exception (one
bad file must not stop ten thousand good ones), adding the outcomes up, and waiting for the OCR
of what was imported.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import django.db
from django.contrib.auth.base_user import AbstractBaseUser

from archive.ingest import StorageFailed, UploadRejected, document_create
from archive.models import Document, PageJob
from archive.ocr_imports import ocr_pairs
from archive.outcomes import Outcome

_logger = logging.getLogger(__name__)

# Statuses no worker will change any more (mirrors ``Document.is_finished``).
FINISHED = (Document.Status.DONE, Document.Status.FAILED, Document.Status.NEEDS_PASSWORD)


@dataclass(frozen=True)
class ImportResult:
    """What became of one path: a new document, an existing one it duplicates, or a rejection.

    ``document_id`` and ``status`` (the document's) are set for new and duplicate files;
    ``reason`` (words for a person, with no path in it, so that files rejected for the same
    reason group together) for rejected ones.
    """

    path: Path
    outcome: Outcome
    document_id: int | None = None
    status: str = ""
    reason: str = ""
    #: Rejected for a passing reason (the storage was full): worth trying again later.
    retry: bool = False


@dataclass(frozen=True)
class FoundFiles:
    """The files to import, in order, and the given paths that do not exist; ``ocr_files``
    maps a scan to the OCR file found beside it (``archive.ocr_imports.ocr_pairs``), which is
    imported with the scan and is not in ``files`` itself."""

    files: list[Path]
    missing: list[Path]
    ocr_files: dict[Path, Path] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.files) + len(self.missing)


@dataclass
class Summary:
    """Outcomes added up; ``add`` one at a time so a caller can show progress as it goes."""

    #: New documents (outcome ``CREATED`` or ``NEEDS_PASSWORD``): "imported" in the output.
    imported: list[ImportResult] = field(default_factory=list)
    duplicates: list[ImportResult] = field(default_factory=list)
    rejected: list[ImportResult] = field(default_factory=list)

    def add(self, result: ImportResult) -> None:
        {
            Outcome.CREATED: self.imported,
            Outcome.NEEDS_PASSWORD: self.imported,
            Outcome.DUPLICATE: self.duplicates,
            Outcome.REJECTED: self.rejected,
        }[result.outcome].append(result)

    @property
    def total(self) -> int:
        return len(self.imported) + len(self.duplicates) + len(self.rejected)

    @property
    def needing_password(self) -> int:
        """Imported files stored as protected PDFs: they wait for their password."""
        return sum(o.outcome is Outcome.NEEDS_PASSWORD for o in self.imported)

    @property
    def document_ids(self) -> list[int]:
        """Documents the imported and duplicate files stand for (each once, in order)."""
        ids = (o.document_id for o in [*self.imported, *self.duplicates])
        return list(dict.fromkeys(i for i in ids if i is not None))

    def rejected_by_reason(self) -> list[tuple[str, list[Path]]]:
        """Rejected paths grouped by reason: the most common reason first, then by reason."""
        groups: dict[str, list[Path]] = {}
        for outcome in self.rejected:
            groups.setdefault(outcome.reason, []).append(outcome.path)
        return sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))

    def counts_line(self) -> str:
        """The one-line form, ``N imported, N duplicate, N rejected`` (scripts grep for it)."""
        return (
            f"{len(self.imported)} imported, {len(self.duplicates)} duplicate, "
            f"{len(self.rejected)} rejected"
        )

    def table(self) -> str:
        """The summary as a person reads it at the end of an import: counts, then why files
        were rejected, grouped where several share a reason. Ends with ``counts_line()``."""
        rows = [
            ("imported", len(self.imported)),
            ("duplicate", len(self.duplicates)),
            ("rejected", len(self.rejected)),
            ("total", self.total),
        ]
        if self.needing_password:
            rows.insert(1, ("  of which need a password", self.needing_password))
        label_width = max(len(label) for label, _ in rows)
        width = max(len(str(count)) for _, count in rows)
        lines = [f"{label:<{label_width}} {count:>{width}}" for label, count in rows]
        if self.rejected:
            lines += ["", "Rejected:"]
            for reason, paths in self.rejected_by_reason():
                if len(paths) == 1:
                    lines.append(f"  {paths[0]}: {reason}")
                else:
                    lines.append(f"  {reason} ({len(paths)} files)")
                    lines += [f"    {path}" for path in paths]
        lines += ["", self.counts_line()]
        return "\n".join(lines)


def find_files(paths: Iterable[Path]) -> FoundFiles:
    """The files under ``paths``: each file given, and every file in each folder given, walked
    recursively in name order. Hidden files and folders (name starting with ".") inside a folder
    are skipped without being walked; a path given by name is taken even if hidden."""
    files: list[Path] = []
    missing: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += walk(path)
        else:
            missing.append(path)
    pairs = pair_ocr_files(files)
    paired = set(pairs.values())
    return FoundFiles([f for f in files if f not in paired], missing, pairs)


def pair_ocr_files(files: Iterable[Path]) -> dict[Path, Path]:
    """Scan -> its OCR file, among ``files``, paired by name within each folder
    (``archive.ocr_imports.ocr_pairs``: ``scan.tif`` with ``scan.xml`` or ``scan.hocr``)."""
    folders: dict[Path, list[str]] = {}
    for path in files:
        folders.setdefault(path.parent, []).append(path.name)
    return {
        folder / scan: folder / ocr
        for folder, names in folders.items()
        for scan, ocr in ocr_pairs(names).items()
    }


def walk(folder: Path, *, skip: Collection[Path] = ()) -> list[Path]:
    """Files in ``folder`` and its subfolders, in name order, hidden ones and ``skip``ped
    folders left out. Symbolic links to folders are not followed (no loops)."""
    found: list[Path] = []
    skipped = {str(path) for path in skip}
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and os.path.join(root, d) not in skipped
        )
        for name in sorted(names):
            path = Path(root, name)
            if not name.startswith(".") and path.is_file():
                found.append(path)
    return found


def import_file(
    path: Path, *, owner: AbstractBaseUser, language: str = "", ocr_path: Path | None = None
) -> ImportResult:
    """Import one file for ``owner``, with ``ocr_path`` as its OCR file if given (its text is
    kept instead of running OCR); never raises for a problem with the files themselves.

    A rejected, unreadable or otherwise broken file gives outcome ``REJECTED`` with the reason.
    Database errors are raised: they are not the file's fault and the next file would meet them
    too, so the caller should stop (or, when watching a folder, retry later).
    """
    try:
        with path.open("rb") as handle, contextlib.ExitStack() as stack:
            ocr_file = stack.enter_context(ocr_path.open("rb")) if ocr_path else None
            result = document_create(
                owner=owner,
                upload=handle,
                name=path.name,
                language=language,
                # Behind interactive uploads in the OCR queue, and not bound by their limit.
                priority=PageJob.Priority.BULK,
                ocr_file=ocr_file,
            )
    except StorageFailed as error:
        return ImportResult(path, Outcome.REJECTED, reason=str(error), retry=True)
    except UploadRejected as error:
        return ImportResult(path, Outcome.REJECTED, reason=str(error))
    except OSError as error:
        return ImportResult(
            path, Outcome.REJECTED, reason=f"Cannot read the file: {error.strerror}."
        )
    except django.db.Error:
        raise
    except Exception as error:
        # A decoder bug on a strange file must not end a batch of thousands; the traceback goes
        # to the log for whoever fixes it.
        _logger.exception("unexpected error importing %s", path)
        return ImportResult(
            path, Outcome.REJECTED, reason=f"Unexpected error ({type(error).__name__}): {error}"
        )
    document = result.document
    return ImportResult(path, result.outcome, document_id=document.pk, status=document.status)


def import_files(
    found: FoundFiles, *, owner: AbstractBaseUser, language: str = ""
) -> Iterator[ImportResult]:
    """Import ``found`` one file at a time, yielding each outcome as soon as it is known.

    Missing paths come first, as rejections. Each document is committed before its outcome is
    yielded (outside a transaction), so stopping half-way keeps what was imported.
    """
    for path in found.missing:
        yield ImportResult(path, Outcome.REJECTED, reason="No such file or folder.")
    for path in found.files:
        yield import_file(path, owner=owner, language=language, ocr_path=found.ocr_files.get(path))


def import_paths(
    paths: Iterable[Path], *, owner: AbstractBaseUser, language: str = ""
) -> Iterator[ImportResult]:
    """``import_files(find_files(paths))``: for callers that need no total up front."""
    return import_files(find_files(paths), owner=owner, language=language)


class WaitTimedOut(Exception):
    """``wait_for_documents`` gave up; ``left`` documents were still unfinished."""

    def __init__(self, left: int) -> None:
        super().__init__(f"Timed out with {left} document(s) still unfinished.")
        self.left = left


def wait_for_documents(
    ids: Collection[int],
    *,
    timeout: float = 0,
    poll: float = 1.0,
    on_change: Callable[[int], None] | None = None,
) -> list[Document]:
    """Block until none of ``ids`` is queued or processing; return those not done (failed or
    needing a password), in id order.

    ``on_change(left)`` is called whenever the number of unfinished documents changes.
    ``timeout`` seconds (0: no limit) raises ``WaitTimedOut``. Someone must be running a worker.
    """
    deadline = time.monotonic() + timeout if timeout else None
    unfinished = Document.objects.filter(pk__in=ids).exclude(status__in=FINISHED)
    last = -1
    while (left := unfinished.count()) > 0:
        if left != last and on_change is not None:
            on_change(left)
        last = left
        if deadline is not None and time.monotonic() > deadline:
            raise WaitTimedOut(left)
        time.sleep(poll)
    return list(
        Document.objects.filter(pk__in=ids).exclude(status=Document.Status.DONE).order_by("pk")
    )
