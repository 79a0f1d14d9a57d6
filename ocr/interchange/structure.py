"""A page's words grouped the way both formats nest them: blocks of lines of words.

Shared by the hOCR and ALTO writers so that both describe a page identically. The order is the
result's own (reading order, see ``ocr.layout``); lines are the engine's lines where its text
and words match (``ocr.layout.result_lines``), and consecutive lines form one block while they
sit close under each other, so a column or a paragraph apart starts a new block.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from ocr.engines.wordboxes import is_cjk, tokens, union
from ocr.layout import result_lines
from ocr.types import PageResult, Word

Box = tuple[int, int, int, int]

#: What separates two words of a line: nothing (CJK characters), a space, or a tab (between
#: the cells of a table row, which ``ocr.layout`` keeps on one line).
NONE, SPACE, TAB = "", " ", "\t"

#: A vertical gap wider than this many line heights between two lines starts a new block.
BLOCK_GAP = 1.0

#: Characters XML 1.0 cannot hold at all (C0 controls but tab, newline and carriage return,
#: lone surrogates, U+FFFE/U+FFFF). Word text is user input (review corrections): such a
#: character is dropped rather than making the whole file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

#: What ``xsd:language`` (and BCP 47, which hOCR's ``lang`` uses) accepts.
_LANGUAGE = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")


@dataclass(frozen=True, slots=True)
class Line:
    """One line: its words, and what separates them (``separators[i]`` is ``NONE``, ``SPACE``
    or ``TAB``, what stands between word ``i`` and word ``i + 1`` in the line's text)."""

    words: tuple[Word, ...]
    separators: tuple[str, ...]

    @property
    def box(self) -> Box:
        return union([word.box for word in self.words])


@dataclass(frozen=True, slots=True)
class Block:
    """Lines that belong together (a paragraph, or a column's run of lines)."""

    lines: tuple[Line, ...]

    @property
    def box(self) -> Box:
        return union([line.box for line in self.lines])


def page_blocks(page: PageResult) -> list[Block]:
    """``page``'s words as blocks of lines, in reading order; lines without words are left out
    (both formats describe text by its boxes, and an empty line has none)."""
    lines = [_line(text, words) for text, words in result_lines(page) if words]
    if not lines:
        return []
    unit = max(1.0, statistics.median(line.box[3] - line.box[1] for line in lines))
    blocks: list[list[Line]] = [[lines[0]]]
    for line in lines[1:]:
        previous = blocks[-1][-1].box
        box = line.box
        gap = box[1] - previous[3]
        overlaps = box[0] < previous[2] and previous[0] < box[2]
        if gap > BLOCK_GAP * unit or gap < -unit or not overlaps:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return [Block(tuple(block)) for block in blocks]


def page_language(page: PageResult, language: str | None) -> str | None:
    """The language to declare for ``page``: ``language`` if given, else the page's own when
    it was read with exactly one; ``None`` (declare none) when unknown or not a valid tag."""
    if language is None and len(page.languages) == 1:
        language = page.languages[0]
    if language and _LANGUAGE.fullmatch(language):
        return language
    return None


def xml_text(text: str) -> str:
    """``text`` without the characters XML cannot hold; everything else kept as is."""
    return _NOT_XML.sub("", text)


def join_line(texts: list[str], separators: list[str]) -> str:
    """A line's text from its words and the separators between them (see ``Line``)."""
    out = texts[0] if texts else ""
    for text, separator in zip(texts[1:], separators, strict=False):
        out += separator + text
    return out


def separator(between: str) -> str:
    """The separator that the white space ``between`` two words stands for: ``TAB`` when it
    holds a tab (and no line break: a line break with tabs is a file's indentation),
    ``SPACE`` for any other white space, ``NONE`` for none."""
    if not between:
        return NONE
    if TAB in between and "\n" not in between and "\r" not in between:
        return TAB
    return SPACE


def default_separator(before: str, after: str) -> str:
    """What separates two words when nothing says: a space, except between CJK characters
    (the rule ``ocr.layout`` joins words by)."""
    return NONE if before and after and is_cjk(before[-1]) and is_cjk(after[0]) else SPACE


def _line(text: str, words: tuple[Word, ...]) -> Line:
    found = tokens(text)
    if len(found) == len(words) and all(w.text == t[0] for w, t in zip(words, found, strict=True)):
        # The engine's own line: keep its spacing exactly, tabs between table cells included.
        separators = tuple(
            separator(text[found[i][2] : found[i + 1][1]]) for i in range(len(found) - 1)
        )
    else:
        separators = tuple(
            default_separator(words[i].text, words[i + 1].text) for i in range(len(words) - 1)
        )
    return Line(words, separators)
