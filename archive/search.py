"""Finding a user's documents: bounded ranking, capped counts, facets, keyset pages, snippets.

The work per query is bounded whatever the archive's size, because latency at a million pages
grows with the number of matching rows, not with the archive:

- **Bounded ranking.** The GIN index finds the matching documents; at most
  ``SEARCH_CANDIDATES`` of them (default 1,000) are taken, in index order, and only those are
  ranked with ``ts_rank_cd`` (title weight A above text B, normalised by length). A query with
  fewer matches than that (nearly every real query) is ranked exactly; for a word on every third
  page the best of the first 1,000 matches are shown and the page says so.
- **Capped counts and facets.** The same candidate rows give the count ("more than 1,000") and
  the language / status / file type counts: no ``count(*)`` over a million rows.
- **Keyset pages.** "Next page" carries a cursor (the last rank or date and id) instead of an
  ``OFFSET``; sorting by date walks the (owner, created) index from the cursor.
- **Snippets and matching pages** are computed for the rows on screen only (``archive.snippets``).

The query is built by ``archive.query`` and OR-ed over the text search configurations of the
user's documents (read by a skip scan over the (owner, language) index, one probe per language)
and ``simple``: documents are stemmed in their own language and also indexed as exact words.
Writers of the stored vectors live in ``archive.search_index``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import BooleanField, FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from archive.languages import search_config
from archive.models import Document
from archive.query import to_tsquery_text
from archive.search_index import (  # noqa: F401 (re-exported: the writers' historical home)
    clean_text,
    document_vector_append,
    document_vector_rebuild,
    documents_index,
    page_vector_write,
    pages_index,
)
from archive.snippets import headlines, render_snippet  # noqa: F401 (re-exported)

User = AbstractBaseUser | AnonymousUser

# ts_rank_cd normalisation 1: divide by 1 + log(length), so long documents do not win by size.
_RANK_SQL = "ts_rank_cd({table}.search_vector, %s::tsquery, 1)"
_MATCH_SQL = "{table}.search_vector @@ %s::tsquery"

SORTS = {"relevance": ("-rank", "-id"), "newest": ("-created", "-id"), "oldest": ("created", "id")}
FACETS = ("language", "status", "mime_type")


@dataclass
class SearchHit:
    """One document found by a search, with what the result list shows of it."""

    document: Document
    rank: float
    pages: list[int] = field(default_factory=list)
    snippet: SafeString = field(default_factory=lambda: mark_safe(""))


@dataclass
class SearchPage:
    """One page of results.

    ``total`` counts the matches up to the candidate cap; ``capped`` is True when there are
    more (show "more than {total}"). ``facets`` maps each of ``FACETS`` to (value, count) pairs,
    most frequent first, over the same counted matches. ``next_cursor`` is None on the last page.
    """

    hits: list[SearchHit]
    total: int
    capped: bool
    facets: dict[str, list[tuple[str, int]]]
    next_cursor: str | None


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


class BadCursor(ValueError):
    """A ``cursor`` that this search did not hand out (edited or from another sort)."""


def candidate_cap() -> int:
    """How many matching documents are ranked and counted at most (``SEARCH_CANDIDATES``)."""
    return max(1, int(getattr(settings, "SEARCH_CANDIDATES", 1000)))


def user_configs(user: User) -> set[str]:
    """The text search configurations of the user's documents, plus ``simple``.

    A skip scan over the (owner, language) index: one index probe per distinct language, so
    the cost does not grow with the number of documents.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE languages(language) AS (
                (SELECT language FROM archive_document WHERE owner_id = %s
                 ORDER BY language LIMIT 1)
                UNION ALL
                SELECT (SELECT d.language FROM archive_document d
                        WHERE d.owner_id = %s AND d.language > languages.language
                        ORDER BY d.language LIMIT 1)
                FROM languages WHERE languages.language IS NOT NULL
            )
            SELECT language FROM languages WHERE language IS NOT NULL
            """,
            [user.pk, user.pk],
        )
        return {search_config(row[0]) for row in cursor.fetchall()} | {"simple"}


def build_tsquery(text: str, configs: set[str]) -> str | None:
    """The search-box ``text`` as one ``tsquery`` value (its text form): the parsed query in each
    of ``configs``, OR-ed. None for a query with nothing to search for (see ``archive.query``).

    Computed once per search so every later statement carries a constant the planner can
    estimate (a generic plan's guess is far off for common words).
    """
    raw = to_tsquery_text(clean_text(text))
    if raw is None:
        return None
    ordered = sorted(configs | {"simple"})
    sql = " || ".join("to_tsquery(%s::regconfig, %s)" for _ in ordered)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ({sql})::text", [p for c in ordered for p in (c, raw)])
        tsquery: str = cursor.fetchone()[0]
    return tsquery or None


def _matching(user: User, tsquery: str, filters: SearchFilters | None) -> QuerySet[Document]:
    documents = Document.objects.filter(owner_id=user.pk).filter(
        RawSQL(_MATCH_SQL.format(table="archive_document"), [tsquery], output_field=BooleanField())
    )
    return (filters or SearchFilters()).apply(documents)


# Above this estimated share of all documents matching, a scan in table order that stops at the
# cap is faster than building the index's bitmap of every match (measured at 1,000,000 pages:
# 10 ms against 87 ms for a word on 88 % of them; about even at 30 %).
_DENSE_SHARE = 0.3


def _dense(matching: QuerySet[Document]) -> bool:
    """True if the planner estimates that at least ``_DENSE_SHARE`` of all documents match."""
    sql, params = matching.order_by().values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = 'archive_document'::regclass", []
        )
        total = float(cursor.fetchone()[0])
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    estimate = float(plan[0]["Plan"]["Plan Rows"])
    return total > 0 and estimate / total >= _DENSE_SHARE


@contextmanager
def _through_the_index() -> Iterator[None]:
    """Run the candidate query as a bitmap scan of the GIN index, whatever the estimates.

    With a ``LIMIT`` and an estimate of many matches the planner likes a sequential scan that
    stops early; when the estimate is wrong (two words that rarely meet, a phrase) that scan
    reads and decompresses every vector of the archive. The index scan's cost is bounded by
    the matches. A larger ``work_mem`` keeps the bitmap exact (no lossy pages to recheck).
    The settings are local to the transaction and restored afterwards.
    """
    wanted = {"enable_seqscan": "off", "enable_indexscan": "off", "work_mem": "64MB"}
    names = list(wanted)
    # Reads the old values and sets the new ones in one statement (left to right).
    swap = "SELECT " + ", ".join(
        ["current_setting(%s)" for _ in names] + ["set_config(%s, %s, true)" for _ in names]
    )
    restore = "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names)
    # In the caller's transaction the old values must come back; in our own, COMMIT drops them.
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(swap, [*names, *(part for item in wanted.items() for part in item)])
        before = dict(zip(names, cursor.fetchone()[: len(names)], strict=True))
        try:
            yield
        finally:
            if outer:
                cursor.execute(restore, [part for item in before.items() for part in item])


def _encode(*parts: object) -> str:
    return base64.urlsafe_b64encode("|".join(map(str, parts)).encode()).decode().rstrip("=")


def _decode(cursor: str, kind: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        found_kind, key, pk = raw.split("|")
        float(key) if kind == "relevance" else datetime.fromisoformat(key)
        if found_kind != kind:
            raise ValueError(kind)
        return key, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError) as error:
        raise BadCursor("This page of results is out of date; search again.") from error


def search_page(
    *,
    user: User,
    query: str,
    limit: int = 20,
    cursor: str | None = None,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    offset: int = 0,
) -> SearchPage:
    """A page of the user's documents matching ``query``, with capped count and facets.

    ``cursor`` is a ``next_cursor`` of the previous page of the same search (``BadCursor`` if
    it is not one); ``offset`` skips rows instead (bounded by the candidate cap when sorting by
    relevance; kept for API clients, prefer the cursor). ``sort`` is a key of ``SORTS``.
    Only the user's own documents are searched.
    """
    empty = SearchPage(hits=[], total=0, capped=False, facets={}, next_cursor=None)
    if not user.is_authenticated:
        return empty
    tsquery = build_tsquery(query, user_configs(user))
    if tsquery is None:
        return empty
    sort = sort if sort in SORTS else "relevance"
    matching = _matching(user, tsquery, filters)
    cap = candidate_cap()
    with_rank = sort == "relevance"
    # No ORDER BY (the model's default would sort, i.e. read, every match): the first
    # ``cap`` matches the index yields are the candidates.
    candidates = matching.order_by()
    if with_rank:
        rank = RawSQL(_RANK_SQL.format(table="archive_document"), [tsquery], FloatField())
        candidates = candidates.annotate(rank=rank)
    fields = ["id", "created", *FACETS, *(["rank"] if with_rank else [])]
    if _dense(matching):
        # A word on a third of the archive or more: reading rows in order finds the first
        # ``cap`` matches within a few thousand rows, sooner than the index can list them all.
        rows = list(candidates.values_list(*fields)[: cap + 1])
    else:
        with _through_the_index():
            rows = list(candidates.values_list(*fields)[: cap + 1])
    capped = len(rows) > cap
    rows = rows[:cap]
    facets = {
        name: Counter(row[i + 2] for row in rows).most_common() for i, name in enumerate(FACETS)
    }

    keys: list[tuple[object, int]]  # (sort key, id) of the rows after the cursor, in order
    if with_rank or not capped:
        # Every counted match is at hand: order them here (exact, nothing more to read).
        if with_rank:
            keys = sorted(((float(row[-1]), row[0]) for row in rows), reverse=True)
        else:
            keys = sorted(((row[1], row[0]) for row in rows), reverse=sort == "newest")
        if cursor:
            key, pk = _decode(cursor, sort)
            after: tuple[object, int] = (
                float(key) if with_rank else datetime.fromisoformat(key),
                pk,
            )
            descending = sort != "oldest"
            keys = [item for item in keys if _after(item, after, descending=descending)]
        window = keys[offset : offset + limit + 1]
        documents = Document.objects.in_bulk([pk for _key, pk in window[:limit]])
        page = [documents[pk] for _key, pk in window[:limit] if pk in documents]
        ranks = dict((pk, key) for key, pk in window) if with_rank else {}
        for document in page:
            document.rank = ranks.get(document.pk, 0.0)  # type: ignore[attr-defined]
    else:
        # More matches than are counted, newest or oldest first: walk the date order.
        ordered = matching.order_by(*SORTS[sort])
        if cursor:
            key, pk = _decode(cursor, sort)
            at = datetime.fromisoformat(key)
            older = Q(created__lt=at) | Q(created=at, id__lt=pk)
            newer = Q(created__gt=at) | Q(created=at, id__gt=pk)
            ordered = ordered.filter(older if sort == "newest" else newer)
        page = list(ordered[offset : offset + limit + 1])
        window = [(doc.created, doc.pk) for doc in page]
        page = page[:limit]
        for document in page:
            document.rank = 0.0  # type: ignore[attr-defined]

    next_cursor = None
    if len(window) > limit and page:
        last = page[-1]
        next_cursor = (
            _encode("relevance", repr(last.rank), last.pk)  # type: ignore[attr-defined]
            if with_rank
            else _encode(sort, last.created.isoformat(), last.pk)
        )
    hits = [SearchHit(document=doc, rank=float(doc.rank)) for doc in page]  # type: ignore[attr-defined]
    _add_pages_and_snippets(hits, tsquery, query)
    return SearchPage(
        hits=hits, total=len(rows), capped=capped, facets=facets, next_cursor=next_cursor
    )


def _after(item: tuple[Any, int], last: tuple[Any, int], *, descending: bool) -> bool:
    """True if ``item`` comes after ``last`` in the order (keys of one type, then id)."""
    return bool(item < last) if descending else bool(item > last)


def document_search(
    *,
    user: User,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    cursor: str | None = None,
) -> list[SearchHit]:
    """The user's documents matching ``query``, each with matching pages and a snippet: the
    hits of ``search_page`` (see there for ``cursor``, ``offset`` and the candidate cap)."""
    return search_page(
        user=user,
        query=query,
        limit=limit,
        offset=offset,
        filters=filters,
        sort=sort,
        cursor=cursor,
    ).hits


def _add_pages_and_snippets(hits: list[SearchHit], tsquery: str, query: str) -> None:
    """Fill in each hit's matching page numbers and a snippet from its best-ranked page, parsed
    in the document's language; the pages are found by document id, for these hits only."""
    if not hits:
        return
    by_id = {hit.document.pk: hit for hit in hits}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.document_id, p.number, {_RANK_SQL.format(table='p')} "
            f"FROM archive_page p WHERE p.document_id = ANY(%s) "
            f"AND {_MATCH_SQL.format(table='p')} ORDER BY p.document_id, p.number",
            [tsquery, list(by_id), tsquery],
        )
        rows = cursor.fetchall()
    best: dict[int, tuple[float, int]] = {}
    for page_id, document_id, number, rank in rows:
        by_id[document_id].pages.append(number)
        if document_id not in best or rank > best[document_id][0]:
            best[document_id] = (rank, page_id)
    by_config: dict[str, dict[int, int]] = defaultdict(dict)
    for document_id, (_rank, page_id) in best.items():
        config = search_config(by_id[document_id].document.language)
        by_config[config][page_id] = document_id
    for config, page_to_doc in by_config.items():
        for page_id, snippet in headlines(list(page_to_doc), tsquery, config, query).items():
            by_id[page_to_doc[page_id]].snippet = snippet
