"""API upload → done latency against a running Scan Archive (``manage.py serve``).

Run as ``python -m bench.api_upload``.

Gets a token (``POST /api/token/``), uploads the file through ``POST /api/documents/`` and polls
``GET /api/documents/{id}/status/`` every 50 ms until the document is finished. Each round
uploads a copy with a unique trailer after the file's data (ignored by decoders), so no round
is a duplicate of another. The first round also pays for loading the OCR models in the worker;
the table shows every round so "cold" and "warm" can be told apart.

    .venv/bin/python -m bench.api_upload --password PASS \
        ../shared/testdata/tesseract_test/phototest.tif --rounds 4

Columns: "upload s" is the POST's round trip (validation, hashing, storing, queueing);
"to done s" is from sending the POST until the status says finished; "OCR s" is the engine's
own time as the document records it; "rest s" is the difference (queue hand-over, decoding,
page image, database writes, the polling interval).
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

_POLL_SECONDS = 0.05


def _request(url: str, *, token: str = "", data: bytes | None = None, ctype: str = "") -> Any:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    if ctype:
        headers["Content-Type"] = ctype
    request = urllib.request.Request(url, data=data, headers=headers)
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", required=True)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    base = args.base.rstrip("/")

    credentials = json.dumps({"username": args.username, "password": args.password}).encode()
    token = _request(f"{base}/api/token/", data=credentials, ctype="application/json")["token"]
    data = args.file.read_bytes()
    print(f"{args.file.name}, {len(data):,} bytes, {args.rounds} rounds")
    print(f"{'round':>5} {'upload s':>9} {'to done s':>10} {'OCR s':>7} {'rest s':>7}  status")
    for round_number in range(1, args.rounds + 1):
        body, ctype = _multipart(args.file.name, data + uuid.uuid4().bytes)
        started = time.perf_counter()
        answer = _request(f"{base}/api/documents/", token=token, data=body, ctype=ctype)
        uploaded = time.perf_counter() - started
        document = answer["files"][0]["document"]
        if document is None:
            raise SystemExit(answer["files"][0]["message"])
        status = document
        while not status["finished"]:
            time.sleep(_POLL_SECONDS)
            status = _request(document["links"]["status"], token=token)
        done = time.perf_counter() - started
        detail = _request(document["links"]["self"], token=token)
        ocr = detail["ocr_seconds"] or 0.0
        print(
            f"{round_number:>5} {uploaded:>9.3f} {done:>10.2f} {ocr:>7.2f} "
            f"{done - ocr:>7.2f}  {detail['status']}"
        )


if __name__ == "__main__":
    main()
