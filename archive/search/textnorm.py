"""Text as the search index sees it: accents folded, CJK split into overlapping bigrams.

The same functions prepare document text for indexing and query words for searching, so both
sides always agree. Folding happens here in Python because the embedded PostgreSQL has no
``unaccent`` extension. CJK text has no spaces between words and PostgreSQL's parser would
read a whole run of characters as one token; overlapping bigrams (and each single character,
for one-character queries) make any substring of two or more characters findable as a phrase.
"""

from __future__ import annotations

import re
import unicodedata

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
    """Text to hand to ``to_tsvector``: folded, with each CJK run replaced by its bigrams and
    then its single characters (so a one-character query finds it too).

    Bigrams of a run stay adjacent, so a query's bigrams match as a phrase; the single
    characters follow after a gap and do not break that adjacency.
    """
    folded = fold(text)
    unigrams: list[str] = []

    def expand(match: re.Match[str]) -> str:
        run = match.group(0)
        unigrams.extend(run)
        return f" {' '.join(cjk_terms(run))} "

    expanded = CJK_RUN.sub(expand, folded)
    if unigrams:
        # A line of punctuation keeps the single characters away from the last bigram.
        expanded = f"{expanded}\n{' '.join(dict.fromkeys(unigrams))}"
    return expanded


# A CJK run, or a word of any other script (letters and digits; punctuation separates words).
_CJK_OR_WORD = re.compile(CJK_RUN.pattern + r"|[^\W_]+")


def query_words(text: str) -> list[str]:
    """The index terms a query word (or a phrase) stands for, in order: its words, folded; a
    CJK run becomes its bigrams (adjacent, so the run must occur as written).

    The query side of ``index_text``: a term listed here is a term the index holds.
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
