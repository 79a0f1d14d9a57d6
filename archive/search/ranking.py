"""Exact top-k by BM25 (``archive.search.bm25``) with work bounded by the impact lists.

``top_k`` returns the same documents, in the same order, as scoring every match and sorting
by (score, id) descending (``reference_top`` does exactly that, slowly, for tests and the
benchmark). How it avoids scoring every match:

- **Few matches** (the caller counted at most ``SEARCH_IMPACT_THRESHOLD``): score them all.
- Otherwise a **threshold algorithm** over the query's lexemes. A lexeme without an impact
  list (df <= the threshold, or passed it since the last ``terms.merge``) has all its
  documents scored up front: exact at any count, cheap when they are few. A frequent one's list
  (``archive.search.terms``) is read in impact order, deeper each round; each new document is
  scored exactly from its postings (``archive_search_posting``, small rows: no vector is read
  from TOAST) and, if its score could enter the top k, checked against the query and filters.
  A document
  not yet seen holds each listed lexeme with at most the impact last read from its list (or
  below the list's floor once the list is exhausted) and no rare lexeme, so its score is at
  most ``sum(idf x bound)``; once the k-th best score exceeds that, no unseen document can
  enter the top k and the walk stops.
- If every list is exhausted first (a query whose best documents lie below the floors: rare
  combinations of frequent words), fall back to scoring every match: exact, not bounded.

``verify(ids) -> ids`` (e.g. a phrase check on the page text) is applied to a document only
when its score would enter the top k; a rejected document is never a result. ``after`` (a
(score, id) key of the previous page) restricts the ranking to documents after it, so page 2
continues the same exact order.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from archive.models import Document
from archive.replica.routing import read_connection
from archive.search.bm25 import TermStats, combine, query_weights, scores

if TYPE_CHECKING:
    from archive.search.planning import User
    from archive.search.results import SearchFilters

Verify = Callable[[list[int]], set[int]]
# (score, id): results are in descending order of this key.
Key = tuple[float, int]

# Slack for summing bounds in another order than scores (floating point).
_EPSILON = 1e-9


class _Best:
    """The k best keys below ``after`` seen so far (a min-heap)."""

    def __init__(self, k: int, after: Key | None) -> None:
        self.k = k
        self.after = after
        self.heap: list[Key] = []

    def would_enter(self, key: Key) -> bool:
        if self.after is not None and not key < self.after:
            return False
        return len(self.heap) < self.k or key > self.heap[0]

    def add(self, key: Key) -> None:
        if len(self.heap) < self.k:
            heapq.heappush(self.heap, key)
        else:
            heapq.heappushpop(self.heap, key)

    def full(self) -> bool:
        return len(self.heap) >= self.k

    def beats_bound(self, bound: float, pk: int) -> bool:
        """False if a document ``pk`` scoring at most ``bound`` cannot enter the top k."""
        return (bound + _EPSILON * (1 + bound), pk) > self.heap[0]

    def beats(self, bound: float) -> bool:
        """True if every document scoring at most ``bound`` is out of the top k."""
        return len(self.heap) >= self.k and self.heap[0][0] > bound + _EPSILON * (1 + bound)

    def ordered(self) -> list[Key]:
        return sorted(self.heap, reverse=True)


def top_k(
    *,
    owner_id: int,
    tsquery: str,
    matching: QuerySet[Document],
    k: int,
    after: Key | None = None,
    verify: Verify | None = None,
    few: bool = False,
    demoted: Collection[str] = (),
    matched: Collection[int] | None = None,
) -> list[Key]:
    """The best ``k`` matches (``matching``: the query and filters) after ``after``, best first.
    ``few``: the caller knows there are at most ``SEARCH_IMPACT_THRESHOLD`` matches;
    ``demoted``: lexemes weighed down (``bm25.DEMOTED``); ``matched``: the ids of every match
    when the caller counted them exactly (then no statement asks the index again which
    documents match)."""
    stats = query_weights(owner_id, tsquery, demoted)
    if few:
        return _exhaustive(matching, stats, k, after, verify, matched)
    best = _Best(k, after)
    seen: set[int] = set()
    listed = {
        term: float(floor)
        for term, floor in stats.floors.items()
        if floor is not None and term in stats.weights
    }
    if matched is not None and not listed:
        # No list could bound the work: every match would be scored anyway. (Scoring every
        # known match instead of walking several lists was measured and does not pay: at
        # 10,000 pages `out*` 23 ms walked, 38 ms scored; `tec*` 28 and 16 ms; `the of` 22 and
        # 498 ms, two exact terms being one primary-key descent per (document, term).)
        return _exhaustive(matching, stats, k, after, verify, matched)
    consider = _Consider(matching, stats, best, seen, verify, matched)
    rare = [term for term in stats.weights if term not in listed]
    if rare:
        # Their documents are few (df <= the threshold, unless a merge is due) and may hold
        # them anywhere: all read (only the matches among them scored, when those are known).
        holding = _holding_any(owner_id, rare)
        consider(holding if matched is None else [pk for pk in holding if pk in matched])
    depth = dict.fromkeys(listed, 0)
    bound = dict.fromkeys(listed, 0.0)
    # The first round reads just enough for a single word's page (its list is its ranking);
    # later rounds read four times more each. Each round reads every list once (one statement)
    # and considers the new documents together.
    step = k
    while True:
        exhausted = True
        rows = _lists_slice(owner_id, {term: depth[term] for term in sorted(listed)}, step)
        for term in sorted(listed):
            entries = rows.get(term, [])
            depth[term] += len(entries)
            if len(entries) == step:
                bound[term] = entries[-1][1]
                exhausted = False
            else:
                bound[term] = listed[term]
        known: dict[int, dict[str, float]] = {}
        for term in sorted(rows):
            for pk, impact in rows[term]:
                known.setdefault(pk, {})[term] = impact
        consider(list(known), known=known, bound=bound)
        ceiling = sum(stats.weights[term] * bound[term] for term in sorted(listed))
        if best.beats(ceiling):
            return best.ordered()
        if exhausted:
            return _exhaustive(matching, stats, k, after, verify, matched)
        step *= 4


class _Consider:
    """Score documents not seen before and offer the matching ones to the top k.

    Documents read from the lists come with what the lists said of them (``known``: this
    round's entries) and the lists' current bounds: a document holds a listed term it was not
    read under with at most that term's bound (the impact last read from its list, or the
    list's floor once exhausted), and no rare term (documents holding one were all considered
    first). A document whose bound so computed cannot enter the top k is dropped for good
    (bounds only fall and the k-th best only rises); one read under every listed term already
    has its exact score (list entries hold the postings' float8 impacts); the rest are scored
    from their postings (``bm25.scores``: a primary-key probe per (document, lexeme), no vector
    read). Only a document whose exact score could enter the top k is checked against the
    query and filters.
    """

    def __init__(
        self,
        matching: QuerySet[Document],
        stats: TermStats,
        best: _Best,
        seen: set[int],
        verify: Verify | None,
        matched: Collection[int] | None = None,
    ) -> None:
        self.matching = matching
        self.stats = stats
        self.best = best
        self.seen = seen
        self.verify = verify
        self.matched = matched

    def __call__(
        self,
        ids: Iterable[int],
        *,
        known: dict[int, dict[str, float]] | None = None,
        bound: dict[str, float] | None = None,
    ) -> None:
        new = [pk for pk in ids if pk not in self.seen]
        if not new:
            return
        self.seen.update(new)
        weights = self.stats.weights
        scored: dict[int, float] = {}
        unknown = new
        if known is not None and bound is not None:
            unknown = []
            for pk in new:
                impacts = known.get(pk, {})
                missing = sorted(term for term in bound if term not in impacts)
                ceiling = combine(impacts, weights) + sum(weights[t] * bound[t] for t in missing)
                if self.best.full() and not self.best.beats_bound(ceiling, pk):
                    continue
                if missing:
                    unknown.append(pk)
                else:
                    scored[pk] = combine(impacts, weights)
        scored.update(scores(unknown, weights))
        candidates = [pk for pk, score in scored.items() if self.best.would_enter((score, pk))]
        if not candidates:
            return
        if self.matched is not None:
            matched = {pk for pk in candidates if pk in self.matched}
        else:
            matched = set(
                self.matching.filter(pk__in=candidates).order_by().values_list("pk", flat=True)
            )
        entering = sorted(
            ((scored[pk], pk) for pk in candidates if pk in matched),
            reverse=True,
        )
        _offer(self.best, entering, self.verify)


def _offer(best: _Best, keys: list[Key], verify: Verify | None) -> None:
    """Add ``keys`` (best first) to ``best``, those ``verify`` accepts, verified in chunks of
    the room left so a costly check runs on few documents."""
    index = 0
    while index < len(keys):
        chunk = [key for key in keys[index : index + max(best.k, 20)] if best.would_enter(key)]
        index += max(best.k, 20)
        if not chunk:
            break
        accepted = verify([pk for _score, pk in chunk]) if verify else None
        for key in chunk:
            if accepted is None or key[1] in accepted:
                best.add(key)


def _exhaustive(
    matching: QuerySet[Document],
    stats: TermStats,
    k: int,
    after: Key | None,
    verify: Verify | None,
    matched: Collection[int] | None = None,
) -> list[Key]:
    """Score every match: the definition of the ranking, used when it is cheap or needed
    (``matched``: every match's id, when known)."""
    ids = (
        sorted(matched)
        if matched is not None
        else list(matching.order_by().values_list("pk", flat=True))
    )
    scored = scores(ids, stats.weights)
    keys = sorted(((score, pk) for pk, score in scored.items()), reverse=True)
    if after is not None:
        keys = [key for key in keys if key < after]
    best = _Best(k, after)
    _offer(best, keys, verify)
    return best.ordered()


def _holding_any(owner_id: int, terms: list[str]) -> list[int]:
    """The owner's documents whose vector holds any of ``terms`` (exact lexemes; GIN)."""
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT id FROM archive_document WHERE owner_id = %s AND search_vector @@ "
            "array_to_string(ARRAY(SELECT quote_literal(t) FROM unnest(%s::text[]) t), "
            "' | ')::tsquery",
            [owner_id, terms],
        )
        return [row[0] for row in cursor.fetchall()]


def _lists_slice(
    owner_id: int, starts: dict[str, int], count: int
) -> dict[str, list[tuple[int, float]]]:
    """Entries ``start`` to ``start + count`` of each term's impact list, best first."""
    found: dict[str, list[tuple[int, float]]] = {}
    if not starts:
        return found
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT t.term, s.document_id, s.impact "
            "FROM unnest(%s::text[], %s::int[]) t(term, start), LATERAL ("
            "  SELECT i.document_id, i.impact FROM archive_search_impact i"
            "  WHERE i.owner_id = %s AND i.term = t.term"
            "  ORDER BY i.impact DESC, i.document_id DESC OFFSET t.start LIMIT %s) s "
            "ORDER BY t.term, s.impact DESC, s.document_id DESC",
            [list(starts), list(starts.values()), owner_id, count],
        )
        for term, pk, impact in cursor.fetchall():
            found.setdefault(term, []).append((int(pk), float(impact)))
    return found


def reference_top(
    user: User, query: str, k: int, filters: SearchFilters | None = None
) -> list[int]:
    """Ids of the exact top ``k`` for ``query``, the slow, obviously correct way: every match
    scored with the same formula, sorted by (score, id) descending. For tests and the bench."""
    from archive.search.planning import build_tsquery, matching_documents, user_configs

    if not user.is_authenticated:
        return []
    tsquery = build_tsquery(query, user_configs(user))
    if tsquery is None:
        return []
    stats = query_weights(int(user.pk), tsquery)
    ids = list(matching_documents(user, tsquery, filters).order_by().values_list("pk", flat=True))
    # From the vectors, not the postings: the reference does not trust what it checks.
    scored = scores(ids, stats.weights, from_vectors=True)
    return [pk for _score, pk in sorted(((s, pk) for pk, s in scored.items()), reverse=True)[:k]]
