"""Command line: ``python -m ocr FILE... [--engine NAME] [--lang CODE] [--json] [--jobs N]``.

Prints each file's text (with a ``==> FILE <==`` header when there are several), or with
``--json`` one JSON array of ``{"file", "pages": [{"text", "confidence", "seconds", "width",
"height", "words": [{"text", "box", "confidence"}]}]}``. A file that cannot be read gets one
``FILE: message`` line on stderr and the others go on. Exit status: 0 all read, 1 some file
failed, 2 usage error (bad option, unknown engine or language).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any

from ocr.api import aextract_many
from ocr.engines import DEFAULT_ENGINE, available_engines, check_languages, get_engine
from ocr.errors import OcrError
from ocr.types import DocumentResult, PageResult


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    languages = [code for value in args.lang or ["en"] for code in value.split(",")]
    try:
        engine = get_engine(args.engine)
        codes = check_languages(engine, languages)
    except OcrError as exc:
        parser.error(str(exc))  # exits with status 2
    files: list[str] = args.files
    outcomes = asyncio.run(
        aextract_many(
            files, concurrency=args.jobs, return_exceptions=True, engine=engine, languages=codes
        )
    )
    if args.json:
        _print_json(files, outcomes)
    else:
        _print_text(files, outcomes)
    return 1 if any(isinstance(outcome, Exception) for outcome in outcomes) else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m ocr",
        description="Read the text of scanned images and PDFs.",
        epilog="Exit status: 0 all files read, 1 some file failed, 2 usage error.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="image or PDF files")
    parser.add_argument(
        "--engine",
        default=DEFAULT_ENGINE,
        help=f"OCR engine (installed: {', '.join(available_engines()) or 'none'}; "
        f"default {DEFAULT_ENGINE})",
    )
    parser.add_argument(
        "--lang",
        action="append",
        metavar="CODE",
        help="ISO 639-1 language of the text, repeatable or comma-separated (default en)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON with words and boxes")
    parser.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="files read at once (default: number of CPUs)",
    )
    return parser


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def _print_text(files: list[str], outcomes: Sequence[DocumentResult | Exception]) -> None:
    several = len(files) > 1
    printed = False
    for file, outcome in zip(files, outcomes, strict=True):
        if isinstance(outcome, Exception):
            _report(file, outcome)
            continue
        if several:
            if printed:
                print()
            print(f"==> {file} <==")
        print(outcome.text)
        printed = True


def _print_json(files: list[str], outcomes: Sequence[DocumentResult | Exception]) -> None:
    documents: list[dict[str, Any]] = []
    for file, outcome in zip(files, outcomes, strict=True):
        if isinstance(outcome, Exception):
            _report(file, outcome)
        else:
            documents.append({"file": file, "pages": [_page_json(p) for p in outcome.pages]})
    json.dump(documents, sys.stdout, ensure_ascii=False, indent=2)
    print()


def _page_json(page: PageResult) -> dict[str, Any]:
    return {
        "text": page.text,
        "confidence": round(page.confidence, 4),
        "seconds": round(page.seconds, 3),
        "width": page.width,
        "height": page.height,
        "words": [
            {"text": w.text, "box": list(w.box), "confidence": round(w.confidence, 4)}
            for w in page.words
        ],
    }


def _report(file: str, error: Exception) -> None:
    print(f"{file}: {_describe(error)}", file=sys.stderr)


def _describe(error: Exception) -> str:
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
