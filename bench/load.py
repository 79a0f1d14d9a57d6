"""Load test: 20 people uploading, browsing and searching at once, against a real ``serve``.

Starts ``manage.py serve`` with production settings (DEBUG off, gunicorn, the OCR worker) on a
fresh database and media folder, makes ``--users`` accounts, and lets each of them, for
``--seconds``, do what people do, with a short pause between requests: open the library,
search, open a document, poll its status, upload a scan (real scans from ``../shared/testdata``,
made unique per upload). OCR of the uploads keeps the cores busy meanwhile. Then it waits for
every upload to be processed and checks that each was stored and processed exactly once.

Prints requests/s and p50/p95/max latency per request type, the errors (target: none), and the
upload accounting (target: nothing lost, nothing duplicated). Loopback only.

    .venv/bin/python -m bench.load --seconds 120 --users 20
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.upload_to_search import Browser

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("SCAN_ARCHIVE_TESTDATA", ROOT.parent / "shared" / "testdata"))
PASSWORD = "load-test-password-1"
# What a person does, and how often (weights).
ACTIONS = {"library": 30, "search": 40, "document": 15, "status": 8, "upload": 7}


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    uploads: list[tuple[str, str]] = field(default_factory=list)  # (username, sha256)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors[kind].append(error)


def _scans() -> list[tuple[bytes, list[str]]]:
    """(TIFF bytes, words of its text) for real scans: full pages (two of them dense magazine
    pages, seconds of OCR each, so that OCR keeps the cores busy) and some text lines."""
    picks = sorted((TESTDATA / "tesseract_test").glob("*.tif"))
    picks += sorted((TESTDATA / "ocrd_dta_lines_de").glob("*.tif"))[:2]
    scans = []
    for path in picks:
        truth = path.with_suffix(".gt.txt").read_text(encoding="utf-8")
        words = [w for w in re.findall(r"[A-Za-zÄÖÜäöüß]{5,}", truth)] or ["page"]
        scans.append((path.read_bytes(), words))
    return scans


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database(base_url: str, name: str) -> str:
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


def _person(
    username: str, base: str, deadline: float, stats: Stats, scans: list[tuple[bytes, list[str]]]
) -> None:
    browser = Browser(base)
    browser.login(username, PASSWORD)
    rng = random.Random(username)
    mine: list[int] = []
    words: list[str] = []
    uploads = 0
    kinds, weights = zip(*ACTIONS.items(), strict=True)
    first = True
    while time.monotonic() < deadline:
        kind = "upload" if first else rng.choices(kinds, weights)[0]
        first = False
        if kind == "upload" and uploads >= 3:
            kind = "search"  # a bounded OCR backlog: three uploads each
        if kind in ("document", "status") and not mine:
            kind = "library"
        started = time.perf_counter()
        error = ""
        try:
            if kind == "library":
                page = browser.get("/")
                mine = [int(pk) for pk in re.findall(r'href="/documents/(\d+)/"', page)] or mine
            elif kind == "search":
                query = rng.choice(words or ["invoice", "page"])
                browser.get("/search/?" + urllib.parse.urlencode({"q": query}))
            elif kind == "document":
                browser.get(f"/documents/{rng.choice(mine)}/")
            elif kind == "status":
                browser.get(f"/documents/{rng.choice(mine)}/status/")
            else:
                content, scan_words = rng.choice(scans)
                # A unique tail (TIFF readers ignore it) makes each upload a new document.
                data = content + f"\nload-{username}-{uploads}-{secrets.token_hex(4)}".encode()
                browser.upload(f"{username}-{uploads}.tif", data)
                stats.uploads.append((username, hashlib.sha256(data).hexdigest()))
                words += scan_words
                uploads += 1
        except urllib.error.HTTPError as failure:
            error = f"HTTP {failure.code}"
        except Exception as failure:  # a dropped connection, a timeout: an error like any
            error = f"{type(failure).__name__}: {failure}"
        stats.record(kind, time.perf_counter() - started, error)
        time.sleep(rng.uniform(0.3, 1.0))  # a person reads before the next click


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--workers", type=int, default=2, help="OCR worker processes")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a server to make the bench's own database on (scan_archive_load, dropped first)",
    )
    parser.add_argument("--settle", type=float, default=900, help="max seconds to wait for OCR")
    args = parser.parse_args()

    url = _database(args.database_url, "scan_archive_load")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    media = tempfile.mkdtemp(prefix="scan-archive-load-")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": media,
        "SCAN_ARCHIVE_VAR_DIR": media + "/var",
        "WORKERS": str(args.workers),
        "WEB_WORKERS": str(args.web_workers),
        "ADMIN_PASSWORD": PASSWORD,
        "LOGIN_MAX_FAILURES": "1000",
    }
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for_server(base)
        usernames = [f"person{n:02d}" for n in range(args.users)]
        _make_users(url, usernames)
        stats = Stats()
        scans = _scans()
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()
        people = [
            threading.Thread(target=_person, args=(name, base, deadline, stats, scans))
            for name in usernames
        ]
        for person in people:
            person.start()
        for person in people:
            person.join()
        elapsed = time.monotonic() - started
        settle_started = time.monotonic()
        accounting = _settle(url, stats.uploads, args.settle)
        settle = time.monotonic() - settle_started
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)

    total = sum(len(v) for v in stats.latencies.values())
    print(
        f"{args.users} users for {elapsed:.0f} s against serve ({args.web_workers} web, "
        f"{args.workers} OCR workers), {os.cpu_count()} cores"
    )
    print(
        f"{'request':<9} | {'count':>5} | {'req/s':>6} | {'p50 ms':>7} | {'p95 ms':>7} | "
        f"{'max ms':>7} | {'errors':>6}"
    )
    print("-" * 66)
    for kind in ACTIONS:
        values = stats.latencies.get(kind, [])
        if not values:
            continue
        p50, p95 = statistics.median(values) * 1000, _percentile(values, 0.95) * 1000
        print(
            f"{kind:<9} | {len(values):>5} | {len(values) / elapsed:>6.2f} | {p50:>7.0f} | "
            f"{p95:>7.0f} | {max(values) * 1000:>7.0f} | {len(stats.errors.get(kind, [])):>6}"
        )
    errors = sum(len(v) for v in stats.errors.values())
    print(f"all       | {total:>5} | {total / elapsed:>6.2f} |")
    for kind, messages in stats.errors.items():
        print(f"errors in {kind}: {sorted(set(messages))[:5]}")
    print(
        f"uploads: {accounting['sent']} sent, {accounting['stored']} stored, "
        f"{accounting['done']} done, {accounting['failed']} failed, {accounting['lost']} lost, "
        f"{accounting['duplicated']} duplicated, {accounting['unfinished']} unfinished "
        f"(OCR backlog cleared {settle:.0f} s after the load ended)"
    )
    print(
        f"OCR engine time: {accounting['ocr_seconds']} s over {elapsed + settle:.0f} s of wall "
        f"time with {args.workers} workers (how busy OCR kept the machine)"
    )
    print(f"errors={errors} lost={accounting['lost']} duplicated={accounting['duplicated']}")


def _wait_for_server(base: str) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            Browser(base).get("/login/")
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("serve did not answer within 180 s")


def _make_users(url: str, usernames: list[str]) -> None:
    script = (
        "from django.contrib.auth.models import User\n"
        f"for name in {usernames!r}:\n"
        f"    User.objects.create_user(name, password={PASSWORD!r})\n"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "archive.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env, check=True
    )


def _settle(url: str, uploads: list[tuple[str, str]], timeout: float) -> dict[str, int]:
    """Wait until no upload is queued or processing; count what became of each upload."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            busy = connection.execute(
                "SELECT count(*) FROM archive_document WHERE status IN ('queued', 'processing')"
            ).fetchone()
            if busy is not None and busy[0] == 0:
                break
            time.sleep(2)
        rows = connection.execute(
            "SELECT u.username, d.sha256, d.status, d.page_count, coalesce(d.ocr_seconds, 0), "
            "(SELECT count(*) FROM archive_page p WHERE p.document_id = d.id) "
            "FROM archive_document d JOIN auth_user u ON u.id = d.owner_id"
        ).fetchall()
    found: dict[tuple[str, str], list[tuple[str, int, int]]] = defaultdict(list)
    ocr_seconds = 0.0
    for username, sha, status, page_count, seconds, pages in rows:
        found[(username, sha)].append((status, page_count or 0, pages))
        ocr_seconds += seconds
    sent = set(uploads)
    done = sum(1 for key in sent for s, n, p in found.get(key, []) if s == "done" and n == p)
    return {
        "ocr_seconds": round(ocr_seconds),
        "sent": len(uploads),
        "stored": sum(1 for key in sent if key in found),
        "done": done,
        "failed": sum(1 for key in sent for s, _, _ in found.get(key, []) if s == "failed"),
        "lost": sum(1 for key in sent if key not in found),
        "duplicated": sum(len(v) - 1 for v in found.values() if len(v) > 1)
        + sum(1 for v in found.values() for s, n, p in v if p > n),
        "unfinished": sum(
            1 for key in sent for s, _, _ in found.get(key, []) if s in ("queued", "processing")
        ),
    }


if __name__ == "__main__":
    main()
