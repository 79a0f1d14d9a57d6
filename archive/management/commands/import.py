"""``manage.py import PATH... --owner USERNAME [--wait]``: bulk import of files and folders.

Folders are walked recursively (hidden files skipped, in name order); every file goes through
the same service as a browser upload (``archive.bulk``). Progress goes to stderr: one line redrawn
in place on a terminal, a plain line every ten seconds otherwise; each rejected file is reported
there as it happens. At the end a summary table on stdout counts imported, duplicate and rejected
files and says why each rejected file was refused. With ``--verbosity 2`` every file gets a line;
with ``3`` the per-file log lines of ingestion and the queue are shown too.

With ``--wait`` the command returns once every document is done or failed (a worker must be
running: ``manage.py serve`` or ``manage.py qcluster``). Exits non-zero if any file was rejected
or, with ``--wait``, if any document failed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.bulk import Summary, WaitTimedOut, find_files, import_files
from archive.bulk import wait_for_documents as wait_for
from archive.languages import DETECT, LANGUAGES
from archive.management.owners import owner_named
from archive.models import Document
from archive.outcomes import Outcome
from archive.progress import Progress


class Command(BaseCommand):
    help = "Import scans (files or folders, recursively) for a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--owner", required=True, help="Username the documents belong to.")
        parser.add_argument(
            "--language",
            default="",
            choices=["", DETECT, *LANGUAGES],
            help='Language of the documents; "detect" (the default) finds it from the text.',
        )
        parser.add_argument(
            "--wait", action="store_true", help="Wait until every document is done or failed."
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=0,
            help="With --wait, give up after this many seconds (0: no limit).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = owner_named(options["owner"])
        verbosity: int = options["verbosity"]

        found = find_files(options["paths"])
        progress = Progress(self._write_stderr, found.total, tty=self.stderr.isatty())
        summary = Summary()
        with _quiet_per_file_logs(unless=verbosity >= 3):
            for result in import_files(found, owner=owner, language=options["language"]):
                summary.add(result)
                if result.outcome is Outcome.REJECTED:
                    progress.print(f"rejected  {result.path}: {result.reason}")
                elif verbosity >= 2:
                    # The command's own words: a new document is "imported".
                    new = result.outcome.is_new
                    label, arrow = ("imported", "->") if new else ("duplicate", "=")
                    progress.print(
                        f"{label:<9} {result.path} {arrow} document {result.document_id}"
                    )
                if verbosity >= 1:
                    progress.update(summary.total, summary.counts_line())
        if verbosity >= 1:
            progress.close()

        self.stdout.write("\n" + summary.table())
        if options["wait"]:
            self._wait(summary.document_ids, options["timeout"])
        if summary.rejected:
            raise CommandError(f"{len(summary.rejected)} file(s) rejected.")

    def _write_stderr(self, text: str) -> None:
        # Unstyled: on a terminal Django colours all of stderr as errors; progress is not one.
        self.stderr.write(text, style_func=lambda plain: plain, ending="")
        self.stderr.flush()

    def _wait(self, ids: list[int], timeout: float) -> None:
        def report(left: int) -> None:
            self.stdout.write(f"waiting for {left} document(s)...")

        try:
            unfinished = wait_for(ids, timeout=timeout, on_change=report)
        except WaitTimedOut as error:
            raise CommandError(str(error)) from None
        for document in unfinished:
            if document.status == Document.Status.NEEDS_PASSWORD:
                label, problem = "locked", "the PDF needs its password (give it on its page)"
            else:
                label, problem = "failed", document.error
            self.stderr.write(f"{label:<9} document {document.pk} {document.title}: {problem}")
        failed = sum(d.status == Document.Status.FAILED for d in unfinished)
        locked = len(unfinished) - failed
        line = f"{len(ids) - len(unfinished)} done, {failed} failed"
        self.stdout.write(line + (f", {locked} need a password" if locked else ""))
        if failed:
            raise CommandError(f"{failed} document(s) failed.")
        if locked:
            raise CommandError(f"{locked} document(s) need a password.")


# Loggers that write a line per stored file; the progress line and the summary say the same.
_PER_FILE_LOGGERS = ("archive.ingest", "django-q")


@contextmanager
def _quiet_per_file_logs(*, unless: bool) -> Iterator[None]:
    """Raise the per-file loggers to WARNING for the block: thousands of INFO lines would bury
    the rejections and tear the progress line apart."""
    loggers = [] if unless else [logging.getLogger(name) for name in _PER_FILE_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
