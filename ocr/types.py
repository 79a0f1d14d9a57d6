"""Result types of the OCR library: plain frozen values, safe to pass between threads.

Coordinates are pixels of the *prepared* page image (the image the engine was given, see
``ocr.prepare``): origin top-left, ``x`` to the right, ``y`` down. ``PageResult.width`` and
``PageResult.height`` give that image's size so a caller can scale boxes to any other rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Placed between pages in ``DocumentResult.text``: a form feed on its own line, as
#: ``pdftotext`` does, so the page breaks survive in plain text and can be split on again.
PAGE_SEPARATOR = "\n\f\n"


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word (for CJK text: one character).

    ``box`` is ``(x0, y0, x1, y1)``, axis-aligned, with ``0 <= x0 <= x1 <= width`` and
    ``0 <= y0 <= y1 <= height`` of the page. ``confidence`` is in ``0.0 .. 1.0``.
    """

    text: str
    box: tuple[int, int, int, int]
    confidence: float


@dataclass(frozen=True, slots=True)
class PageResult:
    """What an engine read on one page.

    ``text`` is the page's lines in reading order joined with ``"\\n"``; ``words`` are in the
    same order. ``confidence`` is the mean word confidence, ``0.0`` when nothing was read.
    ``seconds`` is the engine's own time for this page (not decoding or preparation).
    ``languages`` are the language codes the page was read with. ``evaluation`` is True when
    the engine ran in a limited evaluation mode (Aspose without a licence): the text may be
    truncated and carry a trial banner, and callers should say so rather than trust it.
    ``origin`` says where the text came from: ``"ocr"`` (the engine read the image),
    ``"text"`` (a PDF page's own text layer, no OCR; confidence 1.0) or ``"mixed"`` (the text
    layer plus OCR of pictures on the page that had no text over them) or ``"imported"`` (read
    from an hOCR or ALTO file, ``ocr.interchange``).
    """

    text: str
    words: tuple[Word, ...]
    confidence: float
    engine: str
    languages: tuple[str, ...]
    seconds: float
    width: int
    height: int
    evaluation: bool = False
    origin: str = "ocr"

    @classmethod
    def from_lines(
        cls,
        *,
        lines: Sequence[str],
        words: tuple[Word, ...],
        engine: str,
        languages: tuple[str, ...],
        seconds: float,
        size: tuple[int, int],
        evaluation: bool = False,
        origin: str = "ocr",
    ) -> PageResult:
        """The result for ``lines`` of text and their ``words``, as every engine builds it:
        lines joined with ``"\n"``, confidence the mean word confidence, ``size`` the
        (width, height) of the image that was read."""
        return cls(
            text="\n".join(lines),
            words=words,
            confidence=mean_confidence(words),
            engine=engine,
            languages=languages,
            seconds=seconds,
            width=size[0],
            height=size[1],
            evaluation=evaluation,
            origin=origin,
        )


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """The pages of one file, in file order."""

    pages: tuple[PageResult, ...]

    @property
    def text(self) -> str:
        """All pages' text joined by ``PAGE_SEPARATOR`` (``"\\n\\f\\n"``)."""
        return PAGE_SEPARATOR.join(page.text for page in self.pages)


def mean_confidence(words: tuple[Word, ...]) -> float:
    """Mean of the words' confidences, ``0.0`` for no words (the ``PageResult`` rule)."""
    if not words:
        return 0.0
    return sum(word.confidence for word in words) / len(words)
