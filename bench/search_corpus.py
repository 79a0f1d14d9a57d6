"""The search bench's corpus: Zipfian page texts with a real vocabulary per language.

Words are drawn with their real frequencies from the ``wordfreq`` package's "best" lists (shipped
inside the package: nothing is downloaded), one list per language: English 50 %, German 20 %,
French 15 %, Spanish 10 %, Chinese 5 % of the documents (Chinese words written without spaces,
as scanned Chinese text is). Only words made of letters are kept (Chinese: only Han words), so a
drawn word is one token for PostgreSQL and for Tantivy alike. Sampling is a ``searchsorted`` over
cumulative weights, a chunk of pages at a time.

Page lengths follow the word counts of the page-level ground truth in ``../shared/testdata``
(jittered), plus a tail of dense pages (600-2,500 words); 30 % of the documents have 2-5 pages.
About 1 % of the documents are the real ground-truth texts themselves (one page each).

The corpus is cut into chunks of ``CHUNK`` pages, each generated from ``(seed, chunk number)``
alone, so any process can produce any chunk and the text does not depend on how many processes
load it. ``chunk_stats`` counts, from the generator's own word ids, the documents each word
(folded, lowercase) occurs in and the adjacent word pairs the query classes draw phrases from.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np

# ``../shared/testdata`` beside the checkout (a worktree may sit one level deeper).
TESTDATA = next(
    (
        parent / "shared" / "testdata"
        for parent in Path(__file__).resolve().parents[1:4]
        if (parent / "shared" / "testdata").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "testdata",
)
VOCABULARY_SIZE = 200_000  # most frequent words kept per language
CHUNK = 1000  # pages per generated (and loaded) chunk
STATS_VERSION = 2  # bump when the counts change (they are cached beside the Tantivy index)
VERSION = 1  # bump when the generator changes: keys the database and the Tantivy index
LANGUAGE_SHARES = {"en": 0.50, "de": 0.20, "fr": 0.15, "es": 0.10, "zh": 0.05}
MULTI_PAGE_SHARE = 0.30  # documents of 2-5 pages
DENSE_SHARE = 0.07  # pages of 600-2,500 words
REAL_SHARE = 0.01  # documents that are a real ground-truth page
COMMON_RANK = 120  # words of this rank or better: pairs of them are "common phrases"
RARE_RANKS = (3_000, 60_000)  # pairs of words in this rank band are "rare phrases"

_LETTERS = re.compile(r"[^\W\d_]+")
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_TOKEN = re.compile(r"[^\W_]+")


@dataclass
class Vocabulary:
    """Every language's words in one array: global id = ``offsets[lang] + rank``."""

    words: np.ndarray  # object array of str
    keys: np.ndarray  # int32: id of the word's folded lowercase form (shared across languages)
    key_text: list[str]  # key id -> folded lowercase form
    offsets: dict[str, int]
    cumulative: dict[str, np.ndarray]  # per language, cumulative probabilities
    language_of: np.ndarray  # int8 index into LANGUAGES per global id
    stems: np.ndarray  # int32: id of (language, Snowball stem) per global id; -1 for Chinese
    stem_ids: dict[tuple[str, str], int]
    languages: list[str] = field(default_factory=lambda: list(LANGUAGE_SHARES))

    def rank(self, word_id: int) -> int:
        return word_id - self.offsets[self.languages[self.language_of[word_id]]]


@dataclass
class Document:
    number: int  # unique in the corpus
    language: str
    title: str
    pages: list[str]
    mime_type: str
    title_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


def fold_key(word: str) -> str:
    """A word as the exact index reading sees it: accents folded, lowercase."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.lower().translate(_SPECIAL))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l"})


@cache
def vocabulary() -> Vocabulary:
    """Load the word lists (about a second); cached per process, inherited by forked loaders."""
    import wordfreq

    words: list[str] = []
    weights: dict[str, np.ndarray] = {}
    offsets: dict[str, int] = {}
    language_of: list[int] = []
    for index, language in enumerate(LANGUAGE_SHARES):
        pattern = _HAN if language == "zh" else _LETTERS
        kept: list[str] = []
        frequency: list[float] = []
        # Buckets of words by frequency in centibels: bucket i holds words of frequency 10^(-i/100).
        for bucket, bucket_words in enumerate(wordfreq.get_frequency_list(language, "best")):
            for word in bucket_words:
                if pattern.fullmatch(word) and (language == "zh" or len(word) > 1 or word in "ay"):
                    kept.append(word)
                    frequency.append(10 ** (-bucket / 100))
            if len(kept) >= VOCABULARY_SIZE:
                break
        offsets[language] = len(words)
        words.extend(kept)
        language_of.extend([index] * len(kept))
        weight = np.asarray(frequency)
        weights[language] = np.cumsum(weight) / weight.sum()
    key_ids: dict[str, int] = {}
    keys = np.fromiter(
        (key_ids.setdefault(fold_key(word), len(key_ids)) for word in words),
        dtype=np.int32,
        count=len(words),
    )
    # Each word's stem in its own language (the stemmed reading of a document in that language).
    stems = np.full(len(words), -1, dtype=np.int32)
    stem_ids: dict[tuple[str, str], int] = {}
    for language in STEMMED:
        start, end = offsets[language], offsets[language] + len(weights[language])
        for index, stem in enumerate(stem_words(language, words[start:end]), start=start):
            stems[index] = stem_ids.setdefault((language, stem), len(stem_ids))
    return Vocabulary(
        words=np.asarray(words, dtype=object),
        keys=keys,
        key_text=list(key_ids),
        offsets=offsets,
        cumulative=weights,
        language_of=np.asarray(language_of, dtype=np.int8),
        stems=stems,
        stem_ids=stem_ids,
    )


STEMMED = ("en", "de", "fr", "es")


def stem_words(language: str, words: list[str]) -> list[str]:
    """Each of ``words`` (single words) through Tantivy's analyzer for the stemmed field of
    ``language`` (folded, lowercase, Snowball: the stemmer PostgreSQL uses too)."""
    from bench.search_tantivy import analyzer

    stemmer = analyzer(language)
    stemmed = stemmer.analyze("\n".join(words))  # one call: 200k words in a second
    if len(stemmed) != len(words):
        stemmed = ["".join(stemmer.analyze(word)) for word in words]
    return stemmed


@cache
def real_pages() -> list[tuple[str, str, str]]:
    """(language, title, text) of the real ground-truth pages; the line-level sets are joined
    into one page per set."""
    pages: list[tuple[str, str, str]] = []
    lines: dict[str, list[str]] = {}
    for path in sorted(TESTDATA.rglob("*.gt.txt")):
        text = path.read_text("utf-8").strip()
        language = (
            "de" if "_de" in path.parent.name else "fr" if "_fr" in path.parent.name else "en"
        )
        if "_lines_" in path.parent.name:
            lines.setdefault(path.parent.name, []).append(text)
        elif text:
            pages.append((language, path.name.removesuffix(".gt.txt"), text))
    for name, texts in sorted(lines.items()):
        pages.append(("de" if name.endswith("_de") else "en", name, "\n".join(texts)))
    return pages


@cache
def real_lengths() -> np.ndarray:
    """Word counts of the real pages: the shape of the page-length distribution."""
    return np.asarray(
        [len(text.split()) for _l, _t, text in real_pages() if len(text.split()) > 20]
    )


def generate_chunk(seed: int, chunk: int, pages: int) -> tuple[list[Document], list[np.ndarray]]:
    """The documents of pages ``chunk * CHUNK`` to at most ``pages``, and for each page its
    word ids (empty for a real page). The last document may be cut to fit the page budget."""
    vocab = vocabulary()
    rng = np.random.default_rng([seed, VERSION, chunk])
    budget = min(CHUNK, pages - chunk * CHUNK)
    languages = list(LANGUAGE_SHARES)
    shares = np.asarray(list(LANGUAGE_SHARES.values()))
    plans: list[tuple[int, str, list[int]]] = []  # (real page index or -1, language, lengths)
    count = 0
    lengths_seen = real_lengths()
    while count < CHUNK:  # always plan a full chunk: a cut corpus is a prefix of a longer one
        if rng.random() < REAL_SHARE:
            real = int(rng.integers(len(real_pages())))
            plans.append((real, real_pages()[real][0], [0]))
            count += 1
            continue
        language = languages[int(rng.choice(len(languages), p=shares))]
        n = 1 if rng.random() >= MULTI_PAGE_SHARE else int(rng.integers(2, 6))
        lengths = []
        for _ in range(n):
            if rng.random() < DENSE_SHARE:
                length = np.exp(rng.uniform(np.log(600), np.log(2500)))
            else:
                length = rng.choice(lengths_seen) * np.exp(rng.normal(0, 0.35))
            lengths.append(max(8, int(length)))
        plans.append((-1, language, lengths))
        count += n
    # Draw every word of the chunk per language at once (titles: 3-7 words of the top 5,000).
    drawn: dict[str, np.ndarray] = {}
    for language in languages:
        need = sum(sum(p[2]) for p in plans if p[0] < 0 and p[1] == language)
        cumulative = vocab.cumulative[language]
        drawn[language] = (
            np.searchsorted(cumulative, rng.random(need), side="right").clip(0, len(cumulative) - 1)
            + vocab.offsets[language]
        )
    taken = dict.fromkeys(languages, 0)
    documents: list[Document] = []
    ids: list[np.ndarray] = []
    mimes = ("application/pdf", "image/png", "image/tiff", "image/jpeg")
    for index, (real, language, lengths) in enumerate(plans):
        left = budget - len(ids)
        if left <= 0:
            break
        number = chunk * CHUNK + index
        mime = mimes[int(rng.integers(len(mimes)))]
        if real >= 0:
            _lang, name, text = real_pages()[real]
            documents.append(Document(number, language, f"Scan {name}", [text], mime))
            ids.append(np.zeros(0, dtype=np.int64))
            continue
        title_ids = rng.integers(0, 5000, int(rng.integers(3, 8))) + vocab.offsets[language]
        sep = "" if language == "zh" else " "
        title = sep.join(vocab.words[title_ids].tolist())
        title = title if language == "zh" else title.title()
        texts = []
        for length in lengths[:left]:
            page_ids = drawn[language][taken[language] : taken[language] + length]
            taken[language] += length
            texts.append(_page_text(vocab.words[page_ids].tolist(), language))
            ids.append(page_ids)
        documents.append(Document(number, language, title, texts, mime, title_ids))
    return documents, ids


def _page_text(words: list[str], language: str) -> str:
    if language == "zh":
        sentences = ["".join(words[i : i + 9]) for i in range(0, len(words), 9)]
        return "\n".join(
            "，".join(sentences[i : i + 3]) + "。" for i in range(0, len(sentences), 3)
        )
    return "\n".join(" ".join(words[i : i + 11]) for i in range(0, len(words), 11))


@dataclass
class Stats:
    """Document frequencies of every key (folded word), and adjacent pairs with their counts."""

    documents: int = 0
    pages: int = 0
    df: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    stem_df: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pair_keys: list[np.ndarray] = field(default_factory=list)  # int64 first * V + second

    def add(self, documents: list[Document], ids: list[np.ndarray]) -> None:
        vocab = vocabulary()
        if not len(self.df):
            self.df = np.zeros(len(vocab.key_text), dtype=np.int64)
            self.stem_df = np.zeros(len(vocab.stem_ids), dtype=np.int64)
        page = 0
        doc_of_token: list[np.ndarray] = []
        tokens: list[np.ndarray] = []
        size = len(vocab.words)
        for local, document in enumerate(documents):
            tokens.append(document.title_ids)
            doc_of_token.append(np.full(len(document.title_ids), local, dtype=np.int64))
            for text in document.pages:
                page_ids = ids[page]
                page += 1
                if not len(page_ids):  # a real page: its words through the key table
                    page_ids = _real_ids(text)
                tokens.append(page_ids)
                doc_of_token.append(np.full(len(page_ids), local, dtype=np.int64))
                first, second = page_ids[:-1], page_ids[1:]
                rank1 = first - _offsets_of(first)
                rank2 = second - _offsets_of(second)
                common = (rank1 < COMMON_RANK) & (rank2 < COMMON_RANK)
                rare = (rank1 >= RARE_RANKS[0]) & (rank1 < RARE_RANKS[1])
                rare &= (rank2 >= RARE_RANKS[0]) & (rank2 < RARE_RANKS[1])
                keep = common | rare
                self.pair_keys.append(first[keep].astype(np.int64) * size + second[keep])
        if tokens:
            doc_of, ids_of = np.concatenate(doc_of_token), np.concatenate(tokens)
            self.df += _document_counts(doc_of, vocab.keys[ids_of], len(self.df))
            stems = vocab.stems[ids_of]
            stemmed = stems >= 0
            self.stem_df += _document_counts(doc_of[stemmed], stems[stemmed], len(self.stem_df))
        self.documents += len(documents)
        self.pages += page
        if len(self.pair_keys) > 2000:
            self.pair_keys = [np.concatenate(self.pair_keys)]

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(pair keys, occurrences) of the adjacent pairs seen, unique."""
        if not self.pair_keys:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        keys, counts = np.unique(np.concatenate(self.pair_keys), return_counts=True)
        return keys, counts

    def save(self, path: Path) -> None:
        keys, counts = self.pairs()
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(
            path,
            df=self.df,
            stem_df=self.stem_df,
            pair_keys=keys,
            pair_counts=counts,
            sizes=np.asarray([self.documents, self.pages]),
        )

    @classmethod
    def load(cls, path: Path) -> tuple[Stats, np.ndarray]:
        data = np.load(path)
        documents, pages = (int(size) for size in data["sizes"])
        stats = cls(documents, pages, data["df"], data["stem_df"], [data["pair_keys"]])
        return stats, data["pair_counts"]


def _document_counts(documents: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """How many distinct ``documents`` hold each value (``values[i]`` is in ``documents[i]``)."""
    present = np.unique(documents * size + values) % size
    return np.bincount(present, minlength=size)


def _offsets_of(ids: np.ndarray) -> np.ndarray:
    vocab = vocabulary()
    starts = np.asarray([vocab.offsets[language] for language in vocab.languages])
    return starts[vocab.language_of[ids]]


@cache
def _word_ids() -> dict[str, int]:
    vocab = vocabulary()
    ids: dict[str, int] = {}
    for word_id, word in enumerate(vocab.words.tolist()):
        ids.setdefault(word.lower(), word_id)
    return ids


def _real_ids(text: str) -> np.ndarray:
    """Word ids of the words of a real page that the vocabulary knows (for the counts)."""
    known = _word_ids()
    found = (known.get(word.lower()) for word in _TOKEN.findall(text))
    return np.asarray([word_id for word_id in found if word_id is not None], dtype=np.int64)
