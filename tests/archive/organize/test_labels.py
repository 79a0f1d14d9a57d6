"""The hand labels of the test data (``tests/organize_labels.json``) that ``bench/organize.py``
measures against: well formed, every file present, every date one the parser can be asked
about."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

LABELS = Path(__file__).resolve().parents[2] / "organize_labels.json"
FIELDS = {"id", "file", "text", "language", "type", "correspondent", "date"}


def load() -> dict:
    return json.loads(LABELS.read_text(encoding="utf-8"))


def test_labels_are_well_formed() -> None:
    from archive.languages import LANGUAGES

    documents = load()["documents"]
    assert len({d["id"] for d in documents}) == len(documents)
    for document in documents:
        assert set(document) >= FIELDS, document["id"]
        assert document["language"] in LANGUAGES
        assert document["type"]
        if document["date"] is not None:
            datetime.date.fromisoformat(document["date"])


def test_every_labelled_file_exists(testdata: Path) -> None:
    for document in load()["documents"]:
        assert (testdata / document["file"]).is_file(), document["file"]
        if document["text"]:
            assert (testdata / document["text"]).is_file(), document["text"]


def test_every_real_document_is_labelled_or_excluded(testdata: Path) -> None:
    """A page image of the manifest outside the line sets is either labelled or named in
    the excluded list (so a document added to the test data gets a label)."""
    import csv

    data = load()
    labelled = {d["file"] for d in data["documents"]}
    excluded = " ".join(e["files"] for e in data["excluded"])
    with (testdata / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["set"].endswith("_lines_de") or row["set"].endswith("_lines_en"):
                continue
            path = f"{row['set']}/{row['image']}"
            assert path in labelled or row["image"] in excluded, path
