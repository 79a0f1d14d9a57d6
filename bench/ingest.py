"""Ingestion throughput end to end, through the real queue and database: ``bench.ingest``.

    .venv/bin/python -m bench.ingest                      # all parts, RapidOCR: ~10 min
    .venv/bin/python -m bench.ingest --engine tesseract   # ~5 min
    .venv/bin/python -m bench.ingest --only straight,1 --pages 20
    .venv/bin/python -m bench.ingest --threads 1          # every worker one onnxruntime thread

Parts (``--only``, comma-separated; default all):

- ``straight``: the page set read in one process with no app around it: ``open_document`` on
  each file and ``read_page`` on every page, exactly what a worker does per page minus the
  queue, the database and the storage, with the ``OCR_THREADS`` a 1-worker cluster gets
  (cores // 1, or ``--threads``). It runs in a child process, so its peak RSS is its own.
- ``1``, ``2``: the page set imported as documents (``archive.ingest.document_create``, one
  document per file) and processed by ``manage.py qcluster`` with ``WORKERS=1`` and ``2``;
  ``OCR_THREADS`` is left to its default (cores // WORKERS), as users get it, unless
  ``--threads N`` fixes it for every run: then each worker is the same worker, and the runs
  show how the work scales out with workers (as when adding machines), not how one worker's
  threads compare with two workers.
- ``pdf40``: the first 40 pages of the page set rendered into one image-only PDF (each page a
  JPEG, or CCITT G4 for bitonal scans, at 300 dpi, so the worker renders it back at the same
  pixel size), processed on 1 and on 2 workers.
- ``enormous``: ``pdfs/ocrmypdf/enormous.pdf`` (one 9000×9000 page) straight through and on a
  1-worker cluster, for peak memory.

Page set (``--pages N``, default 40): the scans with ground truth in ``tesseract_test`` and
``pdfs`` listed in ``DEFAULT_FILES`` (or ``--files``), cycled until N pages. Each copy gets a
unique trailer after its data (ignored by every decoder) so no two are duplicates by sha256.

Method, so that only the pipeline is compared with the engine:

- Every cluster runs on a database of its own (``scan_archive_bench_ingest`` on the server of
  ``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/postgres``; dropped and
  migrated afresh at each start, kept afterwards for inspection) and a temporary
  ``MEDIA_ROOT``, with a fresh owner per round.
- Warm engines on both sides. The straight process loads the engine and reads
  ``phototest.tif`` before its clock starts; a cluster first processes one copy of
  ``phototest.tif`` per worker (each idle worker takes one, so every worker has loaded its
  models). That start-up (cluster start → warm-up documents done, Django and model loading
  included) is reported apart as "start s".
- The measured documents are created in one transaction while the warm cluster idles; the
  clock starts when it commits (the on-commit hooks queue the tasks) and stops at the last
  document's ``finished_at``. Import time (validation, hashing, storing) is not in it.
- Peak RSS is the kernel's high-water mark (``VmHWM``) of each process of the cluster's
  process tree; the largest is always a worker (the others never load an engine).

Columns: "engine s/page" is the engine's own time (``Page.seconds``); "rest of task" is the
page task's remaining time (decoding, preparation, reading order, WebP page images, storage
and database writes), from ``PageAttempt.last_started`` to the task's ``stopped``; "outside
tasks" is worker time spent in no page task (queue hand-over, the document task counting
pages, idle workers at the end), i.e. workers × wall − the page tasks' time, per page. For the
straight run "rest" is wall − engine (decoding, preparation, reading order). "workers ×
threads" is ``WORKERS`` × ``OCR_THREADS`` (only RapidOCR uses threads; Tesseract reads a page
on one core whatever it says). "load" is the 1-minute load average when the run ended; the
run's own processes count in it (about 1 to 2 on 2 cores), more means other work was running.

The machine is shared: ratios are taken within one run, and the load average is printed at
the start and the end. ``--repeat K`` runs every part K times, interleaved, and keeps the
fastest run of each (and the highest peak RSS), which filters out rounds another process
slowed down.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import itertools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psutil

PROJECT = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("SCAN_ARCHIVE_TESTDATA", PROJECT.parent / "shared" / "testdata"))
BENCH_DB = "scan_archive_bench_ingest"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
#: Real scans with ground truth (or expected text), as the page set cycles through them.
DEFAULT_FILES = (
    "tesseract_test/phototest.tif",
    "tesseract_test/eurotext.tif",
    "pdfs/dinglehopper/lorem-ipsum-scan.pdf",
    "tesseract_test/phototest-rotated-180.png",
    "pdfs/paperless/multi-page-images.pdf",
    "pdfs/ocrmypdf/francais.pdf",
    "pdfs/dinglehopper/lorem-ipsum-scan-bad.pdf",
)
WARM_UP_FILE = "tesseract_test/phototest.tif"
ENORMOUS_FILE = "pdfs/ocrmypdf/enormous.pdf"
PARTS = ("straight", "1", "2", "pdf40", "enormous")
PDF40_PAGES = 40
#: Resolution of the pages in the built PDF: the worker's default ``OCR_PDF_DPI``.
PDF_DPI = 300
#: The issue's "under 1.5 GB", read strictly (10^9 bytes); the table's MB are 2^20 bytes.
MEMORY_LIMIT = 1_500_000_000
MB = 2**20
CORES = os.cpu_count() or 1


@dataclass
class Measure:
    """One measured run: straight through (``workers == 0``) or a cluster."""

    part: str
    what: str
    workers: int
    threads: int
    pages: int
    seconds: float
    start_seconds: float
    engine_seconds: float
    peak_rss: int
    task_seconds: float | None = None  # pipeline: the page tasks' time, summed
    import_seconds: float | None = None
    failed: list[str] = field(default_factory=list)
    load: float = field(default_factory=lambda: os.getloadavg()[0])  # 1-minute, at the end

    @property
    def pages_per_minute(self) -> float:
        return 60 * self.pages / self.seconds if self.seconds > 0 else float("nan")


# --- the page set -------------------------------------------------------------------------


def page_count(path: Path) -> int:
    """Pages of ``path`` as the app counts them."""
    from ocr.files import open_document

    with open_document(path) as source:
        return source.page_count


def unique_copy(source: Path, folder: Path, tag: str) -> Path:
    """A copy of ``source`` in ``folder`` with a trailer after its data, so its sha256 is its
    own (decoders stop at the end of the image or PDF and never see the trailer)."""
    target = folder / f"{tag}-{source.name}"
    target.write_bytes(source.read_bytes() + f"\n%bench-ingest {tag}\n".encode())
    return target


def page_set(files: Sequence[Path], pages: int, folder: Path) -> list[Path]:
    """Unique copies of ``files``, cycled, totalling exactly ``pages`` pages (a file with more
    pages than are still missing is passed over)."""
    counts = {path: page_count(path) for path in files}
    if min(counts.values()) > pages or min(counts.values()) < 1:
        raise SystemExit(f"cannot make exactly {pages} pages from {[str(f) for f in files]}")
    chosen: list[Path] = []
    total = 0
    for number, path in enumerate(itertools.cycle(files), start=1):
        if total == pages:
            break
        if counts[path] <= pages - total:
            chosen.append(unique_copy(path, folder, f"{number:04d}"))
            total += counts[path]
    return chosen


def build_pdf(files: Sequence[Path], pages: int, target: Path) -> Path:
    """Render the first ``pages`` pages of ``files`` (cycled) into one image-only PDF."""
    import pypdfium2 as pdfium

    from ocr.files import open_document

    document = pdfium.PdfDocument.new()
    done = 0
    for path in itertools.cycle(files):
        with open_document(path) as source:
            for index in range(source.page_count):
                if done == pages:
                    break
                image = source.page(index)
                if image.mode not in ("1", "L", "RGB"):
                    image = image.convert("RGB")
                buffer = io.BytesIO()
                # Bitonal pages become CCITT G4, others JPEG (quality applies to JPEG only).
                quality = {} if image.mode == "1" else {"quality": 85}
                image.save(buffer, format="PDF", resolution=PDF_DPI, **quality)
                one = pdfium.PdfDocument(buffer.getvalue())
                document.import_pages(one)
                one.close()
                done += 1
        if done == pages:
            break
    document.save(str(target))
    document.close()
    return target


# --- straight through ---------------------------------------------------------------------


def read_all(engine: Any, files: Sequence[Path]) -> tuple[int, float]:
    """Read every page of ``files`` as a worker does; (pages, engine seconds)."""
    from ocr.files import open_document
    from ocr.pagetext import read_page

    pages, engine_seconds = 0, 0.0
    for path in files:
        with open_document(path) as source:
            for index in range(source.page_count):
                _image, result = read_page(source, index, engine=engine, languages=["en"])
                pages += 1
                engine_seconds += result.seconds
    return pages, engine_seconds


def straight_child(engine_name: str, warm_up: Path, files: Sequence[Path]) -> None:
    """In the child process: load and warm the engine, read ``files``, print JSON."""
    from ocr.engines import get_engine

    started = time.perf_counter()
    engine = get_engine(engine_name)
    read_all(engine, [warm_up])
    start_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pages, engine_seconds = read_all(engine, files)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "pages": pages,
                "seconds": seconds,
                "start_seconds": start_seconds,
                "engine_seconds": engine_seconds,
                "peak_rss": peak,
            }
        )
    )


def threads_for(workers: int, fixed: int | None) -> int:
    """``OCR_THREADS`` of each worker of a ``workers``-worker cluster: ``fixed``, else the
    app's default (cores // workers)."""
    return fixed if fixed is not None else max(1, CORES // workers)


def run_straight(
    env: dict[str, str],
    engine: str,
    warm_up: Path,
    files: Sequence[Path],
    part: str,
    what: str,
    fixed_threads: int | None = None,
) -> Measure:
    """Run ``straight_child`` in a fresh process with a 1-worker cluster's OCR_THREADS."""
    threads = threads_for(1, fixed_threads)
    command = [sys.executable, "-m", "bench.ingest", "--engine", engine]
    command += ["--straight-child", str(warm_up), *map(str, files)]
    done = subprocess.run(
        command,
        cwd=PROJECT,
        env={**env, "OCR_THREADS": str(threads)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"straight run failed:\n{done.stderr[-3000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Measure(
        part=part,
        what=what,
        workers=0,
        threads=threads,
        pages=data["pages"],
        seconds=data["seconds"],
        start_seconds=data["start_seconds"],
        engine_seconds=data["engine_seconds"],
        peak_rss=data["peak_rss"],
    )


# --- clusters -------------------------------------------------------------------------------


def high_water_mark(process: psutil.Process) -> int:
    """Peak RSS of ``process`` so far (``VmHWM``); its current RSS where /proc has no peak."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return int(process.memory_info().rss)


class Cluster:
    """``manage.py qcluster`` in its own process group, with the peak RSS of its processes."""

    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=PROJECT,
                env={**env, "WORKERS": str(workers)},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.root = psutil.Process(self.process.pid)
        self.peaks: dict[int, int] = {}
        self._tree: list[psutil.Process] = []
        self._tree_read = 0.0

    def sample(self) -> None:
        """Note each process's peak RSS (the tree is re-read every 2 s: workers are
        long-lived, and ``VmHWM`` keeps a peak between samples)."""
        now = time.monotonic()
        if now - self._tree_read > 2:
            with contextlib.suppress(psutil.NoSuchProcess):
                self._tree = [self.root, *self.root.children(recursive=True)]
            self._tree_read = now
        for process in self._tree:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                peak = high_water_mark(process)
                self.peaks[process.pid] = max(self.peaks.get(process.pid, 0), peak)

    @property
    def peak_rss(self) -> int:
        return max(self.peaks.values(), default=0)

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise SystemExit(f"qcluster exited with {self.process.returncode}:\n{tail}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@contextlib.contextmanager
def cluster(env: dict[str, str], workers: int, log: Path) -> Iterator[Cluster]:
    running = Cluster(env, workers, log)
    try:
        yield running
    finally:
        running.stop()


def wait_finished(ids: Sequence[int], running: Cluster, timeout: float) -> None:
    """Until every document of ``ids`` is finished, sampling the cluster's memory."""
    from archive.bulk import FINISHED
    from archive.models import Document

    deadline = time.monotonic() + timeout
    while Document.objects.filter(pk__in=ids).exclude(status__in=FINISHED).exists():
        running.check_alive()
        if time.monotonic() > deadline:
            raise SystemExit(f"documents not finished after {timeout:.0f} s; log: {running.log}")
        for _ in range(5):
            running.sample()
            time.sleep(0.1)
    running.sample()


def create(owner: Any, path: Path, engine: str) -> int:
    """``document_create`` for ``path``, as an upload or ``manage.py import`` does."""
    from archive.ingest import document_create

    with path.open("rb") as upload:
        result = document_create(
            owner=owner, upload=upload, name=path.name, language="en", engine=engine
        )
    if not result.outcome.is_new:
        raise SystemExit(f"{path.name} was taken for a duplicate")
    return int(result.document.pk)


def page_task_seconds(ids: Sequence[int], wait: float = 15) -> float | None:
    """Time in page tasks, summed: from each page's ``PageAttempt.last_started`` to the
    ``stopped`` of the task that read it (the document task for the first page). None if a
    task's record did not show up (the cluster's monitor saves them shortly after)."""
    from django_q.models import Task

    from archive.models import Document, PageAttempt

    runs = dict(Document.objects.filter(pk__in=ids).values_list("pk", "run"))
    starts = {
        (a.document_id, a.number): a.last_started
        for a in PageAttempt.objects.filter(document_id__in=ids)
    }
    names = {
        key: f"ocr-document-{key[0]}"
        if key[1] == 1
        else f"ocr-document-{key[0]}-run-{runs[key[0]]}-page-{key[1]}"
        for key in starts
    }
    deadline = time.monotonic() + wait
    while True:
        stopped = dict(Task.objects.filter(name__in=names.values()).values_list("name", "stopped"))
        if len(stopped) == len(set(names.values())) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    total = 0.0
    for key, name in names.items():
        if name not in stopped or starts[key] is None:
            return None
        total += (stopped[name] - starts[key]).total_seconds()
    return total


def run_cluster(
    env: dict[str, str],
    *,
    engine: str,
    workers: int,
    files: Sequence[Path],
    warm_up: Path,
    folder: Path,
    part: str,
    what: str,
    timeout: float,
    fixed_threads: int | None = None,
) -> Measure:
    """One round: start a cluster, warm every worker, then time ``files`` from queueing to
    the last document done. ``fixed_threads``: every worker's ``OCR_THREADS`` (else the
    app's default)."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.db.models import Sum

    from archive.models import Document, Page

    owner = User.objects.create(username=f"bench-{uuid.uuid4().hex[:8]}")
    log = folder / f"qcluster-{part}-{workers}-{owner.username}.log"
    if fixed_threads is not None:
        env = {**env, "OCR_THREADS": str(fixed_threads)}
    with cluster(env, workers, log) as running:
        started = time.monotonic()
        warm = [
            create(owner, unique_copy(warm_up, folder, f"warm-{part}-{workers}-{n}"), engine)
            for n in range(workers)
        ]
        wait_finished(warm, running, timeout)
        start_seconds = time.monotonic() - started
        queued: list[float] = []
        import_started = time.perf_counter()
        with transaction.atomic():
            # Runs first among the on-commit hooks, just before the tasks are queued.
            transaction.on_commit(lambda: queued.append(time.time()))
            ids = [create(owner, path, engine) for path in files]
        import_seconds = time.perf_counter() - import_started
        wait_finished(ids, running, timeout)
        task_seconds = page_task_seconds(ids)
    documents = Document.objects.filter(pk__in=ids)
    finished = max(d.finished_at for d in documents if d.finished_at is not None)
    failed = [
        f"{d.original_name}: {d.error}" for d in documents if d.status != Document.Status.DONE
    ]
    pages = Page.objects.filter(document__in=ids)
    return Measure(
        part=part,
        what=what,
        workers=workers,
        threads=threads_for(workers, fixed_threads),
        pages=pages.count(),
        seconds=finished.timestamp() - queued[0],
        start_seconds=start_seconds,
        engine_seconds=pages.aggregate(s=Sum("seconds"))["s"] or 0.0,
        peak_rss=running.peak_rss,
        task_seconds=task_seconds,
        import_seconds=import_seconds,
        failed=failed,
    )


# --- set-up and report ----------------------------------------------------------------------


def keep_best(kept: Measure | None, new: Measure) -> Measure:
    """The faster of two runs of one part, with the higher of their peak RSS."""
    if kept is None:
        return new
    faster = kept if kept.seconds <= new.seconds else new
    return replace(faster, peak_rss=max(kept.peak_rss, new.peak_rss))


def database_url(base: str) -> str:
    """``base`` pointing at the bench database, which is dropped and created afresh."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    head, _, tail = base.rpartition("/")
    query = tail.partition("?")[2]
    return f"{head}/{BENCH_DB}" + (f"?{query}" if query else "")


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def per_page(seconds: float | None, pages: int) -> str:
    return "–" if seconds is None or pages == 0 else f"{seconds / pages:.2f}"


def table(measures: Sequence[Measure], engine: str) -> str:
    rows = [
        "| run | pages | workers × threads | start s | wall s | pages/min | engine s/page "
        "| rest of task s/page | outside tasks s/page | peak RSS MB | load |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measures:
        if m.workers == 0:
            who = f"straight, 1 process × {m.threads}"
            rest, outside = per_page(m.seconds - m.engine_seconds, m.pages), "–"
        else:
            who = f"{m.workers} × {m.threads}"
            rest = per_page(
                None if m.task_seconds is None else m.task_seconds - m.engine_seconds, m.pages
            )
            outside = per_page(
                None if m.task_seconds is None else m.workers * m.seconds - m.task_seconds,
                m.pages,
            )
        rows.append(
            f"| {m.what} ({engine}) | {m.pages} | {who} | {m.start_seconds:.1f} | "
            f"{m.seconds:.1f} | {m.pages_per_minute:.1f} | {per_page(m.engine_seconds, m.pages)}"
            f" | {rest} | {outside} | {m.peak_rss / MB:,.0f} | {m.load:.1f} |"
        )
    return "\n".join(rows)


def targets(measures: Sequence[Measure]) -> str:
    found = {(m.part, m.workers): m for m in measures}
    rows = ["| target | measured | goal | met |", "|---|---:|---|---|"]

    def add(name: str, value: float, text: str, goal: str, met: bool) -> None:
        rows.append(f"| {name} | {text.format(value)} | {goal} | {'yes' if met else 'NO'} |")

    straight, one, two = (found.get(("set", w)) for w in (0, 1, 2))
    if straight and one:
        overhead = 1 - one.pages_per_minute / straight.pages_per_minute
        add("pipeline overhead, 1 worker vs straight", overhead, "{:.1%}", "≤ 10%", overhead <= 0.1)
    if one and two:
        ratio = two.pages_per_minute / one.pages_per_minute
        add("pages/min, 2 workers / 1 worker", ratio, "{:.2f}×", "≥ 1.7×", ratio >= 1.7)
    pdf_one, pdf_two = found.get(("pdf40", 1)), found.get(("pdf40", 2))
    if pdf_one and pdf_two:
        ratio = pdf_two.seconds / pdf_one.seconds
        pdf = pdf_one.what.split(" (")[0]
        add(f"{pdf}: time on 2 workers / 1 worker", ratio, "{:.2f}", "≤ 0.6", ratio <= 0.6)
    for key in (("enormous", 1), ("pdf40", 1), ("pdf40", 2)):
        if key in found:
            m = found[key]
            name = f"worker peak RSS, {m.what.split(' (')[0]}, {m.workers} worker(s)"
            peak = m.peak_rss
            goal = f"< 1.5 GB ({MEMORY_LIMIT / MB:,.0f} MB)"
            add(name, peak / MB, "{:,.0f} MB", goal, peak < MEMORY_LIMIT)
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", default="rapidocr")
    parser.add_argument("--pages", type=int, default=40, help="pages in the page set")
    parser.add_argument("--only", default=",".join(PARTS), help=f"parts: {','.join(PARTS)}")
    parser.add_argument(
        "--files", nargs="+", type=Path, help="page set files (default: DEFAULT_FILES)"
    )
    parser.add_argument("--pdf-pages", type=int, default=PDF40_PAGES, help="pages of the PDF")
    parser.add_argument("--timeout", type=float, default=1200, help="per round, seconds")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every part this many times (interleaved); report the fastest of each, with "
        "the highest peak RSS",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="OCR_THREADS of every worker and of the straight run (default: cores // workers)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the media folder and logs")
    parser.add_argument("--straight-child", nargs="+", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.straight_child:
        straight_child(args.engine, args.straight_child[0], args.straight_child[1:])
        return
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown parts {sorted(unknown)}; choose from {','.join(PARTS)}")

    load_start = load()
    base_env = {k: v for k, v in os.environ.items() if k != "OCR_THREADS"}
    base_env["DATABASE_URL"] = database_url(os.environ.get("DATABASE_URL", ADMIN_URL))
    folder = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    base_env["MEDIA_ROOT"] = str(folder / "media")
    base_env.setdefault("SECRET_KEY", "bench-ingest")
    cluster_env = {**base_env, "OCR_ENGINE": args.engine, "LOG_LEVEL": "INFO"}
    os.environ.update(base_env)
    os.environ["LOG_LEVEL"] = "WARNING"  # the bench's own process: no line per document
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    given: list[Path] = args.files or [TESTDATA / name for name in DEFAULT_FILES]
    files = [path if path.exists() else TESTDATA / path for path in given]
    warm_up = TESTDATA / WARM_UP_FILE
    copies = folder / "files"
    copies.mkdir()
    chosen = page_set(files, args.pages, copies)
    set_what = f"{args.pages} pages, {len(chosen)} files"
    rounds = functools.partial(
        run_cluster,
        cluster_env,
        engine=args.engine,
        warm_up=warm_up,
        folder=folder,
        timeout=args.timeout,
        fixed_threads=args.threads,
    )
    jobs: list[Callable[[], Measure]] = []
    if "straight" in parts:
        jobs.append(
            functools.partial(
                run_straight, base_env, args.engine, warm_up, chosen, "set", set_what, args.threads
            )
        )
    for workers in (1, 2):
        if str(workers) in parts:
            jobs.append(
                functools.partial(rounds, workers=workers, files=chosen, part="set", what=set_what)
            )
    if "pdf40" in parts:
        pdf = build_pdf(files, args.pdf_pages, copies / "pdf40.pdf")
        what = f"{args.pdf_pages}-page PDF ({pdf.stat().st_size / MB:.1f} MB)"
        for workers in (1, 2):
            jobs.append(
                functools.partial(rounds, workers=workers, files=[pdf], part="pdf40", what=what)
            )
    if "enormous" in parts:
        enormous = TESTDATA / ENORMOUS_FILE
        jobs.append(
            functools.partial(
                run_straight, base_env, args.engine, warm_up, [enormous], "enormous", "enormous.pdf"
            )
        )
        jobs.append(
            functools.partial(
                rounds, workers=1, files=[enormous], part="enormous", what="enormous.pdf"
            )
        )
    best: dict[tuple[str, int], Measure] = {}
    try:
        for _ in range(args.repeat):
            for job in jobs:
                measure = job()
                print(table([measure], args.engine).splitlines()[-1], file=sys.stderr)
                key = (measure.part, measure.workers)
                best[key] = keep_best(best.get(key), measure)
    finally:
        if args.keep:
            print(f"media and logs kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    measures = list(best.values())
    repeats = f"; fastest of {args.repeat} runs each" if args.repeat > 1 else ""
    print(f"\nengine: {args.engine}; {CORES} cores{repeats}; load average at start: {load_start}")
    print(table(measures, args.engine))
    print()
    print(targets(measures))
    imports = [
        f"{m.what}, {m.workers} worker(s): {m.import_seconds:.1f} s"
        for m in measures
        if m.import_seconds is not None
    ]
    if imports:
        print(f"\nimport through document_create (before the clock): {'; '.join(imports)}")
    for m in measures:
        for failure in m.failed:
            print(f"FAILED ({m.what}, {m.workers} workers): {failure}")
    print(f"load average at end: {load()}")


if __name__ == "__main__":
    main()
