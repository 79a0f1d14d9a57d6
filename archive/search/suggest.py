"""Autocomplete for the search box: the user's own words starting with what is typed.

Only the last word of the box is completed. Words come from ``SearchTerm`` (words as written,
``surface``), most frequent first: a range scan of the ``(owner, term)`` index (``term`` sorts
bytewise, "C" collation, so a prefix is a range), never outside the owner's rows.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from archive.replica.routing import read_connection
from archive.search.textnorm import fold

#: How many completions at most, and the shortest and longest prefix looked up. One letter
#: would range over a twentieth of the user's words (25,000 of 300,000: 30 ms); two letters
#: narrow it enough to type with (see ``bench/vocabulary.py``).
LIMIT = 8
MIN_PREFIX = 2
MAX_PREFIX = 64
# The word being typed: the trailing run of letters and digits.
_LAST_WORD = re.compile(r"[^\W_]+$")


class Completion(NamedTuple):
    term: str  # the indexed word
    documents: int  # how many of the user's documents hold it
    text: str  # the whole search box with its last word completed


def complete(owner_id: int | None, text: str, limit: int = LIMIT) -> list[Completion]:
    """Completions of the last word of ``text`` among the owner's words, most frequent first;
    ``[]`` when the box does not end in a word of at least ``MIN_PREFIX`` characters."""
    split = complete_prefix(text)
    if split is None or limit <= 0:
        return []
    head, prefix = split
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT term, documents FROM archive_searchterm"
            # documents > 0: a word left only by deleted documents keeps its row (counted 0).
            " WHERE owner_id = %s AND surface AND documents > 0 AND term >= %s AND term < %s"
            " ORDER BY documents DESC, term LIMIT %s",
            [owner_id, prefix, after_prefix(prefix), min(limit, LIMIT * 4)],
        )
        rows: list[tuple[str, int]] = cursor.fetchall()
    return [Completion(term, documents, head + term) for term, documents in rows]


def complete_prefix(text: str) -> tuple[str, str] | None:
    """(the box before its last word, the last word as looked up: folded, lower-case, at most
    ``MAX_PREFIX`` characters), or None when the box does not end in a word of at least
    ``MIN_PREFIX`` characters."""
    match = _LAST_WORD.search(text[-4 * MAX_PREFIX :])
    if match is None:
        return None
    typed = match.group(0)
    prefix = fold(typed).lower()[:MAX_PREFIX]
    if len(prefix) < MIN_PREFIX:
        return None
    return text[: len(text) - len(typed)], prefix


def after_prefix(prefix: str) -> str:
    """The least string above every string starting with ``prefix`` (bytewise order, as the
    "C" collation sorts UTF-8 text: the order of code points)."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return prefix + "\U0010ffff"  # a prefix ending at the top code point: near enough
    following = last + 1
    if 0xD800 <= following <= 0xDFFF:  # surrogates are not characters
        following = 0xE000
    return prefix[:-1] + chr(following)
