"""Web UI figures, measured on demand (not in the test suite): ``bench.ui_latency``.

    .venv/bin/python -m bench.ui_latency                    # both parts, about a minute
    .venv/bin/python -m bench.ui_latency --only latency --rounds 5
    .venv/bin/python -m bench.ui_latency --only library --documents 1000 --renders 30

Parts (``--only``, comma-separated; default both):

- ``latency``: drop → searchable, as a user sees it. The app runs for real (``manage.py serve``:
  gunicorn with one web worker and one django-q2 OCR worker, as the browser tests start it,
  with ``DEBUG`` off) and Debian's Chromium, driven by Playwright, logs in and drops files on
  the library page the way the browser tests do (a ``DataTransfer`` of ``File`` objects in a
  ``drop`` event; the page's script uploads each file with its own request). The worker is
  warmed first with another scan (``eurotext.tif``), which also loads the OCR models; then
  each round drops ``phototest.tif`` (with a few unique bytes after the image data, ignored by
  decoders, so that it is not refused as a duplicate). The clock starts at the drop, and a
  second tab reloads the search page for "format" as fast as it answers until this round's
  document is among the hits. Columns: "upload answered" (the file's entry links to the
  stored document), "Done shown" (the live badge in the upload list says Done; htmx polls it
  every 2 s, so this is up to 2 s late), "found by search" (the hit is on the search page),
  and, from the database, the worker's own "queued → finished".
- ``library``: the library page (48 documents a page, with thumbnails, status and filters)
  rendered by Django's test client, in this process, for a user with ``--documents``
  documents of one page each (rows made directly with the ORM). Prints the median, p90 and
  max of ``--renders`` renders and the number of SQL queries, for the first page, a later
  page, sorting by title and a status filter.

Runs against ``DATABASE_URL``'s server (default ``postgres://postgres@127.0.0.1:5432/postgres``)
in a database of its own, ``scan_archive_bench_ui``, dropped and migrated afresh at each start.
The machine is shared: the load average is printed at the start and at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("SCAN_ARCHIVE_TESTDATA", PROJECT.parent / "shared" / "testdata"))
BENCH_DB = "scan_archive_bench_ui"
WARM_UP = "tesseract_test/eurotext.tif"
MEASURED = "tesseract_test/phototest.tif"
WORD = "format"  # in phototest.tif, not in eurotext.tif
PASSWORD = "bench-ui-password-1"


def setup_django() -> None:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + BENCH_DB
    os.environ.setdefault("SECRET_KEY", "bench-ui-latency-secret-key")
    os.environ["DEBUG"] = "false"
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls here
    # are plain synchronous code (the server, another process, keeps Django's check).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# --- drop → searchable ------------------------------------------------------------------------


def latency(rounds: int) -> None:
    from django.contrib.auth.models import User
    from playwright.sync_api import sync_playwright

    from archive.models import Document
    from tests.browser.flow import drop_files, upload_item, wait_until_done
    from tests.browser.live_server import start, stop
    from tests.browser.support import login

    User.objects.create_user("bench-ui", password=PASSWORD)
    chromium = os.environ.get("SCAN_ARCHIVE_CHROMIUM", "/usr/bin/chromium")
    workdir = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    app = start(workdir)
    rows: list[tuple[str, list[float]]] = []  # (title, seconds per column)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            )
            context = browser.new_context(base_url=app.url, viewport={"width": 1280, "height": 800})
            context.set_default_timeout(120_000)
            page = context.new_page()
            login(page, "bench-ui", PASSWORD)
            searcher = context.new_page()

            started = time.perf_counter()
            drop_files(page, [(Path(WARM_UP).name, (TESTDATA / WARM_UP).read_bytes())])
            wait_until_done(upload_item(page, "eurotext"))
            print(
                f"warm-up ({WARM_UP}, models loaded): Done shown after "
                f"{time.perf_counter() - started:.1f} s",
                flush=True,
            )

            content = (TESTDATA / MEASURED).read_bytes()
            for number in range(1, rounds + 1):
                title = f"phototest-{number}"
                seen = one_round(page, searcher, title, content + f"round {number}".encode())
                document = Document.objects.get(title=title)
                assert document.queued_at is not None
                assert document.finished_at is not None
                worker = (document.finished_at - document.queued_at).total_seconds()
                rows.append((title, [*seen, worker]))
            browser.close()
    finally:
        stop(app)

    print(
        f"\ndrop → searchable, {MEASURED} ({len(content) // 1024} KB), warm worker; "
        f"load average {load()}"
    )
    header = (
        "round",
        "upload answered s",
        "Done shown s",
        "found by search s",
        "queued → finished s",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for title, seconds in rows:
        print(" | ".join([title, *(f"{value:.2f}" for value in seconds)]))
    if len(rows) > 1:
        medians = [
            statistics.median(column) for column in zip(*(row[1] for row in rows), strict=True)
        ]
        print(" | ".join(["median", *(f"{value:.2f}" for value in medians)]))


def one_round(page: Any, searcher: Any, title: str, content: bytes) -> tuple[float, float, float]:
    """Drop one file; return the seconds until: upload answered, Done shown, found by search."""
    from tests.browser.flow import drop_files, upload_item

    page.goto("/")
    started = time.perf_counter()
    drop_files(page, [(f"{title}.tif", content)])
    item = upload_item(page, title)
    item.get_by_role("link", name=title).wait_for()
    answered = time.perf_counter() - started
    done_shown = found = 0.0
    badge = item.locator('.status[data-status="done"]')
    hit = searcher.locator("li.hit .hit-title", has_text=title)
    while not (done_shown and found):
        if not done_shown and badge.count():
            done_shown = time.perf_counter() - started
        if not found:
            searcher.goto(f"/search/?q={WORD}")
            if hit.count():
                found = time.perf_counter() - started
        if time.perf_counter() - started > 300:
            raise SystemExit(f"{title}: not searchable after 300 s")
    return answered, done_shown, found


# --- the library page with many documents -------------------------------------------------------


def library(documents: int, renders: int) -> None:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from archive.models import Document, Page

    setup_test_environment()  # the test client's host name; no collectstatic for the manifest
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    owner = User.objects.create_user("bench-library", password=PASSWORD)
    statuses = [Document.Status.DONE] * 17 + [Document.Status.FAILED, Document.Status.QUEUED]
    started = time.perf_counter()
    with transaction.atomic():
        made = Document.objects.bulk_create(
            Document(
                owner=owner,
                title=f"Scanned letter {number:04d}",
                original=f"bench/{number}.tif",
                original_name=f"letter-{number}.tif",
                sha256=f"{number:064x}",
                mime_type="image/tiff",
                size=40_000,
                page_count=1,
                status=statuses[number % len(statuses)],
                error="The file could not be read." if number % len(statuses) == 17 else "",
            )
            for number in range(documents)
        )
        Page.objects.bulk_create(
            Page(
                document=document,
                number=1,
                image=f"bench/{document.pk}-1.webp",
                thumbnail=f"bench/{document.pk}-1-thumb.webp",
                width=1700,
                height=2200,
                text="Dear Sir, thank you for your letter.",
            )
            for document in made
            if document.status != Document.Status.QUEUED
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE archive_document")
        cursor.execute("VACUUM ANALYZE archive_page")
    print(f"\n{documents} documents made in {time.perf_counter() - started:.1f} s")

    client = Client()
    client.force_login(owner)
    cases = {
        "first page (newest)": "/",
        "page 10": "/?page=10",
        "sorted by title": "/?sort=title",
        "status failed": "/?status=failed",
    }
    print(
        f"\nlibrary page, {documents} documents, {renders} renders each (Django test client, "
        f"in process); load average {load()}"
    )
    print("page | median ms | p90 ms | max ms | SQL queries | bytes")
    print("--- | --- | --- | --- | --- | ---")
    for name, url in cases.items():
        client.get(url)  # warm: templates compiled, connection open
        times = []
        for _ in range(renders):
            with CaptureQueriesContext(connection) as queries:
                tick = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - tick) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"{name} | {statistics.median(times):.1f} | {percentile(times, 0.9):.1f} | "
            f"{max(times):.1f} | {len(queries)} | {len(response.content)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="latency,library")
    parser.add_argument("--rounds", type=int, default=3, help="measured drops (latency)")
    parser.add_argument("--documents", type=int, default=1000, help="library size")
    parser.add_argument("--renders", type=int, default=20, help="renders per library case")
    args = parser.parse_args()
    parts = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = parts - {"latency", "library"}
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    if "latency" in parts and not (TESTDATA / MEASURED).is_file():
        raise SystemExit(f"test data not found at {TESTDATA} (set SCAN_ARCHIVE_TESTDATA)")
    print(f"load average at start {load()}; {os.cpu_count()} cores")
    setup_django()
    if "latency" in parts:
        latency(args.rounds)
    if "library" in parts:
        library(args.documents, args.renders)
    print(f"\nload average at end {load()}")


if __name__ == "__main__":
    main()
