"""archive.multipart: header blocks made UTF-8 whatever the reads cut, contents untouched."""

from __future__ import annotations

import pytest

from archive.multipart import transcode

BOUNDARY = b"b0undary"
# File data that looks like headers and holds bytes that are not UTF-8: must pass as is.
CONTENT = b'\xff\xfe binary\r\n\r\nContent-Disposition: x; filename="\xe4"\r\n' * 50


def _body(names: list[bytes]) -> bytes:
    parts = b"".join(
        b"--" + BOUNDARY + b"\r\n"
        b'Content-Disposition: form-data; name="scans"; filename="' + name + b'"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n" + CONTENT + b"\r\n"
        for name in names
    )
    return parts + b"--" + BOUNDARY + b"--\r\n"


@pytest.mark.parametrize("read", [1, 2, 3, 7, 10, 64, 100_000])
def test_header_blocks_become_utf8_and_contents_do_not_change(read: int) -> None:
    body = _body([b"M\xe4rz.png", "Grüße.png".encode(), b"plain.png"])
    chunks = (body[i : i + read] for i in range(0, len(body), read))
    out = b"".join(transcode(chunks, BOUNDARY))
    assert out == _body(["März.png".encode(), "Grüße.png".encode(), b"plain.png"])
    assert out.count(CONTENT) == 3
