"""Searching every document a user may see: their own and those shared with them.

The index keeps its statistics per owner (``archive.search.terms``: document counts, impact
lists), and ``search_page`` searches one owner's documents. This layer runs it once for the
user and once for each other owner whose documents are shared with the user, restricted to
exactly the documents shared (``SearchFilters.where``), and merges the hits in the order asked
for. So counts and facets are sums over documents the user may see: a document that is not
shared with them is never counted, faceted or listed.

A user with nothing shared with them gets ``search_page`` itself (same cursors, same work). A
merged search pages by offset (its cursor is ``shared:<offset>``), each owner's search asked
for the first ``offset + limit + 1`` hits, so it is bounded to ``MAX_OFFSET`` rows.

Scores of different owners' documents are each BM25 over their own owner's statistics: close
enough to interleave, not identical to one index over all of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext

from archive.search.cursors import BadCursor
from archive.search.finding import search_page
from archive.search.planning import User
from archive.search.results import SearchFilters, SearchHit, SearchPage
from archive.sharing.access import shared_with

#: Deepest offset a merged search pages to (each owner's search reads this many hits).
MAX_OFFSET = 1000
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


def _key(sort: str) -> Any:
    if sort == "newest":
        return lambda hit: (-hit.document.created.timestamp(), -hit.pk)
    if sort == "oldest":
        return lambda hit: (hit.document.created.timestamp(), hit.pk)
    return lambda hit: (-hit.rank, -hit.pk)


def _merge_facets(pages: list[SearchPage]) -> dict[str, list[tuple[str, int]]]:
    merged: dict[str, Counter[str]] = {}
    for page in pages:
        for facet, values in page.facets.items():
            counts = merged.setdefault(facet, Counter())
            for value, count in values:
                counts[value] += count
    return {facet: counts.most_common() for facet, counts in merged.items()}


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
    shared = shared_with(user)
    owner_ids = sorted(set(shared.values_list("owner_id", flat=True)))
    if not owner_ids:
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
    filters = filters or SearchFilters()
    wanted = start + limit + 1
    pages = [
        search_page(user=user, query=query, limit=wanted, filters=filters, sort=sort, demote=demote)
    ]
    owners = get_user_model().objects.in_bulk(owner_ids)
    for owner_id in owner_ids:
        theirs = Q(pk__in=shared.filter(owner_id=owner_id).values("pk"))
        where = theirs if filters.where is None else filters.where & theirs
        pages.append(
            search_page(
                user=owners[owner_id],
                query=query,
                limit=wanted,
                filters=replace(filters, where=where),
                sort=sort,
                demote=demote,
            )
        )
    hits: list[SearchHit] = sorted((hit for page in pages for hit in page.hits), key=_key(sort))
    window = hits[start : start + limit]
    more = len(hits) > start + limit and start + limit <= MAX_OFFSET
    return SearchPage(
        hits=window,
        total=sum(page.total for page in pages),
        estimated=any(page.estimated for page in pages),
        facets=_merge_facets(pages),
        next_cursor=f"{_PREFIX}{start + limit}" if more else None,
    )
