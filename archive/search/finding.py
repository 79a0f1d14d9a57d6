"""Finding a user's documents: bounded ranking, capped counts, facets, keyset pages.

The work per query is bounded whatever the archive's size, because latency at a million pages
grows with the number of matching rows, not with the archive:

- **Bounded ranking.** The GIN index finds the matching documents; at most
  ``SEARCH_CANDIDATES`` of them (default 1,000) are taken, in index order, and only those are
  ranked with ``ts_rank_cd`` (title weight A above text B, normalised by length).
- **Capped counts and facets.** The same candidate rows give the count ("more than 1,000") and
  the language / status / file type counts: no ``count(*)`` over a million rows.
- **Keyset pages.** "Next page" carries a cursor (``archive.search.cursors``) instead of an
  ``OFFSET``; sorting by date walks the (owner, created) index from the cursor.
- **Snippets and matching pages** are computed for the rows on screen only
  (``archive.search.pages``).

The query is planned by ``archive.search.planning``: parsed by ``archive.search.query`` in the
text search configurations of the user's documents and ``simple``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from archive.models import Document
from archive.search.cursors import decode_cursor, encode_cursor
from archive.search.pages import RANK_SQL, add_pages_and_snippets
from archive.search.phrases import Verifier, verifier
from archive.search.planning import (
    User,
    build_query,
    candidate_cap,
    dense,
    matching_documents,
    through_the_index,
    user_configs,
)
from archive.search.results import FACETS, SORTS, SearchFilters, SearchHit, SearchPage

# (id, created, *FACETS[, rank]) of one candidate row.
Row = tuple[Any, ...]
# (sort key, id) of one row in result order.
Key = tuple[Any, int]


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
    read = build_query(query, user_configs(user))
    if read is None:
        return empty
    tsquery = read.tsquery
    verify = verifier(read)
    sort = sort if sort in SORTS else "relevance"
    matching = matching_documents(user, tsquery, filters)
    rows, capped = _candidates(matching, tsquery, with_rank=sort == "relevance")
    if verify is not None:
        # Phrases: only the candidates whose text holds them (archive.search.phrases).
        kept = verify([row[0] for row in rows])
        rows = [row for row in rows if row[0] in kept]
    facets = {
        name: Counter(row[i + 2] for row in rows).most_common() for i, name in enumerate(FACETS)
    }
    if sort == "relevance" or not capped:
        page, window = _page_of_candidates(rows, sort, cursor, offset, limit)
    else:
        page, window = _page_by_date(matching, sort, cursor, offset, limit, verify)
    next_cursor = None
    if len(window) > limit and page:
        last = page[-1]
        next_cursor = (
            encode_cursor("relevance", repr(last.rank), last.pk)
            if sort == "relevance"
            else encode_cursor(sort, last.document.created.isoformat(), last.pk)
        )
    add_pages_and_snippets(page, tsquery, query)
    return SearchPage(
        hits=page, total=len(rows), capped=capped, facets=facets, next_cursor=next_cursor
    )


def _candidates(
    matching: QuerySet[Document], tsquery: str, *, with_rank: bool
) -> tuple[list[Row], bool]:
    """The first ``candidate_cap()`` matches (with their rank when ``with_rank``), and whether
    there were more."""
    cap = candidate_cap()
    # No ORDER BY (the model's default would sort, i.e. read, every match): the first
    # ``cap`` matches the index yields are the candidates.
    candidates = matching.order_by()
    if with_rank:
        rank = RawSQL(RANK_SQL.format(table="archive_document"), [tsquery], FloatField())
        candidates = candidates.annotate(rank=rank)
    fields = ["id", "created", *FACETS, *(["rank"] if with_rank else [])]
    if dense(matching):
        # A word on a third of the archive or more: reading rows in order finds the first
        # ``cap`` matches within a few thousand rows, sooner than the index can list them all.
        rows = list(candidates.values_list(*fields)[: cap + 1])
    else:
        with through_the_index():
            rows = list(candidates.values_list(*fields)[: cap + 1])
    return rows[:cap], len(rows) > cap


def _page_of_candidates(
    rows: list[Row], sort: str, cursor: str | None, offset: int, limit: int
) -> tuple[list[SearchHit], list[Key]]:
    """The hits after ``cursor`` among ``rows`` (every counted match), ordered here: exact,
    nothing more to read. Returns the hits and the keys of one row more than shown."""
    with_rank = sort == "relevance"
    keys: list[Key]
    if with_rank:
        keys = sorted(((float(row[-1]), row[0]) for row in rows), reverse=True)
    else:
        keys = sorted(((row[1], row[0]) for row in rows), reverse=sort == "newest")
    if cursor:
        key, pk = decode_cursor(cursor, sort)
        after: Key = (float(key) if with_rank else datetime.fromisoformat(key), pk)
        descending = sort != "oldest"
        keys = [item for item in keys if _after(item, after, descending=descending)]
    window = keys[offset : offset + limit + 1]
    documents = Document.objects.in_bulk([pk for _key, pk in window[:limit]])
    hits = [
        SearchHit(document=documents[pk], rank=float(key) if with_rank else 0.0)
        for key, pk in window[:limit]
        if pk in documents
    ]
    return hits, window


def _page_by_date(
    matching: QuerySet[Document],
    sort: str,
    cursor: str | None,
    offset: int,
    limit: int,
    verify: Verifier | None,
) -> tuple[list[SearchHit], list[Key]]:
    """More matches than are counted, newest or oldest first: walk the (owner, created) index
    from the cursor (checking phrases with ``verify``, a batch at a time)."""
    ordered = matching.order_by(*SORTS[sort])
    if cursor:
        key, pk = decode_cursor(cursor, sort)
        at = datetime.fromisoformat(key)
        older = Q(created__lt=at) | Q(created=at, id__lt=pk)
        newer = Q(created__gt=at) | Q(created=at, id__gt=pk)
        ordered = ordered.filter(older if sort == "newest" else newer)
    wanted = offset + limit + 1
    if verify is None:
        documents = list(ordered[:wanted])
    else:
        documents = []
        start, batch = 0, 4 * wanted
        while len(documents) < wanted:
            chunk = list(ordered[start : start + batch])
            kept = verify([document.pk for document in chunk])
            documents.extend(document for document in chunk if document.pk in kept)
            if len(chunk) < batch:
                break
            start += batch
    documents = documents[offset:wanted]
    window = [(document.created, document.pk) for document in documents]
    return [SearchHit(document=document, rank=0.0) for document in documents[:limit]], window


def _after(item: Key, last: Key, *, descending: bool) -> bool:
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
