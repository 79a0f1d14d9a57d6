"""Command line: ``python -m ocr FILE... [--lang en,fr] [--engine NAME] [--jobs N]
[--format text|jsonl|hocr|alto] [--output-dir DIR]``.

Files are read in parallel in a process pool (``--jobs`` workers, default one per CPU; each
holds its own engine models, about 0.8 GB with RapidOCR) and printed in the order given, each
as soon as it and those before it are done:

- ``text`` (default): each file's text, under a ``==> FILE <==`` header when there are several.
- ``jsonl``: one JSON object per line and per file: ``path``, ``engine``, ``languages``,
  ``text``, ``pages`` (``number``, ``text``, ``confidence``, ``engine``, ``width``, ``height``,
  ``seconds``, ``evaluation``, ``words``: ``text``, ``box`` ``[x0, y0, x1, y1]`` in the
  page's ``width`` x ``height`` pixels, ``confidence``) and ``error`` (``null`` or the message).
  ``--json`` is the same.
- ``hocr`` / ``alto``: the file as an hOCR (XHTML) or ALTO XML 4 document with every word's box
  (``ocr.interchange``). One file is printed; several need ``--output-dir``, where each is
  written as ``NAME.hocr`` or ``NAME.alto.xml`` (``NAME`` the input's name, its suffix kept).

A file that cannot be read gets one ``FILE: message`` line on stderr and the others go on.
With several files and stderr on a terminal, a progress bar is drawn there. Exit status: 0
all read, 1 some file failed, 2 usage error (bad option, unknown engine or language), 130
interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
from collections.abc import Sequence
from concurrent.futures import Executor
from contextlib import aclosing
from pathlib import Path
from typing import Any, TextIO

from ocr.api import DEFAULT_ENGINE, Outcome, aextract_as_completed, engine_name
from ocr.engines import available_engines
from ocr.errors import EngineUnavailable, OcrError, UnsupportedLanguage
from ocr.interchange import FORMATS, to_alto, to_hocr
from ocr.pool import make_pool, shared_pool, shutdown_now
from ocr.types import DocumentResult, PageResult

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    # "en,fr" or Tesseract's "en+fr": the same two languages, the first primary.
    codes = (code for value in args.lang or () for code in value.replace("+", ",").split(","))
    languages = [code for code in codes if code.strip()] or None
    files: list[str] = args.files
    if args.format in FORMATS and len(files) > 1 and args.output_dir is None:
        parser.error(f"--format {args.format} with several files needs --output-dir DIR")
    if args.output_dir is not None and args.format not in FORMATS:
        parser.error("--output-dir is for --format hocr or alto")
    executor = make_pool(min(args.jobs, len(files))) if args.jobs else None
    output = _Output(
        files, engine_name(args.engine), languages, fmt=args.format, output_dir=args.output_dir
    )
    try:
        asyncio.run(_read(files, args.engine, languages, args.jobs, executor, output))
    except (EngineUnavailable, UnsupportedLanguage) as exc:
        parser.error(str(exc))  # exits with status 2
    except KeyboardInterrupt:
        shutdown_now(executor or shared_pool())
        output.progress.clear()
        return EXIT_INTERRUPTED
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    return EXIT_FAILED if output.failed else EXIT_OK


async def _read(
    files: list[str],
    engine: str,
    languages: list[str] | None,
    jobs: int | None,
    executor: Executor | None,
    output: _Output,
) -> None:
    stream = aextract_as_completed(
        files, engine=engine, languages=languages, concurrency=jobs, executor=executor
    )
    async with aclosing(stream):
        async for index, outcome in stream:
            output.add(index, outcome)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ocr",
        description="Read the text of scanned images and PDFs.",
        epilog="Exit status: 0 all files read, 1 some file failed, 2 usage error, 130 interrupted.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="image or PDF files")
    parser.add_argument(
        "--lang",
        action="append",
        metavar="CODES",
        help="ISO 639-1 languages of the text, the first primary: comma- or plus-separated "
        "(en,fr or en+fr) or repeated (default: the engine's own)",
    )
    parser.add_argument(
        "--engine",
        default=DEFAULT_ENGINE,
        metavar="NAME",
        help=f"OCR engine, one of: {', '.join(_engine_choices())} (default {DEFAULT_ENGINE}: "
        "the best measured for the language, where installed)",
    )
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="files read at once, one process each (default: one per CPU)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "jsonl", *FORMATS),
        default="text",
        help="text (default); jsonl: one JSON object per file with pages, words and boxes; "
        "hocr or alto: the standard OCR formats, words with boxes",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="with --format hocr or alto: write one file per input into DIR (it must exist)",
    )
    parser.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="jsonl",
        help="same as --format jsonl",
    )
    return parser


def _engine_choices() -> list[str]:
    # "auto" always works: it falls back to rapidocr where the auto engine is not installed.
    return list(dict.fromkeys([DEFAULT_ENGINE, *available_engines()]))


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


class _Output:
    """Prints outcomes in input order as they arrive out of order, and draws the progress."""

    def __init__(
        self,
        files: list[str],
        engine: str,
        languages: list[str] | None,
        *,
        fmt: str,
        output_dir: Path | None,
    ) -> None:
        self.files = files
        self.engine = engine
        self.languages = languages
        self.jsonl = fmt == "jsonl"
        self.fmt = fmt
        self.output_dir = output_dir
        self.failed = False
        self.progress = Progress(len(files), sys.stderr, enabled=len(files) > 1)
        self._waiting: dict[int, Outcome] = {}
        self._next = 0
        self._printed_text = False

    def add(self, index: int, outcome: Outcome) -> None:
        self._waiting[index] = outcome
        self.progress.clear()
        while self._next in self._waiting:
            self._print(self.files[self._next], self._waiting.pop(self._next))
            self._next += 1
        sys.stdout.flush()
        self.progress.step(self.files[index])

    def _print(self, path: str, outcome: Outcome) -> None:
        if isinstance(outcome, Exception):
            self.failed = True
            print(f"{path}: {describe(outcome)}", file=sys.stderr)
        if self.jsonl:
            print(json.dumps(self._record(path, outcome), ensure_ascii=False))
        elif isinstance(outcome, DocumentResult) and self.fmt in FORMATS:
            self._write_document(path, outcome)
        elif isinstance(outcome, DocumentResult):
            if len(self.files) > 1:
                print(f"\n==> {path} <==" if self._printed_text else f"==> {path} <==")
            print(outcome.text)
            self._printed_text = True

    def _write_document(self, path: str, result: DocumentResult) -> None:
        """The hOCR/ALTO document of one file: to stdout, or into ``output_dir``."""
        write = to_hocr if self.fmt == "hocr" else to_alto
        data = write(result.pages, source_name=Path(path).name)
        if self.output_dir is None:
            sys.stdout.write(data.decode("utf-8"))
            return
        target = self.output_dir / (Path(path).name + FORMATS[self.fmt][1])
        try:
            target.write_bytes(data)
        except OSError as exc:
            self.failed = True
            print(f"{target}: {describe(exc)}", file=sys.stderr)

    def _record(self, path: str, outcome: Outcome) -> dict[str, Any]:
        if isinstance(outcome, Exception):
            return {
                "path": path,
                "engine": self.engine,
                "languages": self.languages or [],
                "text": None,
                "pages": [],
                "error": describe(outcome),
            }
        # Without --lang the engine chose: report what the pages were read with.
        used = self.languages or list(dict.fromkeys(c for p in outcome.pages for c in p.languages))
        return {
            "path": path,
            "engine": self.engine,
            "languages": used,
            "text": outcome.text,
            "pages": [page_json(number, page) for number, page in enumerate(outcome.pages, 1)],
            "error": None,
        }


def page_json(number: int, page: PageResult) -> dict[str, Any]:
    """One page as the ``jsonl`` format prints it (``number`` is 1-based)."""
    return {
        "number": number,
        "text": page.text,
        "confidence": round(page.confidence, 4),
        "engine": page.engine,
        "width": page.width,
        "height": page.height,
        "seconds": round(page.seconds, 3),
        "evaluation": page.evaluation,
        "words": [
            {"text": w.text, "box": list(w.box), "confidence": round(w.confidence, 4)}
            for w in page.words
        ],
    }


class Progress:
    """``[#####-----] done/total name`` on one line of ``stream``, redrawn in place.

    Drawn only when ``enabled`` and ``stream`` is a terminal: in a log or a pipe the carriage
    returns would be noise. ``clear`` it before printing anything else to the same terminal.
    """

    WIDTH = 24

    def __init__(self, total: int, stream: TextIO, *, enabled: bool = True) -> None:
        self.total = total
        self.done = 0
        self.stream = stream
        self.enabled = enabled and stream.isatty()
        self._drawn = False

    def step(self, name: str) -> None:
        """Count one more item done (``name``) and redraw."""
        self.done += 1
        if not self.enabled:
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        bar = f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {self.done}/{self.total} "
        room = shutil.get_terminal_size().columns - len(bar) - 1
        label = name if len(name) <= room else "..." + name[-max(room - 3, 0) :]
        self.stream.write("\r\x1b[K" + bar + (label if room > 1 else ""))
        self._drawn = True
        if self.done >= self.total:
            self.stream.write("\n")
            self._drawn = False
        self.stream.flush()

    def clear(self) -> None:
        """Erase the bar, if drawn, so other output starts on a clean line."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn = False


def describe(error: Exception) -> str:
    """A one-line message for a person: the ``OcrError`` text, or a short ``OSError`` reason."""
    if isinstance(error, OcrError):
        return str(error)
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, IsADirectoryError):
        return "is a directory, not a file"
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return f"unexpected error: {error!r}"
