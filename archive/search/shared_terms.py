"""Autocomplete and close spellings over every document a user may see: their own words and
the words of documents shared with them, never a word (or a count) that only documents they
may not see hold.

``SearchTerm`` keeps each owner's words with how many of *all* the owner's documents hold each
(``archive.search.terms``). Those counts may be used as they are only for an owner whose every
document the user may see (the user, always; an owner who shared everything with them):
otherwise a word of a document not shared, or a count larger than the shared documents
explain, would tell the user that document exists. So each other owner is one of two kinds:

- **all visible**: the owner's term table is read as for the owner (``complete``,
  ``close_terms``), counts included;
- **partly visible**: the owner's term table only proposes candidates (at most
  ``CANDIDATES`` per owner, through its indexes), and each candidate is then checked against
  the vectors of the documents the user may see, one statement per owner: a candidate no such
  document holds as a word as written is dropped, and the count shown is how many of those
  documents hold it. A candidate's ranking among the owner's words decides only whether it is
  looked at, never what is shown.

Counts of the same word from several owners are summed. A user with nothing shared with them
reads their own table only (the plain ``complete`` and ``close_terms``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from archive.models import Document
from archive.replica.routing import read_connection
from archive.search.planning import User
from archive.search.spelling import MAX_CANDIDATES, CloseTerm, close_terms, ocr_distance
from archive.search.suggest import LIMIT, Completion, after_prefix, complete, complete_prefix
from archive.sharing.access import shared_with

#: Candidates read from a partly visible owner's table before checking them (per lookup).
CANDIDATES = 200

# A row ``u`` of ``unnest(d.search_vector)`` that is a word as written (as ``SearchTerm``'s
# ``surface``: a position of an exact reading, weight B or C).
_SURFACE = "('B' = ANY(u.weights) OR 'C' = ANY(u.weights))"


@dataclass(frozen=True)
class Sources:
    """Whose words a user may be offered: ``whole`` owners (every document visible, the user
    first) and ``partial`` owners with the query of their documents the user may see."""

    whole: list[int]
    partial: dict[int, QuerySet[Document]] = field(default_factory=dict)


def vocabulary_sources(user: User) -> Sources:
    """The owners whose words ``user`` may be offered (see the module note): two grouped
    counts (the shared documents per owner, and those owners' totals)."""
    if not user.is_authenticated:
        return Sources(whole=[])
    shared = shared_with(user)
    seen = dict(shared.values_list("owner_id").annotate(n=Count("pk")).order_by())
    if not seen:
        return Sources(whole=[int(user.pk)])
    totals = dict(
        Document.objects.filter(owner_id__in=list(seen))
        .values_list("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    whole = [int(user.pk), *sorted(o for o, n in seen.items() if totals.get(o) == n)]
    partial = {o: shared.filter(owner_id=o) for o in sorted(seen) if totals.get(o) != seen[o]}
    return Sources(whole=whole, partial=partial)


def _held_by_visible(documents: QuerySet[Document], terms: list[str]) -> dict[str, int]:
    """For each of ``terms``: how many of ``documents`` hold it as a word as written (terms no
    such document holds are absent). One statement: the GIN index finds the documents holding
    any of the terms, their vectors are read for those terms only."""
    if not terms:
        return {}
    ids_sql, ids_params = documents.values("pk").query.sql_with_params()
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"""
            SELECT u.lexeme, count(*)
            FROM archive_document d, unnest(d.search_vector) u
            WHERE d.id IN ({ids_sql})
              AND d.search_vector @@ array_to_string(ARRAY(
                    SELECT quote_literal(t) FROM unnest(%s::text[]) t), ' | ')::tsquery
              AND u.lexeme = ANY(%s::text[]) AND {_SURFACE}
            GROUP BY u.lexeme
            """,
            [*ids_params, terms, terms],
        )
        return {term: int(n) for term, n in cursor.fetchall()}


def visible_completions(user: User, text: str, limit: int = LIMIT) -> list[Completion]:
    """``complete`` over every document ``user`` may see: the most frequent first (counts
    summed over the owners), at most ``limit``."""
    sources = vocabulary_sources(user)
    if not sources.partial and sources.whole == [user.pk]:
        return complete(user.pk, text, limit)
    counts: Counter[str] = Counter()
    texts: dict[str, str] = {}
    for owner in sources.whole:
        for found in complete(owner, text, limit):
            counts[found.term] += found.documents
            texts[found.term] = found.text
    for owner, documents in sources.partial.items():
        prefix = complete_prefix(text)
        if prefix is None:
            break
        head, typed_prefix = prefix
        candidates = _prefix_candidates(owner, typed_prefix)
        for term, held in _held_by_visible(documents, candidates).items():
            counts[term] += held
            texts[term] = head + term
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[: max(0, limit)]
    return [Completion(term, documents, texts[term]) for term, documents in ranked]


def _prefix_candidates(owner: int, prefix: str) -> list[str]:
    """At most ``CANDIDATES`` of the owner's words starting with ``prefix`` (the owner's most
    frequent first: which are looked at, not what is shown)."""
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT term FROM archive_searchterm"
            " WHERE owner_id = %s AND surface AND documents > 0 AND term >= %s AND term < %s"
            " ORDER BY documents DESC, term LIMIT %s",
            [owner, prefix, after_prefix(prefix), CANDIDATES],
        )
        return [row[0] for row in cursor.fetchall()]


def visible_close_terms(user: User, word: str, limit: int = 5) -> list[CloseTerm]:
    """``close_terms`` over every document ``user`` may see (nearest first, then the most
    frequent over all of them), at most ``limit``."""
    sources = vocabulary_sources(user)
    if not sources.partial and sources.whole == [user.pk]:
        return close_terms(user.pk, word, limit)
    counts: Counter[str] = Counter()
    distance: dict[str, float] = {}
    for owner in sources.whole:
        for close in close_terms(owner, word, MAX_CANDIDATES):
            counts[close.term] += close.documents
            distance[close.term] = close.distance
    for owner, documents in sources.partial.items():
        candidates = [close.term for close in close_terms(owner, word, CANDIDATES)]
        for term, held in _held_by_visible(documents, candidates).items():
            counts[term] += held
            distance[term] = round(ocr_distance(word.lower(), term), 2)
    found = [CloseTerm(term, distance[term], held) for term, held in counts.items()]
    found.sort(key=lambda close: (close.distance, -close.documents, close.term))
    return found[: max(0, limit)]


def visible_held(user: User, lexemes: list[str]) -> dict[str, int]:
    """How many of the documents shared with ``user`` (not their own) hold each of
    ``lexemes`` (any reading; absent: none). One statement."""
    if not lexemes or not user.is_authenticated:
        return {}
    ids_sql, ids_params = shared_with(user).values("pk").query.sql_with_params()
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"""
            SELECT t.term, (SELECT count(*) FROM archive_document d
                            WHERE d.id IN ({ids_sql})
                              AND d.search_vector @@ quote_literal(t.term)::tsquery)
            FROM unnest(%s::text[]) t(term)
            """,
            [*ids_params, lexemes],
        )
        return {term: int(n) for term, n in cursor.fetchall() if n}
