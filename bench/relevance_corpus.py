"""The relevance benchmark's corpus: the test data's files, read once by the product's OCR.

Each file becomes one document (a PDF or multi-page TIFF keeps its pages, as the worker makes
them). The OCR text and words of every page are cached in ``var/bench/relevance-ocr.json``,
keyed by the file's sha256 and the engine setting, so a later run reads nothing again. Each
page records the engine that really read it (``auto`` picks per language among the engines
installed): delete the file after installing an engine (Tesseract's language data) to re-read.

Files: every manifest item (it has a ``.gt.txt``), the PDFs that have a ``.gt.txt`` beside
them, and as distractors (no ground truth, never a query's target) the photos in
``extras_no_gt`` and a few cheap PDFs (``DISTRACTOR_PDFS``).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: PDFs without ground truth indexed as distractors: one or a few pages each, not huge.
#: Skipped (say so in the report): encrypted/password PDFs, the 9000 px and 2400 dpi pages,
#: and the linn page's copies (skew, rotated_skew, cardinal, ccitt, jbig2, poster).
DISTRACTOR_PDFS = (
    "ocrmypdf/linn.pdf",
    "ocrmypdf/francais.pdf",
    "ocrmypdf/c02-22.pdf",
    "ocrmypdf/epson.pdf",
    "ocrmypdf/masks.pdf",
    "ocrmypdf/kcs.pdf",
    "paperless/multi-page-images.pdf",
    "paperless/rotated.pdf",
)
DISTRACTOR_LANGUAGES = {"ocrmypdf/francais.pdf": "fr", "ocrmypdf/masks.pdf": "de"}


@dataclass(frozen=True, slots=True)
class Source:
    """One file of the test data: ``path`` relative to the test data's root."""

    path: str
    set: str
    language: str  # the one code the document is filed under (the manifest's first)
    truth: str | None  # ground truth text, None for a distractor


@dataclass(frozen=True, slots=True)
class Doc:
    """A source as the product read it: one text (and word list) per page."""

    source: Source
    pages: tuple[str, ...]
    words: tuple[tuple[dict[str, Any], ...], ...]  # per page: text, box, confidence
    engines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def sources(root: Path) -> list[Source]:
    """Every file the benchmark indexes, in a fixed order."""
    found: list[Source] = []
    with (root / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            language = row["lang"].split(",")[0].strip() or "en"
            truth = (root / row["set"] / row["ground_truth"]).read_text(encoding="utf-8")
            found.append(Source(f"{row['set']}/{row['image']}", row["set"], language, truth))
    for pdf in sorted((root / "pdfs").rglob("*.pdf")):
        truth_path = pdf.with_suffix(".gt.txt")
        if truth_path.is_file():
            truth = truth_path.read_text(encoding="utf-8")
            found.append(Source(str(pdf.relative_to(root)), "pdfs", "en", truth))
    for photo in sorted((root / "extras_no_gt").glob("*.jpg")):
        found.append(Source(str(photo.relative_to(root)), "extras_no_gt", "en", None))
    for name in DISTRACTOR_PDFS:
        if (root / "pdfs" / name).is_file():
            language = DISTRACTOR_LANGUAGES.get(name, "en")
            found.append(Source(f"pdfs/{name}", "pdfs", language, None))
    return found


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_file(path: Path, language: str) -> dict[str, Any]:
    """OCR every page of ``path`` as the worker does (``archive.processing``: the settings'
    engine, the document's language through ``ocr_languages``, PDF text layers kept)."""
    from django.conf import settings

    from archive.processing import ocr_languages
    from archive.search import clean_text
    from ocr.engines import get_engine
    from ocr.files import open_document
    from ocr.pagetext import read_page

    engine = get_engine(settings.OCR_ENGINE)
    pages: list[dict[str, Any]] = []
    with open_document(
        path, max_pixels=settings.OCR_MAX_PIXELS, pdf_dpi=settings.OCR_PDF_DPI
    ) as source:
        for index in range(source.page_count):
            _, result = read_page(
                source,
                index,
                engine=engine,
                languages=ocr_languages(engine, language),
                max_side=settings.OCR_MAX_SIDE,
                text_layer=settings.OCR_USE_TEXT_LAYER,
            )
            pages.append(
                {
                    "text": clean_text(result.text),
                    "words": [
                        {
                            "text": clean_text(word.text),
                            "box": list(word.box),
                            "confidence": round(word.confidence, 3),
                        }
                        for word in result.words
                    ],
                    "engine": result.engine,
                    "origin": result.origin,
                    "seconds": round(result.seconds, 3),
                }
            )
    return {"pages": pages}


def load_corpus(root: Path, cache_path: Path, engine_setting: str) -> tuple[list[Doc], float]:
    """The documents of ``sources(root)``, OCR'd where the cache has no entry for them yet;
    returns them and the wall seconds spent on OCR in this call. Files that cannot be read
    are reported on stderr and left out."""
    cache: dict[str, Any] = {}
    if cache_path.is_file():
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
    docs: list[Doc] = []
    spent = 0.0
    for source in sources(root):
        path = root / source.path
        key = f"{sha256(path)}:{engine_setting}"
        if key not in cache:
            started = time.perf_counter()
            try:
                entry = read_file(path, source.language)
            except Exception as error:  # a file the product cannot read: say so, go on
                print(f"  skipped {source.path}: {error}", file=sys.stderr)
                continue
            entry["file"] = source.path
            entry["wall"] = round(time.perf_counter() - started, 2)
            spent += entry["wall"]
            cache[key] = entry
            print(f"  OCR {source.path}: {entry['wall']:.1f} s", file=sys.stderr, flush=True)
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = cache_path.with_suffix(".tmp")
            temporary.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
            temporary.replace(cache_path)  # a run stopped half-way keeps what it read
        pages = cache[key]["pages"]
        docs.append(
            Doc(
                source=source,
                pages=tuple(page["text"] for page in pages),
                words=tuple(tuple(page["words"]) for page in pages),
                engines=tuple(page["engine"] for page in pages),
            )
        )
    return docs, spent
