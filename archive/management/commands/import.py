"""``manage.py import PATH... --owner USERNAME [--wait]``: bulk import of files and folders.

Folders are walked recursively (hidden files skipped, in name order). Every file goes through
the same service as a browser upload. The summary counts imported, duplicate and rejected files;
with ``--wait`` the command returns once every document is done or failed (a worker must be
running: ``manage.py serve`` or ``manage.py qcluster``) and exits non-zero if any failed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.ingest import UploadRejected, document_create
from archive.languages import LANGUAGES
from archive.models import Document


class Command(BaseCommand):
    help = "Import scans (files or folders, recursively) for a user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path)
        parser.add_argument("--owner", required=True, help="Username the documents belong to.")
        parser.add_argument("--language", default="", choices=["", *LANGUAGES])
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
        user_model = get_user_model()
        try:
            owner = user_model.objects.get(username=options["owner"])
        except user_model.DoesNotExist:
            raise CommandError(f"No user named {options['owner']!r}.") from None

        imported: list[int] = []
        duplicates: list[int] = []
        rejected: list[tuple[Path, str]] = []
        for path in _files(options["paths"], rejected):
            try:
                with path.open("rb") as handle:
                    result = document_create(
                        owner=owner, upload=handle, name=path.name, language=options["language"]
                    )
            except (UploadRejected, OSError) as error:
                rejected.append((path, str(error)))
                self.stderr.write(f"rejected  {path}: {error}")
                continue
            if result.created:
                imported.append(result.document.pk)
                self.stdout.write(f"imported  {path} -> document {result.document.pk}")
            else:
                duplicates.append(result.document.pk)
                self.stdout.write(f"duplicate {path} = document {result.document.pk}")

        self.stdout.write(
            f"\n{len(imported)} imported, {len(duplicates)} duplicate, {len(rejected)} rejected"
        )
        if options["wait"]:
            self._wait([*imported, *duplicates], options["timeout"])
        if rejected:
            raise CommandError(f"{len(rejected)} file(s) rejected.")

    def _wait(self, ids: list[int], timeout: float) -> None:
        deadline = time.monotonic() + timeout if timeout else None
        unfinished = Document.objects.filter(pk__in=ids).exclude(
            status__in=[Document.Status.DONE, Document.Status.FAILED]
        )
        last = -1
        while (left := unfinished.count()) > 0:
            if left != last:
                self.stdout.write(f"waiting for {left} document(s)...")
                last = left
            if deadline is not None and time.monotonic() > deadline:
                raise CommandError(f"Timed out with {left} document(s) still unfinished.")
            time.sleep(1)
        failed = Document.objects.filter(pk__in=ids, status=Document.Status.FAILED)
        for document in failed:
            self.stderr.write(
                f"failed    document {document.pk} {document.title}: {document.error}"
            )
        done = len(ids) - len(failed)
        self.stdout.write(f"{done} done, {len(failed)} failed")
        if failed:
            raise CommandError(f"{len(failed)} document(s) failed.")


def _files(paths: list[Path], missing: list[tuple[Path, str]]) -> Iterator[Path]:
    """Files under ``paths`` (recursively, hidden ones skipped); missing paths are reported."""
    for path in paths:
        if path.is_file():
            yield path
        elif path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(p.startswith(".") for p in relative.parts):
                    yield child
        else:
            missing.append((path, "no such file or folder"))
