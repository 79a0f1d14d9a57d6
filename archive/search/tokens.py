"""OCR-aware token rules of the index text: line-end hyphenation, compound tokens, number groups.

Each rule rewrites the *flow* (the words in reading order, whose positions PostgreSQL uses for
phrases) and returns *extra forms*, which ``textnorm.index_text`` appends after the flow so they
never sit between two real neighbours:

- ``weath-⏎ered`` (a letter, a hyphen at the end of a line, a lower-case letter on the next):
  the flow gets ``weathered``; the extra form ``weath-ered`` gives PostgreSQL's hyphenated-word
  lexemes (``weath-ered``, ``weath``, ``ered``), so the parts and the typed hyphenated form are
  findable too. A capital after the break (``Ost-⏎Berlin``) or a digit (``2019-⏎2020``) is
  taken for a real compound or range and left alone.
- Compound tokens that PostgreSQL's parser keeps whole (``duck/goose`` file, ``a@b.com`` email,
  ``www.b.com/x`` url and host, ``3.11.2024`` version, ``12.50`` float, ``2024-12-01`` signed
  ints): in the flow each separator becomes a space, so the parts stand as adjacent words (the
  query side splits a typed compound into the same adjacent parts, see
  ``textnorm.query_words``); the whole token is an extra form. Hyphenated words of letters
  (``e-mail``) are left to PostgreSQL, which already indexes the whole and the parts.
- Spaced groups of an IBAN or a card number (``DE89 3704 0044 …``): the groups stay in the
  flow; the joined form (``DE8937040044…``) is an extra form.

Every rule here keeps the flow's length except the hyphen join, which reports the characters it
removes so callers can keep an offset map (``textnorm.flow_with_offsets``).
"""

from __future__ import annotations

import re

# A word, a hyphen (ASCII, soft, Unicode, or the "not sign" some old prints use) at a line end,
# then the next line's word. Group 1 and 3 are the two halves; group 2 is what the join removes.
_LINE_HYPHEN = re.compile(r"([^\W_]+)([-\u00ad\u2010\u2011\u00ac][ \t]*\r?\n[ \t]*)([^\W_]+)")
# Words joined by any non-space punctuation ("_" included, as the query side splits on it).
_COMPOUND = re.compile(r"[^\W_]+(?:(?:[^\w\s]|_)+[^\W_]+)+")
# Joins that make PostgreSQL keep the token whole or mangle it (signed ints, floats): ``/``,
# ``@``, ``.`` between words, or ``-``, ``,``, ``:`` between digits.
_WHOLE_TOKEN_JOIN = re.compile(r"[^\W_][/@.]+[^\W_]|\d[-,:]\d")
_SEPARATOR = re.compile(r"(?:[^\w\s]|_)+")
# An IBAN (country, check digits, groups of four) or a card number, written in spaced groups.
_NUMBER_GROUPS = re.compile(
    r"\b(?:[A-Za-z]{2}\d{2}(?: [A-Za-z\d]{4}){2,7}(?: [A-Za-z\d]{1,3})?|\d{4}(?: \d{4}){2,4})\b"
)


def join_line_hyphens(text: str) -> tuple[str, list[tuple[int, int]], list[str]]:
    """``text`` with line-end hyphenations joined, the ``(start, end)`` spans removed from
    ``text`` (in order), and the hyphenated forms as extra forms."""
    pieces: list[str] = []
    removed: list[tuple[int, int]] = []
    extras: list[str] = []
    last = 0
    for match in _LINE_HYPHEN.finditer(text):
        head, tail = match.group(1), match.group(3)
        if not (head[-1].isalpha() and tail[0].islower()):
            continue
        start, end = match.span(2)
        pieces.append(text[last:start])
        removed.append((start, end))
        extras.append(f"{head}-{tail}")
        last = end
    if not removed:
        return text, [], []
    pieces.append(text[last:])
    return "".join(pieces), removed, extras


def split_compounds(text: str) -> tuple[str, list[str]]:
    """``text`` with the separators of compound tokens turned into spaces (same length), and
    the distinct whole tokens as extra forms."""
    wholes: dict[str, None] = {}

    def split(match: re.Match[str]) -> str:
        token = match.group(0)
        if not _WHOLE_TOKEN_JOIN.search(token):
            return token
        wholes[token] = None
        return _SEPARATOR.sub(lambda sep: " " * len(sep.group(0)), token)

    return _COMPOUND.sub(split, text), list(wholes)


def joined_number_groups(text: str) -> list[str]:
    """The joined form of each distinct IBAN or card number written in spaced groups."""
    return list(dict.fromkeys(m.group(0).replace(" ", "") for m in _NUMBER_GROUPS.finditer(text)))
