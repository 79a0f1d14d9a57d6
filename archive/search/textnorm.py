"""Text as the search index sees it: accents folded, OCR-aware tokens, CJK bigrams.

The same functions prepare document text for indexing and query words for searching, so both
sides always agree. Folding happens here in Python because the embedded PostgreSQL has no
``unaccent`` extension. CJK text has no spaces between words and PostgreSQL's parser would
read a whole run of characters as one token; overlapping bigrams (and each single character,
for one-character queries) make any substring of two or more characters findable as a phrase.
Words hyphenated at a line end, compound tokens and spaced number groups follow the rules of
``archive.search.tokens``.
"""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings

from archive.search.tokens import join_line_hyphens, joined_number_groups, split_compounds

# Letters some languages write without a combining accent, which NFKD cannot split.
_SPECIAL_FOLDS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
)
# Han, Hiragana, Katakana and Hangul: scripts written without spaces between words.
CJK_RUN = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
    r"\U00020000-\U0002fa1f]+"
)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold(text: str) -> str:
    """Remove accents: ``français`` → ``francais``, ``Müller`` → ``Muller``.

    Characters of CJK scripts are kept as they are (NFKD would decompose Hangul syllables and
    Japanese voiced kana). Case is left to PostgreSQL.
    """
    # Only non-ASCII stretches can change (NFKD leaves ASCII alone, and a combining mark is
    # itself non-ASCII), so the per-character work is done on those alone: 5x faster on OCR
    # text, which is mostly ASCII with a few accented words.
    return _NON_ASCII.sub(lambda match: _fold_run(match.group(0)), text)


def _fold_run(text: str) -> str:
    out: list[str] = []
    for run in _split_cjk(text):
        if CJK_RUN.fullmatch(run):
            out.append(run)
            continue
        decomposed = unicodedata.normalize("NFKD", run.translate(_SPECIAL_FOLDS))
        out.append("".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    return "".join(out)


def cjk_terms(run: str) -> list[str]:
    """Overlapping bigrams of a CJK run; a single character stays itself."""
    if len(run) < 2:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(text: str) -> str:
    """Text to hand to ``to_tsvector``: the flow (``flow_text``) with each CJK run replaced by
    its bigrams, then, after a line break, the extra forms: hyphenated forms of words joined at
    a line end, whole compound tokens, joined number groups (see ``archive.search.tokens``),
    and the single characters of CJK runs (so a one-character query finds them too).

    The flow keeps real neighbours adjacent, so phrases match as written; bigrams of a run stay
    adjacent so a query's bigrams match as a phrase. PostgreSQL gives no position gap for a
    line break (only a stop word of a stemming configuration leaves one), so the first extra
    form follows the last word of the flow: a phrase ending a page and continuing with an extra
    form could match, a cost accepted for keeping every writer on one ``to_tsvector`` call.
    """
    flow, extras = _flow(text)
    body = f"{flow}\n{' '.join(extras)}" if extras else flow
    unigrams: list[str] = []

    def expand(match: re.Match[str]) -> str:
        run = match.group(0)
        unigrams.extend(run)
        return f" {' '.join(cjk_terms(run))} "

    expanded = CJK_RUN.sub(expand, body)
    if unigrams:
        expanded = f"{expanded}\n{' '.join(dict.fromkeys(unigrams))}"
    return expanded


def flow_text(text: str) -> str:
    """The words of ``text`` in reading order as the index sees them: folded, line-end
    hyphenations joined, compound tokens split into their parts (CJK runs as written)."""
    return _flow(text)[0]


def flow_with_offsets(text: str) -> tuple[str, list[int]]:
    """``flow_text(text)`` and, for each of its characters, the index in ``text`` of the
    character it comes from, plus ``len(text)`` at the end: ``text[offsets[a]:offsets[b]]`` is
    the original of ``flow[a:b]`` (accents, ``ß``, a line-end hyphen and line break included).
    """
    folded, offsets = fold_with_offsets(text)
    if not ocr_tokens_enabled():
        return folded, offsets
    joined, removed, _ = join_line_hyphens(folded)
    if removed:
        kept: list[int] = []
        last = 0
        for start, end in removed:
            kept.extend(offsets[last:start])
            last = end
        kept.extend(offsets[last:])
        offsets = kept
    flow, _ = split_compounds(joined)  # same length: the offsets still hold
    return flow, offsets


def ocr_tokens_enabled() -> bool:
    """``SEARCH_OCR_TOKENS`` (on by default): the OCR-aware rules of ``archive.search.tokens``.
    Off only to measure what they bring (``bench/relevance.py --without ocr-tokens``); changing
    it needs ``manage.py reindex``."""
    return bool(getattr(settings, "SEARCH_OCR_TOKENS", True))


def _flow(text: str) -> tuple[str, list[str]]:
    """The flow of ``text`` and its extra forms (hyphenated, whole compounds, joined groups)."""
    if not ocr_tokens_enabled():
        return fold(text), []
    joined, _, hyphenated = join_line_hyphens(fold(text))
    flow, wholes = split_compounds(joined)
    return flow, hyphenated + wholes + joined_number_groups(flow)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """``fold(text)`` and the origin offsets of its characters (as in ``flow_with_offsets``)."""
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    for match in _NON_ASCII.finditer(text):
        out.append(text[last : match.start()])
        offsets.extend(range(last, match.start()))
        # Folding is per character (NFKD decomposes each alone; combining marks are dropped
        # whatever their order), so each character's fold is its share of the run's fold.
        for index in range(match.start(), match.end()):
            folded = _fold_run(text[index])
            out.append(folded)
            offsets.extend([index] * len(folded))
        last = match.end()
    out.append(text[last:])
    offsets.extend(range(last, len(text) + 1))
    return "".join(out), offsets


# A CJK run, or a word of any other script (letters and digits; punctuation separates words).
_CJK_OR_WORD = re.compile(CJK_RUN.pattern + r"|[^\W_]+")


def query_words(text: str) -> list[str]:
    """The index terms a query word (or a phrase) stands for, in order: its words, folded; a
    CJK run becomes its bigrams (adjacent, so the run must occur as written).

    The query side of ``index_text``: a term listed here is a term the index holds. A typed
    compound (``duck/goose``, ``invoice@shop.com``, ``12/2024``, ``e-mail``, ``weath-ered``)
    becomes its parts, which the caller makes adjacent: the flow holds them so (compounds are
    split there; PostgreSQL puts a hyphenated word's parts after the whole), and so do the
    hyphenated forms of words joined at a line end. A part of a compound (``shop.com`` in an
    address) matches the same way.
    """
    terms: list[str] = []
    for part in _CJK_OR_WORD.findall(fold(text)):
        terms.extend(cjk_terms(part) if is_cjk(part) else [part])
    return terms


def is_cjk(text: str) -> bool:
    """True if ``text`` is entirely CJK characters."""
    return bool(CJK_RUN.fullmatch(text))


def _split_cjk(text: str) -> list[str]:
    """``text`` cut into alternating non-CJK and CJK runs (concatenation gives it back)."""
    parts: list[str] = []
    last = 0
    for match in CJK_RUN.finditer(text):
        parts.append(text[last : match.start()])
        parts.append(match.group(0))
        last = match.end()
    parts.append(text[last:])
    return [part for part in parts if part]
