"""A per-user classifier that learns correspondent, document type and tags from the documents
the user filed. No Django; scikit-learn at training time only, nothing downloaded.

Features: TF-IDF of the document's words (folded and casefolded as ``matching.normalise``
does, numbers dropped because they differ on every document, CJK text as character bigrams),
sublinear term frequency, L2-normalised. Models: Complement Naive Bayes (scikit-learn's
``ComplementNB``), one for the correspondent and one for the type (a document without one is
the class "none", so the model can also say "no correspondent"); a logistic regression per
tag (tagged or not). Chosen by measurement (``bench/organize.py``, figures in
``docs/organize-suggestions.md``): as accurate as logistic regression and linear SVMs on the
labelled test data and on 10,000 synthetic documents, and trained in well under a second where
they take tens of seconds. Scores become probabilities through a softmax whose temperature is
fitted on out-of-fold scores, so that "0.9" means roughly nine right out of ten.

Edge cases, by design:

- no documents, or a field where every document has the same value (one class, nothing to
  tell apart): no prediction for that field;
- a class with a single example: learned like any other (its weight comes from that one text);
- a tag on every document: no prediction (there is no example of a document without it).

``dumps`` writes plain arrays (``numpy.savez`` compressed, no pickle), so a stored model never
runs code when loaded and survives scikit-learn upgrades. Small weights are dropped from the
stored model (``_KEEP_WEIGHTS`` per class): the file stays small and predictions hardly change.
Prediction needs only numpy and scipy.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from archive.organize.matching import normalise

FORMAT_VERSION = 2
#: Vocabulary cap: the most frequent words across the user's documents.
_MAX_FEATURES = 50_000
#: Weights kept per class in the stored model (the largest in absolute value).
_KEEP_WEIGHTS = 2_000
#: Additive smoothing of Complement Naive Bayes (measured on the labelled set and the
#: synthetic archive, bench/organize.py: 0.1 to 0.3 are equal within one document).
_ALPHA = 0.1
_NONE = -1  # the class "no correspondent" / "no type"
_NOT_TAGGED = -2  # the class "without this tag"
#: Inverse regularisation of the tags' logistic regressions (liblinear).
_TAG_C = 10.0

_CJK = re.compile(
    r"[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
)
_WORD = re.compile(r"[^\W\d_][^\W_]*")


@dataclass(frozen=True)
class TrainingDoc:
    """One document the user filed: its text and what they gave it."""

    text: str
    correspondent: int | None
    document_type: int | None
    tags: frozenset[int]


@dataclass(frozen=True)
class Prediction:
    """What the classifier suggests, each with its probability (0-1).

    ``tags`` holds the tags whose probability is at least one half, most likely first.
    """

    correspondent: tuple[int, float] | None
    document_type: tuple[int, float] | None
    tags: tuple[tuple[int, float], ...]


def tokens(text: str) -> list[str]:
    """The features of ``text``: folded, casefolded words of two or more characters that
    start with a letter; CJK runs as overlapping character bigrams."""
    normalised = normalise(text)
    out: list[str] = []
    last = 0
    for match in _CJK.finditer(normalised):
        out.extend(w for w in _WORD.findall(normalised[last : match.start()]) if len(w) > 1)
        run = match.group(0)
        out.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        last = match.end()
    out.extend(w for w in _WORD.findall(normalised[last:]) if len(w) > 1)
    return out


@dataclass(frozen=True)
class _Head:
    """A linear model over the features: one row of weights per class, a bias per class (a
    tag's intercept; zero for Naive Bayes) and a temperature:
    ``softmax(features · weights / temperature + bias)`` gives the class probabilities."""

    classes: np.ndarray  # int64; for a tag: (_NOT_TAGGED, tag)
    weights: sp.csr_matrix  # classes × features
    bias: np.ndarray  # float32, one per class
    temperature: float
    counts: np.ndarray  # int64: training documents of each class

    def confidence(self, index: int, probability: float) -> float:
        """The probability of class ``index``, capped by how often it was seen: at most
        n/(n+1) for a class of n documents (rule of succession), so a class filed once is
        never more than 50 % sure, however distinctive its words."""
        seen = int(self.counts[index])
        return round(min(probability, seen / (seen + 1)), 4)


class Classifier:
    """Suggests correspondent, type and tags for a text, from the documents a user filed."""

    def __init__(
        self,
        vocabulary: list[str],
        idf: np.ndarray,
        heads: dict[str, _Head],
        trained_on: int,
    ) -> None:
        self._vocabulary = vocabulary
        self._index = {term: i for i, term in enumerate(vocabulary)}
        self._idf = idf
        self._heads = heads
        self._trained_on = trained_on
        # All heads' weights in one matrix, read by feature (CSC): a prediction reads only the
        # columns of the document's words, once for every head (a tag is a head of its own).
        self._rows: dict[str, slice] = {}
        start = 0
        for name, head in heads.items():
            self._rows[name] = slice(start, start + len(head.classes))
            start += len(head.classes)
        self._stacked = (
            sp.vstack([head.weights for head in heads.values()]).tocsc().astype(np.float32)
            if heads
            else sp.csc_matrix((0, len(vocabulary)), dtype=np.float32)
        )

    @property
    def trained_on(self) -> int:
        """The number of documents the classifier learned from."""
        return self._trained_on

    @classmethod
    def train(cls, docs: Sequence[TrainingDoc]) -> Classifier:
        """Learn from ``docs`` (any number, including none)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [tokens(doc.text) for doc in docs]
        if not docs or not any(texts):
            return cls([], np.zeros(0, np.float32), {}, len(docs))
        vectorizer = TfidfVectorizer(
            analyzer=_identity,
            sublinear_tf=True,
            max_features=_MAX_FEATURES,
            dtype=np.float32,
        )
        features = vectorizer.fit_transform(texts).tocsr()
        vocabulary = [str(t) for t in vectorizer.get_feature_names_out()]
        idf = vectorizer.idf_.astype(np.float32)
        heads: dict[str, _Head] = {}
        for name, labels in (
            ("correspondent", [_label(d.correspondent) for d in docs]),
            ("document_type", [_label(d.document_type) for d in docs]),
        ):
            head = _fit(features, np.array(labels, dtype=np.int64))
            if head is not None:
                heads[name] = head
        for tag in sorted({t for d in docs for t in d.tags}):
            head = _fit_tag(features, np.array([tag in d.tags for d in docs]), tag)
            if head is not None:
                heads[f"tag:{tag}"] = head
        return cls(vocabulary, idf, heads, len(docs))

    def predict(self, text: str) -> Prediction:
        """The most likely correspondent and type (None when "none" is most likely or the
        classifier cannot tell) and the likely tags, with probabilities."""
        if not self._heads:
            return Prediction(None, None, ())
        columns, values = self._features(text)
        logits = np.asarray(self._stacked[:, columns] @ values).ravel()
        probabilities = {
            name: _softmax(logits[rows] / head.temperature + head.bias)
            for (name, rows), head in zip(self._rows.items(), self._heads.values(), strict=True)
        }
        tags = []
        for name, head in self._heads.items():
            if name.startswith("tag:") and probabilities[name][1] >= 0.5:
                tags.append((int(head.classes[1]), head.confidence(1, probabilities[name][1])))
        return Prediction(
            correspondent=self._best("correspondent", probabilities),
            document_type=self._best("document_type", probabilities),
            tags=tuple(sorted(tags, key=lambda t: (-t[1], t[0]))),
        )

    def _features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Columns and values of the text's TF-IDF vector, as scikit-learn's vectorizer
        computes it (sublinear tf, idf, L2 norm)."""
        counts = Counter(i for t in tokens(text) if (i := self._index.get(t)) is not None)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = np.array([1.0 + math.log(c) for c in counts.values()], dtype=np.float32)
        values = values * self._idf[columns] if len(columns) else values
        norm = float(np.linalg.norm(values))
        return columns, (values / norm if norm else values)

    def _best(self, name: str, probabilities: dict[str, np.ndarray]) -> tuple[int, float] | None:
        head = self._heads.get(name)
        if head is None:
            return None
        scores = probabilities[name]
        best = int(np.argmax(scores))
        label = int(head.classes[best])
        return None if label == _NONE else (label, head.confidence(best, float(scores[best])))

    def dumps(self) -> bytes:
        """The classifier as bytes (compressed arrays, no pickle) for ``loads``."""
        arrays: dict[str, Any] = {
            "format": np.array([FORMAT_VERSION, self._trained_on], dtype=np.int64),
            "vocabulary": np.array("\n".join(self._vocabulary)),
            "idf": self._idf,
            "heads": np.array("\n".join(self._heads)),
        }
        for number, head in enumerate(self._heads.values()):
            prefix = f"h{number}_"
            arrays[prefix + "classes"] = head.classes
            arrays[prefix + "data"] = head.weights.data
            arrays[prefix + "indices"] = head.weights.indices.astype(np.int32)
            arrays[prefix + "indptr"] = head.weights.indptr.astype(np.int32)
            arrays[prefix + "bias"] = head.bias
            arrays[prefix + "temperature"] = np.array([head.temperature])
            arrays[prefix + "counts"] = head.counts
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def loads(cls, data: bytes) -> Classifier:
        """A classifier from ``dumps`` bytes. Raises ``ValueError`` for anything else (the
        caller retrains)."""
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
                version, trained_on = (int(x) for x in arrays["format"])
                if version != FORMAT_VERSION:
                    raise ValueError(f"classifier format {version}, expected {FORMAT_VERSION}")
                vocabulary_text = str(arrays["vocabulary"])
                vocabulary = vocabulary_text.split("\n") if vocabulary_text else []
                idf = arrays["idf"].astype(np.float32)
                names_text = str(arrays["heads"])
                heads: dict[str, _Head] = {}
                for number, name in enumerate(names_text.split("\n") if names_text else []):
                    prefix = f"h{number}_"
                    classes = arrays[prefix + "classes"]
                    weights = sp.csr_matrix(
                        (
                            arrays[prefix + "data"],
                            arrays[prefix + "indices"],
                            arrays[prefix + "indptr"],
                        ),
                        shape=(len(classes), len(vocabulary)),
                    )
                    heads[name] = _Head(
                        classes,
                        weights,
                        arrays[prefix + "bias"],
                        float(arrays[prefix + "temperature"][0]),
                        arrays[prefix + "counts"].astype(np.int64),
                    )
        except (OSError, KeyError, EOFError, ValueError, TypeError, zipfile.BadZipFile) as error:
            raise ValueError(f"not a stored classifier: {error}") from error
        return cls(vocabulary, idf, heads, trained_on)


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _label(value: int | None) -> int:
    return _NONE if value is None else value


def _fit_tag(features: sp.csr_matrix, tagged: np.ndarray, tag: int) -> _Head | None:
    """Logistic regression, tagged or not. Naive Bayes fails here (measured: it never
    suggests a tag on the synthetic archive): a tag is on few documents, and every word never
    seen on one of them counts against the tag. None when all or no documents have the tag."""
    import warnings

    from sklearn.linear_model import LogisticRegression

    if tagged.all() or not tagged.any():
        return None
    model = LogisticRegression(C=_TAG_C, solver="liblinear")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(features, tagged)
    coef = np.asarray(model.coef_, dtype=np.float32)[0]
    # softmax over (0, z) is the logistic function of z.
    weights = np.vstack([np.zeros_like(coef), coef])
    bias = np.array([0.0, float(model.intercept_[0])], dtype=np.float32)
    counts = np.array([int((~tagged).sum()), int(tagged.sum())], dtype=np.int64)
    classes = np.array([_NOT_TAGGED, tag], dtype=np.int64)
    return _Head(classes, _sparsify(weights), bias, 1.0, counts)


def _fit(features: sp.csr_matrix, labels: np.ndarray) -> _Head | None:
    """Complement Naive Bayes on ``features`` (chosen by measurement in bench/organize.py:
    as accurate as logistic regression and linear SVMs on the labelled set and on 10,000
    synthetic documents, and hundreds of times faster to train), with a temperature fitted on
    out-of-fold scores so that its probabilities mean something. None for a single class."""
    classes = np.unique(labels)
    if len(classes) < 2:
        return None
    weights = _complement_nb(features, labels)
    temperature = _fit_temperature(features, labels, classes)
    counts = np.array([int((labels == c).sum()) for c in classes], dtype=np.int64)
    # Like scikit-learn's ComplementNB with several classes, no prior: a bias of zero.
    bias = np.zeros(len(classes), dtype=np.float32)
    return _Head(classes, _sparsify(weights), bias, temperature, counts)


def _complement_nb(features: sp.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """Weights (classes in sorted order × features) of scikit-learn's ``ComplementNB``."""
    import warnings

    from sklearn.naive_bayes import ComplementNB

    model = ComplementNB(alpha=_ALPHA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "more classes than half the samples": intended
        model.fit(features, labels)
    weights = np.asarray(model.feature_log_prob_, dtype=np.float64)
    # Each feature's mean over the classes adds the same to every class's score: removing it
    # changes no probability, and leaves the weights that tell classes apart, most near zero,
    # so that the stored model can keep only the large ones.
    centred: np.ndarray = (weights - weights.mean(axis=0, keepdims=True)).astype(np.float32)
    return centred


#: Temperatures tried (scores are divided by it before the softmax): Naive Bayes scores of
#: L2-normalised TF-IDF are small numbers whose differences mean more than they show.
_TEMPERATURES = np.geomspace(0.002, 2.0, 40)
#: Temperature when too few documents to fit one (between those fitted on the labelled set,
#: 0.1-0.34, and on the synthetic archive, 0.008-0.02, of bench/organize.py).
_DEFAULT_TEMPERATURE = 0.05
#: Documents the temperature is fitted on, at most.
_CALIBRATION_DOCS = 2_000


def _fit_temperature(features: sp.csr_matrix, labels: np.ndarray, classes: np.ndarray) -> float:
    """The temperature with the least log loss on out-of-fold scores (3 folds, on at most
    ``_CALIBRATION_DOCS`` documents taken evenly: the temperature depends on how the scores
    spread, not on how many documents there are); the default when fewer than 4 documents."""
    if features.shape[0] > _CALIBRATION_DOCS:
        sample = np.linspace(0, features.shape[0] - 1, _CALIBRATION_DOCS).astype(np.int64)
        features, labels = features[sample], labels[sample]
    count = features.shape[0]
    if count < 4:
        return _DEFAULT_TEMPERATURE
    folds = 3
    order = np.arange(count) % folds
    scores = np.zeros((count, len(classes)))
    position = {int(c): i for i, c in enumerate(classes)}
    for fold in range(folds):
        train, test = order != fold, order == fold
        train_classes = np.unique(labels[train])
        if len(train_classes) < 2:
            continue  # scores stay 0: every class equally likely
        fold_scores = np.full((int(test.sum()), len(classes)), -np.inf)
        computed = np.asarray(features[test] @ _complement_nb(features[train], labels[train]).T)
        for column, c in enumerate(train_classes):
            fold_scores[:, position[int(c)]] = computed[:, column]
        scores[test] = fold_scores
    truth = np.array([position[int(c)] for c in labels])
    return _best_temperature(scores, truth)


def _best_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The temperature of ``_TEMPERATURES`` with the least log loss."""
    count = len(truth)
    best, best_loss = _DEFAULT_TEMPERATURE, math.inf
    for temperature in _TEMPERATURES:
        scaled = scores / temperature
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(scaled).sum(axis=1))
        picked = scaled[np.arange(count), truth]
        # A class unseen in the fold scores -inf: cap its loss so one singleton cannot decide.
        loss = float(np.mean(np.minimum(log_norm - picked, 10.0)))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def _softmax(scaled: np.ndarray) -> np.ndarray:
    exp = np.exp(scaled - scaled.max())
    return np.asarray(exp / exp.sum())


def _sparsify(weights: np.ndarray) -> sp.csr_matrix:
    """Keep the ``_KEEP_WEIGHTS`` largest weights (in absolute value) of each row."""
    if weights.shape[1] > _KEEP_WEIGHTS:
        cutoff = np.partition(np.abs(weights), -_KEEP_WEIGHTS, axis=1)[:, -_KEEP_WEIGHTS][:, None]
        weights = np.where(np.abs(weights) >= cutoff, weights, 0.0).astype(np.float32)
    return sp.csr_matrix(weights)


def classes_of(docs: Iterable[TrainingDoc]) -> tuple[set[int], set[int], set[int]]:
    """The correspondents, types and tags present in ``docs`` (for tests and the bench)."""
    docs = list(docs)
    return (
        {d.correspondent for d in docs if d.correspondent is not None},
        {d.document_type for d in docs if d.document_type is not None},
        {t for d in docs for t in d.tags},
    )
