"""Upload → searchable latency against a running Scan Archive (``manage.py serve``).

Logs in, uploads each file through the browser form, and polls the search page until a word
from the file's ground truth finds it. The first upload also pays for loading the OCR models in
the worker process; the table reports every round so "cold" and "warm" can be told apart.

    .venv/bin/python -m bench.upload_to_search --password PASS \
        ../shared/testdata/tesseract_test/phototest.tif --rounds 4
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path


class Browser:
    """Just enough of a browser: cookies, CSRF token, form posts, multipart upload."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def csrf(self) -> str:
        return next(c.value or "" for c in self.jar if c.name == "csrftoken")

    def login(self, username: str, password: str) -> None:
        self.get("/login/")
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=data, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=30) as response:
            if "/login/" in response.geturl():
                raise SystemExit("login failed: check --username/--password")

    def upload(self, name: str, content: bytes) -> None:
        boundary = uuid.uuid4().hex
        body = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
                f"{self.csrf()}\r\n--{boundary}\r\n"
                f'Content-Disposition: form-data; name="scans"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            self.base + "/upload/",
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + "/",
            },
        )
        with self.opener.open(request, timeout=120):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--word", help="word to search for (default: a long word of the file)")
    args = parser.parse_args()

    content = args.file.read_bytes()
    word = args.word or max(re.findall(r"[A-Za-z]+", args.file.stem + " phototest"), key=len)
    truth = args.file.with_suffix(".gt.txt")
    if truth.exists() and not args.word:
        word = max(re.findall(r"[A-Za-z]{4,}", truth.read_text()), key=len)

    browser = Browser(args.url)
    browser.login(args.username, args.password)
    print(f"file: {args.file.name} ({len(content)} bytes); searching for {word!r}")
    print(f"{'round':>5} | {'upload s':>8} | {'upload→searchable s':>19}")
    print(f"{'-' * 5}-+-{'-' * 8}-+-{'-' * 19}")
    for round_number in range(1, args.rounds + 1):
        # A unique trailing comment makes every round a new document (not a duplicate).
        tag = uuid.uuid4().hex[:10]
        data = content + f"\nbench-{tag}".encode()
        # A title no earlier run used: the search page must show this round's document.
        name = f"bench-{tag}-{round_number}-{args.file.name}"
        started = time.perf_counter()
        browser.upload(name, data)
        uploaded = time.perf_counter() - started
        title = Path(name).stem.replace("_", " ")
        query = urllib.parse.urlencode({"q": word})
        while title not in browser.get(f"/search/?{query}"):
            if time.perf_counter() - started > 300:
                raise SystemExit("not searchable after 300 s: is the worker running?")
            time.sleep(0.1)
        print(f"{round_number:>5} | {uploaded:8.2f} | {time.perf_counter() - started:19.2f}")


if __name__ == "__main__":
    main()
