"""How many times a worker has started on a page (``PageAttempt``): a page that takes down
its worker each time is given up after ``OCR_PAGE_ATTEMPTS`` starts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from archive.models import Document, PageAttempt


def count_attempt(document: Document, number: int) -> int:
    """Record that a worker starts on the page (committed at once); return the count."""
    with transaction.atomic():
        attempt, _ = PageAttempt.objects.select_for_update().get_or_create(
            document=document, number=number
        )
        attempt.count += 1
        attempt.last_started = timezone.now()
        attempt.save(update_fields=["count", "last_started"])
    return attempt.count
