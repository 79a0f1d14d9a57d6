"""Exact phrases, checked on the text: the index finds candidates, the words decide.

A document's stored vector is several texts concatenated (title and pages, each read in the
document's language and as exact words), and PostgreSQL numbers positions across the joins, so
``'quick' <-> 'brown'`` can match the last word of one part and the first of the next; long
documents also run past the 16,383 positions a ``tsvector`` can number. The index is therefore
only the first filter for a phrase: ``verifier`` checks each candidate's title and pages with
the same parser on the same normalised text (``textnorm.index_text``, ``simple``), one part at
a time, so a phrase matches only the words in that order, stop words included. (The extra forms
``index_text`` appends to a text, such as ``weath-ered`` for a word joined at a line end, are
kept: typing the word as printed finds it.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings

from archive.replica.routing import read_connection
from archive.search.query import Clause
from archive.search.readings import ReadQuery
from archive.search.textnorm import index_text

Verifier = Callable[[list[int]], set[int]]


def verifier(read: ReadQuery) -> Verifier | None:
    """A function from candidate document ids (which the index matched) to those that truly
    match ``read``, with every searched-for sequence clause checked on the text; None when the
    query has no such clause (the index's answer is then exact)."""
    if not getattr(settings, "SEARCH_EXACT_PHRASES", True):
        return None  # measuring what the check brings (bench/relevance.py --without phrases)
    groups = [
        group
        for group in read.query.groups
        if not group[0].negated and any(clause.is_sequence for clause in group)
    ]
    # Excluded sequences are not in the tsquery (``readings._combine``): decided here.
    excluded = [
        group[0] for group in read.query.groups if group[0].negated and group[0].is_sequence
    ]
    if not groups and not excluded:
        return None

    def verify(document_ids: list[int]) -> set[int]:
        if not document_ids:
            return set()
        holding = {
            clause: _holding(clause, read.tsquery_of(clause), document_ids)
            for clause in [*(c for group in groups for c in group), *excluded]
        }
        return {
            pk
            for pk in document_ids
            if all(any(pk in holding[clause] for clause in group) for group in groups)
            and not any(pk in holding[clause] for clause in excluded)
        }

    return verify


def _holding(clause: Clause, tsquery: str, document_ids: list[int]) -> set[int]:
    """Which of ``document_ids`` hold ``clause``: exactly, on the text, for a sequence; by the
    document's vector for a single word (exact already)."""
    if not tsquery:
        return set()
    with read_connection().cursor() as cursor:
        if not clause.is_sequence:
            cursor.execute(
                "SELECT id FROM archive_document WHERE id = ANY(%s) "
                "AND search_vector @@ %s::tsquery",
                [document_ids, tsquery],
            )
            return {row[0] for row in cursor.fetchall()}
        # Pages whose own vector matches (never misses a true occurrence), and every title.
        cursor.execute(
            "SELECT document_id, text FROM archive_page WHERE document_id = ANY(%s) "
            "AND search_vector @@ %s::tsquery "
            "UNION ALL SELECT id, title FROM archive_document WHERE id = ANY(%s)",
            [document_ids, tsquery, document_ids],
        )
        parts = cursor.fetchall()
        if not parts:
            return set()
        cursor.execute(
            "SELECT i FROM unnest(%s::text[]) WITH ORDINALITY AS t(body, i) "
            "WHERE to_tsvector('simple', body) @@ %s::tsquery",
            [[index_text(text) for _pk, text in parts], tsquery],
        )
        return {parts[row[0] - 1][0] for row in cursor.fetchall()}
