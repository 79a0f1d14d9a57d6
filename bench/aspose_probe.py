"""Measure the Aspose engine on phototest: load time, seconds per page, text quality.

Run: ``ASPOSE_OPENSSL11_DIR=... python -m bench.aspose_probe [PAGES...]``. Prints one line per
page with its seconds, whether it ran in evaluation mode, the character error rate and the
share of the reference words found, against the ``.gt.txt`` beside each image.
"""

from __future__ import annotations

import re
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

from PIL import Image

from ocr.engines import get_engine
from ocr.engines.aspose import EvaluationModeWarning

DEFAULT_PAGES = [Path("../shared/testdata/tesseract_test/phototest.tif")]


def cer(reference: str, found: str) -> float:
    """Levenshtein distance over the reference length, on whitespace-normalised text."""
    a, b = " ".join(reference.split()), " ".join(found.split())
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1] / max(len(a), 1)


def recall(reference: str, found: str) -> float:
    """Share of the reference's words (lower case, with repeats) found in ``found``."""
    ref = Counter(w.lower() for w in re.findall(r"\w+", reference))
    got = Counter(w.lower() for w in re.findall(r"\w+", found))
    return sum((ref & got).values()) / max(sum(ref.values()), 1)


def main(paths: list[Path]) -> None:
    started = time.perf_counter()
    engine = get_engine("aspose")
    print(f"load {time.perf_counter() - started:.1f} s")
    warnings.simplefilter("ignore", EvaluationModeWarning)
    for path in paths:
        with Image.open(path) as image:
            result = engine.recognize(image.convert("RGB"))
        reference = path.with_name(path.stem + ".gt.txt").read_text(encoding="utf-8")
        quality = f"CER {cer(reference, result.text):.3f}, "
        quality += f"word recall {recall(reference, result.text):.3f}"
        print(
            f"{path.name}: {result.seconds:.1f} s, evaluation={result.evaluation}, {quality}, "
            f"{len(result.text)} of {len(reference)} characters"
        )


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]] or DEFAULT_PAGES)
