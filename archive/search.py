"""Full-text search: writing the stored search vectors, and finding a user's documents.

Vectors are written with the text they index, inside the caller's transaction:
``page_vector_write`` when a page's text is saved, ``document_vector_append`` as pages arrive
(so a long document is searchable while it is processed) and ``document_vector_rebuild`` when it
is finished or renamed. The title has weight A, the text weight B.

Queries use ``websearch_to_tsquery`` syntax (words, "phrases", OR, -exclude). Snippets come from
``ts_headline`` for the rows returned only, with sentinel characters as markers so that the text
itself can be HTML-escaped (OCR text is user data) before the markers become ``<mark>``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.languages import search_config
from archive.models import Document, Page
from archive.query import to_tsquery_text
from archive.textnorm import CJK_RUN as _CJK_RUN
from archive.textnorm import index_text

# Control characters never occur in OCR text we store (we strip them) and survive ts_headline.
_START, _STOP = "\x02", "\x03"
# ts_rank_cd normalisation 1: divide by 1 + log(length), so long documents do not win by size.
_RANK_NORMALIZATION = 1


def clean_text(text: str) -> str:
    """Text as stored: NUL and other C0 controls (but tab/newline) removed.

    PostgreSQL text cannot hold NUL, and the snippet markers are control characters.
    """
    return "".join(ch for ch in text if ch >= " " or ch in "\n\t\f")


# Each text goes in twice: stemmed in the document's language, and as exact words ("simple"), so
# "invoices" finds "invoice" in an English document and a French word still matches there.
_VECTOR_SQL = (
    "setweight(to_tsvector(%s::regconfig, %s), '{w}') "
    "|| setweight(to_tsvector('simple', %s), '{w}')"
)


def _vector_sql(weight: str) -> str:
    return _VECTOR_SQL.format(w=weight)


def _vector_params(language: str, text: str) -> list[str]:
    indexed = index_text(text)
    return [search_config(language), indexed, indexed]


def page_vector_write(page: Page, language: str) -> None:
    """Set ``page.search_vector`` from its text (weight B)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE archive_page SET search_vector = {_vector_sql('B')} WHERE id = %s",
            [*_vector_params(language, page.text), page.pk],
        )


def document_vector_append(document: Document, text: str) -> None:
    """Add one page's text (weight B) to the document's vector; title included if still empty."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE archive_document SET search_vector = coalesce(search_vector, "
            f"{_vector_sql('A')}) || {_vector_sql('B')} WHERE id = %s",
            [
                *_vector_params(document.language, document.title),
                *_vector_params(document.language, text),
                document.pk,
            ],
        )


def document_vector_rebuild(document: Document) -> None:
    """Recompute the document's vector from its title (A) and all its pages' text (B)."""
    texts = document.pages.order_by("number").values_list("text", flat=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE archive_document SET search_vector = {_vector_sql('A')} || "
            f"{_vector_sql('B')} WHERE id = %s",
            [
                *_vector_params(document.language, document.title),
                *_vector_params(document.language, "\n".join(texts)),
                document.pk,
            ],
        )


@dataclass
class SearchHit:
    """One document found by a search, with what the result list shows of it."""

    document: Document
    rank: float
    pages: list[int] = field(default_factory=list)
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))


def build_query(text: str, configs: set[str]) -> SearchQuery | None:
    """The search-box ``text`` as a query in each of ``configs`` and ``simple``, OR-ed together.

    Each document is stemmed in its own language's configuration and also indexed as exact
    words; OR-ing the query over the configurations in use finds both. Returns None for a query
    with nothing to search for (see ``archive.query``).
    """
    tsquery = to_tsquery_text(clean_text(text))
    if tsquery is None:
        return None
    query: SearchQuery | None = None
    for config in sorted(configs | {"simple"}):
        part = SearchQuery(tsquery, config=config, search_type="raw")
        query = part if query is None else query | part
    return query


def _user_configs(user: AbstractBaseUser | AnonymousUser) -> set[str]:
    languages = Document.objects.filter(owner_id=user.pk).values_list("language", flat=True)
    return {search_config(language) for language in languages.distinct()}


@dataclass(frozen=True)
class SearchFilters:
    """Narrowing of a search; every field is optional. Dates are inclusive upload dates."""

    uploaded_from: date | None = None
    uploaded_to: date | None = None
    language: str = ""
    status: str = ""
    mime_type: str = ""

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
        return documents


SORTS = {"relevance": ("-rank", "-id"), "newest": ("-created", "-id"), "oldest": ("created", "id")}


def document_search(
    *,
    user: AbstractBaseUser | AnonymousUser,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
) -> list[SearchHit]:
    """The user's documents matching ``query``, each with matching pages and a snippet.

    ``sort`` is a key of ``SORTS`` (relevance by default). Only the user's own documents are
    searched. Work beyond ranking (matching pages, snippets) is done for the ``limit`` rows
    returned only.
    """
    if not user.is_authenticated:
        return []
    search_query = build_query(query, _user_configs(user))
    if search_query is None:
        return []
    candidates = Document.objects.filter(owner_id=user.pk, search_vector=search_query)
    documents = list(
        (filters or SearchFilters())
        .apply(candidates)
        .annotate(
            rank=SearchRank(
                F("search_vector"),
                search_query,
                cover_density=True,
                normalization=_RANK_NORMALIZATION,
            )
        )
        .order_by(*SORTS.get(sort, SORTS["relevance"]))[offset : offset + limit]
    )
    hits = {doc.pk: SearchHit(document=doc, rank=float(doc.rank)) for doc in documents}
    if not hits:
        return []

    pages_by_doc: dict[int, list[Page]] = defaultdict(list)
    matching = (
        Page.objects.filter(document_id__in=hits, search_vector=search_query)
        .annotate(rank=SearchRank(F("search_vector"), search_query, cover_density=True))
        .only("id", "document_id", "number")
        .order_by("document_id", "number")
    )
    for page in matching:
        pages_by_doc[page.document_id].append(page)
        hits[page.document_id].pages.append(page.number)

    # One snippet per document, from its best-ranked page, parsed in the document's language.
    best_pages_by_config: dict[str, dict[int, int]] = defaultdict(dict)
    for doc_id, pages in pages_by_doc.items():
        best = max(pages, key=lambda p: p.rank)  # type: ignore[attr-defined]
        config = search_config(hits[doc_id].document.language)
        best_pages_by_config[config][best.pk] = doc_id
    cjk_runs = [run for run in _CJK_RUN.findall(query) if run]
    for config, page_to_doc in best_pages_by_config.items():
        for page_id, (snippet, text) in _headlines(list(page_to_doc), search_query, config).items():
            if cjk_runs and "<mark>" not in snippet:
                # PostgreSQL reads a run of CJK characters as one word, so ts_headline cannot
                # mark a match inside it; mark the query's characters where they occur.
                snippet = cjk_snippet(text, cjk_runs) or snippet
            hits[page_to_doc[page_id]].snippet = snippet
    return [hits[doc.pk] for doc in documents]


def _headlines(
    page_ids: list[int], search_query: SearchQuery, config: str
) -> dict[int, tuple[SafeString, str]]:
    """Escaped HTML snippets with ``<mark>`` around matches, for the given pages only."""
    rows = (
        Page.objects.filter(pk__in=page_ids)
        .only("id", "text")
        .annotate(
            headline=SearchHeadline(
                "text",
                search_query,
                config=config,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
    )
    return {row.pk: (render_snippet(row.headline), row.text) for row in rows}


def render_snippet(headline: str) -> SafeString:
    """Escape a ts_headline result and turn its sentinel markers into ``<mark>`` elements."""
    escaped = escape(" ".join(headline.split()))
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def cjk_snippet(text: str, runs: list[str], *, context: int = 30) -> SafeString | None:
    """An escaped snippet around the first occurrence of any of ``runs`` in ``text``, with the
    occurrences marked; None if none occurs."""
    positions = [(text.find(run), run) for run in runs if run in text]
    if not positions:
        return None
    start, _run = min(positions)
    window = text[max(0, start - context) : start + context * 2]
    pattern = re.compile("|".join(re.escape(run) for run in sorted(runs, key=len, reverse=True)))
    marked = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)
    prefix = "… " if start > context else ""
    return mark_safe(prefix + str(render_snippet(marked)))
