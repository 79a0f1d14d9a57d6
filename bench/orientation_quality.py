"""Orientation: false turns of upright pages and true turns of turned copies, before and after.

Usage::

    python -m bench.orientation_quality            # about 3 minutes on 2 cores

Pages: every whole page of ``tesseract_test``, ``tapuscorpus_fr`` and ``ocrd_de`` (the
upside-down phototest copy left out) plus a rendered Chinese page, each clean and degraded
as ``tests/ocr/degrade.py`` makes it (speckle, fax, stamps, margin numbers, handwriting, all
at once). Upright: every copy must give 0 (a false turn otherwise). Turned: the clean and the
speckled copy turned by 90, 180 and 270 must come back. "before" is the ink profile alone
(``page_geometry(mask)``, what the library did before the line classifier), "after" what
``detect_orientation`` does now. Time: the decision's mean milliseconds per page, and as a
share of the default engine's own time on the clean pages (the issue's limit: 5 %).
The reference each answer is checked against is the copy's known turn.

A second table checks the decision the page pipeline takes (``ocr.prepare.straighten_plan``)
on the test data as it is, undamaged: every line image of ``ocrd_dta_lines_de`` and
``uw3_lines_en`` (upright: must not turn), the upside-down phototest copy, and the PDFs whose
pages lie turned (``REAL_PDF_TURNS``: the turn each page needs, checked by eye once).
``--no-engine`` skips timing the engine (the time columns then show milliseconds only).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from bench.ocr_quality import TESTDATA
from ocr.deskew import ink_mask
from ocr.engines import get_engine
from ocr.files import open_document
from ocr.orientation import detect_orientation, page_geometry
from ocr.prepare import prepare, straighten_plan, to_rgb
from tests.ocr.degrade import DEGRADATIONS, all_degradations, cjk_page, degrade
from tests.ocr.test_orientation import CHINESE

FOLDERS = ("tesseract_test", "tapuscorpus_fr", "ocrd_de")
TURNS = ((Image.Transpose.ROTATE_90, 270), (Image.Transpose.ROTATE_180, 180),
         (Image.Transpose.ROTATE_270, 90))  # fmt: skip


#: PDFs of the test data (under ``pdfs/``) and the turn (counterclockwise) each page needs to be
#: upright, seen on the rendered pages: ``cardinal.pdf`` is one page at 0/90/180/270,
#: ``rotated.pdf`` alternates, the others are upright once their /Rotate is applied.
REAL_PDF_TURNS: dict[str, tuple[int, ...]] = {
    "ocrmypdf/cardinal.pdf": (0, 90, 180, 270),
    "paperless/rotated.pdf": (90, 180, 270, 0),
    "dinglehopper/lorem-ipsum-scan.pdf": (0,),
    "ocrmypdf/skew.pdf": (0,),
    "ocrmypdf/rotated_skew.pdf": (0,),
}
LINE_SETS = ("ocrd_dta_lines_de", "uw3_lines_en")


def real_items(root: Path) -> list[tuple[str, str, Image.Image, int]]:
    """``(group, name, image, turn it needs)`` for the second table."""
    items: list[tuple[str, str, Image.Image, int]] = []
    for folder in LINE_SETS:
        for path in sorted((root / folder).iterdir()):
            if path.suffix in {".tif", ".png", ".jpg"}:
                items.append((f"{folder} (lines)", path.name, to_rgb(Image.open(path)), 0))
    turned = root / "tesseract_test" / "phototest-rotated-180.png"
    items.append(("tesseract_test upside down", turned.name, to_rgb(Image.open(turned)), 180))
    for name, turns in REAL_PDF_TURNS.items():
        document = open_document(root / "pdfs" / name)
        for index, turn in enumerate(turns):
            image = to_rgb(document.page(index))
            items.append(("pdfs", f"{name} p{index + 1}", image, turn))
    return items


def real_table(root: Path) -> None:
    """The second table (see the module docstring)."""
    groups: dict[str, list[int]] = {}  # group -> [items, right, false turns of upright ones]
    for group, name, image, want in real_items(root):
        got = straighten_plan(image)[0]
        counts = groups.setdefault(group, [0, 0, 0])
        counts[0] += 1
        counts[1] += got == want
        counts[2] += want == 0 and got != 0
        if got != want:
            print(f"  pipeline: {name} turned by {got}, needs {want}", file=sys.stderr)
    print("\n## The pipeline's turn on the test data as it is\n")
    print("| items | n | right turn (or none) | false turns of upright items |")
    print("|---|---:|---:|---:|")
    for group, (count, right, false) in groups.items():
        print(f"| {group} | {count} | {right}/{count} | {false} |")


def before(image: Image.Image) -> int:
    """The ink-profile decision alone (the library before the line classifier)."""
    return page_geometry(ink_mask(image))[0]


def pages(root: Path) -> list[tuple[str, Image.Image]]:
    found = [
        (path.name, to_rgb(Image.open(path)))
        for folder in FOLDERS
        for path in sorted((root / folder).iterdir())
        if path.suffix in {".tif", ".jpg", ".jpeg"} and "rotated" not in path.name
    ]
    return [*found, ("chinese (rendered)", cjk_page(CHINESE * 3))]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    # --no-engine: skip timing the engine on each clean page (the orientation figures are the
    # same; the time columns then show milliseconds only). Saves most of the run's CPU.
    with_engine = "--no-engine" not in args
    if "--real-only" in args:  # only the second table (seconds, not minutes)
        real_table(TESTDATA)
        return 0
    methods: dict[str, Callable[[Image.Image], int]] = {
        "before": before,
        "after": detect_orientation,
    }
    upright = {name: [0, 0] for name in methods}  # false turns, copies
    turned = {name: [0, 0] for name in methods}  # right turns, copies
    cjk_turned = {name: [0, 0] for name in methods}
    seconds: dict[str, list[float]] = {name: [] for name in methods}
    engine_seconds: list[float] = []
    engine = get_engine()
    for name, page in pages(TESTDATA):
        if with_engine:
            engine_seconds.append(engine.recognize(prepare(page, orient=False)).seconds)
        for damage in ["clean", *DEGRADATIONS, "all"]:
            if damage == "clean":
                copy = page
            else:
                copy = all_degradations(page) if damage == "all" else degrade(page, damage)
            for method, decide in methods.items():
                started = time.perf_counter()
                rotation = decide(copy)
                seconds[method].append(time.perf_counter() - started)
                upright[method][0] += rotation != 0
                upright[method][1] += 1
                if rotation:
                    print(f"  {method}: {name} {damage} turned by {rotation}", file=sys.stderr)
                if damage not in ("clean", "speckle"):
                    continue
                for transpose, want in TURNS:
                    right = decide(copy.transpose(transpose)) == want
                    counts = cjk_turned if name.startswith("chinese") else turned
                    counts[method][0] += right
                    counts[method][1] += 1
    page_time = statistics.fmean(engine_seconds) if engine_seconds else float("nan")
    print("## Orientation (false turns: lower is better; true turns: higher is better)\n")
    print("| method | false turns, upright copies | true turns, turned copies "
          "| of them CJK | ms/page | share of engine time | added to a page |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    base_ms = statistics.fmean(seconds["before"]) * 1000
    for method in methods:
        (bad, total), (good, count) = upright[method], turned[method]
        cjk_good, cjk_count = cjk_turned[method]
        ms = statistics.fmean(seconds[method]) * 1000
        print(
            f"| {method} | {bad}/{total} ({bad / total:.1%}) | {good}/{count} ({good / count:.1%}) "
            f"| {cjk_good}/{cjk_count} | {ms:.0f} | {ms / 1000 / page_time:.1%} "
            f"| {(ms - base_ms) / 1000 / page_time:.1%} |"
        )
    print(f"\n(default engine: {engine.name}, mean {page_time:.2f} s per clean page)")
    real_table(TESTDATA)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
