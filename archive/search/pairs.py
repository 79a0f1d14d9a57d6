"""Adjacent pairs of common words ("common grams"): phrases of common words without scanning.

A phrase such as ``"und un"`` is matched by the GIN index as the intersection of two lists
that each hold most documents, then every document in it is rechecked; the phrase itself may be
on one document in a thousand. So each document also stores the pairs of adjacent words it
holds where **both** words are common (``archive_search_pair``, (owner, pair, document)), and a
phrase of common words takes its candidates from there: an index range as long as the pair is
rare. A phrase with a rarer word needs no pair: the GIN index's list of the rare word is short,
and PostgreSQL skips through the common word's list (it is why pairs of one common word, the
classic "common grams", are not stored: they would multiply the rows for no faster query).

*Common* is a fixed list (``common_words.txt``: the 200 most frequent words of each supported
latin-script language by general-language frequency), not a count in the user's archive: a word
that becomes frequent in one archive would otherwise need every document's pairs re-derived.

Pairs are derived in SQL from the stored vectors, the same positions the phrase check trusts
(``phrases``): each page's exact-word reading (weight B) and the title's (C, at the start of
the document vector). Positions within one reading are the parser's, so two words are adjacent
in the text exactly when their positions differ by one. Where a vector cannot say so, a page
whose common word reached the 255 positions a lexeme keeps, or the last position a vector
numbers, the document gets the pair ``''``: a candidate for every phrase (then checked on
the text like any other). The pairs are rewritten with the postings by
``terms.vectors_write`` in the same transaction as the vector, so they never drift.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

if TYPE_CHECKING:
    from archive.search.readings import ReadQuery

# A phrase's tsquery text as PostgreSQL prints it: 'a' <-> 'b' <-> 'c'.
_CHAIN = re.compile(r"'([^']+)'(?: <-> '([^']+)')+")
_LEXEME = re.compile(r"'([^']+)'")


@cache
def common_words() -> frozenset[str]:
    """The common words (lexemes as the ``simple`` configuration writes them)."""
    text = (Path(__file__).parent / "common_words.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def _pairs_sql(where: str) -> str:
    """SQL inserting the pairs of the documents ``d`` satisfying ``where`` (their old pairs
    must be gone); its first parameter is the common words (a ``text[]``), then ``where``'s,
    twice."""
    # Common words' positions of one reading: the reading kept (ts_filter), its common words
    # marked A (setweight with a lexeme list: a binary search per word, in C) and kept.
    return f"""
        INSERT INTO archive_search_pair (owner_id, pair, document_id)
        SELECT v.owner_id, x.pair, v.id
        FROM (SELECT %s::text[] AS common) c, LATERAL (
            SELECT d.id, d.owner_id, ts_filter(d.search_vector, '{{c}}') AS vec, false AS full
            FROM archive_document d WHERE {where} AND d.search_vector IS NOT NULL
            UNION ALL
            SELECT d.id, d.owner_id, ts_filter(p.search_vector, '{{b}}'), true
            FROM archive_document d JOIN archive_page p ON p.document_id = d.id
            WHERE {where} AND d.search_vector IS NOT NULL AND p.search_vector IS NOT NULL
        ) v, LATERAL (
            SELECT s.lexeme || ' ' || s.next AS pair FROM (
                SELECT u.lexeme, o.pos, lead(u.lexeme) OVER w AS next,
                       lead(o.pos) OVER w AS next_pos
                FROM unnest(ts_filter(setweight(v.vec, 'A', c.common), '{{a}}')) u,
                     unnest(u.positions) o(pos)
                WINDOW w AS (ORDER BY o.pos)
            ) s WHERE s.next_pos = s.pos + 1
            UNION ALL
            SELECT '' FROM unnest(ts_filter(setweight(v.vec, 'A', c.common), '{{a}}')) u
            WHERE v.full AND (cardinality(u.positions) >= 255
                              OR u.positions[cardinality(u.positions)] >= 16382)
        ) x
        -- Each pair once (a document may hold it on many pages), in the primary key's order:
        -- the index is written in order. No ON CONFLICT: the documents' old pairs are gone and
        -- their rows locked (a plain insert skips the speculative one).
        GROUP BY v.owner_id, x.pair, v.id ORDER BY v.owner_id, x.pair, v.id
    """


def pairs_write(where: str, params: list[Any], cursor: Any) -> None:
    """Replace the pairs of the documents ``d`` satisfying ``where`` (``d.id = ANY(%s)``,
    ``d.owner_id = %s``: an expression on ``archive_document d``) from their stored vectors."""
    cursor.execute(
        "DELETE FROM archive_search_pair WHERE document_id IN "
        f"(SELECT d.id FROM archive_document d WHERE {where})",
        params,
    )
    cursor.execute(_pairs_sql(where), [sorted(common_words()), *params, *params])


def phrase_pairs(read: ReadQuery) -> list[list[str]]:
    """For each phrase the query requires (a group of one included sequence clause), its
    adjacent pairs of common words; phrases without such a pair are left out (the GIN index is
    selective for them)."""
    common = common_words()
    found: list[list[str]] = []
    for group in read.query.groups:
        if len(group) != 1 or group[0].negated or not group[0].is_sequence:
            continue
        text = read.tsquery_of(group[0])
        if not _CHAIN.fullmatch(text):
            continue
        words = _LEXEME.findall(text)
        pairs = sorted({f"{a} {b}" for a, b in pairwise(words) if {a, b} <= common})
        if pairs:
            found.append(pairs)
    return found


def pairs_filter(owner_id: int, phrases: Sequence[Sequence[str]]) -> list[RawSQL]:
    """Conditions on ``archive_document`` for ``phrase_pairs``: a document holding every pair
    of each phrase (or the pair ``''``: it cannot be told)."""
    return [
        RawSQL(
            "archive_document.id IN (SELECT document_id FROM archive_search_pair "
            "WHERE owner_id = %s AND pair = ANY(%s) GROUP BY document_id "
            "HAVING count(*) FILTER (WHERE pair <> '') = %s OR bool_or(pair = ''))",
            [owner_id, [*pairs, ""], len(pairs)],
            output_field=BooleanField(),
        )
        for pairs in phrases
    ]
