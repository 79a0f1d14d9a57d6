"""Reads of documents and pages, always scoped to the user asking.

Every view goes through these functions, so "another user's document" is decided in one place:
it does not exist for them (``Http404``), whatever id they guess.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from archive.models import Document, Page

User = AbstractBaseUser | AnonymousUser

# Column limits (bigint ids, integer page numbers): a larger number in a URL cannot name a row,
# and PostgreSQL would refuse to compare with it (an error, not "no row").
_MAX_ID = 2**63 - 1
_MAX_NUMBER = 2**31 - 1


def document_list(*, user: User) -> QuerySet[Document]:
    """The user's documents, newest first, annotated with ``pages_done`` (progress) and
    ``cover_page`` (the id of page 1 once saved, for its thumbnail URL)."""
    if not user.is_authenticated:
        return Document.objects.none()
    cover = Page.objects.filter(document=OuterRef("pk"), number=1).values("pk")[:1]
    return (
        Document.objects.filter(owner_id=user.pk)
        .annotate(pages_done=Count("pages"), cover_page=Subquery(cover))
        .order_by("-created", "-id")
    )


def document_get(*, user: User, pk: int) -> Document:
    """The user's document ``pk``; ``Http404`` if it does not exist or is someone else's."""
    if not 0 < pk <= _MAX_ID:
        raise Http404("No such document.")
    document = document_list(user=user).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


def page_get(*, user: User, document_pk: int, number: int) -> Page:
    """Page ``number`` of the user's document; ``Http404`` otherwise."""
    if not (0 < document_pk <= _MAX_ID and 0 < number <= _MAX_NUMBER):
        raise Http404("No such page.")
    page = (
        Page.objects.filter(document_id=document_pk, number=number, document__owner_id=user.pk)
        .select_related("document")
        .first()
    )
    if page is None or not user.is_authenticated:
        raise Http404("No such page.")
    return page


def cover_pages(document_ids: list[int]) -> dict[int, int]:
    """Document id -> id of its page 1, for the documents that have one (thumbnail URLs).
    The ids must come from an access-checked query already."""
    rows = Page.objects.filter(document_id__in=document_ids, number=1).values_list(
        "document_id", "pk"
    )
    return dict(rows)


def document_pages(document: Document) -> QuerySet[Page]:
    """The document's pages in order (the caller already holds an access-checked document)."""
    return document.pages.order_by("number")
