"""The search bench's query classes, drawn from the corpus by document frequency.

Frequencies come from the generator's own counts (``search_corpus.Stats``: documents holding
each folded word and each stem, occurrences of adjacent word pairs), never from the database; a
word's matches are estimated as the larger of its exact and its stemmed document counts. The
single-word classes are named by their document frequency at 1,000,000 pages (1 to 500k) and
aim at that figure scaled to the corpus (``target = max(1, df * pages / 1,000,000)``); the other
classes aim at shares of the documents. Every choice is seeded: a corpus always gets the same
queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bench.search_corpus import (
    COMMON_RANK,
    LANGUAGE_SHARES,
    RARE_RANKS,
    STEMMED,
    Stats,
    Vocabulary,
    stem_words,
)

DF_CLASSES = {"1": 1, "10": 10, "100": 100, "1k": 1_000, "10k": 10_000, "100k": 100_000}
DF_CLASSES["500k"] = 500_000
# Words the current query syntax reads as operators in any case: not drawn as plain words.
_OPERATORS = {"or", "and", "not"}
_LATIN = re.compile(r"[a-z]{3,}")


@dataclass(frozen=True)
class Query:
    text: str
    language: str = ""  # language filter
    sort: str = "relevance"
    page: int = 1


class Picker:
    """Seeded choices of words and pairs by document frequency."""

    def __init__(self, vocab: Vocabulary, stats: Stats, pair_counts: np.ndarray, seed: int):
        self.vocab = vocab
        self.stats = stats
        self.documents = stats.documents
        self.rng = np.random.default_rng([seed, 7])
        self.pair_keys = stats.pair_keys[0] if stats.pair_keys else np.zeros(0, np.int64)
        self.pair_counts = pair_counts
        # Keys (folded words) usable as latin query words, and the language each comes from.
        zh = vocab.offsets["zh"]
        latin_keys = np.unique(vocab.keys[:zh])
        self.latin = np.asarray(
            [
                k
                for k in latin_keys.tolist()
                if _LATIN.fullmatch(vocab.key_text[k]) and vocab.key_text[k] not in _OPERATORS
            ]
        )
        self.zh = np.asarray(
            [k for k in np.unique(vocab.keys[zh:]).tolist() if 2 <= len(vocab.key_text[k]) <= 3]
        )
        # Documents a word matches: its exact form anywhere, or its stem in a document of the
        # stemmer's language. Estimated as the largest of those counts (a lower bound).
        self.estimate = stats.df.copy()
        texts = [vocab.key_text[key] for key in self.latin.tolist()]
        for language in STEMMED:
            ids = np.asarray(
                [vocab.stem_ids.get((language, s), -1) for s in stem_words(language, texts)]
            )
            counts = np.where(ids >= 0, stats.stem_df[ids.clip(0)], 0)
            self.estimate[self.latin] = np.maximum(self.estimate[self.latin], counts)

    def nearest(self, keys: np.ndarray, target: float, k: int = 5) -> list[str]:
        """``k`` words whose document frequency is nearest ``target`` (ties broken at random)."""
        df = self.estimate[keys].astype(float)
        # The word itself must carry most of its matches: not a rare form of a common stem.
        own = (df > 0) & (self.stats.df[keys] >= 0.5 * df)
        keys, df = keys[own], df[own]
        distance = np.abs(np.log(df) - np.log(max(1.0, target)))
        shuffle = self.rng.permutation(len(keys))
        order = shuffle[np.argsort(distance[shuffle], kind="stable")]
        return [self.vocab.key_text[key] for key in keys[order[:k]].tolist()]

    def within(self, low: float, high: float, k: int, language: str) -> list[str]:
        """``k`` distinct random words of ``language`` on between ``low`` and ``high`` of that
        language's documents."""
        keys = self.language_keys(language)
        documents = LANGUAGE_SHARES[language] * self.documents
        df = self.estimate[keys]
        own = self.stats.df[keys] >= 0.5 * df  # not a rare form of a common stem
        pool = keys[own & (df >= low * documents) & (df <= high * documents)]
        if len(pool) < k:
            return self.nearest(keys, (low + high) / 2 * documents, k)
        chosen = self.rng.choice(pool, size=k, replace=False)
        return [self.vocab.key_text[key] for key in chosen.tolist()]

    def language_keys(self, language: str) -> np.ndarray:
        """Latin query words from ``language``'s 20,000 most frequent."""
        start = self.vocab.offsets[language]
        end = start + min(20_000, len(self.vocab.cumulative[language]))
        return np.intersect1d(np.unique(self.vocab.keys[start:end]), self.latin)

    def languages(self, k: int) -> list[str]:
        """``k`` languages of latin script, drawn by their share of the documents."""
        names = [language for language in LANGUAGE_SHARES if language != "zh"]
        shares = np.asarray([LANGUAGE_SHARES[language] for language in names])
        return [names[i] for i in self.rng.choice(len(names), size=k, p=shares / shares.sum())]

    def pairs(self, *, common: bool, k: int = 5) -> list[str]:
        """Phrases of two words that really occur adjacent: common words (both among the most
        frequent of their language, both on 10 %+ of documents; pair counts spread from 0.05 %
        to 3 % of documents) or rarer words (rank band ``RARE_RANKS``)."""
        size = len(self.vocab.words)
        first, second = self.pair_keys // size, self.pair_keys % size
        starts = np.asarray([self.vocab.offsets[lang] for lang in self.vocab.languages])
        rank1 = first - starts[self.vocab.language_of[first]]
        rank2 = second - starts[self.vocab.language_of[second]]
        df1 = self.stats.df[self.vocab.keys[first]]
        df2 = self.stats.df[self.vocab.keys[second]]
        latin = (first < self.vocab.offsets["zh"]) & (second < self.vocab.offsets["zh"])
        if common:
            mask = latin & (rank1 < COMMON_RANK) & (rank2 < COMMON_RANK) & (first != second)
            mask &= (df1 >= 0.1 * self.documents) & (df2 >= 0.1 * self.documents)
        else:
            mask = latin & (rank1 >= RARE_RANKS[0]) & (rank2 >= RARE_RANKS[0]) & (first != second)
        index = np.flatnonzero(mask)
        phrases: list[str] = []
        if common:
            for share in (0.0005, 0.001, 0.003, 0.01, 0.03)[:k]:
                counts = self.pair_counts[index].astype(float)
                best = index[np.argmin(np.abs(np.log(counts) - np.log(share * self.documents)))]
                index = index[index != best]
                phrases.append(self._phrase(int(first[best]), int(second[best])))
        else:
            chosen = self.rng.choice(index, size=min(k, len(index)), replace=False)
            phrases = [self._phrase(int(first[i]), int(second[i])) for i in chosen.tolist()]
        return phrases

    def _phrase(self, first: int, second: int) -> str:
        words = self.vocab.words
        return f'"{words[first]} {words[second]}"'

    def prefixes(self, k: int = 5) -> list[str]:
        """3-letter prefixes of medium-frequency words (rank 500-5,000), ``inv*`` style."""
        found: list[str] = []
        zh = self.vocab.offsets["zh"]
        while len(found) < k:
            word_id = int(self.rng.integers(0, zh))
            text = self.vocab.key_text[self.vocab.keys[word_id]]
            medium = 500 <= self.vocab.rank(word_id) < 5000 and len(text) > 5
            if medium and _LATIN.fullmatch(text) and text[:3] + "*" not in found:
                found.append(text[:3] + "*")
        return found

    def language_word(self, language: str, share: float) -> str:
        """A word of ``language``'s 1,000 most frequent nearest ``share`` of the documents."""
        start = self.vocab.offsets[language]
        end = start + min(1000, len(self.vocab.cumulative[language]))
        keys = np.unique(self.vocab.keys[start:end])
        keys = np.intersect1d(keys, self.zh if language == "zh" else self.latin)
        return self.nearest(keys, share * self.documents, 1)[0]


def query_classes(
    vocab: Vocabulary, stats: Stats, pair_counts: np.ndarray, seed: int, pages: int, per: int = 5
) -> dict[str, list[Query]]:
    """Class name -> its queries (``per`` of each)."""
    pick = Picker(vocab, stats, pair_counts, seed)
    scale = pages / 1_000_000
    classes: dict[str, list[Query]] = {}
    for label, df in DF_CLASSES.items():
        target = max(1.0, df * scale)
        classes[f"word df {label}@1M (~{target:.0f})"] = [
            Query(word) for word in pick.nearest(pick.latin, target, per)
        ]
    # Words of one language in each query, as people search.
    classes["2 words"] = [
        Query(" ".join(pick.within(0.02, 0.2, 2, lang))) for lang in pick.languages(per)
    ]
    classes["3 words"] = [
        Query(" ".join(pick.within(0.05, 0.4, 3, lang))) for lang in pick.languages(per)
    ]
    classes["phrase, rare words"] = [Query(text) for text in pick.pairs(common=False, k=per)]
    classes["phrase, common words"] = [Query(text) for text in pick.pairs(common=True, k=per)]
    classes["OR"] = [
        Query(" OR ".join(pick.within(0.005, 0.05, 2, lang))) for lang in pick.languages(per)
    ]
    exclusions = []
    for lang in pick.languages(per):
        common, other = pick.within(0.2, 0.6, 1, lang)[0], pick.within(0.02, 0.1, 1, lang)[0]
        exclusions.append(Query(f"{common} -{other}"))
    classes["exclusion"] = exclusions
    classes["prefix"] = [Query(text) for text in pick.prefixes(per)]
    shares = (0.0001, 0.001, 0.005, 0.01, 0.03)[:per]
    classes["CJK"] = [Query(pick.nearest(pick.zh, s * stats.documents, 1)[0]) for s in shares]
    filtered = ["en", "de", "fr", "es", "zh"][:per]
    classes["language filter"] = [
        Query(pick.language_word(lang, 0.02 if lang == "zh" else 0.1), language=lang)
        for lang in filtered
    ]
    shares = (0.01, 0.05, 0.1, 0.3, 0.5)[:per]
    classes["newest first"] = [
        Query(pick.nearest(pick.latin, s * stats.documents, 1)[0], sort="newest") for s in shares
    ]
    classes["page 2"] = [
        Query(pick.nearest(pick.latin, s * stats.documents, 1)[0], page=2) for s in shares
    ]
    return classes
