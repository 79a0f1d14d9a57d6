"""Peak memory of the OCR worker processes while they read a file, on a running ``serve``.

Uploads the file through the browser form (see ``upload_to_search.Browser``), samples the RSS of
every ``qcluster`` process every 50 ms until the document is searchable, and prints a table of
the peak per process next to its RSS before the upload.

    .venv/bin/python -m bench.worker_memory --password PASS \
        ../shared/testdata/tesseract_test/8087_054.3B.tif
"""

from __future__ import annotations

import argparse
import contextlib
import time
import urllib.parse
import uuid
from pathlib import Path

import psutil

from bench.upload_to_search import Browser


def _workers() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any("qcluster" in part for part in cmdline):
            found.append(process)
            found.extend(process.children(recursive=True))
    return list({p.pid: p for p in found}.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--word", default="the")
    args = parser.parse_args()

    workers = _workers()
    if not workers:
        raise SystemExit("no qcluster process found: start `manage.py serve` first")
    before = {p.pid: p.memory_info().rss for p in workers}
    peak = dict(before)
    browser = Browser(args.url)
    browser.login(args.username, args.password)
    name = f"mem-{uuid.uuid4().hex[:8]}-{args.file.name}"
    data = args.file.read_bytes() + f"\n{name}".encode()
    started = time.perf_counter()
    browser.upload(name, data)
    title = Path(name).stem.replace("_", " ")
    query = urllib.parse.urlencode({"q": args.word})
    next_poll = 0.0
    while True:
        for process in workers:
            with contextlib.suppress(psutil.NoSuchProcess):
                peak[process.pid] = max(peak[process.pid], process.memory_info().rss)
        now = time.perf_counter()
        if now >= next_poll:
            if title in browser.get(f"/search/?{query}"):
                break
            next_poll = now + 0.5
        if now - started > 600:
            raise SystemExit("not searchable after 600 s")
        time.sleep(0.05)
    print(f"file: {args.file.name}; searchable after {time.perf_counter() - started:.1f} s")
    print(f"{'pid':>7} | {'RSS before MB':>13} | {'peak RSS MB':>11}")
    print(f"{'-' * 7}-+-{'-' * 13}-+-{'-' * 11}")
    for pid in sorted(peak):
        print(f"{pid:>7} | {before[pid] / 2**20:13.0f} | {peak[pid] / 2**20:11.0f}")


if __name__ == "__main__":
    main()
