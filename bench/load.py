"""Load test: 20 people uploading, browsing and searching at once, against a real ``serve``.

Starts ``manage.py serve`` with production settings (DEBUG off, gunicorn, the OCR worker) on a
fresh database and media folder, makes ``--users`` accounts, and lets each of them, for
``--seconds``, do what people do, with a short pause between requests: open the library,
search, open a document, poll its status, upload a scan (real scans from ``../shared/testdata``,
made unique per upload). OCR of the uploads keeps the cores busy meanwhile. Then it waits for
every upload to be processed and checks that each was stored and processed exactly once.

Prints requests/s and p50/p95/max latency per request type, the errors (target: none), and the
upload accounting (target: nothing lost, nothing duplicated). Loopback only.

``--abuse`` adds the attackers of issue 15 beside the normal users: a password guesser (wrong
passwords for a normal user's account through the API, as fast as answers come), a client
sending the most expensive search the box accepts (104 prefix terms joined by OR), and one
downloading the searchable PDF of a 13000 x 13000 px scan from 3 connections at once, and one
uploading 2,000-page PDFs (one scanned page, repeated) until the queue limit refuses them. The
normal users' rows then show what the attack costs them (targets: p95 <= 300 ms, uploads
searchable within 30 s, no errors); it also reports the web processes' peak RSS (target:
<= 500 MB each), what the guesser got (password checks against refusals) and whether the
victim could still log in.

    .venv/bin/python -m bench.load --seconds 120 --users 20 [--abuse]
"""

from __future__ import annotations

import argparse
import hashlib
import io
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
import urllib.request
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


# --- the abuse mix (issue 15) ------------------------------------------------------------------
ATTACKER = "attacker"


def _prefix_or(terms: int) -> str:
    """Up to ``terms`` one- and two-letter prefixes joined by OR, within the box's 500 chars."""
    prefixes = [chr(97 + n) for n in range(26)] + [
        chr(97 + a) + chr(97 + b) for a in range(26) for b in range(26)
    ]
    query = ""
    for prefix in prefixes[:terms]:
        longer = f"{query} OR {prefix}*" if query else f"{prefix}*"
        if len(longer) > 500:
            break
        query = longer
    return query


#: The most expensive searches the box takes: as many prefixes as fit (refused by the word
#: limit) and as many as the word limit allows (each expanded over the whole vocabulary).
EXPENSIVE_QUERIES = (_prefix_or(104), _prefix_or(32))


@dataclass
class Abuse:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    web_peak_mb: dict[int, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            self.counts[what] += 1


def _guesser(base: str, victim: str, deadline: float, abuse: Abuse) -> None:
    """Wrong passwords for ``victim`` through the API, one after the other."""
    while time.monotonic() < deadline:
        body = urllib.parse.urlencode({"username": victim, "password": secrets.token_hex(6)})
        try:
            with urllib.request.urlopen(base + "/api/token/", body.encode(), timeout=30):
                abuse.count("guess got in (!)")
        except urllib.error.HTTPError as answer:
            abuse.count(
                {400: "guess checked", 429: "guess refused"}.get(
                    answer.code, f"guess HTTP {answer.code}"
                )
            )
        except OSError:
            abuse.count("guess failed")
        time.sleep(0.05)


def _expensive_searcher(base: str, deadline: float, abuse: Abuse) -> None:
    browser = Browser(base)
    browser.login(ATTACKER, PASSWORD)
    turn = 0
    while time.monotonic() < deadline:
        query = urllib.parse.urlencode({"q": EXPENSIVE_QUERIES[turn % 2], "sort": "relevance"})
        turn += 1
        try:
            page = browser.get(f"/search/?{query}")
            if "takes too long" in page:
                abuse.count("expensive search stopped (time)")
            elif "simplify" in page.lower():
                abuse.count("expensive search refused (words)")
            else:
                abuse.count("expensive search answered")
        except urllib.error.HTTPError as answer:
            abuse.count(f"expensive search HTTP {answer.code}")


def _huge_png() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (13000, 13000), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=200)
    for row in range(8):
        draw.text((500, 800 + row * 1400), f"Abuse line {row} amount due 1234", fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _exporter(base: str, deadline: float, abuse: Abuse) -> None:
    """Upload a 13000 x 13000 px scan, then download its searchable PDF from 3 connections."""
    browser = Browser(base)
    browser.login(ATTACKER, PASSWORD)
    browser.upload("huge.png", _huge_png())
    ids: list[str] = []
    while time.monotonic() < deadline and not ids:
        ids = re.findall(r'href="/documents/(\d+)/"', browser.get("/"))
        time.sleep(1)
    if not ids:
        return
    url = f"/documents/{ids[0]}/searchable.pdf"

    def download() -> None:
        client = Browser(base)
        client.login(ATTACKER, PASSWORD)
        while time.monotonic() < deadline:
            try:
                with client.opener.open(base + url, timeout=60) as response:
                    response.read()
                    abuse.count(f"export HTTP {response.status}")
            except urllib.error.HTTPError as answer:
                abuse.count(f"export HTTP {answer.code}")
            time.sleep(0.5)

    threads = [threading.Thread(target=download) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


FLOODER = "flooder"


def _long_pdf(pages: int, tag: str) -> bytes:
    """A PDF of ``pages`` scanned pages (one image, shared by every page: a few hundred KB)
    that need OCR, as the issue's 379 KB PDF of 2,000 pages."""
    import img2pdf
    import pikepdf
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1200, 400), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    draw.text((60, 60), f"Flood {tag} amount due 1234", fill=0, font=font)
    draw.text((60, 200), "another line of text to read", fill=0, font=font)
    png = io.BytesIO()
    image.save(png, format="PNG")
    pdf = pikepdf.open(io.BytesIO(img2pdf.convert(png.getvalue())))
    for _ in range(pages - 1):
        pdf.pages.append(pdf.pages[0])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _flooder(base: str, deadline: float, abuse: Abuse) -> None:
    """Upload 2,000-page PDFs, one after the other, until the queue limit refuses them (the
    fair queue must keep the normal users' one-page scans moving meanwhile)."""
    browser = Browser(base)
    browser.login(FLOODER, PASSWORD)
    sent = 0
    while time.monotonic() < deadline and sent < 4:
        try:
            browser.upload(f"flood-{sent}.pdf", _long_pdf(2000, str(sent)))
            abuse.count("2000-page upload taken")
        except urllib.error.HTTPError as answer:
            abuse.count(f"2000-page upload HTTP {answer.code}")
        except OSError:
            abuse.count("2000-page upload failed")
        sent += 1


def _web_rss(server_pid: int, deadline: float, abuse: Abuse) -> None:
    """Peak RSS of every gunicorn process under ``serve``, sampled every 200 ms."""
    import psutil

    root = psutil.Process(server_pid)
    while time.monotonic() < deadline:
        for process in root.children(recursive=True):
            try:
                if "gunicorn" not in " ".join(process.cmdline()):
                    continue
                rss = process.memory_info().rss / 2**20
            except psutil.Error:
                continue
            with abuse.lock:
                abuse.web_peak_mb[process.pid] = max(abuse.web_peak_mb.get(process.pid, 0), rss)
        time.sleep(0.2)


def _logs_in(browser: Browser, username: str) -> bool:
    """Whether ``browser`` gets in as ``username`` with the right password now."""
    try:
        browser.login(username, PASSWORD)
    except (SystemExit, urllib.error.HTTPError):
        return False
    return True


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
        help="a server to make the bench's own database on (see --database-name)",
    )
    parser.add_argument("--settle", type=float, default=900, help="max seconds to wait for OCR")
    parser.add_argument("--abuse", action="store_true", help="add the attackers of issue 15")
    parser.add_argument(
        "--database-name",
        default="scan_archive_load",
        help="the bench's own database (dropped first): give each concurrent run its own",
    )
    args = parser.parse_args()

    url = _database(args.database_url, args.database_name)
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
        # The normal users all log in from 127.0.0.1: without --abuse nobody guesses.
        **({} if args.abuse else {"LOGIN_MAX_FAILURES": "1000"}),
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
        _make_users(url, [*usernames, ATTACKER, FLOODER])
        stats = Stats()
        abuse = Abuse()
        # The victim's own browser, which logged in before the attack (a known device).
        victim_device = Browser(base)
        victim_device.login(usernames[0], PASSWORD)
        scans = _scans()
        deadline = time.monotonic() + args.seconds
        started = time.monotonic()
        people = [
            threading.Thread(target=_person, args=(name, base, deadline, stats, scans))
            for name in usernames
        ]
        if args.abuse:
            people += [
                threading.Thread(target=_guesser, args=(base, usernames[0], deadline, abuse)),
                threading.Thread(target=_expensive_searcher, args=(base, deadline, abuse)),
                threading.Thread(target=_exporter, args=(base, deadline, abuse)),
                threading.Thread(target=_flooder, args=(base, deadline, abuse)),
                threading.Thread(target=_web_rss, args=(server.pid, deadline, abuse)),
            ]
        for person in people:
            person.start()
        for person in people:
            person.join()
        elapsed = time.monotonic() - started
        # Everyone here is 127.0.0.1: a new browser shares the guesser's address.
        victim_in = _logs_in(victim_device, usernames[0])
        stranger_in = _logs_in(Browser(base), usernames[0])
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
    print(
        f"normal users' uploads searchable after: p50 {accounting['searchable_p50']} s, "
        f"p95 {accounting['searchable_p95']} s, max {accounting['searchable_max']} s"
    )
    print(f"errors={errors} lost={accounting['lost']} duplicated={accounting['duplicated']}")
    if args.abuse:
        print("abuse: " + ", ".join(f"{k}: {v}" for k, v in sorted(abuse.counts.items())))
        peaks = sorted(abuse.web_peak_mb.values(), reverse=True)
        print(f"web processes' peak RSS MB: {[round(p) for p in peaks]}")
        print(
            f"victim logs in after the guessing: from its own browser "
            f"{'yes' if victim_in else 'NO'}; from a new browser at the guesser's address "
            f"{'yes' if stranger_in else 'no (backed off)'}"
        )


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


def _settle(url: str, uploads: list[tuple[str, str]], timeout: float) -> dict[str, float]:
    """Wait until no upload is queued or processing; count what became of each upload."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            # The flooder's 4,000 pages are not waited for (hours of OCR): the normal users'
            # uploads are what must not wait behind them.
            busy = connection.execute(
                "SELECT count(*) FROM archive_document d JOIN auth_user u ON u.id = d.owner_id "
                "WHERE status IN ('queued', 'processing') AND u.username <> %s",
                [FLOODER],
            ).fetchone()
            if busy is not None and busy[0] == 0:
                break
            time.sleep(2)
        rows = connection.execute(
            "SELECT u.username, d.sha256, d.status, d.page_count, coalesce(d.ocr_seconds, 0), "
            "(SELECT count(*) FROM archive_page p WHERE p.document_id = d.id) "
            "FROM archive_document d JOIN auth_user u ON u.id = d.owner_id"
        ).fetchall()
        waits = sorted(
            float(row[0])
            for row in connection.execute(
                "SELECT extract(epoch FROM finished_at - created) FROM archive_document d "
                "JOIN auth_user u ON u.id = d.owner_id "
                "WHERE u.username NOT IN (%s, %s) AND finished_at IS NOT NULL",
                [ATTACKER, FLOODER],
            ).fetchall()
        )
    found: dict[tuple[str, str], list[tuple[str, int, int]]] = defaultdict(list)
    ocr_seconds = 0.0
    for username, sha, status, page_count, seconds, pages in rows:
        found[(username, sha)].append((status, page_count or 0, pages))
        ocr_seconds += seconds
    sent = set(uploads)  # the attacker's huge scan is not among them
    done = sum(1 for key in sent for s, n, p in found.get(key, []) if s == "done" and n == p)
    return {
        "searchable_p50": round(statistics.median(waits), 1) if waits else 0,
        "searchable_p95": round(_percentile(waits, 0.95), 1) if waits else 0,
        "searchable_max": round(max(waits), 1) if waits else 0,
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
