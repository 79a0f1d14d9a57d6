"""``manage.py move_files``: copy an archive's files from its local folder to S3.

Run it with ``STORAGE_BACKEND=s3`` and the AWS_* settings of the new bucket set, while the
archive still runs on the local disk (or stopped); see ``archive.storage.moving`` for what it
guarantees and docs/operations.md for the whole switch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.storage.files import is_s3
from archive.storage.moving import MoveSummary, move_files


class Command(BaseCommand):
    help = (
        "Copy every stored file from a local folder (default MEDIA_ROOT) to the configured "
        "storage (STORAGE_BACKEND=s3), verified by sha256; resumable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", type=Path, help="The local media folder (default: MEDIA_ROOT)."
        )
        parser.add_argument(
            "--journal",
            type=Path,
            help="File recording the files verified so far (default: SOURCE/.move-journal).",
        )
        parser.add_argument(
            "--limit", type=int, help="Copy at most this many files in this run, then stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source_dir: Path = options["source"] or Path(settings.MEDIA_ROOT)
        if not source_dir.is_dir():
            raise CommandError(f"{source_dir} is not a folder.")
        if not is_s3():
            raise CommandError(
                "The configured storage is not S3: set STORAGE_BACKEND=s3 and the AWS_* "
                "settings of the bucket to move to (docs/operations.md)."
            )
        journal: Path = options["journal"] or source_dir / ".move-journal"
        every = 1 if options["verbosity"] >= 2 else 500

        def progress(summary: MoveSummary, name: str) -> None:
            if summary.files % every == 0:
                self.stdout.write(f"{summary.files} files checked ({summary.copied} copied)")

        summary = move_files(
            source=FileSystemStorage(location=source_dir),
            target=default_storage,
            journal=journal,
            limit=options["limit"],
            on_file=progress,
        )
        self.stdout.write(
            f"{summary.copied} file(s) copied ({summary.bytes_copied / 1e6:.1f} MB), "
            f"{summary.already} already there, in {summary.seconds:.1f} s: "
            f"{summary.files_per_second:.1f} files/s"
        )
        for problem in summary.problems:
            self.stderr.write(f"not moved: {problem}")
        if summary.problems:
            raise CommandError(f"{len(summary.problems)} file(s) not moved; see above.")
