"""What the hOCR and ALTO readers share: the error, a safe parser, and building the result.

Files to read come from people (an upload's OCR file): the XML parser resolves no entities,
loads no DTD and touches no network, so a hostile file cannot read local files or expand
without bound.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from ocr.engines.wordboxes import line_words, tokens
from ocr.errors import OcrError
from ocr.interchange.structure import join_line, separator
from ocr.types import PageResult, Word

#: ``PageResult.origin`` of a page whose text was read from an hOCR or ALTO file.
IMPORTED_ORIGIN = "imported"

#: Confidence of a word whose file gives none: supplied text is taken as meant.
DEFAULT_CONFIDENCE = 1.0

Box = tuple[int, int, int, int]


class LineBuilder:
    """Collects one line's words as a reader finds them, in file order.

    A file's word may hold several words: eScriptorium, Transkribus and others write a whole
    line as one ALTO ``String``. Such a string is split into its words, each with a slice of
    its box (``ocr.engines.wordboxes.line_words``, as for an engine's line), so that every
    ``Word`` is one word, as the rest of the library expects.
    """

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.words: list[Word] = []
        self.separators: list[str] = []

    def add(self, text: str, box: Box, confidence: float, *, separator_before: str) -> None:
        """Add the file's next word (``text`` stripped of outer space; empty is skipped).
        ``separator_before`` is what separates it from the line's previous word
        (``structure.NONE``, ``SPACE`` or ``TAB``)."""
        found = tokens(text)
        if not found:
            return
        if len(found) == 1:
            words = [Word(found[0][0], box, confidence)]
        else:
            x0, y0, x1, y1 = box
            corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
            words = line_words(
                text, confidence, corners, None, width=self.size[0], height=self.size[1]
            )
        if self.words:
            self.separators.append(separator_before)
        self.separators.extend(
            separator(text[found[i][2] : found[i + 1][1]]) for i in range(len(found) - 1)
        )
        self.words.extend(words)


class InvalidOcrFile(OcrError):
    """An hOCR or ALTO file that cannot be read; the message says what is wrong with it."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"This OCR file cannot be read: {reason}.")


def xml_parser() -> etree.XMLParser:
    """A parser for untrusted XML: no entities, no DTD, no network, no huge trees."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False)


def build_page(
    lines: Sequence[LineBuilder],
    *,
    size: tuple[int, int],
    engine: str,
    languages: Sequence[str],
) -> PageResult:
    """A ``PageResult`` from the lines a reader found, in file order."""
    words: list[Word] = []
    texts: list[str] = []
    for line in lines:
        if not line.words:
            continue
        words.extend(line.words)
        texts.append(join_line([word.text for word in line.words], line.separators))
    return PageResult.from_lines(
        lines=texts,
        words=tuple(words),
        engine=engine,
        languages=tuple(dict.fromkeys(languages)),
        seconds=0.0,
        size=size,
        origin=IMPORTED_ORIGIN,
    )


def clamp_box(x0: float, y0: float, x1: float, y1: float, size: tuple[int, int]) -> Box:
    """A box rounded to whole pixels and kept inside the page (the ``Word`` contract)."""
    width, height = size

    def fit(value: float, limit: int) -> int:
        return min(max(round(value), 0), limit) if limit > 0 else max(round(value), 0)

    left, right = sorted((fit(x0, width), fit(x1, width)))
    top, bottom = sorted((fit(y0, height), fit(y1, height)))
    return left, top, right, bottom


def confidence(value: float | None) -> float:
    """A confidence in ``0.0 .. 1.0``; ``DEFAULT_CONFIDENCE`` when the file gives none."""
    if value is None:
        return DEFAULT_CONFIDENCE
    return min(max(value, 0.0), 1.0)
