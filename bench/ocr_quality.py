"""OCR quality and speed of every available engine on the real scans in ``../shared/testdata``.

Usage::

    python -m bench.ocr_quality                       # everything (about 15 minutes, 2 cores)
    python -m bench.ocr_quality --limit 3 --sets uw3_lines_en --engines tesseract,auto
    python -m bench.ocr_quality --jobs 0              # skip the throughput measurement

Every page goes through the library's whole pipeline (``ocr.api.recognize``: decoding,
preparation, the engine, reading order), so the figures are what a user gets. Scoring is
``ocr.scoring`` (the rules of the test data's README). Printed as Markdown tables:

- per set and engine: files, median and mean character error rate, mean bag-of-words F1,
  seconds per page (pipeline wall time), library overhead (pipeline time minus decoding minus
  the engine's own ``PageResult.seconds``, as % of the latter: preparation, reading order and
  result building) and decoding (reading the file into pixels, which using an engine directly
  needs as well, timed apart on the same file just before, as % of engine time);
- throughput in pages per minute with 1 and ``--jobs`` worker processes, each loading its
  engine once, on a fixed subset of pages taken ``THROUGHPUT_ROUNDS`` times, largest file
  first (so that no process idles at the end while the other reads a large page). Each
  process's RapidOCR gets cores // processes onnxruntime threads, as the library's pool gives
  it, or ``--threads N`` each: then a process is the same process in both runs and the ratio
  shows how the work spreads over processes.

``--trust`` adds ``bench.orientation_quality`` (false turns of upright pages, true turns of
turned copies, before and after the line classifier, and its time) and
``bench.confidence_quality`` (AUROC of page and word confidence for errors, review catch and
false-alarm rates, before and after calibration).

Languages: each page is read with the manifest's languages that the engine has; an engine
that has none of them is given no language ("any it reads"), as a user would run it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from PIL import Image

from ocr.api import recognize
from ocr.engines import available_engines, get_engine
from ocr.errors import OcrError
from ocr.scoring import bag_of_words_f1, cer, strip_unreadable

TESTDATA = Path(
    os.environ.get("SCAN_ARCHIVE_TESTDATA", Path(__file__).resolve().parents[2] / "shared/testdata")
)
SETS = ("tesseract_test", "tapuscorpus_fr", "ocrd_de", "ocrd_dta_lines_de", "uw3_lines_en")
#: The fixed throughput subset: whole pages of several kinds (name prefixes in their sets).
THROUGHPUT_PAGES = (
    ("tesseract_test", "phototest.tif"),
    ("tesseract_test", "eurotext.tif"),
    ("tesseract_test", "8087_054.3B.tif"),
    ("tapuscorpus_fr", "AN_96AP_FRAN_0150_0159.jpg"),
    ("tapuscorpus_fr", "europeana_giono_colline_II_btv1b10515736n_305.jpeg"),
    ("tapuscorpus_fr", "btv1b525062185_0.jpg"),
    ("ocrd_de", "dinglehopper_462875_0008.jpg"),
    ("tapuscorpus_fr", "europeana_oulipo_btv1b100100090_11.jpeg"),
)
#: How many times the throughput pages are read in one measurement.
THROUGHPUT_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Item:
    set: str
    image: Path
    truth: Path
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Score:
    cer: float
    f1: float
    wall: float  # pipeline seconds, including decoding
    decode_seconds: float  # reading the file into pixels, timed apart
    engine_seconds: float
    used: str  # the engine that read the page (differs from the one asked for with "auto")


def manifest(root: Path, sets: Sequence[str], limit: int | None) -> list[Item]:
    """The manifest's items of ``sets``, at most ``limit`` per set, in manifest order."""
    items: list[Item] = []
    with (root / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["set"] not in sets:
                continue
            if limit is not None and sum(i.set == row["set"] for i in items) >= limit:
                continue
            folder = root / row["set"]
            languages = tuple(code.strip() for code in row["lang"].split(",") if code.strip())
            items.append(
                Item(row["set"], folder / row["image"], folder / row["ground_truth"], languages)
            )
    return items


def languages_for(engine: str, wanted: tuple[str, ...]) -> tuple[str, ...]:
    """The codes of ``wanted`` that ``engine`` reads."""
    have = get_engine(engine).languages
    return tuple(code for code in wanted if code in have)


def score(engine: str, item: Item) -> Score:
    """Read ``item`` with ``engine`` through the whole pipeline and score it."""
    truth = strip_unreadable(item.truth.read_text(encoding="utf-8"))
    decode_seconds = decode(item.image)
    started = time.perf_counter()
    result = recognize(item.image, engine=engine, languages=languages_for(engine, item.languages))
    wall = time.perf_counter() - started
    text = result.text
    return Score(
        cer=cer(text, truth),
        f1=bag_of_words_f1(text, truth),
        wall=wall,
        decode_seconds=decode_seconds,
        engine_seconds=sum(page.seconds for page in result.pages),
        used="+".join(sorted({page.engine for page in result.pages})),
    )


def decode(path: Path) -> float:
    """Seconds to read every frame of the image file ``path`` into pixels, as the pipeline's
    first step does (and as anyone calling an engine directly must)."""
    started = time.perf_counter()
    with Image.open(path) as image:
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            image.load()
    return time.perf_counter() - started


def warm_up(engine: str, language_sets: set[tuple[str, ...]]) -> None:
    """Load ``engine`` and its models for each language set before the clock runs, as a
    long-running server would have them (Tesseract loads one model per language set)."""
    blank = Image.new("RGB", (64, 32), "white")
    for languages in language_sets:
        with contextlib.suppress(OcrError):  # reported when the real pages fail
            get_engine(engine).recognize(blank, languages=languages)


def timing(scores: Sequence[Score]) -> tuple[float, float]:
    """``(overhead, decoding)`` of ``scores`` as shares of their engine time."""
    engine_time = sum(s.engine_seconds for s in scores)
    if not engine_time:
        return 0.0, 0.0
    decode_time = sum(s.decode_seconds for s in scores)
    rest = sum(s.wall for s in scores) - decode_time - engine_time
    return rest / engine_time, decode_time / engine_time


def quality_table(items: list[Item], engines: list[str]) -> list[str]:
    """A row per set and engine, then per engine one over all the pages it read."""
    every: dict[str, list[Score]] = {engine: [] for engine in engines}
    rows = [
        "| set | engine | files | median CER | mean CER | mean F1 | s/page | overhead | decoding |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for set_name in dict.fromkeys(item.set for item in items):
        for engine in engines:
            in_set = [i for i in items if i.set == set_name]
            warm_up(engine, {languages_for(engine, i.languages) for i in in_set})
            scores: list[Score] = []
            for item in in_set:
                try:
                    scores.append(score(engine, item))
                except OcrError as error:
                    print(f"  {engine} {item.image.name}: {error}", file=sys.stderr)
            if not scores:
                continue
            every[engine].extend(scores)
            overhead, decoding = timing(scores)
            used = sorted({s.used for s in scores} - {engine})
            label = f"{engine} ({', '.join(used)})" if used else engine
            rows.append(
                f"| {set_name} | {label} | {len(scores)} "
                f"| {statistics.median(s.cer for s in scores):.3f} "
                f"| {statistics.fmean(s.cer for s in scores):.3f} "
                f"| {statistics.fmean(s.f1 for s in scores):.3f} "
                f"| {statistics.fmean(s.wall for s in scores):.2f} | {overhead:.1%} "
                f"| {decoding:.1%} |"
            )
            print(rows[-1], file=sys.stderr, flush=True)  # progress: a full run takes minutes
    for engine, scores in every.items():
        if scores:
            overhead, decoding = timing(scores)
            wall = statistics.fmean(s.wall for s in scores)
            rows.append(
                f"| all pages | {engine} | {len(scores)} | – | – | – | {wall:.2f} "
                f"| {overhead:.1%} | {decoding:.1%} |"
            )
    return rows


def _load_in_worker(engine: str, threads: int) -> None:
    # As the library's own pool does: each worker's engine gets its share of the cores.
    os.environ["OCR_THREADS"] = str(threads)
    get_engine(engine)  # once per worker process, before any page is timed


def _ready(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _read_page(engine: str, item: Item) -> int:
    return len(
        recognize(item.image, engine=engine, languages=languages_for(engine, item.languages)).pages
    )


def pages_per_minute(
    engine: str, items: list[Item], workers: int, threads: int | None = None
) -> float:
    """Throughput of ``workers`` processes on ``items``, models loaded before the clock starts;
    ``threads``: each process's ``OCR_THREADS`` (default cores // workers)."""
    context = get_context("spawn")  # forking onnxruntime's thread pools can deadlock
    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    with ProcessPoolExecutor(workers, context, _load_in_worker, (engine, threads)) as pool:
        # A worker runs its initializer before its first task: once every worker has done a
        # (sleepy, so they spread) task, all of them hold their engine.
        while len(set(pool.map(_ready, [0.5] * workers))) < workers:
            pass
        started = time.perf_counter()
        pages = sum(pool.map(_read_page, [engine] * len(items), items))
        return pages * 60 / (time.perf_counter() - started)


def throughput_table(
    engines: list[str], jobs: int, root: Path, threads: int | None = None
) -> list[str]:
    wanted = {(set_name, name) for set_name, name in THROUGHPUT_PAGES}
    chosen = [i for i in manifest(root, SETS, None) if (i.set, i.image.name) in wanted]
    items = sorted(chosen * THROUGHPUT_ROUNDS, key=lambda i: i.image.stat().st_size, reverse=True)
    each = f"{threads} each" if threads else "cores ÷ processes"
    rows = [
        f"| engine | pages | pages/min, 1 process | pages/min, {jobs} processes | ratio "
        "| onnxruntime threads |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for engine in engines:
        one = pages_per_minute(engine, items, 1, threads)
        many = pages_per_minute(engine, items, jobs, threads)
        rows.append(
            f"| {engine} | {len(items)} | {one:.1f} | {many:.1f} | {many / one:.2f}x | {each} |"
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--engines", default="", help="comma-separated (default: all + auto)")
    parser.add_argument("--limit", type=int, default=None, help="at most N files per set")
    parser.add_argument("--jobs", type=int, default=2, help="processes for throughput (0: skip)")
    parser.add_argument(
        "--threads", type=int, default=None, help="OCR_THREADS of each throughput process"
    )
    parser.add_argument("--testdata", type=Path, default=TESTDATA)
    parser.add_argument(
        "--trust",
        action="store_true",
        help="also the orientation (false/true turns) and confidence (AUROC) tables",
    )
    args = parser.parse_args(argv)
    if not (args.testdata / "manifest.tsv").is_file():
        parser.error(f"no manifest.tsv in {args.testdata} (set SCAN_ARCHIVE_TESTDATA)")
    engines = [e for e in args.engines.split(",") if e] or available_engines()
    sets = [s for s in args.sets.split(",") if s]
    items = manifest(args.testdata, sets, args.limit)
    started = time.perf_counter()
    print("## OCR quality (CER: lower is better; F1: higher is better)\n")
    print("\n".join(quality_table(items, engines)))
    if args.jobs > 0:
        pages = f"{len(THROUGHPUT_PAGES)} fixed pages x {THROUGHPUT_ROUNDS}"
        print(f"\n## Throughput ({pages}, engine loaded beforehand)\n")
        print("\n".join(throughput_table(engines, args.jobs, args.testdata, args.threads)))
    if args.trust:
        # Imported here: they build degraded pages with the tests' helpers.
        from bench import confidence_quality, orientation_quality

        print()
        orientation_quality.main()
        print()
        limit = ["--limit", str(args.limit)] if args.limit else []
        confidence_quality.main(["--sets", ",".join(sets), *limit])
    print(f"\n(total {time.perf_counter() - started:.0f} s, {os.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
