"""The relevance benchmark's query sampling (``bench.relevance_queries``), on made-up documents."""

from __future__ import annotations

from bench.relevance_corpus import Doc, Source
from bench.relevance_queries import sample_queries, typed


def doc(path: str, truth: str | None, ocr: str, language: str = "en") -> Doc:
    return Doc(Source(path, "set", language, truth), (ocr,), ((),), ("rapidocr",))


DOCS = [
    doc(
        "a.png",
        "The weath-\nered barn of Dubrovnik\nwrite to duck/goose today",
        "The weath-\nered barn of Dubrovnlk\nwrite to duck/goose today",
    ),
    doc("b.png", "Le café préalable fermé", "Le café préalable fermé", "fr"),
    doc("c.png", "Berliniſche Monatsſchrift", "Berlinische Monatsschrift"),
    doc("c-copy.png", "Berliniſche  Monatsſchrift", "Berlinische Monatsschrift"),
    doc("d.png", None, "a distractor with barn and Dubrovnik"),
]


def by_class(seed: int = 1) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for query in sample_queries(DOCS, seed=seed, per_class=50):
        found.setdefault(query.cls, set()).add(query.text)
    return found


def test_each_class_finds_what_it_names():
    found = by_class()
    assert "weathered" in found["hyphenated"]
    assert "Dubrovnik" in found["misread"]  # the OCR read "Dubrovnlk"
    assert "Dubrovnik" in found["rare"]
    assert {"prealable", "ferme"} <= found["accent_free"]
    assert {"duck", "goose"} <= found["joined"]
    assert all(text.startswith('"') for text in found["phrase"])


def test_targets_are_every_document_with_the_same_truth_and_never_a_distractor():
    for query in sample_queries(DOCS, seed=1, per_class=50):
        assert 4 not in query.targets
        if query.source in (2, 3):
            assert query.targets == {2, 3}


def test_sampling_is_deterministic_and_queries_are_typed():
    assert sample_queries(DOCS, seed=3) == sample_queries(DOCS, seed=3)
    assert typed("Berliniſche Stu\u0364k") == "Berlinische Stük"
