"""Which language a text is in, from the text alone, with the model shipped in ``py3langid``.

Nothing is downloaded: py3langid's naive Bayes model (4.6 MB installed) is inside its wheel. It
is loaded once per process on first use (about 2 s, about 80 MB) and is then read-only, so the
functions here are safe from several threads. Measured against lingua-language-detector in
``bench/langdetect.py``: as accurate on whole pages, 2-6 times faster, a twentieth of the size
and a quarter of the memory.

Contracts:

- ``detect_language(text, candidates=..., default=...)`` never raises for any text: empty text,
  digits, punctuation, too few letters (``MIN_LETTERS``) or a best guess below
  ``min_confidence`` give ``Detection(default, 0.0, detected=False)``.
- Candidates are ISO 639-1 codes; only those the model knows are considered (others are
  ignored), and the answer is always one of them or ``default``.
- ``language_shares`` splits a text into parts of about ``PART_CHARS`` characters (on line
  breaks) and credits each part's letters to its language when it is detected with confidence:
  a page that is half English, half German shows both.
- ``mixture`` turns the shares of several pages into the set of languages of the whole.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Fewer letters than this (CJK characters count as letters) is too little to tell a language.
MIN_LETTERS = 6
#: A best guess less sure than this (0-1) is not taken: the default is used instead.
MIN_CONFIDENCE = 0.5
#: ``language_shares`` classifies a page in parts of about this many characters.
PART_CHARS = 400
#: In ``mixture``, a language is one of a document's when it holds this share of its letters...
MIXTURE_SHARE = 0.2
#: ... or most of one page that has at least ``MIXTURE_PAGE_LETTERS`` letters.
MIXTURE_PAGE_LETTERS = 200

_lock = threading.Lock()


@dataclass(frozen=True, slots=True)
class Detection:
    """The language of a text: ``language`` (ISO 639-1), ``confidence`` (0-1, the model's
    probability among the candidates; 0.0 when not detected) and ``detected`` (False when
    ``language`` is the default because the text could not tell)."""

    language: str
    confidence: float
    detected: bool


def letters(text: str) -> int:
    """How many letters ``text`` has (any script; a CJK character is one letter)."""
    return sum(1 for char in text if char.isalpha())


def detect_language(
    text: str,
    *,
    candidates: Sequence[str],
    default: str,
    min_confidence: float = MIN_CONFIDENCE,
) -> Detection:
    """The language of ``text`` among ``candidates``, or ``default`` when it cannot tell."""
    unsure = Detection(default, 0.0, detected=False)
    if letters(text) < MIN_LETTERS:
        return unsure
    known = _candidates(tuple(candidates))
    if not known:
        return unsure
    # Lower case: the model is trained on running text, and title pages in capitals
    # ("LE JARDIN DES CARESSES") otherwise read as another language (bench/langdetect.py).
    language, confidence = _identifier(known).classify(text.lower())
    if confidence < min_confidence:
        return unsure
    return Detection(str(language), round(float(confidence), 4), detected=True)


def language_shares(
    text: str,
    *,
    candidates: Sequence[str],
    min_confidence: float = MIN_CONFIDENCE,
) -> Counter[str]:
    """Letters of ``text`` per detected language, detected part by part (see module doc).

    Parts whose language cannot be told credit nothing, so the counts may sum to less than
    ``letters(text)``; an empty Counter means no part could be told.
    """
    shares: Counter[str] = Counter()
    for part in _parts(text):
        found = detect_language(
            part, candidates=candidates, default="", min_confidence=min_confidence
        )
        if found.detected:
            shares[found.language] += letters(part)
    return shares


def mixture(pages: Iterable[Mapping[str, int]], *, primary: str) -> list[str]:
    """The languages of a document from its pages' ``language_shares``: ``primary`` first,
    then every other language holding ``MIXTURE_SHARE`` of the detected letters or most of
    a page of at least ``MIXTURE_PAGE_LETTERS`` letters, most letters first."""
    total: Counter[str] = Counter()
    page_leaders: set[str] = set()
    for shares in pages:
        total.update(shares)
        counted = sum(shares.values())
        if counted >= MIXTURE_PAGE_LETTERS:
            leader, count = max(shares.items(), key=lambda item: item[1])
            if count * 2 > counted:
                page_leaders.add(leader)
    detected = sum(total.values())
    others = [
        code
        for code, count in total.most_common()
        if code != primary and (count >= MIXTURE_SHARE * detected or code in page_leaders)
    ]
    return [primary, *others]


def supported_languages() -> tuple[str, ...]:
    """Every ISO 639-1 code the model knows (loads the model, once)."""
    return tuple(_model().labels)


def _parts(text: str) -> list[str]:
    """``text`` cut on line breaks into parts of about ``PART_CHARS`` characters; a short last
    part joins the one before it (a part too short to tell would be wasted)."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.splitlines():
        current.append(line)
        size += len(line) + 1
        if size >= PART_CHARS:
            parts.append("\n".join(current))
            current, size = [], 0
    if current:
        if parts and size < PART_CHARS // 2:
            parts[-1] += "\n" + "\n".join(current)
        else:
            parts.append("\n".join(current))
    return parts


def _candidates(codes: tuple[str, ...]) -> tuple[str, ...]:
    labels = set(supported_languages())
    return tuple(sorted({code for code in codes if code in labels}))


def _model() -> Any:
    with _lock:  # two threads asking at once would otherwise load the 80 MB model twice
        return _load_model()


@functools.cache
def _load_model() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@functools.cache
def _identifier(candidates: tuple[str, ...]) -> Any:
    """An identifier restricted to ``candidates``: a copy sharing the model's arrays, so each
    candidate set costs only its columns of the model (small), not another model."""
    import copy

    identifier = copy.copy(_model())
    identifier.set_languages(list(candidates))
    return identifier
