"""Matching rules: does a document's text match the rule a user set on a tag, correspondent or
document type? Pure Python, no Django.

Algorithms (the user's choice per rule, as in paperless-ngx):

- ``any``: any of the words (or ``"quoted phrases"``) of the pattern occurs as a whole word;
- ``all``: every one of them occurs, in any order;
- ``exact``: the pattern occurs as a phrase (whole words; white space in the text may differ);
- ``regex``: the regular expression finds a match (``regex`` module, bounded in time);
- ``fuzzy``: the pattern occurs nearly as written (rapidfuzz ``partial_ratio`` ≥ 90 on
  normalised text), for OCR errors such as ``Stadtwerke Mvnchen``;
- ``none``: never matches; ``auto``: matches nothing here (the classifier decides,
  ``archive.organize.classifier``).

Text and pattern are normalised the same way the search index folds words
(``archive.search.textnorm.fold``: accents removed, ``ß`` → ``ss``, compatibility forms such as
ligatures and full-width digits decomposed, CJK kept as written), so ``Muller`` matches
``Müller`` here exactly when it would in search. The fold is repeated here (``fold``) because
``archive.search`` needs Django; a test checks that both agree. Case is ignored unless the rule
asks for it. Words of CJK scripts have no spaces around them, so they match as substrings.
"""

from __future__ import annotations

import functools
import re
import shlex
import unicodedata
from enum import StrEnum

import regex
from django.utils.translation import gettext
from rapidfuzz import fuzz


class Algorithm(StrEnum):
    """How a rule's pattern is matched against a document's text."""

    NONE = "none"
    ANY = "any"
    ALL = "all"
    EXACT = "exact"
    REGEX = "regex"
    FUZZY = "fuzzy"
    AUTO = "auto"


class RuleError(ValueError):
    """A rule that cannot be saved. The message is safe to show a user."""


#: Longest pattern accepted: longer ones are a paste accident, and cost time on every document.
MAX_PATTERN_LENGTH = 1000
#: Wall-clock limit of one regular expression search over one document's text. A pattern with
#: catastrophic backtracking (``(a+)+$``) stops here and counts as "no match".
REGEX_TIMEOUT_SECONDS = 0.05
#: Lowest rapidfuzz ``partial_ratio`` (0-100) counted as a fuzzy match (paperless-ngx uses 90).
FUZZY_THRESHOLD = 90.0
#: Shortest fuzzy pattern (letters and digits): below it nearly anything is "close".
FUZZY_MIN_LENGTH = 4

# Letters some languages write without a combining accent, which NFKD cannot split; the same
# table as archive.search.textnorm.
_SPECIAL_FOLDS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"}
)
_CJK_RUN = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
    r"\U00020000-\U0002fa1f]+"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_SPACE = re.compile(r"\s+")


def fold(text: str) -> str:
    """Remove accents as the search index does: ``Müller`` → ``Muller``, ``ﬁ`` → ``fi``,
    ``２０２４`` → ``2024``; CJK characters are kept as written. Case is kept."""
    return _NON_ASCII.sub(lambda match: _fold_run(match.group(0)), text)


def _fold_run(text: str) -> str:
    out: list[str] = []
    last = 0
    for match in _CJK_RUN.finditer(text):
        out.append(_decompose(text[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_decompose(text[last:]))
    return "".join(out)


def _decompose(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL_FOLDS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise(text: str, *, case_sensitive: bool = False) -> str:
    """``text`` as rules see it: folded, white space runs made one space, casefolded unless
    ``case_sensitive``."""
    folded = _SPACE.sub(" ", fold(text)).strip()
    return folded if case_sensitive else folded.casefold()


def pattern_terms(pattern: str) -> list[str]:
    """The words and ``"quoted phrases"`` of an ``any``/``all`` pattern, unnormalised.

    Unbalanced quotes are read as literal characters rather than refused: a user typing
    ``O"Brien`` means the word.
    """
    try:
        parts = shlex.split(pattern, posix=True)
    except ValueError:
        parts = pattern.split()
    return [part for part in (_SPACE.sub(" ", p).strip() for p in parts) if part]


def validate_rule(algorithm: str, pattern: str) -> None:
    """Check a rule before it is saved; raise ``RuleError`` with a message for the user.

    Refused: an unknown algorithm; a pattern longer than ``MAX_PATTERN_LENGTH``; an empty
    pattern for any algorithm that reads one; a regular expression that does not compile or
    that matches the empty text (it would match every document); a fuzzy pattern of fewer than
    ``FUZZY_MIN_LENGTH`` letters or digits. ``none`` and ``auto`` accept any pattern (ignored).
    """
    try:
        algo = Algorithm(algorithm)
    except ValueError:
        choices = ", ".join(a.value for a in Algorithm)
        raise RuleError(
            gettext("Unknown matching algorithm “%(algorithm)s”; choose one of %(choices)s.")
            % {"algorithm": algorithm, "choices": choices}
        ) from None
    if algo in (Algorithm.NONE, Algorithm.AUTO):
        return
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleError(
            gettext("The pattern is too long (at most %(max_pattern_length)s characters).")
            % {"max_pattern_length": MAX_PATTERN_LENGTH}
        )
    if not pattern.strip():
        raise RuleError(gettext("The pattern is empty: write the words or expression to look for."))
    if algo in (Algorithm.ANY, Algorithm.ALL) and not pattern_terms(pattern):
        raise RuleError(gettext("The pattern has no words to look for."))
    if algo is Algorithm.REGEX:
        compiled = _compile(pattern, case_sensitive=True)
        try:
            empty = compiled.search("", timeout=REGEX_TIMEOUT_SECONDS) is not None
        except TimeoutError:
            empty = False
        if empty:
            raise RuleError(
                gettext(
                    "The regular expression matches an empty text, so it would match every "
                    "document. Make it require at least one character."
                )
            )
    if algo is Algorithm.FUZZY and len(_ALNUM.findall(fold(pattern))) < FUZZY_MIN_LENGTH:
        raise RuleError(
            gettext(
                "A fuzzy pattern needs at least %(fuzzy_min_length)s letters or digits; shorter "
                "ones match nearly everything."
            )
            % {"fuzzy_min_length": FUZZY_MIN_LENGTH}
        )


_ALNUM = re.compile(r"[^\W_]")


@functools.lru_cache(maxsize=256)  # a user's rules, compiled once per worker process
def _compile(pattern: str, *, case_sensitive: bool) -> regex.Pattern[str]:
    flags = regex.V0 | regex.MULTILINE | (0 if case_sensitive else regex.IGNORECASE)
    try:
        return regex.compile(pattern, flags)
    except (regex.error, OverflowError, RecursionError) as error:
        raise RuleError(
            gettext("The regular expression is not valid: %(error)s.") % {"error": error}
        ) from None


def rule_matches(algorithm: str, pattern: str, text: str, *, case_sensitive: bool = False) -> bool:
    """True if ``text`` matches the rule. ``none`` and ``auto`` return False.

    Never raises for a rule that passed ``validate_rule`` (an invalid one is treated as
    matching nothing rather than stopping the worker). A regular expression search stops after
    ``REGEX_TIMEOUT_SECONDS`` and counts as no match, so a pattern with catastrophic
    backtracking costs a worker at most that much per document.
    """
    try:
        validate_rule(algorithm, pattern)
    except RuleError:
        return False
    algo = Algorithm(algorithm)
    if algo in (Algorithm.NONE, Algorithm.AUTO):
        return False
    if algo is Algorithm.REGEX:
        return _regex_matches(pattern, text, case_sensitive=case_sensitive)
    haystack = _normalised_text(text, case_sensitive)
    if algo is Algorithm.FUZZY:
        return _fuzzy_matches(pattern, haystack, case_sensitive=case_sensitive)
    if algo is Algorithm.EXACT:
        return _contains(haystack, normalise(pattern, case_sensitive=case_sensitive))
    terms = [normalise(term, case_sensitive=case_sensitive) for term in pattern_terms(pattern)]
    if algo is Algorithm.ANY:
        return any(_contains(haystack, term) for term in terms)
    return all(_contains(haystack, term) for term in terms)


@functools.lru_cache(maxsize=4)
def _normalised_text(text: str, case_sensitive: bool) -> str:
    """``normalise(text)``, remembered for the last few texts: the worker checks every rule of
    a user against the same document text, and normalising 100 kB costs tens of ms."""
    return normalise(text, case_sensitive=case_sensitive)


@functools.lru_cache(maxsize=4)
def _folded_text(text: str) -> str:
    return fold(text)


@functools.lru_cache(maxsize=4)
def _fuzzy_text(haystack: str) -> str:
    return _SPACE.sub(" ", _PUNCTUATION.sub(" ", haystack))


def _contains(haystack: str, needle: str) -> bool:
    """``needle`` occurs in ``haystack`` as whole words: not glued to a letter or digit on
    either side, except beside a CJK character (CJK words have no spaces around them)."""
    if not needle:
        return False
    start = 0
    while (index := haystack.find(needle, start)) >= 0:
        end = index + len(needle)
        if _boundary(haystack, index - 1, needle[0]) and _boundary(haystack, end, needle[-1]):
            return True
        start = index + 1
    return False


def _boundary(text: str, index: int, edge: str) -> bool:
    if index < 0 or index >= len(text):
        return True
    neighbour = text[index]
    if not neighbour.isalnum() or not edge.isalnum():
        return True
    return bool(_CJK_RUN.match(neighbour) or _CJK_RUN.match(edge))


def _regex_matches(pattern: str, text: str, *, case_sensitive: bool) -> bool:
    """The expression on the text as OCR gave it, then on the folded text (so ``Muller`` finds
    ``Müller`` as every other algorithm does)."""
    compiled = _compile(pattern, case_sensitive=case_sensitive)
    for candidate in (text, _folded_text(text)):
        try:
            if compiled.search(candidate, timeout=REGEX_TIMEOUT_SECONDS) is not None:
                return True
        except TimeoutError:
            return False
        if candidate.isascii():
            break  # folding changes nothing
    return False


_PUNCTUATION = re.compile(r"[^\w\s]+")


def _fuzzy_matches(pattern: str, haystack: str, *, case_sensitive: bool) -> bool:
    """Punctuation is dropped on both sides (OCR adds and loses it), then the best-aligned
    stretch of the text must score at least ``FUZZY_THRESHOLD``."""
    needle = _SPACE.sub(
        " ", _PUNCTUATION.sub(" ", normalise(pattern, case_sensitive=case_sensitive))
    )
    text = _fuzzy_text(haystack)
    needle = needle.strip()
    if not needle or not text:
        return False
    return fuzz.partial_ratio(needle, text, score_cutoff=FUZZY_THRESHOLD) >= FUZZY_THRESHOLD
