"""``manage.py suggest``: run the suggestion step on documents already read.

For an archive that was read before this release, or after a user added rules: fills in the
date, correspondent, type, tags and fields where the user has set nothing, exactly as the worker
does after OCR (``archive.organize.suggest.document_suggest``). What a user set, confirmed or
cleared is never touched, so it is safe to run again, and while the app is up.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.models import Document
from archive.organize.suggest import document_suggest
from archive.organize.training import classifier_train


class Command(BaseCommand):
    help = "Suggest metadata for documents already read (never overwrites what users set)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="Only this user's documents (user name).")
        parser.add_argument(
            "--train",
            action="store_true",
            help="Train each user's classifier first (so learned suggestions are current).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        documents = Document.objects.filter(status=Document.Status.DONE).order_by("pk")
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
            documents = documents.filter(owner=user)
        if options["train"]:
            for owner_id in documents.values_list("owner_id", flat=True).distinct():
                classifier_train(owner_id)
        started = time.perf_counter()
        count = applied = 0
        for pk in documents.values_list("pk", flat=True).iterator(1000):
            applied += len(document_suggest(pk))
            count += 1
        self.stdout.write(
            f"{count} documents, {applied} values suggested in "
            f"{time.perf_counter() - started:.1f} s."
        )
