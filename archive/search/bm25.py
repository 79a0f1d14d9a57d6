"""The rank function: BM25 over the stored document vectors, with a title boost.

For a lexeme ``t`` and a document ``d``::

    tf(t, d)     = positions of t in d's vector of weight B (text)
                   + SEARCH_TITLE_BOOST x positions of weight A (title)
    impact(t, d) = tf (k1 + 1) / (tf + k1 (1 - b + b dl / L))
    idf(t)       = ln(1 + (N - df + 0.5) / (df + 0.5))
    score(d, q)  = sum over the distinct positive lexemes t of q present in d of idf(t) impact(t, d)

``dl`` is ``Document.search_length`` (positions in the vector: each word counts once per
reading), ``L`` the fixed ``SEARCH_REFERENCE_LENGTH``, ``N`` the owner's indexed documents and
``df`` the term's count (``documents_sql``; ``archive.search.terms`` keeps both exact). A
tsvector keeps at most 256 positions per lexeme, so ``tf`` saturates there; BM25 has long
saturated by then.

Every path computes impacts with ``impact_sql`` and sums scores with ``combine`` (lexemes in
sorted order), so the stored postings and impact lists, the fast top-k and the reference
ranking give the same floating-point numbers for the same document. Ranking reads the impacts
from the postings (``document_impacts``: small rows, no vector from TOAST); the reference
recounts them from the vectors (``vector_impacts``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.conf import settings

from archive.replica.routing import read_connection

# An operand of a tsquery's text form: 'lexeme' with optional :* prefix and weight marks.
_TSQUERY_TOKEN = re.compile(r"'((?:[^']|'')*)'(:\*?[A-D]*)?|(!)|(\()|(\))|(&|\||<->|<\d+>)")
# At most this many index terms stand for one prefix (``invo*``) in ranking, the most frequent
# first (matching still takes every word with the prefix). Fewer terms give the threshold
# algorithm a tighter bound: at 30k pages 10 instead of 50 took `cou*` from 666 to 426 ms.
PREFIX_EXPANSION = 10


def _number(name: str, default: float) -> float:
    """A setting, inlined into the SQL as a constant (not a parameter: one plan for all)."""
    return float(getattr(settings, name, default))


def tf_sql(vector_row: str) -> str:
    """tf of one row of ``unnest(tsvector)`` (``vector_row``.positions / .weights)."""
    boost = _number("SEARCH_TITLE_BOOST", 3.0)
    # A and C: the title's positions, stemmed and as written (``index.WEIGHTS``).
    titled = (
        f"(cardinality(array_positions({vector_row}.weights, 'A')) "
        f"+ cardinality(array_positions({vector_row}.weights, 'C')))::float8"
    )
    return (
        f"(cardinality({vector_row}.positions)::float8 + {float(boost) - 1.0!r}::float8 * {titled})"
    )


def impact_sql(tf: str, length: str) -> str:
    """BM25's saturated term frequency for SQL expressions ``tf`` and ``length`` (dl)."""
    k1 = _number("SEARCH_BM25_K1", 1.2)
    b = _number("SEARCH_BM25_B", 0.75)
    reference = _number("SEARCH_REFERENCE_LENGTH", 600.0)
    # Constants folded here and typed float8 (a bare 1.2 is numeric in SQL: slow, and another
    # rounding than Python's).
    return (
        f"(({tf}) * {k1 + 1.0!r}::float8 / (({tf}) + {k1 * (1.0 - b)!r}::float8 + "
        f"{k1 * b / reference!r}::float8 * ({length})::float8))"
    )


def documents_sql(term_row: str) -> str:
    """SQL of the exact document count of ``term_row`` (an alias of ``archive_searchterm``):
    its merged count plus its pending deltas (``archive.search.terms``): an index probe, which
    finds none after a merge."""
    return (
        f"({term_row}.documents + coalesce((SELECT sum(x.change) FROM "
        f"archive_search_term_delta x WHERE x.owner_id = {term_row}.owner_id "
        f"AND x.term = {term_row}.term), 0))::int"
    )


def idf(documents: int, total: int) -> float:
    """BM25's idf (the "plus one" form: never negative, even for a word on every document)."""
    df = max(0, documents)
    return math.log(1.0 + (max(total, df) - df + 0.5) / (df + 0.5))


def combine(impacts: Mapping[str, float], weights: Mapping[str, float]) -> float:
    """score(d, q) from one document's impacts, summed in lexeme order (see the module note)."""
    return sum(weights[term] * impacts[term] for term in sorted(impacts) if term in weights)


def query_lexemes(tsquery: str) -> tuple[list[str], list[str]]:
    """The lexemes the ranking scores for a ``tsquery`` text: (exact lexemes, prefixes).

    Every operand that is not under a ``!`` counts, whichever reading (configuration) it came
    from; the same lexeme twice counts once. This reads the tsquery's text form only, so it
    stays right however ``planning.build_tsquery`` combines the readings.
    """
    exact: list[str] = []
    prefixes: list[str] = []
    # Each open parenthesis remembers whether it was negated; a "!" before an operand or "(".
    stack: list[bool] = []
    negate_next = False
    for match in _TSQUERY_TOKEN.finditer(tsquery):
        lexeme, marks, bang, opening, closing, _operator = match.groups()
        if bang:
            negate_next = not negate_next
        elif opening:
            stack.append(negate_next or (bool(stack) and stack[-1]))
            negate_next = False
        elif closing:
            if stack:
                stack.pop()
        elif lexeme is not None:
            negated = negate_next or (bool(stack) and stack[-1])
            negate_next = False
            if not negated:
                term = lexeme.replace("''", "'").replace("\\\\", "\\")
                (prefixes if marks and "*" in marks else exact).append(term)
    return list(dict.fromkeys(exact)), list(dict.fromkeys(prefixes))


def expand_prefixes(owner_id: int, prefixes: Iterable[str]) -> list[str]:
    """The owner's words as written starting with each prefix, the ``PREFIX_EXPANSION`` most
    frequent of each by their merged counts (``_EXPANSION_SQL``; one statement for all)."""
    wanted = [prefix for prefix in prefixes if prefix]
    if not wanted:
        return []
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT e.term FROM {_EXPANSION_SQL} ORDER BY p.n, e.documents DESC, e.term",
            _expansion_params(owner_id, wanted),
        )
        return [row[0] for row in cursor.fetchall()]


# Each prefix's expansions (``expand_prefixes``). Bounded work: one range of the covering
# (owner, term) index of words as written (``search_term_surface``, an index-only scan of
# (term, documents) pairs), then the exact count (pending deltas added) of the few chosen only,
# to drop a word no document holds any more. A prefix matches words as written (``readings``),
# so stems are not candidates; which words stand for a prefix does not change the ranking's
# exactness (the reference ranks by the same expansion).
_EXPANSION_SQL = (
    "unnest(%s::text[], %s::text[]) WITH ORDINALITY p(low, high, n), LATERAL ("
    "  SELECT s.term, s.documents FROM (SELECT s.owner_id, s.term, s.documents"
    "    FROM archive_searchterm s WHERE s.owner_id = %s AND s.surface"
    "    AND s.term >= p.low AND s.term < p.high ORDER BY s.documents DESC, s.term"
    "    LIMIT %s) s"
    f"  WHERE {documents_sql('s')} > 0 ORDER BY s.documents DESC, s.term LIMIT %s) e"
)


def _expansion_params(owner_id: int, prefixes: list[str]) -> list[Any]:
    return [
        prefixes,
        [_after_prefix(prefix) for prefix in prefixes],
        owner_id,
        PREFIX_EXPANSION * 2,
        PREFIX_EXPANSION,
    ]


def _after_prefix(prefix: str) -> str:
    """The least string greater than every string starting with ``prefix`` (C order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# The weight of a lexeme the user did not type (a close spelling added by typo tolerance,
# ``archive.search.typos``), relative to its idf: its documents rank below those holding the
# typed words unless they hold them much more (measured on bench/relevance.py: 0.3 keeps
# misread words found and exact matches first).
DEMOTED = 0.3


class TermStats:
    """The owner's N and, for each lexeme, df, idf and impact-list floor (None: no list).

    ``prefixes`` are expanded (``expand_prefixes``) in the same statement that reads the
    statistics: one statement for all of a query's terms. Given ``rows`` (term -> (exact df,
    floor), the empty term holding N: what ``owners_stats`` read for several owners at once,
    prefixes already expanded into ``lexemes``), nothing is read."""

    def __init__(
        self,
        owner_id: int,
        lexemes: Iterable[str],
        demoted: Collection[str] = (),
        prefixes: Iterable[str] = (),
        rows: dict[str, tuple[int, float | None]] | None = None,
    ) -> None:
        exact = sorted(set(lexemes))
        if rows is None:
            wanted_prefixes = [prefix for prefix in prefixes if prefix]
            expansion = ""
            params: list[Any] = []
            if wanted_prefixes:
                expansion = f" UNION SELECT e.term FROM {_EXPANSION_SQL}"
                params = _expansion_params(owner_id, wanted_prefixes)
            with read_connection().cursor() as cursor:
                cursor.execute(
                    f"SELECT s.term, {documents_sql('s')}, s.floor FROM archive_searchterm s "
                    "WHERE s.owner_id = %s AND s.term IN "
                    f"(SELECT unnest(%s::text[]){expansion})",
                    [owner_id, ["", *exact], *params],
                )
                rows = {term: (documents, floor) for term, documents, floor in cursor.fetchall()}
        rows = dict(rows)
        self.total = int(rows.pop("", (0, None))[0])
        # An expansion is read with its statistics; an exact lexeme may be absent (df 0).
        wanted = sorted(set(exact) | set(rows))
        self.documents = {term: int(rows.get(term, (0, None))[0]) for term in wanted}
        self.floors: dict[str, float | None] = {
            term: rows.get(term, (0, None))[1] for term in wanted
        }
        self.weights = {
            term: idf(df, self.total) * (DEMOTED if term in demoted else 1.0)
            for term, df in self.documents.items()
            if df > 0
        }


def query_weights(owner_id: int, tsquery: str, demoted: Collection[str] = ()) -> TermStats:
    """The scored lexemes of ``tsquery`` (prefixes expanded) with their statistics; those in
    ``demoted`` weigh ``DEMOTED`` times their idf."""
    exact, prefixes = query_lexemes(tsquery)
    return TermStats(owner_id, exact, demoted, prefixes)


def owners_stats(
    lexemes: Mapping[int, Collection[str]], demoted: Mapping[int, Collection[str]]
) -> dict[int, TermStats]:
    """``TermStats`` of several owners in one statement: for each owner of ``lexemes``, the
    statistics of its lexemes (``demoted[owner]`` weighed down), the same numbers each
    owner's own ``TermStats`` reads."""
    owners = sorted(lexemes)
    rows: dict[int, dict[str, tuple[int, float | None]]] = {owner: {} for owner in owners}
    if owners:
        with read_connection().cursor() as cursor:
            cursor.execute(
                f"SELECT s.owner_id, s.term, {documents_sql('s')}, s.floor "
                "FROM archive_searchterm s WHERE s.owner_id = ANY(%s) AND s.term = ANY(%s)",
                [owners, sorted({"", *(t for terms in lexemes.values() for t in terms)})],
            )
            for owner, term, documents, floor in cursor.fetchall():
                rows[owner][term] = (documents, floor)
    return {
        owner: TermStats(owner, lexemes[owner], demoted.get(owner, ()), rows=rows[owner])
        for owner in owners
    }


def document_impacts(ids: list[int], lexemes: list[str]) -> dict[int, dict[str, float]]:
    """impact(t, d) for each of ``ids`` and each of ``lexemes`` it holds, read from the
    postings (``archive_search_posting``: one primary-key probe per (document, lexeme), small
    rows; no vector is read from TOAST)."""
    found: dict[int, dict[str, float]] = {pk: {} for pk in ids}
    if not ids or not lexemes:
        return found
    parts: list[str] = []
    params: list[Any] = []
    for group in _term_groups(lexemes):
        if len(group) >= _RANGE_GROUP:
            # One descent per document reads its postings between the group's first and last
            # term (a prefix's expansions are neighbours), filtered; PostgreSQL 15 would
            # otherwise descend the index once per (document, term).
            parts.append(
                "SELECT p.document_id, p.term, p.impact FROM archive_search_posting p "
                "WHERE p.document_id = ANY(%s) AND p.term >= %s AND p.term <= %s "
                "AND array_position(%s::text[], p.term) IS NOT NULL"
            )
            params += [ids, group[0], group[-1], group]
        else:
            parts.append(
                "SELECT p.document_id, p.term, p.impact FROM archive_search_posting p "
                "WHERE p.document_id = ANY(%s) AND p.term = ANY(%s)"
            )
            params += [ids, group]
    with read_connection().cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for pk, lexeme, impact in cursor.fetchall():
            found[pk][lexeme] = impact
    return found


# Terms sharing their first letters are read as one range of a document's postings when at
# least this many (at 10k pages, 10 expansions of `par*` for 1,000 documents: 61 ms as one
# probe per pair, 14 ms as a range).
_RANGE_GROUP = 3
_GROUP_PREFIX = 3


def _term_groups(lexemes: Iterable[str]) -> list[list[str]]:
    """``lexemes`` sorted and grouped by their first ``_GROUP_PREFIX`` characters; the groups
    smaller than ``_RANGE_GROUP`` merged into one (read by exact probes)."""
    groups: dict[str, list[str]] = {}
    for term in sorted(set(lexemes)):
        groups.setdefault(term[:_GROUP_PREFIX], []).append(term)
    ranges = [group for group in groups.values() if len(group) >= _RANGE_GROUP]
    rest = sorted(term for group in groups.values() if len(group) < _RANGE_GROUP for term in group)
    return [*ranges, *([rest] if rest else [])]


def vector_impacts(ids: list[int], lexemes: list[str]) -> dict[int, dict[str, float]]:
    """The same as ``document_impacts``, computed from the stored vectors (the definition; the
    reference ranking uses it, so tests compare the postings with a recount)."""
    found: dict[int, dict[str, float]] = {pk: {} for pk in ids}
    if not ids or not lexemes:
        return found
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, u.lexeme, {impact_sql(tf_sql('u'), 'd.search_length')} "
            "FROM archive_document d, unnest(d.search_vector) u "
            "WHERE d.id = ANY(%s) AND u.lexeme = ANY(%s)",
            [ids, lexemes],
        )
        for pk, lexeme, impact in cursor.fetchall():
            found[pk][lexeme] = impact
    return found


def scores(
    ids: list[int], weights: Mapping[str, float], *, from_vectors: bool = False
) -> dict[int, float]:
    """score(d, q) of each document of ``ids`` (0.0 when it holds no scored lexeme), from the
    postings, or from the vectors with ``from_vectors`` (the reference)."""
    read = vector_impacts if from_vectors else document_impacts
    impacts = read(ids, sorted(weights))
    return {pk: combine(found, weights) for pk, found in impacts.items()}
