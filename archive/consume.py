"""The consume folder: scans dropped into a folder are imported, then moved aside.

A file is taken once it looks complete: the same size and modification time at two scans in a
row, so a file still being copied (by a scanner, over a network share) is left alone. Polling
only: inotify is Linux-only, misses changes on network shares and would be a dependency.

A file is moved only after ``document_create`` returned, that is once its original is stored
and its row committed: to ``done/`` when imported or a duplicate, to ``failed/`` when rejected,
with ``<name>.reason.txt`` beside it saying why. A name already taken there gets a numeric suffix
(``scan-1.pdf``). Nothing is ever deleted. Subfolders are consumed too and their structure kept
under ``done/`` and ``failed/``; hidden files and folders, and ``done/`` and ``failed/``
themselves, are ignored.

A scan's OCR file lying beside it under the same base name (``scan.tif`` with ``scan.xml`` or
``scan.hocr``, ``archive.ocr_imports``) is imported with it, once both are complete, and moved
with it. Copy the OCR file in first (or together): a scan that is complete while its OCR file
has not arrived yet is read by OCR.
"""

from __future__ import annotations

import itertools
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import close_old_connections, connection
from django.utils import timezone

from archive.bulk import ImportResult, import_file, pair_ocr_files, walk
from archive.outcomes import Outcome

_logger = logging.getLogger(__name__)

# (size in bytes, modification time in ns): unchanged between two scans means "complete".
Signature = tuple[int, int]

REASON_SUFFIX = ".reason.txt"


@dataclass(frozen=True)
class Consumed:
    """One file taken from the folder: what became of it and where it was moved (``None`` if the
    move failed; the file then stays where it is, see ``ConsumeFolder.poll``)."""

    result: ImportResult
    moved_to: Path | None


class ConsumeFolder:
    """A folder whose complete files become ``owner``'s documents. Not thread-safe; run one
    watcher per folder (a second one would only find duplicates, but would race on moves)."""

    def __init__(self, folder: Path, *, owner: AbstractBaseUser, language: str = "") -> None:
        self.folder = folder
        self.done = folder / "done"
        self.failed = folder / "failed"
        self.owner = owner
        self.language = language
        self._seen: dict[Path, Signature] = {}
        # Files whose move failed, with the signature they had: not imported again (every pass
        # would re-read them) until they change or the watcher restarts.
        self._stuck: dict[Path, Signature] = {}

    def prepare(self) -> None:
        """Check that the folder exists and create ``done/`` and ``failed/``; raises
        ``FileNotFoundError`` for a missing folder (an unmounted share must not look empty)."""
        if not self.folder.is_dir():
            raise FileNotFoundError(f"The consume folder {self.folder} does not exist.")
        self.done.mkdir(exist_ok=True)
        self.failed.mkdir(exist_ok=True)

    def poll(self, *, should_stop: Callable[[], bool] = lambda: False) -> list[Consumed]:
        """One scan: import and move every file unchanged since the previous scan; remember the
        others for the next. The first scan of a new watcher therefore takes nothing.

        Stops between files once ``should_stop()`` is true. A database error is raised with the
        file left in place; it and the files after it are taken at the next scan.
        """
        self.prepare()
        current = self._signatures()
        ready = [
            path
            for path, signature in current.items()
            if self._seen.get(path) == signature and self._stuck.get(path) != signature
        ]
        self._seen = current
        self._stuck = {p: s for p, s in self._stuck.items() if current.get(p) == s}
        # A scan's OCR file goes with its scan, once both are complete (never alone).
        pairs = pair_ocr_files(current)
        partners = set(pairs.values())
        consumed = []
        for path in ready:
            if should_stop():
                break
            if path in partners:
                continue
            ocr_path = pairs.get(path)
            if ocr_path is not None and ocr_path not in ready:
                continue  # its OCR file is still arriving
            consumed.append(self._consume(path, current[path], ocr_path))
            # A new file dropped under the same name must again be seen twice.
            for taken in (path, ocr_path):
                if taken is not None:
                    self._seen.pop(taken, None)
        return consumed

    def _signatures(self) -> dict[Path, Signature]:
        signatures = {}
        for path in walk(self.folder, skip=[self.done, self.failed]):
            try:
                stat = path.stat()
            except OSError:
                continue  # gone since the folder was listed
            signatures[path] = (stat.st_size, stat.st_mtime_ns)
        return signatures

    def _consume(self, path: Path, signature: Signature, ocr_path: Path | None) -> Consumed:
        """Import ``path`` (with its OCR file ``ocr_path``, if any) and move both aside."""
        result = import_file(path, owner=self.owner, language=self.language, ocr_path=ocr_path)
        relative = path.relative_to(self.folder)
        _log(relative, result)
        if result.retry:
            # Not the file's fault (the storage is full): it stays, to be tried again.
            return Consumed(result, None)
        target = self.failed if result.outcome is Outcome.REJECTED else self.done
        moved_to = self._move(path, target / relative.parent, signature)
        if ocr_path is not None and moved_to is not None:
            self._move(ocr_path, target / relative.parent, signature)
        if result.outcome is Outcome.REJECTED and moved_to is not None:
            self._write_reason(moved_to, relative, result.reason)
        return Consumed(result, moved_to)

    def _move(self, path: Path, folder: Path, signature: Signature) -> Path | None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = free_name(folder, path.name)
            # shutil.move, not rename: done/ may be a mount of its own (then it copies first).
            shutil.move(path, target)
        except OSError as error:
            self._stuck[path] = signature
            _logger.error(
                "cannot move %s to %s: %s; left in place until it changes or the watcher restarts",
                path,
                folder,
                error,
            )
            return None
        return target

    def _write_reason(self, moved_to: Path, relative: Path, reason: str) -> None:
        note = Path(f"{moved_to}{REASON_SUFFIX}")
        try:
            when = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S %Z")
            note.write_text(f"{reason}\n\nFile: {relative}\nRejected: {when}\n", encoding="utf-8")
        except OSError as error:
            _logger.error("cannot write %s: %s", note, error)


def _log(relative: Path, result: ImportResult) -> None:
    outcome = result.outcome
    if outcome is Outcome.REJECTED:
        _logger.warning("%s rejected: %s", relative, result.reason)
    elif outcome is Outcome.DUPLICATE:
        _logger.info(
            "%s is a duplicate of document %s: not stored again", relative, result.document_id
        )
    elif outcome is Outcome.NEEDS_PASSWORD:
        _logger.warning(
            "%s imported as document %s, a protected PDF: give its password on the document's "
            "page to have it read",
            relative,
            result.document_id,
        )
    else:
        _logger.info("%s imported as document %s", relative, result.document_id)


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/stem-N.suffix`` with the lowest N that is free, where free
    means neither the file nor its ``.reason.txt`` exists (a stale note must not describe a
    different file)."""
    stem, suffix = os.path.splitext(name)
    for number in itertools.count():
        candidate = folder / (name if number == 0 else f"{stem}-{number}{suffix}")
        if not os.path.lexists(candidate) and not os.path.lexists(f"{candidate}{REASON_SUFFIX}"):
            return candidate
    raise AssertionError("unreachable")  # itertools.count() never ends


def consume_once(consume: ConsumeFolder, *, settle: float) -> list[Consumed]:
    """Scan, wait ``settle`` seconds, scan again: one run's worth (cron, tests). Files that
    changed in between are left for the next run."""
    consume.poll()
    time.sleep(settle)
    return consume.poll()


def watch(
    consume: ConsumeFolder,
    *,
    interval: float,
    should_stop: Callable[[], bool],
) -> None:
    """Scan every ``interval`` seconds until ``should_stop()``; survives any error in a scan
    (database restarting, share unmounted) by logging it and trying again at the next one."""
    last_error = ""
    while not should_stop():
        # A long-lived process outside the request cycle must drop broken or expired
        # connections itself, or one database restart would break every later scan. (Not
        # inside a transaction, e.g. a test's: that would close the connection under it.)
        if not connection.in_atomic_block:
            close_old_connections()
        try:
            consume.poll(should_stop=should_stop)
        except Exception as error:
            # Log a lasting problem once, not every few seconds.
            if str(error) != last_error:
                _logger.exception("consume folder scan failed; retrying every %s s", interval)
            last_error = str(error)
        else:
            if last_error:
                _logger.info("consume folder scans work again")
            last_error = ""
        deadline = time.monotonic() + interval
        while not should_stop() and time.monotonic() < deadline:
            time.sleep(min(0.2, interval))
