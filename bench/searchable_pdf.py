"""Searchable PDF build time per page and size against the original, on real test scans.

Each file is read once the way the worker reads it (``ocr.pagetext.read_page``, RapidOCR; not
timed), then its searchable PDF is built ``--rounds`` times (``ocr.searchable_pdf.build``) and
the median is reported per page, with the PDF's size as a ratio of the original's and what
became of the pages. Figures are ratios and times within one run on this machine.

    .venv/bin/python -m bench.searchable_pdf [--rounds 3] [--testdata ../shared/testdata]
"""

from __future__ import annotations

import argparse
import collections
import io
import statistics
import time
from pathlib import Path

from ocr.engines import get_engine
from ocr.searchable_pdf import build, read_pages

#: (label, path under the test data): a JPEG photo, a phone photo stored sideways (EXIF 6),
#: a multi-page TIFF, scanned PDFs (JBIG2 turned four ways, a skewed page, a JPEG book page).
FILES = [
    ("JPEG typewritten page", "tapuscorpus_fr/AN_96AP_FRAN_0150_0159.jpg"),
    ("JPEG photo, EXIF sideways", "extras_no_gt/page_dewarp_linguistics_thesis_a.jpg"),
    ("JPEG-in-TIFF Fraktur page", "ocrd_de/kant_aufklaerung_1784_0017.tif"),
    ("bitonal G4 TIFF", "tesseract_test/phototest.tif"),
    ("multi-page TIFF (RGBA)", "pdfs/paperless/multi-page-images-alpha-rgb.tiff"),
    ("scanned PDF, 4 turned pages", "pdfs/ocrmypdf/cardinal.pdf"),
    ("scanned PDF, skewed", "pdfs/ocrmypdf/skew.pdf"),
    ("scanned PDF, book page", "pdfs/ocrmypdf/c02-22.pdf"),
    ("PDF 3 scans + 3 born-digital", "pdfs/paperless/multi-page-mixed.pdf"),
]


def measure(path: Path, rounds: int) -> tuple[int, float, float, str]:
    pages = read_pages(path, engine=get_engine("rapidocr"))
    times, size, outcomes = [], 0, []
    for _ in range(rounds):
        out = io.BytesIO()
        with path.open("rb") as source:
            started = time.perf_counter()
            outcomes = build(source, pages, out)
            times.append(time.perf_counter() - started)
        size = len(out.getvalue())
    counts = collections.Counter(outcomes)
    what = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    return len(pages), statistics.median(times) / len(pages), size / path.stat().st_size, what


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--testdata", type=Path, default=Path("../shared/testdata"))
    args = parser.parse_args()
    print("| input | file | pages | build s/page (median) | size ÷ original | pages became |")
    print("|---|---|---:|---:|---:|---|")
    for label, relative in FILES:
        path = args.testdata / relative
        if not path.is_file():
            print(f"| {label} | {relative} | missing | | | |")
            continue
        count, per_page, ratio, what = measure(path, args.rounds)
        print(f"| {label} | {path.name} | {count} | {per_page:.2f} | {ratio:.2f} | {what} |")


if __name__ == "__main__":
    main()
