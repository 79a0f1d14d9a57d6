"""``manage.py export DIR``: write a full backup of the archive into the new folder DIR.

See ``archive.backup`` for what it holds; ``manage.py import-archive DIR`` restores it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.backup import BackupError, export_archive


class Command(BaseCommand):
    help = "Back up the whole archive (accounts, originals, pages, OCR text, corrections) to DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="A new or empty folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = export_archive(options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"exported {summary.documents} document(s), {summary.pages} page(s), "
            f"{summary.users} account(s) and {summary.files} file(s) to {options['directory']}"
        )
