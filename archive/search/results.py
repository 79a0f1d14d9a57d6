"""What a search returns (hits, a page of them) and how it is narrowed (filters, sorts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from archive.models import Document
from archive.search.fields import FieldQuery, FieldTerm

SORTS = {"relevance": ("-rank", "-id"), "newest": ("-created", "-id"), "oldest": ("created", "id")}
FACETS = ("language", "status", "mime_type")


@dataclass
class SearchHit:
    """One document found by a search, with what the result list shows of it."""

    document: Document
    rank: float
    pages: list[int] = field(default_factory=list)
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))

    @property
    def pk(self) -> int:
        """The document's id."""
        return int(self.document.pk)


@dataclass
class SearchPage:
    """One page of results.

    ``total`` counts the matches exactly when ``estimated`` is False; otherwise there are more
    than ``SEARCH_COUNT_LIMIT`` and ``total`` is an estimate (show "about {total}").
    ``facets`` maps each of ``FACETS`` to (value, count) pairs, most frequent first, over the
    matches counted (all of them unless estimated, then a sample of the first found).
    ``next_cursor`` is None on the last page.
    """

    hits: list[SearchHit]
    total: int
    estimated: bool
    facets: dict[str, list[tuple[str, int]]]
    next_cursor: str | None

    @property
    def capped(self) -> bool:
        """The former name of ``estimated`` (kept for the bench and older callers)."""
        return self.estimated


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing of a search; every field is optional. Dates are inclusive upload dates.
    ``fields``: the field terms of the search box (``archive.search.fields``), AND of ORs;
    ``where``: any other condition on the user's documents (the library's facet filter)."""

    uploaded_from: date | None = None
    uploaded_to: date | None = None
    language: str = ""
    status: str = ""
    mime_type: str = ""
    fields: tuple[tuple[FieldTerm, ...], ...] = ()
    # Any further condition on the user's documents (the library's facet filter).
    where: Q | None = None

    def apply(self, documents: QuerySet[Document]) -> QuerySet[Document]:
        if self.uploaded_from:
            documents = documents.filter(created__date__gte=self.uploaded_from)
        if self.uploaded_to:
            documents = documents.filter(created__date__lte=self.uploaded_to)
        if self.language:
            documents = documents.filter(language=self.language)
        if self.status:
            documents = documents.filter(status=self.status)
        if self.mime_type:
            documents = documents.filter(mime_type=self.mime_type)
        if self.fields:
            documents = documents.filter(FieldQuery(text="", groups=self.fields).condition())
        if self.where is not None:
            documents = documents.filter(self.where)
        return documents
