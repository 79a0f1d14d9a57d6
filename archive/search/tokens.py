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

# A hyphen (ASCII, soft, Unicode, or the "not sign" some old prints use) at a line end and the
# line break after it. The patterns start with a character class, not a word, so ``re`` skips
# ahead to candidates instead of trying a word at every position: 10x faster on OCR text.
_LINE_HYPHEN = re.compile(r"[-\u00ad\u2010\u2011\u00ac][ \t]*\r?\n[ \t]*")
_WORD_START = re.compile(r"[^\W_]+")
_WORD_END = re.compile(r"[^\W_]+$")
# Joins that make PostgreSQL keep the token whole or mangle it (a ``file``, ``email``, ``url``,
# ``host``, ``version``, ``float`` or signed int): ``/``, ``@`` or ``.`` between word
# characters, or ``-``, ``,`` or ``:`` between digits. One character class with a look-ahead
# finds the candidates fast (a look-behind or an alternation would make ``re`` try every
# position: 4x slower); ``_joins`` checks the rest.
_JOIN_CANDIDATE = re.compile(r"[-,./:@](?=[^\W_])")
# Words joined by any non-space punctuation ("_" included, as the query side splits on it).
_COMPOUND = re.compile(r"[^\W_]+(?:(?:[^\w\s]|_)+[^\W_]+)+")
_SEPARATOR = re.compile(r"(?:[^\w\s]|_)+")
_SPACE = re.compile(r"\s")
# An IBAN (country, check digits, groups of four) or a card number, written in spaced groups.
# Every such number has a group of four digits between spaces; a literal-first pattern is cheap.
_NUMBER_GROUPS_HINT = re.compile(r" \d{4} ")
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
        start, end = match.span()
        if not (start and text[start - 1].isalpha() and end < len(text) and text[end].islower()):
            continue
        head = _WORD_END.search(text, max(last, start - 100), start)
        tail = _WORD_START.match(text, end)
        if head is None or tail is None:
            continue
        pieces.append(text[last:start])
        removed.append((start, end))
        extras.append(f"{head.group(0)}-{tail.group(0)}")
        last = end
    if not removed:
        return text, [], []
    pieces.append(text[last:])
    return "".join(pieces), removed, extras


def split_compounds(text: str) -> tuple[str, list[str]]:
    """``text`` with the separators of compound tokens turned into spaces (same length), and
    the distinct whole tokens as extra forms."""
    wholes: dict[str, None] = {}
    pieces: list[str] = []
    last = 0
    for match in _JOIN_CANDIDATE.finditer(text):
        start, end = match.span()
        if start < last or not _joins(text, start, end):
            continue
        # The whitespace-delimited chunk around the separator holds the compound.
        chunk_start = start
        while chunk_start > last and not text[chunk_start - 1].isspace():
            chunk_start -= 1
        space = _SPACE.search(text, end)
        chunk_end = space.start() if space else len(text)
        pieces.append(text[last:chunk_start])
        for compound in _COMPOUND.finditer(text, chunk_start, chunk_end):
            token = compound.group(0)
            wholes[token] = None
            pieces.append(text[chunk_start : compound.start()])
            pieces.append(_SEPARATOR.sub(lambda sep: " " * len(sep.group(0)), token))
            chunk_start = compound.end()
        pieces.append(text[chunk_start:chunk_end])
        last = chunk_end
    if not wholes:
        return text, []
    pieces.append(text[last:])
    return "".join(pieces), list(wholes)


def _joins(text: str, start: int, end: int) -> bool:
    """Whether the separator ``text[start:end]`` (followed by a word character, as
    ``_JOIN_CANDIDATE`` requires) joins a token PostgreSQL keeps whole."""
    if start == 0:
        return False
    before = text[start - 1]
    if text[start] in "/@.":
        return before.isalnum()
    return before.isdigit() and text[end].isdigit()


def joined_number_groups(text: str) -> list[str]:
    """The joined form of each distinct IBAN or card number written in spaced groups."""
    if not _NUMBER_GROUPS_HINT.search(text):
        return []
    return list(dict.fromkeys(m.group(0).replace(" ", "") for m in _NUMBER_GROUPS.finditer(text)))
