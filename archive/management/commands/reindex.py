"""``manage.py reindex``: rebuild every stored search vector from the text.

Needed only after an upgrade that changes how text is indexed or ranked (the release notes say
so; the upgrade to BM25 ranking runs it once, migration 0012), then it also rebuilds the
ranking statistics (``archive.search.terms.statistics_rebuild``);
uploads and corrections keep their vectors current by themselves. Safe to run while the app
is up: each batch of documents is rebuilt in its own transaction, set-wise, through the same
writers that index uploads (``archive.search.index``).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from archive.models import Document
from archive.search import reindex_documents, statistics_rebuild


class Command(BaseCommand):
    help = "Rebuild the search vectors of every document and page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", type=int, default=500, help="Documents per transaction (default 500)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch = max(1, options["batch"])
        documents = Document.objects.only("id", "title", "language", "languages").order_by("pk")
        count = pages = 0
        started = time.perf_counter()
        last = 0
        while True:
            chunk = list(documents.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            with transaction.atomic():
                pages += reindex_documents(chunk)
            count += len(chunk)
            last = chunk[-1].pk
        # Then the ranking statistics from scratch, per owner: after an upgrade that adds them
        # (or a change of the BM25 settings) the stored ones cannot be patched by differences.
        owners = Document.objects.order_by().values_list("owner_id", flat=True).distinct()
        for owner_id in owners:
            with transaction.atomic():
                statistics_rebuild(owner_id)
        seconds = time.perf_counter() - started
        rate = f", {pages / seconds:.0f} pages/s" if seconds > 0 and pages else ""
        self.stdout.write(f"{count} document(s) reindexed ({pages} page(s){rate})")
