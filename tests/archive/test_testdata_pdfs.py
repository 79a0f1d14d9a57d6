"""Every file in ``../shared/testdata/pdfs`` goes in with the outcome a user would expect.

Each file is uploaded through the ingestion service and read by the real processing tasks
(real PDFium, real OCR). The expected text comes from ``pdfs/README.md``; where it lists
none, the text is what a person reads on the rendered page. The README's "Formats and
outcomes" table is this list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from archive.search.textnorm import fold
from tests.archive.conftest import run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@dataclass(frozen=True)
class Expected:
    status: str = Document.Status.DONE
    pages: int | None = 1
    #: Phrases that must appear in the document's text (compared case- and accent-folded).
    text: tuple[str, ...] = ()
    #: Where each page's text must come from, when it matters.
    sources: tuple[str, ...] | None = None
    password: str = ""
    notes: str = field(default="", compare=False)


LINN = ("linnsequencer", "midi sequence recorder")
CASES: dict[str, Expected] = {
    "dinglehopper/lorem-ipsum-scan.pdf": Expected(text=("lorem ipsum dolor sit amet",)),
    "dinglehopper/lorem-ipsum-scan-bad.pdf": Expected(text=("lorem ipsum",)),
    "ocrmypdf/2400dpi.pdf": Expected(text=("linzensoep",)),
    "ocrmypdf/c02-22.pdf": Expected(text=("went tip-toeing along a path amongst the trees",)),
    "ocrmypdf/cardinal.pdf": Expected(pages=4, text=LINN),
    "ocrmypdf/ccitt.pdf": Expected(text=LINN),
    "ocrmypdf/enormous.pdf": Expected(),
    "ocrmypdf/epson.pdf": Expected(text=("optical character recognition",)),
    "ocrmypdf/francais.pdf": Expected(text=("portez ce vieux whisky",)),
    "ocrmypdf/graph_ocred.pdf": Expected(text=("oppose",), sources=("text",)),
    "ocrmypdf/jbig2.pdf": Expected(text=LINN),
    "ocrmypdf/kcs.pdf": Expected(),
    "ocrmypdf/lichtenstein.pdf": Expected(),
    "ocrmypdf/linn.pdf": Expected(text=LINN),
    "ocrmypdf/masks.pdf": Expected(text=("linux",)),
    "ocrmypdf/multipage.pdf": Expected(pages=6),
    "ocrmypdf/poster.pdf": Expected(text=LINN),
    "ocrmypdf/rotated_skew.pdf": Expected(text=LINN),
    "ocrmypdf/skew.pdf": Expected(text=LINN),
    "paperless/encrypted.pdf": Expected(status=Document.Status.NEEDS_PASSWORD, pages=None),
    "paperless/multi-page-images.pdf": Expected(pages=3, text=("page 1", "page 2", "page 3")),
    "paperless/multi-page-mixed.pdf": Expected(
        pages=6,
        text=tuple(f"page {n}" for n in range(1, 7)),
        sources=("ocr",) * 3 + ("text",) * 3,
    ),
    "paperless/password-is-test.pdf": Expected(pages=1, password="test"),
    "paperless/rotated.pdf": Expected(
        pages=4,
        text=(
            "this is the text that appears on the first page",
            "still gets the job done",
            "this is a really weird file with lots of nonsense text",
            "check your screen orientation",
        ),
    ),
    "paperless/rtl-test.pdf": Expected(text=("ةرازو",), sources=("text",)),
    "paperless/signed.pdf": Expected(
        text=("this is a digitally signed pdf", "automated testing of signed/encrypted pdfs")
    ),
    "paperless/single-page-mixed.pdf": Expected(
        pages=2,
        text=(
            "this is some normal text, present on page 1 of the document.",
            "this is some text, but in an image, also on page 1.",
            "this is further text on page 1.",
        ),
        sources=("mixed", "text"),
    ),
    "paperless/tagged-but-no-text.pdf": Expected(),
    "paperless/with-form.pdf": Expected(
        text=("please enter your name in here:", "this is a pdf document with a form."),
        sources=("text",),
    ),
}


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text).lower())


def test_every_testdata_pdf_is_listed(testdata: Path):
    found = {str(p.relative_to(testdata / "pdfs")) for p in (testdata / "pdfs").rglob("*.pdf")}
    assert found == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_testdata_pdf_outcome(name: str, alice, testdata: Path):
    expected = CASES[name]
    path = testdata / "pdfs" / name
    with path.open("rb") as handle:
        document = document_create(
            owner=alice, upload=handle, name=path.name, password=expected.password
        ).document
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == expected.status, document.error
    assert document.page_count == expected.pages
    pages = list(document.pages.order_by("number"))
    if expected.status == Document.Status.DONE:
        assert len(pages) == expected.pages
    text = _folded("\n".join(page.text for page in pages))
    for phrase in expected.text:
        assert _folded(phrase) in text, (phrase, text[:2000])
    if expected.sources is not None:
        assert tuple(page.source for page in pages) == expected.sources
