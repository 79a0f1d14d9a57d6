"""Does confidence predict errors? Page and word confidence before and after calibration.

Usage::

    python -m bench.confidence_quality                    # every page and line, rapidocr
    python -m bench.confidence_quality --limit 20 --engine tesseract
    python -m bench.confidence_quality --limit 16 --save raw.pkl   # keep the engine's results
    python -m bench.confidence_quality --load raw.pkl              # re-score them, no OCR

Each item of the test data (``manifest.tsv``) is prepared and read once; "before" is the
engine's own confidence, "after" the same result through ``ocr.confidence.calibrated``. Scored
against the ground truth (``ocr.scoring``): a page is bad when its CER is above 5 %, a word is
misread when it is not among the reference's words (order-free, each reference word matched
once). Reported: the area under the ROC curve of low confidence for bad pages and misread
words (0.5: no better than chance, 1.0: perfect), and the review threshold's catch rate (bad
pages below it) and false-alarm rate (good pages below it).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from bench.ocr_quality import SETS, TESTDATA, languages_for, manifest
from ocr.confidence import calibrated
from ocr.engines import get_engine
from ocr.layout import reading_order
from ocr.prepare import prepare
from ocr.scoring import cer, normalise, strip_unreadable, words
from ocr.types import PageResult

#: A page whose character error rate is above this is bad (the issue's "CER > 5 %").
BAD_CER = 0.05
#: The archive's default ``REVIEW_CONFIDENCE_THRESHOLD``.
REVIEW_THRESHOLD = 0.8


def auroc(scores: Sequence[float], positives: Sequence[bool]) -> float:
    """Area under the ROC curve of ``scores`` for ``positives`` (higher score = more likely
    positive), ties counted half: the Mann-Whitney statistic. NaN without both classes."""
    values = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(positives, dtype=bool)
    positive, negative = values[labels], values[~labels]
    if not len(positive) or not len(negative):
        return float("nan")
    greater = (positive[:, None] > negative[None, :]).sum()
    ties = (positive[:, None] == negative[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positive) * len(negative)))


def _row(name: str, rows: list[tuple[float, float, bool]]) -> str:
    """One table row for ``rows`` of (confidence before, after, bad)."""
    flags = [row[2] for row in rows]
    bad_count = sum(flags)
    good_count = len(flags) - bad_count
    cells = [f"| {name} | {len(rows)} | {bad_count}"]
    for column in (0, 1):
        cells.append(f"{auroc([-row[column] for row in rows], flags):.3f}")
    caught, alarms = [], []
    for column in (0, 1):
        low = [row[column] < REVIEW_THRESHOLD for row in rows]
        caught.append(sum(lo and b for lo, b in zip(low, flags, strict=True)) / max(1, bad_count))
        alarms.append(
            sum(lo and not b for lo, b in zip(low, flags, strict=True)) / max(1, good_count)
        )
    cells += [f"{caught[0]:.0%}", f"{caught[1]:.0%}", f"{alarms[0]:.0%}", f"{alarms[1]:.0%} |"]
    return " | ".join(cells)


def misread(result: PageResult, truth: str) -> list[bool]:
    """For each word of ``result``, whether it is missing from the reference's words."""
    left = Counter(words(truth))
    flags = []
    for word in result.words:
        text = normalise(word.text)
        if left[text] > 0:
            left[text] -= 1
            flags.append(False)
        else:
            flags.append(True)
    return flags


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument("--limit", type=int, default=None, help="at most N items per set")
    parser.add_argument("--save", type=Path, default=None, help="pickle the raw results here")
    parser.add_argument(
        "--load", type=Path, default=None, help="score results saved by --save (no OCR)"
    )
    args = parser.parse_args(argv)
    saved: list[tuple[str, str, PageResult, tuple[str, ...]]] = []
    if args.load is not None:
        saved = pickle.loads(args.load.read_bytes())
    else:
        engine = get_engine(args.engine)
        for item in manifest(TESTDATA, [s for s in args.sets.split(",") if s], args.limit):
            truth = strip_unreadable(item.truth.read_text(encoding="utf-8"))
            with Image.open(item.image) as image:
                prepared = prepare(image)
            codes = languages_for(args.engine, item.languages)
            raw = reading_order(engine.recognize(prepared, languages=codes))
            # The page's languages as the manifest gives them: what a user picks on upload.
            saved.append((item.set, truth, raw, item.languages))
            print(f"  {item.image.name}: {raw.confidence:.3f}", file=sys.stderr, flush=True)
    if args.save is not None:
        args.save.write_bytes(pickle.dumps(saved))
    pages: list[tuple[str, float, float, bool]] = []  # set, before, after, bad
    word_rows: list[tuple[float, float, bool]] = []  # before, after, misread
    for set_name, truth, raw, languages in saved:
        after = calibrated(raw, languages)
        page_bad = cer(raw.text, truth) > BAD_CER
        pages.append((set_name, raw.confidence, after.confidence, page_bad))
        for old, new, wrong in zip(raw.words, after.words, misread(raw, truth), strict=True):
            word_rows.append((old.confidence, new.confidence, wrong))
    engine_name = saved[0][2].engine if saved else args.engine
    print(f"## Confidence against errors ({engine_name}, {len(pages)} pages and lines)\n")
    print(
        "| items | n | bad / misread | AUROC before | AUROC after "
        f"| caught < {REVIEW_THRESHOLD} before | after | false alarms before | after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    groups = {s: [p for p in pages if p[0] == s] for s in dict.fromkeys(p[0] for p in pages)}
    for name, rows in [*groups.items(), ("all pages and lines", pages)]:
        print(_row(name, [(row[1], row[2], row[3]) for row in rows]))
    misreads = [row[2] for row in word_rows]
    word_before = auroc([-row[0] for row in word_rows], misreads)
    word_after = auroc([-row[1] for row in word_rows], misreads)
    print(
        f"| words | {len(word_rows)} | {sum(misreads)} | {word_before:.3f} | {word_after:.3f} "
        "| | | | |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
