"""``manage.py import-archive DIR``: restore a backup written by ``manage.py export``.

Restores into an installation with no documents yet (see ``archive.backup``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.backup import BackupError, import_archive


class Command(BaseCommand):
    help = "Restore a backup made by 'manage.py export' into this (empty) archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="The backup folder.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = import_archive(options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"imported {summary.documents} document(s), {summary.pages} page(s), "
            f"{summary.users} account(s) and {summary.files} file(s)"
        )
