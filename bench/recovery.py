"""Recovery time: SIGKILL of the worker reading a page (or a database outage) → that page saved.

Runs ``manage.py serve`` of a checkout (``--project``, default this one) on a database of its
own with one OCR worker, uploads a TIFF of dense pages rendered here, waits for the first page,
then SIGKILLs the worker process that is reading (the busiest ``qcluster`` process), and times
until the page it was reading is saved. The answer is checked against the reference: the
document ends done, each page saved once, each with its words.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.recovery                        # this checkout
    ... .venv/bin/python -m bench.recovery --project ../main      # before, for comparison
    ... .venv/bin/python -m bench.recovery --outage 20            # database cut for 20 s

The database named by ``--database`` is created (and dropped afterwards) on the server of
``DATABASE_URL``. Measured on the same machine before and after, see docs/workers.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import psycopg
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parents[1]
WORDS = ["Kestrel", "Lantern", "Meadow", "Nimbus"]


def _pages(folder: Path) -> Path:
    """A TIFF of full pages (seconds of OCR each), page n's lines naming WORDS[n]."""
    font = ImageFont.load_default(size=40)
    frames = []
    for word in WORDS:
        image = Image.new("RGB", (2000, 2600), "white")
        draw = ImageDraw.Draw(image)
        for line in range(12):
            draw.text(
                (80, 80 + line * 100), f"{word} line {line} of the report", fill="black", font=font
            )
        frames.append(image)
    path = folder / "recovery.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_lzw")
    return path


def _busiest(serve: psutil.Process) -> psutil.Process:
    """The qcluster process using the most CPU now: the worker reading a page."""
    processes = [p for p in serve.children(recursive=True) if "qcluster" in " ".join(p.cmdline())]
    before = {p.pid: sum(p.cpu_times()[:2]) for p in processes}
    time.sleep(0.5)
    return max(processes, key=lambda p: sum(p.cpu_times()[:2]) - before[p.pid])


def _saved(url: str, document: int) -> dict[int, str]:
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT number, text FROM archive_page WHERE document_id = %s", (document,)
        ).fetchall()
    return {number: text for number, text in rows}


def _restarted(url: str, document: int, pages: set[int], after: float) -> bool:
    """True once a worker has started each of ``pages`` again since ``after`` (epoch s)."""
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT number, extract(epoch FROM last_started) FROM archive_pageattempt "
            "WHERE document_id = %s",
            (document,),
        ).fetchall()
    started = {number: float(at) for number, at in rows if at is not None}
    return all(started.get(number, 0.0) > after for number in pages)


def _in_flight(url: str, document: int) -> set[int]:
    """Pages a worker has started and not saved (PageAttempt: in every release)."""
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT number FROM archive_pageattempt a WHERE document_id = %s AND NOT EXISTS "
            "(SELECT 1 FROM archive_page p WHERE p.document_id = a.document_id "
            "AND p.number = a.number)",
            (document,),
        ).fetchall()
    return {number for (number,) in rows}


class Proxy:
    """A TCP proxy in front of PostgreSQL that can be cut: every connection through it is
    closed and new ones are refused until it is restored (a database outage as the workers
    see it, without touching the shared server)."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.up = True
        self.pairs: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.server.accept()
            try:
                if not self.up:
                    raise OSError("cut")
                upstream = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.pairs.append((client, upstream))
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()

    def cut(self) -> None:
        self.up = False
        with self.lock:
            pairs, self.pairs = self.pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self.up = True


def _pump(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    for end in (source, target):
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()


def run(project: Path, server: str, database: str, port: int, outage: float) -> dict[str, object]:
    """One measurement; ``outage`` > 0: cut the database for that long instead of a SIGKILL,
    and time from its return."""
    base = urllib.parse.urlsplit(server)
    url = base._replace(path=f"/{database}").geturl()
    served = url
    if outage:
        proxy = Proxy((base.hostname or "127.0.0.1", base.port or 5432))
        netloc = f"{base.username or 'postgres'}@127.0.0.1:{proxy.port}"
        served = base._replace(path=f"/{database}", netloc=netloc).geturl()
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{database}"')
        db.execute(f'CREATE DATABASE "{database}"')
    folder = Path(tempfile.mkdtemp(prefix="bench-recovery-"))
    env = {
        **os.environ,
        "DATABASE_URL": served,
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
        "SCAN_ARCHIVE_VAR_DIR": str(folder / "var"),
        "SECRET_KEY": "bench",
        "ADMIN_PASSWORD": "bench-password-1",
        "WORKERS": "1",
        "OCR_ENGINE": "rapidocr",
    }
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port), "--web-workers", "1"],
        cwd=project,
        env=env,
        stdout=(folder / "serve.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait(lambda: serve.poll() is None and _answers(port), 180, "serve to answer")
        tiff = _pages(folder)
        created = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", _UPLOAD.format(path=str(tiff))],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        document = int(created.stdout.strip().splitlines()[-1])
        _wait(lambda: len(_saved(url, document)) >= 1, 300, "the first page")
        _wait(lambda: bool(_in_flight(url, document)), 60, "a page being read")
        interrupted = _in_flight(url, document)
        if outage:
            proxy.cut()
            time.sleep(outage)
            proxy.restore()
        else:
            _busiest(psutil.Process(serve.pid)).send_signal(signal.SIGKILL)
        killed, killed_at = time.monotonic(), time.time()
        _wait(lambda: _restarted(url, document, interrupted, killed_at), 1800, "a restart")
        taken = time.monotonic() - killed
        _wait(lambda: interrupted <= set(_saved(url, document)), 1800, "the interrupted page")
        seconds = time.monotonic() - killed
        _wait(lambda: len(_saved(url, document)) == len(WORDS), 600, "every page")
        pages = _saved(url, document)
        correct = sorted(pages) == list(range(1, len(WORDS) + 1)) and all(
            word.lower() in pages[n + 1].lower() for n, word in enumerate(WORDS)
        )
        ocr = sum(_page_seconds(url, document)) / len(WORDS)
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(timeout=60)
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return {
        "taken": taken,
        "seconds": seconds,
        "pages": sorted(interrupted),
        "correct": correct,
        "ocr": ocr,
    }


def _page_seconds(url: str, document: int) -> list[float]:
    with psycopg.connect(url, autocommit=True) as db:
        rows = db.execute(
            "SELECT seconds FROM archive_page WHERE document_id = %s", (document,)
        ).fetchall()
    return [float(seconds or 0) for (seconds,) in rows]


_UPLOAD = """
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from archive.ingest import document_create
owner, _ = User.objects.get_or_create(username="bench")
data = open({path!r}, "rb").read()
upload = SimpleUploadedFile("recovery.tif", data)
print(document_create(owner=owner, upload=upload, name="recovery.tif", language="en").document.pk)
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):
            return True
    except OSError:
        return False


def _wait(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--project", type=Path, default=HERE)
    parser.add_argument("--database", default="bench_recovery")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument(
        "--outage",
        type=float,
        default=0,
        help="instead of a SIGKILL, cut the workers' database connections for this many "
        "seconds (through a TCP proxy) and time from the database's return",
    )
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    result = run(
        args.project.resolve(), server, args.database, args.port or _free_port(), args.outage
    )
    event = f"database back after {args.outage:g} s" if args.outage else "SIGKILL"
    print(
        f"| checkout | page cut off | {event} → page started again (s) "
        f"| {event} → page saved (s) | OCR s/page | answer |"
    )
    print("|---|---|---|---|---|---|")
    answer = "correct" if result["correct"] else "WRONG"
    print(
        f"| {args.project} | {result['pages']} | {result['taken']:.1f} "
        f"| {result['seconds']:.1f} | {result['ocr']:.1f} | {answer} |"
    )


if __name__ == "__main__":
    main()
