"""``manage.py reindex``: rebuild every stored search vector from the text.

Needed only after an upgrade that changes how text is indexed (the release notes say so);
uploads and corrections keep their vectors current by themselves. Safe to run while the app
is up: each document is rebuilt in its own transaction.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from archive.models import Document
from archive.search import document_vector_rebuild, page_vector_write


class Command(BaseCommand):
    help = "Rebuild the search vectors of every document and page."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for document in Document.objects.order_by("pk").iterator(chunk_size=200):
            with transaction.atomic():
                for page in document.pages.only("id", "text"):
                    page_vector_write(page, document.language)
                document_vector_rebuild(document)
            count += 1
        self.stdout.write(f"{count} document(s) reindexed")
