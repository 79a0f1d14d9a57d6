"""Searching every document a user may see: their own and those shared with them.

The index keeps its statistics per owner (``archive.search.terms``: document counts, impact
lists), and ``search_page`` searches one owner's documents. A user with nothing shared with
them gets ``search_page`` itself (same cursors, same work). For the others this module runs
one search over the visible documents (issue 17: it ran ``search_page`` once per sharing
owner, about 20 statements each, 0.3-1.9 s for up to 49 owners):

- **What matches.** Each owner's documents are matched by that owner's ``tsquery`` (the query
  read in the configurations of the owner's documents, as their own search reads it); owners
  with the same configurations share one. The visible documents are
  ``archive.sharing.access.visible_condition`` (the user's own, and the grants as ids or as a
  subquery), so one statement counts and facets every visible match, and none other: a
  document the user may not see is never counted, faceted, suggested or listed.
- **The ranking formula.** A document's score is BM25 with **its owner's** statistics (N, df:
  ``bm25.query_weights``), exactly the score the owner's own search gives it; the hits of all
  owners are ordered by (score, id). The statistics of all owners are read in one statement
  (``bm25.owners_stats``).
- **Finding the top.** The user's own matches through ``ranking.top_k`` (their impact lists);
  the shared matches, when at most ``SHARED_SCORED`` of them, all scored from their postings
  in one statement (an owner's impact lists hold mostly documents the user may not see, so
  walking them is no help); past that, ``top_k`` for each sharing owner over its shared
  matches. The first page is therefore the exact top of every visible match under the formula.
  Phrases are checked on the text (``phrases.verifier``) of the documents that would enter the
  page only.

A merged search pages by offset (its cursor is ``shared:<offset>``), the top asked for the first
``offset + limit + 1`` hits, so it is bounded to ``MAX_OFFSET`` rows. A date sort reads the
visible matches in date order directly.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext

from archive.models import Document
from archive.search.bm25 import (
    combine,
    document_impacts,
    expand_prefixes,
    owners_stats,
    query_lexemes,
)
from archive.search.cursors import BadCursor
from archive.search.fields import split_fields
from archive.search.finding import (
    _FEW,
    _count,
    _demoted,
    _page_by_date,
    _page_of_matches,
    ranked_hits,
    search_matches,
    search_page,
)
from archive.search.limits import bounded, check_clauses
from archive.search.pages import add_pages_and_snippets
from archive.search.phrases import verifier
from archive.search.planning import (
    MATCH_SQL,
    User,
    build_query,
    candidate_cap,
    owners_configs,
    through_the_index,
)
from archive.search.ranking import Key, Verify, _Best, _offer, top_k
from archive.search.readings import ReadQuery
from archive.search.results import SORTS, SearchFilters, SearchPage
from archive.search.terms import threshold
from archive.sharing.access import sharing_owners, visible_condition

#: Deepest offset a merged search pages to (the top read is this deep).
MAX_OFFSET = 1000
#: Shared matches scored all at once up to this many (one statement over their postings);
#: past it, each sharing owner's top through its impact lists.
SHARED_SCORED = 5000
_PREFIX = "shared:"


def _offset(cursor: str | None, offset: int) -> int:
    if not cursor:
        return offset
    if not cursor.startswith(_PREFIX):
        raise BadCursor(gettext("This link to a next page is out of date: showing the first page."))
    try:
        value = int(cursor[len(_PREFIX) :])
    except ValueError:
        raise BadCursor(
            gettext("This link to a next page is broken: showing the first page.")
        ) from None
    if not 0 <= value <= MAX_OFFSET:
        raise BadCursor(gettext("This link to a next page is broken: showing the first page."))
    return value


class _Reading:
    """The query as one group of owners with the same configurations reads it."""

    def __init__(self, read: ReadQuery, configs: set[str], owners: list[int]) -> None:
        self.read = read
        self.configs = configs
        self.owners = owners
        self.verify = verifier(read)


def _readings(me: int, sharing: Collection[int], text: str) -> list[_Reading] | None:
    """The query ``text`` read once per group of owners (the user ``me`` and those sharing
    with them) with the same configurations; None when it has nothing to search for."""
    by_configs: dict[frozenset[str], list[int]] = {}
    for owner, found in owners_configs([me, *sharing]).items():
        by_configs.setdefault(frozenset(found), []).append(owner)
    readings: list[_Reading] = []
    for configs, group in by_configs.items():
        read = build_query(text, set(configs))
        if read is None:
            return None
        readings.append(_Reading(read, set(configs), group))
    check_clauses(len(readings[0].read.query.clauses))
    return readings


def _matching(user: User, readings: list[_Reading], filters: SearchFilters) -> QuerySet[Document]:
    """The documents ``user`` may see that the index finds for ``readings``, under
    ``filters`` (each owner's documents matched by its group's reading)."""
    condition = Q()
    for reading in readings:
        match = Q(
            RawSQL(
                MATCH_SQL.format(table="archive_document"),
                [reading.read.tsquery],
                output_field=BooleanField(),
            )
        )
        # One reading (the usual case: owners with the same languages) needs no owner list.
        condition |= match if len(readings) == 1 else match & Q(owner_id__in=reading.owners)
    return filters.apply(Document.objects.filter(visible_condition(user)).filter(condition))


def visible_search_matches(
    *, user: User, query: str, filters: SearchFilters | None = None
) -> QuerySet[Document] | None:
    """``search_matches`` over every document ``user`` may see: what the search page counts
    its facet panels over (their own and shared documents alike). None for a query with
    nothing to search for and no field terms. Phrases are not checked on the text here."""
    if not user.is_authenticated:
        return None
    sharing = sharing_owners(user)
    if not sharing:
        return search_matches(user=user, query=query, filters=filters)
    filters = filters or SearchFilters()
    split = split_fields(query)
    if split.groups:
        filters = replace(filters, fields=filters.fields + split.groups)
    readings = _readings(int(user.pk), sharing, split.text)
    if readings is None:
        if not filters.fields:
            return None
        return filters.apply(Document.objects.filter(visible_condition(user)))
    return _matching(user, readings, filters)


@bounded
def visible_search_page(
    *,
    user: User,
    query: str,
    limit: int = 20,
    cursor: str | None = None,
    filters: SearchFilters | None = None,
    sort: str = "relevance",
    offset: int = 0,
    demote: Collection[str] = (),
) -> SearchPage:
    """``search_page`` over every document ``user`` may see (see the module note); the same
    arguments and answers, ``BadCursor`` and ``QueryTooExpensive`` included."""
    if not user.is_authenticated:
        return search_page(user=user, query=query, limit=limit)
    sharing = sharing_owners(user)
    if not sharing:
        return search_page(
            user=user,
            query=query,
            limit=limit,
            cursor=cursor,
            filters=filters,
            sort=sort,
            offset=offset,
            demote=demote,
        )
    start = _offset(cursor, offset)
    if start > MAX_OFFSET:
        raise BadCursor(gettext("Too far into the results: narrow the search."))
    empty = SearchPage(hits=[], total=0, estimated=False, facets={}, next_cursor=None)
    filters = filters or SearchFilters()
    split = split_fields(query)
    if split.groups:
        filters = replace(filters, fields=filters.fields + split.groups)
    me = int(user.pk)
    readings = _readings(me, sharing, split.text)
    if readings is None:
        # Nothing to search for (the same in every configuration): a listing.
        if not filters.fields:
            return empty
        matching = filters.apply(Document.objects.filter(visible_condition(user)))
        return _dated(matching, sort, start, limit, None)
    matching = _matching(user, readings, filters)
    group_of = {owner: reading for reading in readings for owner in reading.owners}

    def owners_of(ids: list[int]) -> dict[int, int]:
        if len(readings) == 1:
            return dict.fromkeys(ids, me)  # any owner: one reading
        return dict(Document.objects.filter(pk__in=ids).values_list("pk", "owner_id"))

    def verify(ids: list[int]) -> set[int]:
        """Each document checked by its owner's reading (phrases on the text)."""
        owner_of = owners_of(ids)
        accepted: set[int] = set()
        for reading in readings:
            theirs = [pk for pk in ids if group_of[owner_of.get(pk, me)] is reading]
            accepted |= set(theirs) if reading.verify is None else reading.verify(theirs)
        return accepted

    sort = sort if sort in SORTS else "relevance"
    if sort != "relevance":
        page = _dated(matching, sort, start, limit, verify)
    else:
        total, estimated, facets, _ids = _count(matching)
        wanted = start + limit + 1
        keys = _top(me, readings, sharing, matching, wanted, verify, total, estimated, demote)
        hits = ranked_hits(keys[start:], limit)
        more = len(keys) > start + limit and start + limit <= MAX_OFFSET
        page = SearchPage(
            hits=hits,
            total=total,
            estimated=estimated,
            facets=facets,
            next_cursor=f"{_PREFIX}{start + limit}" if more else None,
        )
    for reading in readings:
        add_pages_and_snippets(
            [hit for hit in page.hits if group_of[hit.document.owner_id] is reading],
            reading.read.tsquery,
            split.text,
        )
    return page


def _dated(
    matching: QuerySet[Document], sort: str, start: int, limit: int, verify: Verify | None
) -> SearchPage:
    """The visible matches newest (or oldest) first from ``start``, counted and faceted."""
    sort = "oldest" if sort == "oldest" else "newest"
    total, estimated, facets, _ids = _count(matching)
    if not estimated and total <= candidate_cap():
        hits, window = _page_of_matches(matching, sort, None, start, limit, verify)
    else:
        hits, window = _page_by_date(matching, sort, None, start, limit, verify)
    more = len(window) > limit and start + limit <= MAX_OFFSET
    return SearchPage(
        hits=hits,
        total=total,
        estimated=estimated,
        facets=facets,
        next_cursor=f"{_PREFIX}{start + limit}" if more else None,
    )


def _top(
    me: int,
    readings: list[_Reading],
    sharing: list[int],
    matching: QuerySet[Document],
    wanted: int,
    verify: Verify,
    total: int,
    estimated: bool,
    demote: Collection[str],
) -> list[Key]:
    """The best ``wanted`` visible matches by (score, id), each scored with its owner's
    statistics (see the module note)."""
    lexemes: dict[int, list[str]] = {}
    demoted: dict[int, frozenset[str]] = {}
    for reading in readings:
        exact, prefixes = query_lexemes(reading.read.tsquery)
        low = _demoted(reading.read, demote, reading.configs)
        for owner in reading.owners:
            # A prefix stands for the owner's own most frequent words (as its search reads it).
            lexemes[owner] = [*exact, *expand_prefixes(owner, prefixes)] if prefixes else exact
            demoted[owner] = low
    stats = owners_stats(lexemes, demoted)
    reading_of = {owner: reading for reading in readings for owner in reading.owners}
    best = _Best(wanted, None)
    # The user's own matches: their search's exact top (already verified).
    mine = reading_of[me]
    few = not estimated and total <= max(threshold(), _FEW)
    for key in top_k(
        owner_id=me,
        tsquery=mine.read.tsquery,
        matching=matching.filter(owner_id=me),
        k=wanted,
        verify=verify,
        few=few,
        demoted=demoted[me],
    ):
        best.add(key)
    others = matching.exclude(owner_id=me).order_by()
    # An owner who shared a document since ``sharing_owners`` read them waits for the next
    # search (it has no statistics read here).
    # Through the GIN index (as counting reads matches): with a LIMIT the planner likes a
    # scan in table order that tests every vector (1.4 s for a common word at 100,000).
    with through_the_index():
        found = list(others.values_list("pk", "owner_id")[: SHARED_SCORED + 1])
    rows = [(pk, owner) for pk, owner in found if owner in stats]
    if len(rows) <= SHARED_SCORED:
        # All shared matches scored at once: impacts are the owner's-statistics-free part of
        # the score (``bm25``), read for every lexeme of every owner, then weighed per owner.
        terms = sorted({t for owner in sharing for t in stats[owner].weights})
        impacts = document_impacts([pk for pk, _owner in rows], terms)
        keys = sorted(
            ((combine(impacts.get(pk, {}), stats[owner].weights), pk) for pk, owner in rows),
            reverse=True,
        )
        _offer(best, keys, verify)
        return best.ordered()
    for owner in sharing:
        reading = reading_of[owner]
        for key in top_k(
            owner_id=owner,
            tsquery=reading.read.tsquery,
            matching=others.filter(owner_id=owner),
            k=wanted,
            verify=verify,
            demoted=demoted[owner],
        ):
            if best.would_enter(key):
                best.add(key)
    return best.ordered()
