"""Peak memory of a searchable-PDF build and of the worker's OCR read for one huge page.

Issue 15, item 5: a 657 KB PNG of 13000 x 13000 px made the web server use 2.75 GB when its
searchable PDF was first downloaded. The build now runs in the worker; this measures what it
(and the OCR read of the same page) costs there. Each step runs in a fresh child process
(``ru_maxrss`` is the peak of that process alone), for a grey and an RGB page.

Checked beside the memory: the PDF has one page with the given word in its text layer
(pdftotext), and the OCR read finds the text drawn on the page.

    .venv/bin/python -m bench.export_memory [--side 13000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

LINE = "Invoice line amount due 1234"

_CHILD = r"""
import io, json, resource, sys, time
from pathlib import Path
step, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
started = time.perf_counter()
if step == "build":
    from PIL import Image
    from ocr.prepare import DEFAULT_MAX_SIDE, limited_size
    from ocr.searchable_pdf import PageText, build
    from ocr.types import Word
    with Image.open(path) as header:  # the declared size: no pixels decoded
        size = limited_size(header.size, DEFAULT_MAX_SIDE)
    words = ((Word("Checked", (100, 100, 700, 160), 1.0),),)
    with open(path, "rb") as source, open(out, "wb") as target:
        outcome = build(source, [PageText(lines=words, size=size)], target)
    answer = outcome
else:
    from ocr.engines import get_engine
    from ocr.pagetext import read_page
    from ocr.files import open_document
    with open_document(path) as opened:
        _image, result = read_page(opened, 0, engine=get_engine("tesseract"))
    answer = result.text
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"peak_mb": peak, "seconds": time.perf_counter() - started, "answer": answer}))
"""


def _page(path: Path, side: int, mode: str) -> None:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(40, side // 65))
    for row in range(8):
        draw.text((side // 26, side // 16 + row * side // 9), LINE, fill=0, font=font)
    (image if mode == "L" else image.convert("RGB")).save(path, optimize=True)


def _run(step: str, path: Path, out: Path) -> dict[str, object]:
    # The child imports ``ocr`` from this checkout (the current directory), not elsewhere.
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, step, str(path), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--side", type=int, default=13000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for mode in ("L", "RGB"):
            path = Path(folder) / f"page-{mode}.png"
            _page(path, args.side, mode)
            out = Path(folder) / f"page-{mode}.pdf"
            built = _run("build", path, out)
            text = subprocess.run(
                ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
            ).stdout
            rows.append((mode, path.stat().st_size, "build", built, "Checked" in text))
            read = _run("read", path, out)
            rows.append(
                (mode, path.stat().st_size, "OCR read", read, "Invoice" in str(read["answer"]))
            )
    print(f"{args.side} x {args.side} px PNG, one page")
    print(f"{'mode':<5} {'file KB':>8} {'step':<9} {'peak RSS MB':>12} {'seconds':>8}  answer")
    for mode, size, step, result, ok in rows:
        print(
            f"{mode:<5} {size // 1024:>8} {step:<9} {result['peak_mb']:>12} "
            f"{float(result['seconds']):>8.1f}  {'ok' if ok else 'WRONG'}"  # type: ignore[arg-type]
        )
    if not all(ok for *_, ok in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
