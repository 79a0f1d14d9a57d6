"""A per-user classifier that learns correspondent, document type and tags from the documents
the user filed. No Django; scikit-learn at training time only, nothing downloaded.

Features: TF-IDF of the document's words (folded and casefolded as ``matching.normalise``
does, numbers dropped because they differ on every document, CJK text as character bigrams),
sublinear term frequency, L2-normalised. Models: one multinomial logistic regression for the
correspondent and one for the type (a document without one is the class "none", so the model
can also say "no correspondent"), one binary logistic regression per tag.

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

FORMAT_VERSION = 1
#: Vocabulary cap: the most frequent words across the user's documents.
_MAX_FEATURES = 50_000
#: Weights kept per class in the stored model (the largest in absolute value).
_KEEP_WEIGHTS = 2_000
#: Inverse regularisation strength of the logistic regressions; text with few examples per
#: class needs little regularisation (measured on the labelled set, bench/organize.py).
_C = 20.0
_NONE = -1  # the class "no correspondent" / "no type"

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
    """A linear model over the features: classes, weights (classes × features), biases.
    ``binary``: one column of a sigmoid (a tag) rather than a softmax over classes."""

    classes: np.ndarray  # int64
    weights: sp.csr_matrix
    bias: np.ndarray  # float32
    binary: bool

    def scores(self, features: sp.csr_matrix) -> np.ndarray:
        logits = (features @ self.weights.T).toarray().ravel() + self.bias
        if self.binary:
            return np.asarray(1.0 / (1.0 + np.exp(-logits)))
        logits = logits - logits.max()
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum())


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
            head = _fit_multiclass(features, labels)
            if head is not None:
                heads[name] = head
        for tag in sorted({t for d in docs for t in d.tags}):
            head = _fit_binary(features, [tag in d.tags for d in docs], tag)
            if head is not None:
                heads[f"tag:{tag}"] = head
        return cls(vocabulary, idf, heads, len(docs))

    def predict(self, text: str) -> Prediction:
        """The most likely correspondent and type (None when "none" is most likely or the
        classifier cannot tell) and the likely tags, with probabilities."""
        if not self._heads:
            return Prediction(None, None, ())
        features = self._features(text)
        return Prediction(
            correspondent=self._best("correspondent", features),
            document_type=self._best("document_type", features),
            tags=self._tags(features),
        )

    def _features(self, text: str) -> sp.csr_matrix:
        counts = Counter(i for t in tokens(text) if (i := self._index.get(t)) is not None)
        columns = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        values = np.array([1.0 + math.log(c) for c in counts.values()], dtype=np.float32)
        values = values * self._idf[columns] if len(columns) else values
        norm = float(np.linalg.norm(values))
        if norm:
            values = values / norm
        return sp.csr_matrix(
            (values, columns, np.array([0, len(columns)])), shape=(1, len(self._vocabulary))
        )

    def _best(self, name: str, features: sp.csr_matrix) -> tuple[int, float] | None:
        head = self._heads.get(name)
        if head is None:
            return None
        scores = head.scores(features)
        best = int(np.argmax(scores))
        label = int(head.classes[best])
        return None if label == _NONE else (label, round(float(scores[best]), 4))

    def _tags(self, features: sp.csr_matrix) -> tuple[tuple[int, float], ...]:
        found = []
        for name, head in self._heads.items():
            if name.startswith("tag:"):
                probability = float(head.scores(features)[0])
                if probability >= 0.5:
                    found.append((int(head.classes[0]), round(probability, 4)))
        return tuple(sorted(found, key=lambda t: (-t[1], t[0])))

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
            arrays[prefix + "binary"] = np.array([head.binary])
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
                        bool(arrays[prefix + "binary"][0]),
                    )
        except (OSError, KeyError, EOFError, ValueError, TypeError, zipfile.BadZipFile) as error:
            raise ValueError(f"not a stored classifier: {error}") from error
        return cls(vocabulary, idf, heads, trained_on)


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _label(value: int | None) -> int:
    return _NONE if value is None else value


def _fit_multiclass(features: sp.csr_matrix, labels: list[int]) -> _Head | None:
    from sklearn.linear_model import LogisticRegression

    classes = sorted(set(labels))
    if len(classes) < 2:
        return None
    model = LogisticRegression(C=_C, max_iter=200)
    model.fit(features, labels)
    coef = np.asarray(model.coef_, dtype=np.float32)
    bias = np.asarray(model.intercept_, dtype=np.float32)
    if len(classes) == 2:
        # scikit-learn keeps one row for two classes (the second class's logit); the softmax
        # over (0, z) gives the same probabilities.
        coef = np.vstack([np.zeros_like(coef[0]), coef[0]])
        bias = np.array([0.0, bias[0]], dtype=np.float32)
    return _Head(np.asarray(model.classes_, dtype=np.int64), _sparsify(coef), bias, binary=False)


def _fit_binary(features: sp.csr_matrix, has_tag: list[bool], tag: int) -> _Head | None:
    from sklearn.linear_model import LogisticRegression

    if all(has_tag) or not any(has_tag):
        return None
    model = LogisticRegression(C=_C, max_iter=200)
    model.fit(features, has_tag)
    coef = np.asarray(model.coef_, dtype=np.float32)
    bias = np.asarray(model.intercept_, dtype=np.float32)
    return _Head(np.array([tag], dtype=np.int64), _sparsify(coef), bias, binary=True)


def _sparsify(coef: np.ndarray) -> sp.csr_matrix:
    """Keep the ``_KEEP_WEIGHTS`` largest weights of each row."""
    if coef.shape[1] > _KEEP_WEIGHTS:
        cutoff = np.partition(np.abs(coef), -_KEEP_WEIGHTS, axis=1)[:, -_KEEP_WEIGHTS][:, None]
        coef = np.where(np.abs(coef) >= cutoff, coef, 0.0).astype(np.float32)
    return sp.csr_matrix(coef)


def classes_of(docs: Iterable[TrainingDoc]) -> tuple[set[int], set[int], set[int]]:
    """The correspondents, types and tags present in ``docs`` (for tests and the bench)."""
    docs = list(docs)
    return (
        {d.correspondent for d in docs if d.correspondent is not None},
        {d.document_type for d in docs if d.document_type is not None},
        {t for d in docs for t in d.tags},
    )
