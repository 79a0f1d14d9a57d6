"""Staff review of OCR results: page corrections with their history, and reviewed documents.

The write services the admin's review screens call. A correction goes through
``documents.page_text_update``, so the page's and the document's search vectors change in the
same transaction as the text; the history row (``PageCorrection``) is written in that
transaction too, so the history can never disagree with the text it describes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from archive.documents import document_rerun, page_text_update
from archive.models import Document, Page, PageCorrection
from archive.search import clean_text


def page_correct(page: Page, *, user: AbstractBaseUser, text: str) -> PageCorrection | None:
    """Replace the page's text with ``text`` and record who did it, when, and the text before.

    Returns the new history row, or None when the text is unchanged (nothing is recorded).
    Line endings are normalised first (browsers send ``\\r\\n``), so an untouched form saves
    nothing. Concurrent corrections of one page are serialised on the page's row lock, so each
    row's ``text_before`` is the text its author replaced.
    """
    return _change(page, user=user, text=text, action=PageCorrection.Action.EDIT, restored=None)


def page_revert(
    page: Page, *, user: AbstractBaseUser, to: PageCorrection | None
) -> PageCorrection | None:
    """Put back an earlier version of the page's text: the text after correction ``to``, or the
    OCR text when ``to`` is None. Recorded like a correction (action ``revert``); None when the
    page already has that text. ``ValueError`` if ``to`` belongs to another page."""
    if to is not None and to.page_id != page.pk:
        raise ValueError("That version belongs to another page.")
    text = to.text_after if to is not None else page_original_text(page)
    return _change(page, user=user, text=text, action=PageCorrection.Action.REVERT, restored=to)


def page_original_text(page: Page) -> str:
    """The text OCR produced for the page: the text before its first correction, or its text
    if it was never corrected."""
    first = page.corrections.order_by("created", "id").first()
    return first.text_before if first is not None else page.text


def documents_mark_reviewed(documents: Iterable[Document], *, user: AbstractBaseUser) -> int:
    """Record that ``user`` reviewed the documents now; returns how many were marked. Marking
    again moves the time and reviewer to the latest review."""
    ids = [document.pk for document in documents]
    return Document.objects.filter(pk__in=ids).update(
        reviewed_at=timezone.now(), reviewed_by_id=user.pk
    )


def documents_rerun(
    documents: QuerySet[Document] | Iterable[Document],
    *,
    engine: str | None = None,
    language: str | None = None,
) -> int:
    """Read every page of each document again, with ``engine`` and ``language`` where given
    (None keeps each document's own). The review mark is cleared (see ``document_rerun``):
    the new text has not been reviewed. Returns how many documents were queued."""
    count = 0
    for document in documents:
        # Staff's decision, like an import by the operator: not held to the owner's queue
        # limit (archive.quotas).
        document_rerun(document, from_scratch=True, engine=engine, language=language, limit=None)
        count += 1
    return count


def _change(
    page: Page,
    *,
    user: AbstractBaseUser,
    text: str,
    action: str,
    restored: PageCorrection | None,
) -> PageCorrection | None:
    text = clean_text(text.replace("\r\n", "\n").replace("\r", "\n"))
    with transaction.atomic():
        # The lock orders concurrent reviewers; the fresh read is the text actually replaced.
        locked = Page.objects.select_for_update().select_related("document").get(pk=page.pk)
        before = locked.text
        if text == before:
            page.text = before
            return None
        page_text_update(locked, text, actor=user)
        page.text = locked.text
        return PageCorrection.objects.create(
            page=locked,
            user_id=user.pk,
            action=action,
            text_before=before,
            text_after=locked.text,
            reverted_to=restored,
        )
