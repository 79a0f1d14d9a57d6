"""The OCR service against the CLI: ``bench.ocr_service``.

    .venv/bin/python -m bench.ocr_service                 # 5 rounds, 50 async jobs: ~4 min
    .venv/bin/python -m bench.ocr_service --jobs 20 --rounds 3

What it measures, on real scans of ``../shared/testdata`` with RapidOCR:

- **One page, synchronous**: ``POST /api/ocr/`` of ``tesseract_test/phototest.tif`` to a
  running ``manage.py serve`` (gunicorn + a 2-worker ``qcluster``, models warm), the wall time
  of the HTTP request, against the CLI on the same page (``python -m ocr --format jsonl``, a
  new process each time, as a person or a script runs it) and against the library called
  in-process with a warm engine (``ocr.recognize``), the floor. Fastest and median of
  ``--rounds``. The target: the service within 10 % of the CLI.
- **Throughput**: ``--jobs`` single-page jobs (the page set: the English, European and a
  French typewritten scan, cycled) sent with ``?async=1`` as fast as the client can, then
  polled; jobs per minute from the first request to the last job done, on 2 workers.
- **Output sizes per page**: text, the JSONL page, hOCR and ALTO of each scan of the set.

Answers are checked, not only timed: the service's text of the page must equal the CLI's and
the library's (same engine, same settings), and every async job's text must equal the
library's text of its file; a mismatch stops the bench.

The server runs on a database of its own (``scan_archive_bench_ocr_service`` on the server of
``DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/postgres``, dropped and created
afresh) and a temporary ``MEDIA_ROOT``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.request import Request, urlopen

from bench.ingest import database_url

ROOT = Path(__file__).resolve().parents[1]
TESTDATA = Path(os.environ.get("SCAN_ARCHIVE_TESTDATA", ROOT.parent / "shared" / "testdata"))
PAGE = TESTDATA / "tesseract_test" / "phototest.tif"
PAGE_SET = [
    PAGE,
    TESTDATA / "tesseract_test" / "eurotext.tif",
    TESTDATA / "tapuscorpus_fr" / "AN_20130043_FRAN_0011_11086.jpg",
]
ENGINE = "rapidocr"
BENCH_DB = "scan_archive_bench_ocr_service"


def request(url: str, token: str, data: bytes | None = None, ctype: str = "") -> tuple[int, Any]:
    headers = {"Authorization": f"Token {token}"}
    if ctype:
        headers["Content-Type"] = ctype
    try:
        with urlopen(Request(url, data=data, headers=headers), timeout=300) as response:
            return response.status, json.loads(response.read())
    except Exception as error:  # an HTTPError carries the answer
        body = getattr(error, "read", lambda: b"")()
        raise SystemExit(f"{url}: {error} {body[:300]!r}") from error


def multipart(path: Path, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    )
    body = b"".join(parts) + head.encode() + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def start_server(port: int, media: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = (media / "serve.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def make_token(env: dict[str, str]) -> str:
    code = (
        "import django; django.setup();"
        "from django.contrib.auth.models import User;"
        "from rest_framework.authtoken.models import Token;"
        "u=User.objects.create_user('bench', password='bench-password-1');"
        "print(Token.objects.create(user=u).key)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "archive.settings"},
        capture_output=True,
        check=True,
    )
    return out.stdout.decode().strip().splitlines()[-1]


def wait_up(base: str, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("manage.py serve exited; see serve.log in the media folder")
        try:
            with urlopen(f"{base}/login/", timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not answer")


def cli_once(path: Path) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "ocr",
            "--engine",
            ENGINE,
            "--lang",
            "en",
            "--format",
            "jsonl",
            "--jobs",
            "1",
            str(path),
        ],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started, json.loads(out.stdout)["text"]


def sync_once(base: str, token: str, path: Path) -> tuple[float, str]:
    body, ctype = multipart(path, {"engine": ENGINE, "language": "en"})
    started = time.perf_counter()
    status, answer = request(f"{base}/api/ocr/", token, body, ctype)
    seconds = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"expected a synchronous answer, got {status}: {answer}")
    return seconds, answer["result"]["text"]


def throughput(base: str, token: str, jobs: int, expected: dict[str, str]) -> float:
    files = [PAGE_SET[i % len(PAGE_SET)] for i in range(jobs)]
    started = time.perf_counter()
    urls = []
    for path in files:
        body, ctype = multipart(path, {"engine": ENGINE, "language": "en"})
        status, answer = request(f"{base}/api/ocr/?async=1", token, body, ctype)
        assert status == 202, answer
        urls.append((path, answer["url"]))
    # The queue is first in, first out: wait on the oldest job still pending, so polling costs
    # the server a few requests a second, not one per job.
    for path, url in urls:
        while True:
            _status, answer = request(url, token)
            if answer["status"] in ("done", "failed"):
                break
            time.sleep(0.25)
        if answer["status"] == "failed" or answer["result"]["text"] != expected[path.name]:
            raise SystemExit(f"job {url} of {path.name}: wrong answer ({answer['error']})")
    return jobs / (time.perf_counter() - started) * 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--database",
        default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
    )
    parser.add_argument(
        "--bench-db",
        default=BENCH_DB,
        help="name of the database the server runs on (dropped and created afresh)",
    )
    args = parser.parse_args()
    for path in PAGE_SET:
        if not path.is_file():
            raise SystemExit(f"missing test scan {path}")

    import ocr
    from ocr.cli import page_json
    from ocr.interchange import to_alto, to_hocr

    engine = ocr.get_engine(ENGINE)
    library: dict[str, Any] = {
        p.name: ocr.recognize(p, engine=engine, languages=["en"]) for p in PAGE_SET
    }
    expected = {name: result.text for name, result in library.items()}
    library_times = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        text = ocr.recognize(PAGE, engine=engine, languages=["en"]).text
        library_times.append(time.perf_counter() - started)
        assert text == expected[PAGE.name]

    cli_times = []
    for _ in range(args.rounds):
        seconds, text = cli_once(PAGE)
        cli_times.append(seconds)
        if text != expected[PAGE.name]:
            raise SystemExit("the CLI read the page differently from the library")

    import bench.ingest as ingest

    ingest.BENCH_DB = args.bench_db
    url = database_url(args.database)
    with tempfile.TemporaryDirectory(prefix="bench-ocr-service-") as folder:
        media = Path(folder)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "MEDIA_ROOT": str(media),
            "WORKERS": "2",
            "OCR_ENGINE": ENGINE,
            "OCR_JOBS_PER_USER": str(max(args.jobs, 20)),
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        token = make_token(env)
        server = start_server(args.port, media, env)
        base = f"http://127.0.0.1:{args.port}"
        try:
            wait_up(base, server)
            for _ in range(4):  # both workers load their models
                sync_once(base, token, PAGE)
            service_times = []
            for _ in range(args.rounds):
                seconds, text = sync_once(base, token, PAGE)
                service_times.append(seconds)
                if text != expected[PAGE.name]:
                    raise SystemExit("the service read the page differently from the library")
            jobs_per_minute = throughput(base, token, args.jobs, expected)
        finally:
            os.killpg(server.pid, 15)
            server.wait(timeout=60)

    def row(name: str, times: list[float]) -> str:
        return f"| {name} | {min(times):.3f} | {statistics.median(times):.3f} |"

    cli_best, service_best = min(cli_times), min(service_times)
    print(f"\nOne page ({PAGE.name}, 640x480, {ENGINE}), {args.rounds} rounds, seconds")
    print("| path | fastest | median |\n|---|---:|---:|")
    print(row("library, warm engine in-process (floor)", library_times))
    print(row("CLI `python -m ocr --format jsonl` (new process)", cli_times))
    print(row("service `POST /api/ocr/` (sync, 2 warm workers)", service_times))
    overhead = (service_best - cli_best) / cli_best * 100
    floor = (service_best - min(library_times)) * 1000
    verdict = "met" if overhead <= 10 else "NOT met"
    print(f"\nservice vs CLI: {overhead:+.0f} % (target <= +10 %: {verdict})")
    print(f"service vs warm library: +{floor:.0f} ms per request (queue hand-over, HTTP, JSON)")
    print(
        f"\nThroughput, {args.jobs} async single-page jobs, 2 workers: {jobs_per_minute:.1f} /min"
    )
    print("\nOutput sizes per page, bytes")
    print(
        "| page | pixels | words | text | JSONL | hOCR | ALTO |\n|---|---|---:|---:|---:|---:|---:|"
    )
    for path in PAGE_SET:
        result = library[path.name]
        page = result.pages[0]
        sizes = [
            len(page.text.encode()),
            len(json.dumps(page_json(1, page), ensure_ascii=False).encode()),
            len(to_hocr(result.pages, source_name=path.name)),
            len(to_alto(result.pages, source_name=path.name)),
        ]
        print(
            f"| {path.name} | {page.width}x{page.height} | {len(page.words)} | "
            + " | ".join(f"{s:,}" for s in sizes)
            + " |"
        )
    print("\nAnswers checked: service, CLI and every async job read the same text as the library.")


if __name__ == "__main__":
    main()
