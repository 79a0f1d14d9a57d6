"""Finding a user's documents: exact ranking, honest counts, facets, keyset pages.

The work per query is bounded for common words, because latency at a million pages grows with
the number of matching rows, not with the archive:

- **Exact ranking.** Relevance order is BM25 (``archive.search.bm25``); the first page is the
  exact top of every match, found by ``archive.search.ranking.top_k`` through the impact lists
  of frequent terms rather than by scoring every match.
- **Honest counts.** Matches are counted exactly up to ``SEARCH_COUNT_LIMIT`` (default
  10,000); above it ``total`` is the planner's estimate and ``estimated`` is True ("about N").
- **Facets** count the matches counted: every match when the count is exact, otherwise a
  sample (the first ``SEARCH_CANDIDATES`` or ``SEARCH_COUNT_LIMIT`` found).
- **Keyset pages.** "Next page" carries a cursor (``archive.search.cursors``) instead of an
  ``OFFSET``: the last hit's (score, id) for relevance, which ``top_k`` continues exactly; a
  date sort walks the (owner, created) index from the cursor.
- **Snippets and matching pages** are computed for the rows on screen only
  (``archive.search.pages``).

The query is planned by ``archive.search.planning``: parsed by ``archive.search.query`` in the
text search configurations of the user's documents and ``simple``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

from archive.models import Document
from archive.replica.routing import read_connection
from archive.search.cursors import decode_cursor, encode_cursor
from archive.search.fields import split_fields
from archive.search.limits import bounded, check_clauses
from archive.search.pages import add_pages_and_snippets
from archive.search.pairs import phrase_pairs
from archive.search.phrases import verifier
from archive.search.planning import (
    DENSE_SHARE,
    User,
    build_query,
    candidate_cap,
    count_limit,
    estimate,
    matching_documents,
    search_context,
    through_the_index,
    user_configs,
)
from archive.search.ranking import Key, Verify, top_k
from archive.search.readings import ReadQuery, reading_lexemes
from archive.search.results import FACETS, SORTS, SearchFilters, SearchHit, SearchPage
from archive.search.terms import threshold

# At most this many matches are ranked by scoring each of them; for a phrase of common words
# (found through its pairs) at most this many more.
_FEW = 100
_PAIRED = 2000

# (id, created) of one match.
Row = tuple[Any, ...]


@bounded
def search_page(
    *,
    user: User,
    query: str,
    limit: int = 20,
    cursor: str | None = None,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    offset: int = 0,
    verify: Verify | None = None,
    demote: Collection[str] = (),
) -> SearchPage:
    """A page of the user's documents matching ``query``, with a count and facets.

    ``cursor`` is a ``next_cursor`` of the previous page of the same search (``BadCursor`` if
    it is not one); ``offset`` skips rows instead (kept for API clients, prefer the cursor).
    ``sort`` is a key of ``SORTS``. ``verify(ids) -> accepted ids``, if given, is asked about
    a document before it enters the results; the query's own phrases are always checked on
    the page text (``archive.search.phrases``). ``demote``: words of the query the user did not
    type (close spellings from ``archive.search.typos``), ranked below the typed ones. Only the
    user's own documents are searched. ``QueryTooExpensive`` (``archive.search.limits``) for a
    query with too many words or one that runs past ``SEARCH_TIMEOUT_MS``.

    Field terms in ``query`` (``tag:tax``, ``date:2024``: ``archive.search.fields``) narrow
    the search like ``filters.fields``; ``QueryError`` for a malformed one. A query of field
    terms alone (or ``filters.fields`` with no words) lists the documents they match, newest
    first unless sorted oldest first.
    """
    empty = SearchPage(hits=[], total=0, estimated=False, facets={}, next_cursor=None)
    if not user.is_authenticated:
        return empty
    split = split_fields(query)
    filters = filters or SearchFilters()
    if split.groups:
        filters = replace(filters, fields=filters.fields + split.groups)
    query = split.text
    configs, table_rows = search_context(user)
    read = build_query(query, configs)
    if read is None:
        if not filters.fields:
            return empty
        return _listing(user, filters, limit, cursor, sort, offset)
    check_clauses(len(read.query.clauses))
    tsquery = read.tsquery
    verify = _both(verify, verifier(read))
    sort = sort if sort in SORTS else "relevance"
    matching = matching_documents(user, tsquery, filters, read)
    total, estimated, facets, matched = _count(matching, table_rows)
    if sort == "relevance":
        after: Key | None = None
        if cursor:
            key, pk = decode_cursor(cursor, sort)
            after = (float(key), pk)
        keys = top_k(
            owner_id=int(user.pk),
            tsquery=tsquery,
            matching=matching,
            k=offset + limit + 1,
            after=after,
            verify=verify,
            # Scoring a few hundred documents' postings beats walking lists for them.
            # So do a phrase's matches read from its word pairs: few, and the words' lists
            # would be walked deep (their best documents rarely hold the phrase).
            few=not estimated
            and total <= (_PAIRED if phrase_pairs(read) else max(threshold(), _FEW)),
            matched=matched,
            demoted=_demoted(read, demote, configs),
        )
        window = keys[offset:]
        page = ranked_hits(window, limit)
    elif not estimated and total <= candidate_cap():
        page, window = _page_of_matches(matching, sort, cursor, offset, limit, verify)
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
        hits=page, total=total, estimated=estimated, facets=facets, next_cursor=next_cursor
    )


def search_matches(
    *, user: User, query: str, filters: SearchFilters | None = None
) -> QuerySet[Document] | None:
    """The user's documents the index finds for ``query`` (words and field terms) under
    ``filters``, for counting facets over a search; None for a query with nothing to search
    for. Phrases are not checked on the text here (``phrases``): a phrase's count may include
    a document whose words are only adjacent across a page break."""
    if not user.is_authenticated:
        return None
    split = split_fields(query)
    filters = filters or SearchFilters()
    if split.groups:
        filters = replace(filters, fields=filters.fields + split.groups)
    read = build_query(split.text, user_configs(user))
    if read is None:
        if not filters.fields:
            return None
        return filters.apply(Document.objects.filter(owner_id=user.pk))
    return matching_documents(user, read.tsquery, filters, read)


def _listing(
    user: User,
    filters: SearchFilters,
    limit: int,
    cursor: str | None,
    sort: str,
    offset: int,
) -> SearchPage:
    """The user's documents matching ``filters`` (no words to rank by): newest first, or
    oldest first for ``sort="oldest"``; counted and faceted as a search is."""
    sort = "oldest" if sort == "oldest" else "newest"
    matching = filters.apply(Document.objects.filter(owner_id=user.pk))
    total, estimated, facets, _ids = _count(matching)
    page, window = _page_by_date(matching, sort, cursor, offset, limit, None)
    next_cursor = None
    if len(window) > limit and page:
        last = page[-1]
        next_cursor = encode_cursor(sort, last.document.created.isoformat(), last.pk)
    return SearchPage(
        hits=page, total=total, estimated=estimated, facets=facets, next_cursor=next_cursor
    )


def ranked_hits(keys: Sequence[Key], limit: int) -> list[SearchHit]:
    """The first ``limit`` of ranked ``keys`` ((score, id), best first) as hits in that order,
    their documents read in one statement; a document deleted since it was ranked is left
    out."""
    documents = Document.objects.in_bulk([pk for _score, pk in keys[:limit]])
    return [
        SearchHit(document=documents[pk], rank=score)
        for score, pk in keys[:limit]
        if pk in documents
    ]


class _Counted(NamedTuple):
    """What counting the matches found: the total, whether it is an estimate, the facets, and
    the ids of every match when the count is exact (None when it is an estimate)."""

    total: int
    estimated: bool
    facets: dict[str, list[tuple[str, int]]]
    ids: frozenset[int] | None


def _count(matching: QuerySet[Document], total_documents: float | None = None) -> _Counted:
    """(total, estimated, facets, ids) over the first matches counted (see the module note).

    The planner's estimate decides how many to count: up to ``count_limit()`` through the
    index, or, for a word it puts far above the limit, only the first ``candidate_cap()`` (in
    table order when the word is dense): the estimate is then the total, and those matches a
    sample for the facets. The matches' ids come back with their facet values (aggregated
    here, not by the database), so when the count is exact the ranking knows every match
    without asking the index again (``ranking.top_k``'s ``matched``).
    """
    limit = count_limit()
    planned, documents = estimate(matching, total_documents)
    many = planned > 4 * limit
    counted_at_most = candidate_cap() if many else limit
    sample = matching.order_by().values_list("id", *FACETS)[: counted_at_most + 1]
    sql, params = sample.query.sql_with_params()

    def run() -> list[tuple[Any, ...]]:
        with read_connection().cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    # A word on many documents: reading in table order finds the first matches sooner than the
    # index lists them all (see ``planning.dense``), but only when the count will stop there.
    # Otherwise the scan reads (and unpacks) every vector of the archive where the index reads
    # none: ``com*`` on 3,313 of 5,708 documents counted in 47 ms by the scan, 5 ms by the
    # index (a prefix needs no recheck of the vectors).
    if documents > 0 and planned / documents >= DENSE_SHARE and planned > counted_at_most:
        rows = run()
    else:
        with through_the_index():
            rows = run()
    counted = len(rows)
    facets: dict[str, list[tuple[str, int]]] = {}
    for i, name in enumerate(FACETS, start=1):
        facets[name] = Counter(row[i] for row in rows).most_common()
    if counted > counted_at_most:
        return _Counted(max(int(planned), counted), True, facets, None)
    return _Counted(counted, False, facets, frozenset(row[0] for row in rows))


def _demoted(read: ReadQuery, demote: Collection[str], configs: set[str]) -> frozenset[str]:
    """The lexemes only the ``demote`` words of the query are read as (a lexeme a typed word
    is read as too keeps its full weight)."""
    if not demote:
        return frozenset()
    added = {word.lower() for word in demote}
    typed = [t for c in read.query.positive for t in c.terms if t.lower() not in added]
    return frozenset(reading_lexemes(added, configs) - reading_lexemes(typed, configs))


def _both(first: Verify | None, second: Verify | None) -> Verify | None:
    """A check that accepts what both ``first`` and ``second`` accept (None: accept all)."""
    if first is None or second is None:
        return first or second
    return lambda ids: first(sorted(second(ids)))


def _page_of_matches(
    matching: QuerySet[Document],
    sort: str,
    cursor: str | None,
    offset: int,
    limit: int,
    verify: Verify | None,
) -> tuple[list[SearchHit], list[Row]]:
    """Few matches, by date: read them all (through the index), check them with ``verify``
    and order them here."""
    with through_the_index():
        rows = list(matching.order_by().values_list("created", "id"))
    if verify is not None:
        kept = verify([pk for _created, pk in rows])
        rows = [row for row in rows if row[1] in kept]
    keys = sorted(rows, reverse=sort == "newest")
    if cursor:
        key, pk = decode_cursor(cursor, sort)
        at = (datetime.fromisoformat(key), pk)
        keys = [item for item in keys if (item < at if sort == "newest" else item > at)]
    window = keys[offset : offset + limit + 1]
    documents = Document.objects.in_bulk([pk for _key, pk in window[:limit]])
    hits = [
        SearchHit(document=documents[pk], rank=0.0)
        for _key, pk in window[:limit]
        if pk in documents
    ]
    return hits, window


def _page_by_date(
    matching: QuerySet[Document],
    sort: str,
    cursor: str | None,
    offset: int,
    limit: int,
    verify: Verify | None,
) -> tuple[list[SearchHit], list[Row]]:
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


def document_search(
    *,
    user: User,
    query: str,
    limit: int = 20,
    offset: int = 0,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    cursor: str | None = None,
    demote: Collection[str] = (),
) -> list[SearchHit]:
    """The user's documents matching ``query``, each with matching pages and a snippet: the
    hits of ``search_page`` (see there for ``cursor`` and ``offset``)."""
    return search_page(
        user=user,
        query=query,
        limit=limit,
        offset=offset,
        filters=filters,
        sort=sort,
        cursor=cursor,
        demote=demote,
    ).hits
