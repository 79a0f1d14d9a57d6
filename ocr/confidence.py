"""Confidence that predicts errors: engine confidences checked against the page's language.

Engines rate their own reading, and both rate junk highly: RapidOCR gave a French typescript
page with two lines read as "Iennr r nr..." a page confidence of 0.966. A misread word is
usually not a word of the page's language, which the engine's score does not know. So each
recognised word is looked up in the word-frequency lists of the page's languages (``wordfreq``,
its lists ship inside the wheel: nothing is downloaded), and a word with letters that is in
none of them keeps only ``UNKNOWN_WORD`` of its confidence (so review points at it).

A junk line, one where at least ``JUNK_LINE`` of the words that can be checked are unknown
("Iennr r nr ..."), is suspect as a whole whatever the engine says: short fragments that
happen to be words ("r", "ia", "ue") are no better read than the rest, so every word of such
a line keeps only ``UNKNOWN_WORD`` of its confidence.

Not checked, because a word list cannot tell them from misreadings: words without letters
(numbers, punctuation), words in capitals (names, acronyms: "KALLIANPUR"), the first half of a
word hyphenated at the line's end ("impos-"), CJK words (wordfreq needs a tokenizer for them
that is not installed), pages in languages wordfreq has no list for or with no language given,
and results that did not come from OCR (a PDF's own text layer). German words are also looked
up in the spelling before 1901 ("Urtheil", "Hofräthe": th for t), common in scanned books.

The page's confidence is no longer the mean of its words'. It is made of the engine's word
confidences, with a junk line's lowered but a lone unknown word's not (on its own it is as
often a name or an old spelling as a misreading), half their mean and half the mean of the
weakest line (``WEAKEST_LINE``): two junk lines among thirty good ones hardly move a mean, yet
the page is misread. Measured with ``bench.confidence_quality`` (docs/ocr-quality.md): the
AUROC of page confidence for "CER > 5 %" went from 0.667 (every unknown word lowering the
page; the engine's own confidence: 0.730) to 0.842 on the same 56 pages and lines.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence

from ocr.engines.wordboxes import is_cjk
from ocr.layout import result_lines
from ocr.types import PageResult, Word

#: Share of its confidence that a word with letters keeps when it is in no word list of the
#: page's languages. Chosen by ``bench.confidence_quality`` (AUROC and review catch rate).
UNKNOWN_WORD = 0.35
#: Words shorter than this (in letters) are not checked: one- and two-letter fragments are
#: nearly all in some list ("r", "ue", "ia"), so finding them says nothing.
MIN_LETTERS = 3
#: A word is known when its Zipf frequency (log10 of uses per billion words) in one of the
#: page's languages is at least this: the lists' long tails hold misreadings too ("amee": 1.3).
MIN_ZIPF = 1.5
#: Share of a line's checkable words that, unknown, make it a junk line.
JUNK_LINE = 0.4
#: Lines with fewer checkable words than this are never junk lines (a name, a heading).
JUNK_LINE_WORDS = 3
#: Weight of the weakest line's mean confidence in the page's (the rest: the mean of all
#: words). Chosen by ``bench.confidence_quality`` between 0.3 and 0.5 (0.5: AUROC 0.842).
WEAKEST_LINE = 0.5
#: What ends the first half of a word hyphenated at the end of a line.
_LINE_END_HYPHENS = ("-", "¬", "\u2010")

# Punctuation around a word, and the apostrophes and hyphens that join parts of one
# ("l'été", "grand-mère": each part is looked up).
_EDGES = re.compile(r"^[^\w]+|[^\w]+$")
_PARTS = re.compile(r"['’\-]")


def calibrated(result: PageResult, languages: Sequence[str] | None = None) -> PageResult:
    """``result`` with each OCR word's confidence checked against the word lists of the
    page's ``languages`` (those the reader asked for; default ``result.languages``, the codes
    the engine was given, which may be fewer) and the page confidence recomputed from them.
    Text, boxes and order are unchanged; non-OCR results, and pages with no language known,
    come back as they are."""
    if result.origin != "ocr" or not result.words:
        return result
    languages = _listed(languages or result.languages)
    if not languages:
        return result
    words: list[Word] = []
    # The page's view of each line: the engine's confidences, a junk line's lowered. A single
    # unknown word lowers only its own confidence (it points the reviewer at it): on its own
    # it is as often a name or an old spelling as a misreading, and letting it lower the page
    # made page confidence rank bad pages worse than the engine's (AUROC 0.730 -> 0.667).
    page_lines: list[list[float]] = []
    for _text, line in result_lines(result):
        known = [is_known(word.text, languages) for word in line]
        checked = [flag for flag in known if flag is not None]
        junk = len(checked) >= JUNK_LINE_WORDS and checked.count(False) >= JUNK_LINE * len(checked)
        words.extend(
            dataclasses.replace(word, confidence=word.confidence * UNKNOWN_WORD)
            if junk or flag is False
            else word
            for word, flag in zip(line, known, strict=True)
        )
        if line:
            page_lines.append([word.confidence * (UNKNOWN_WORD if junk else 1.0) for word in line])
    if len(words) != len(result.words):
        return result  # lines that do not hold the words one to one: nothing to say
    every = [value for line in page_lines for value in line]
    mean = sum(every) / len(every)
    weakest = min(sum(line) / len(line) for line in page_lines)
    confidence = (1 - WEAKEST_LINE) * mean + WEAKEST_LINE * weakest
    return dataclasses.replace(result, words=tuple(words), confidence=confidence)


def is_known(token: str, languages: Sequence[str]) -> bool | None:
    """Whether ``token`` (a recognised word, punctuation and all) is a word of one of
    ``languages``; None when that cannot be told (fewer than ``MIN_LETTERS`` letters, CJK,
    no language listed)."""
    core = _EDGES.sub("", token)
    if sum(char.isalpha() for char in core) < MIN_LETTERS or any(is_cjk(c) for c in core):
        return None
    if core.isupper() or token.rstrip().endswith(_LINE_END_HYPHENS):
        return None  # a name or an acronym in capitals; half a word hyphenated at line end
    parts = [part for part in _PARTS.split(core.lower()) if part]
    if not parts or not languages:
        return None
    return all(any(_is_word(part, code) for code in languages) for part in parts)


def _is_word(part: str, language: str) -> bool:
    """Whether ``part`` (lower case) is in ``language``'s list; German also in its spelling
    before 1901, where "th" stood for "t" ("urtheil", "rath")."""
    if _frequency(part, language) >= MIN_ZIPF:
        return True
    return (
        language == "de" and "th" in part and _frequency(part.replace("th", "t"), "de") >= MIN_ZIPF
    )


def _listed(codes: Iterable[str]) -> tuple[str, ...]:
    """The codes wordfreq has a list for (CJK left out: see the module docstring)."""
    available = _available()
    return tuple(code for code in codes if code in available and code not in {"zh", "ja", "ko"})


@functools.cache
def _available() -> frozenset[str]:
    from wordfreq import available_languages

    return frozenset(available_languages())


@functools.lru_cache(maxsize=200_000)
def _frequency(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, language))
