"""Close spellings of a word among a user's indexed words: typo and OCR-error tolerance.

Stock PostgreSQL has no ``pg_trgm`` or ``fuzzystrmatch`` (the embedded server ships no
extensions), so the candidates come from a deletion neighbourhood (as SymSpell does):
a GIN index holds each term's one-character deletions (``search_term_deletes(term)``, migration
0009). A query word's own deletions (up to two), and the deletions of its OCR
look-alike spellings, meet a close term's keys there; each candidate is then checked here with a
weighted edit distance in which the usual OCR confusions cost little.

What the candidate search reaches (``word`` typed, ``term`` indexed):

- every term one edit away (insertion, deletion, substitution, transposition);
- two edits away when at least one is an OCR confusion (``Dubr0vnlk`` for ``dubrovnik``), or
  the typed word has an extra letter; two arbitrary substitutions are not reached: that would
  need two deletions per term in the index, about five times its size.

Allowed distance by the typed word's length (an OCR confusion counts ``NEAR``):

====================  ==========================================================
letters               allowed
====================  ==========================================================
1–3                   nothing (too many words are one edit from a short word)
4                     one OCR confusion (``NEAR``) only: ``rnap`` → ``map``
5–8                   1
9–24                  2
longer than 24        nothing (no real word; OCR garbage is not expanded)
====================  ==========================================================

Everything is bounded whatever the input: words are capped in length, the keys looked up and the
candidates read are capped, and every read is limited to one owner's terms.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import lru_cache
from typing import Any, NamedTuple

from archive.search.planning import planner_settings

#: Words outside these lengths are never expanded (see the table above).
MIN_LENGTH = 4
MAX_LENGTH = 24
#: What an OCR confusion costs in the edit distance; any other edit costs 1.
NEAR = 0.3
#: Pairs OCR engines confuse, both ways (text is folded and lower-cased first).
CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("l", "1"),
    ("l", "i"),
    ("1", "i"),
    ("0", "o"),
    ("e", "c"),
    ("rn", "m"),
    ("cl", "d"),
    ("ii", "u"),
    ("vv", "w"),
)
#: Bounds on the work of one lookup.
MAX_KEYS = 400
MAX_CANDIDATES = 300

_SINGLE: dict[str, set[str]] = {}
_MULTI: list[tuple[str, str]] = []
for _a, _b in CONFUSIONS:
    if len(_a) == len(_b) == 1:
        _SINGLE.setdefault(_a, set()).add(_b)
        _SINGLE.setdefault(_b, set()).add(_a)
    else:
        _MULTI.extend([(_a, _b), (_b, _a)])


class CloseTerm(NamedTuple):
    term: str
    distance: float
    documents: int


def allowed_distance(word: str) -> float:
    """The largest edit distance accepted for a typed ``word`` (see the module's table)."""
    length = len(word)
    if length < MIN_LENGTH or length > MAX_LENGTH:
        return 0.0
    if length == MIN_LENGTH:
        return NEAR
    if length <= 8:
        return 1.0
    return 2.0


def ocr_distance(a: str, b: str) -> float:
    """Edit distance between ``a`` and ``b`` (insertions, deletions, substitutions and
    adjacent transpositions cost 1) where an OCR confusion (``CONFUSIONS``, including the
    two-letter ones such as ``rn``/``m``) costs ``NEAR``."""
    rows, cols = len(a) + 1, len(b) + 1
    d = [[0.0] * cols for _ in range(rows)]
    for i in range(rows):
        d[i][0] = float(i)
    for j in range(cols):
        d[0][j] = float(j)
    for i in range(1, rows):
        for j in range(1, cols):
            x, y = a[i - 1], b[j - 1]
            if x == y:
                substitution = 0.0
            elif y in _SINGLE.get(x, ()):
                substitution = NEAR
            else:
                substitution = 1.0
            best = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + substitution)
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                best = min(best, d[i - 2][j - 2] + 1)
            for left, right in _MULTI:
                if (
                    i >= len(left)
                    and j >= len(right)
                    and a[i - len(left) : i] == left
                    and b[j - len(right) : j] == right
                ):
                    best = min(best, d[i - len(left)][j - len(right)] + NEAR)
            d[i][j] = best
    return d[-1][-1]


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every spelling with up to ``depth`` characters deleted."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def confusion_variants(word: str) -> set[str]:
    """``word`` with one OCR confusion applied, at each place one applies."""
    variants: set[str] = set()
    for i, char in enumerate(word):
        for other in _SINGLE.get(char, ()):
            variants.add(word[:i] + other + word[i + 1 :])
    for left, right in _MULTI:
        start = word.find(left)
        while start != -1:
            variants.add(word[:start] + right + word[start + len(left) :])
            start = word.find(left, start + 1)
    variants.discard(word)
    return variants


@lru_cache(maxsize=1024)
def lookup_keys(word: str) -> tuple[str, ...]:
    """The deletion keys to look up for ``word``: its deletions (two for words of 5 letters or
    more, one for 4) and one deletion of each OCR look-alike, none shorter than 3 characters
    (the index keeps no shorter ones), at most ``MAX_KEYS``, nearest first."""
    if not MIN_LENGTH <= len(word) <= MAX_LENGTH:
        return ()
    depth = 1 if len(word) == MIN_LENGTH else 2
    keys = sorted(deletions(word, depth), key=lambda key: (-len(key), key))
    for variant in sorted(confusion_variants(word)):
        keys.extend(sorted(deletions(variant, 1), key=lambda key: (-len(key), key)))
    return tuple(dict.fromkeys(key for key in keys if len(key) >= 3))[:MAX_KEYS]


def close_terms(owner_id: int | None, word: str, limit: int = 5) -> list[CloseTerm]:
    """The owner's surface words within the allowed distance of ``word`` (the word itself
    excluded), nearest first, then the most frequent; at most ``limit``.

    ``word`` is compared as the index holds words: lower-case and accent-folded (pass it through
    ``archive.search.textnorm.query_words`` first). Bounded: a word outside 4–24 characters
    answers ``[]`` without a query; otherwise one index lookup of at most ``MAX_KEYS`` keys,
    reading at most ``MAX_CANDIDATES`` rows.
    """
    word = word.lower().replace("\x00", "")
    allowed = allowed_distance(word)
    keys = lookup_keys(word)
    if allowed <= 0 or not keys or limit <= 0:
        return []
    with _through_the_deletion_index() as cursor:
        cursor.execute(
            "SELECT term, documents FROM archive_searchterm"
            " WHERE owner_id = %s AND surface AND documents > 0"
            " AND search_term_deletes(term) && %s::text[]"
            " AND term <> %s"
            " ORDER BY documents DESC, term LIMIT %s",
            [owner_id, list(keys), word, MAX_CANDIDATES],
        )
        rows: list[tuple[str, int]] = cursor.fetchall()
    found = []
    for term, documents in rows:
        if abs(len(term) - len(word)) > allowed + 1:
            continue
        distance = round(ocr_distance(word, term), 2)
        if distance <= allowed:
            found.append(CloseTerm(term, distance, documents))
    found.sort(key=lambda close: (close.distance, -close.documents, close.term))
    return found[:limit]


# Planner settings for the lookup, local to its transaction. Deletion keys are each rare, so
# ANALYZE keeps no element statistics for the index's keys and PostgreSQL assumes 0.5 % of the rows
# per key: for a hundred keys it expects half the table and scans all of it, comparing every
# row's keys with the hundred (9 s at 400,000 terms, against 7 ms through the index).
_PLAN = {"enable_seqscan": "off", "enable_indexscan": "off", "max_parallel_workers_per_gather": "0"}


def _through_the_deletion_index() -> AbstractContextManager[Any]:
    """A cursor whose statements reach ``archive_searchterm`` through the GIN index of
    deletions (a bitmap scan), whatever the estimates; the settings are restored after."""
    return planner_settings(_PLAN)
