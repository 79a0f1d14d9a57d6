"""Known-item queries for the relevance benchmark, taken from the ground truth, never the OCR.

Every query has a known target: the document whose ground truth it came from (and any other
document with the very same ground truth, such as ``phototest`` and its upside-down copy).
Words are typed as a person would: Unicode NFKC (``ſ`` is ``s``), historic superscript-e
umlauts as umlauts. Single-word classes take words of at least 4 letters that occur in at
most ``RARE_DF`` ground-truth texts, so that a word names its document.

Classes (``CLASSES``):

- ``rare``: one such word.
- ``multi``: 2-3 words of at least 4 letters from one ground-truth line, in order, unquoted.
- ``phrase``: a quoted run of 2-4 adjacent words of one line (no punctuation inside the run).
- ``misread``: a word the OCR output of that document does not contain exactly (case aside).
- ``accent_free``: a word with accents that the OCR read right, typed without them.
- ``hyphenated``: a word the ground truth splits at a line break (``weath-\\nered``), joined;
  or a word the OCR read as two tokens (``docu ment``, ``docu- ment``).
- ``joined``: a part of a ``/``, ``@`` or ``.``-joined token (``duck/goose``, an e-mail
  address) that the OCR read joined as well.

Sampling is seeded: each class spreads its queries over the documents (one per document in
a shuffled order, then a second round), at most ``per_class`` of them.
"""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.relevance_corpus import Doc

CLASSES = ("rare", "multi", "phrase", "misread", "accent_free", "hyphenated", "joined")
RARE_DF = 2
MIN_LETTERS = 4
_HYPHENS = "-\u00ac\u2e17\u2010"  # -, ¬ (Fraktur GT), ⸗, ‐
_PUNCTUATION = ".,;:!?»«\"'()„“”‚‘’[]"
_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(r"\w+")
_SUPERSCRIPT_E = {"a\u0364": "ä", "o\u0364": "ö", "u\u0364": "ü", "A\u0364": "Ä", "O\u0364": "Ö"}


@dataclass(frozen=True, slots=True)
class Query:
    cls: str
    text: str
    targets: frozenset[int]  # indexes into the document list
    source: int  # the document it was taken from


def typed(text: str) -> str:
    """Text as a person would type it from the page: NFKC, superscript-e umlauts, no ``~~~``."""
    for old, new in _SUPERSCRIPT_E.items():
        text = text.replace(old, new)
    return unicodedata.normalize("NFKC", text.replace("~~~", " "))


def unaccented(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _key(word: str) -> str:
    return unaccented(word).casefold()


def _ocr_tokens(doc: Doc) -> set[str]:
    return {token.casefold() for token in _TOKEN.findall(typed(doc.text))}


class Sampler:
    """Builds every class's queries over ``docs`` (only those with ground truth are sources)."""

    def __init__(self, docs: Sequence[Doc], seed: int, per_class: int) -> None:
        self.docs = docs
        self.seed = seed
        self.per_class = per_class
        self.truths = {i: typed(d.source.truth) for i, d in enumerate(docs) if d.source.truth}
        same: dict[str, set[int]] = {}
        for i, truth in self.truths.items():
            same.setdefault(" ".join(truth.split()), set()).add(i)
        self.targets = {i: frozenset(group) for group in same.values() for i in group}
        # Document frequency over distinct ground truths, accents and case aside.
        self.df: Counter[str] = Counter()
        self.group_words: list[str] = []  # each distinct truth's words, keyed, space-separated
        for truth in same:
            keys = [_key(w) for w in _TOKEN.findall(truth)]
            self.df.update(set(keys))
            self.group_words.append(f" {' '.join(keys)} ")
        self.ocr = {i: _ocr_tokens(docs[i]) for i in self.truths}

    def rare(self, word: str) -> bool:
        return len(word) >= MIN_LETTERS and self.df[_key(word)] <= RARE_DF

    def names_few(self, words: Sequence[str], adjacent: bool) -> bool:
        """Whether at most ``RARE_DF`` distinct truths hold all ``words`` (as a run when
        ``adjacent``): the query still names its document among the others."""
        keys = [_key(w) for w in words]
        if adjacent:
            run = f" {' '.join(keys)} "
            return sum(run in group for group in self.group_words) <= RARE_DF
        return sum(all(f" {k} " in group for k in keys) for group in self.group_words) <= RARE_DF

    def words(self, i: int) -> list[str]:
        return _WORD.findall(self.truths[i])

    # One method per class: the candidate query texts of document ``i``.
    def c_rare(self, i: int) -> list[str]:
        return sorted({w for w in self.words(i) if self.rare(w)})

    def c_multi(self, i: int, rng: random.Random) -> list[str]:
        found = []
        for line in self.truths[i].splitlines():
            words = list(dict.fromkeys(w for w in _WORD.findall(line) if len(w) >= MIN_LETTERS))
            if len(words) >= 2:
                k = min(len(words), rng.choice((2, 3)))
                picked = [words[p] for p in sorted(rng.sample(range(len(words)), k))]
                if self.names_few(picked, adjacent=False):
                    found.append(" ".join(picked))
        return found

    def c_phrase(self, i: int, rng: random.Random) -> list[str]:
        found = []
        for line in self.truths[i].splitlines():
            runs: list[list[str]] = [[]]
            for token in line.split():  # runs of plain words; punctuation ends a run
                core = token.strip(_PUNCTUATION)
                if not _WORD.fullmatch(core):
                    runs.append([])
                    continue
                if not token.startswith(core):
                    runs.append([])
                runs[-1].append(core)
                if not token.endswith(core):
                    runs.append([])
            runs = [r for r in runs if len(r) >= 2 and sum(len(w) >= MIN_LETTERS for w in r)]
            if runs:
                run = rng.choice(runs)
                k = rng.randint(2, min(4, len(run)))
                start = rng.randint(0, len(run) - k)
                if self.names_few(run[start : start + k], adjacent=True):
                    found.append('"' + " ".join(run[start : start + k]) + '"')
        return found

    def c_misread(self, i: int) -> list[str]:
        return sorted(
            {w for w in self.words(i) if self.rare(w) and w.casefold() not in self.ocr[i]}
        )

    def c_accent_free(self, i: int) -> list[str]:
        return sorted(
            {
                unaccented(w)
                for w in self.words(i)
                if self.rare(w) and unaccented(w) != w and w.casefold() in self.ocr[i]
            }
        )

    def c_hyphenated(self, i: int) -> list[str]:
        pattern = rf"([^\W\d_]+)[{_HYPHENS}][ \t]*\n\s*([^\W\d_]+)"
        found = {a + b for a, b in re.findall(pattern, self.truths[i]) if self.rare(a + b)}
        # Words the OCR split in two: "docu ment" or "docu- ment" where the truth has "document".
        ocr_words = [w.casefold() for w in _TOKEN.findall(typed(self.docs[i].text))]
        pairs = {a + b for a, b in itertools.pairwise(ocr_words)}
        for word in self.words(i):
            folded = word.casefold()
            if self.rare(word) and folded not in self.ocr[i] and folded in pairs:
                found.add(word)
        return sorted(found)

    def c_joined(self, i: int) -> list[str]:
        found = set()
        ocr_text = typed(self.docs[i].text).casefold()
        for token in re.findall(r"\w+(?:[/@.]\w+)+", self.truths[i]):
            if token.casefold() not in ocr_text:
                continue
            for part in re.split(r"[/@.]", token):
                if len(part) >= 3 and not part.isdigit() and self.df[_key(part)] <= RARE_DF + 1:
                    found.add(part)
        return sorted(found)

    def sample(self, cls: str) -> list[Query]:
        rng = random.Random(f"{self.seed}:{cls}")
        method: Callable[..., list[str]] = getattr(self, f"c_{cls}")
        needs_rng = cls in ("multi", "phrase")
        candidates = {i: (method(i, rng) if needs_rng else method(i)) for i in sorted(self.truths)}
        candidates = {i: list(c) for i, c in candidates.items() if c}
        order = sorted(candidates)
        rng.shuffle(order)
        queries: list[Query] = []
        seen: set[str] = set()
        while len(queries) < self.per_class and any(candidates.values()):
            for i in order:
                if len(queries) >= self.per_class or not candidates[i]:
                    continue
                text = candidates[i].pop(rng.randrange(len(candidates[i])))
                if text.casefold() not in seen:
                    seen.add(text.casefold())
                    queries.append(Query(cls, text, self.targets[i], i))
        return queries


def sample_queries(
    docs: Sequence[Doc], *, seed: int = 22, per_class: int = 40, classes: Sequence[str] = CLASSES
) -> list[Query]:
    sampler = Sampler(docs, seed, per_class)
    return [query for cls in classes for query in sampler.sample(cls)]
