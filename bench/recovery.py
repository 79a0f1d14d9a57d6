"""Recovery time: SIGKILL of the worker reading a page → that page saved by another worker.

Runs ``manage.py serve`` of a checkout (``--project``, default this one) on a database of its
own with one OCR worker, uploads a TIFF of dense pages rendered here, waits for the first page,
then SIGKILLs the worker process that is reading (the busiest ``qcluster`` process), and times
until the page it was reading is saved. The answer is checked against the reference: the
document ends done, each page saved once, each with its words.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.recovery                        # this checkout
    ... .venv/bin/python -m bench.recovery --project ../main      # before, for comparison

The database named by ``--database`` is created (and dropped afterwards) on the server of
``DATABASE_URL``. Measured on the same machine before and after, see docs/workers.md.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
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
    """A TIFF of dense pages (a few seconds of OCR each), page n's lines naming WORDS[n]."""
    font = ImageFont.load_default(size=40)
    frames = []
    for word in WORDS:
        image = Image.new("RGB", (2000, 2600), "white")
        draw = ImageDraw.Draw(image)
        for line in range(24):
            draw.text((80, 80 + line * 100), f"{word} line {line} of the report", font=font)
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


def run(project: Path, server: str, database: str, port: int) -> dict[str, object]:
    base = urllib.parse.urlsplit(server)
    url = base._replace(path=f"/{database}").geturl()
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{database}"')
        db.execute(f'CREATE DATABASE "{database}"')
    folder = Path(tempfile.mkdtemp(prefix="bench-recovery-"))
    env = {
        **os.environ,
        "DATABASE_URL": url,
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
        victim = _busiest(psutil.Process(serve.pid))
        interrupted = _in_flight(url, document)
        victim.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        _wait(lambda: interrupted <= set(_saved(url, document)), 1800, "the interrupted page")
        seconds = time.monotonic() - killed
        _wait(lambda: len(_saved(url, document)) == len(WORDS), 600, "every page")
        pages = _saved(url, document)
        correct = sorted(pages) == list(range(1, len(WORDS) + 1)) and all(
            word.lower() in pages[n + 1].lower() for n, word in enumerate(WORDS)
        )
    finally:
        os.killpg(serve.pid, signal.SIGINT)
        serve.wait(timeout=60)
        with psycopg.connect(server, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return {"seconds": seconds, "pages": sorted(interrupted), "correct": correct}


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
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    result = run(args.project.resolve(), server, args.database, args.port or _free_port())
    print("| checkout | pages interrupted | SIGKILL → page saved (s) | answer |")
    print("|---|---|---|---|")
    answer = "correct" if result["correct"] else "WRONG"
    print(f"| {args.project} | {result['pages']} | {result['seconds']:.1f} | {answer} |")


if __name__ == "__main__":
    main()
