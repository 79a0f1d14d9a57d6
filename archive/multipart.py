"""Upload file names that are not valid UTF-8, kept instead of dropped.

Django decodes each header line of a multipart body as strict UTF-8; a line that is not
(a file name in Latin-1 or Windows-1252, as some old scanners and mail programs send) is
skipped as "invalid", so the part loses its ``Content-Disposition`` and the file vanishes
("This field is required."). ``MultipartNamesMiddleware`` re-encodes the *header blocks* of
a multipart body to UTF-8 (bytes that are not UTF-8 are read as Latin-1, which maps every
byte to a character) while the body streams through; file contents pass untouched, and
nothing is held in memory beyond one read and one boundary's length.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import IO

from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.http import parse_header_parameters

#: A header block longer than this is passed on unchanged (Django refuses it anyway).
_MAX_HEADER = 64 * 1024
_READ = 64 * 1024


def utf8_header_block(block: bytes) -> bytes:
    """``block`` (a part's header lines) with each line that is not UTF-8 read as Latin-1
    and written as UTF-8; valid lines are returned byte for byte."""
    lines = block.split(b"\r\n")
    out = []
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            line = line.decode("latin-1").encode("utf-8")
        out.append(line)
    return b"\r\n".join(out)


def transcode(chunks: Iterator[bytes], boundary: bytes) -> Iterator[bytes]:
    """The multipart body ``chunks`` with every part's header block made UTF-8."""
    delimiter = b"--" + boundary
    keep = len(delimiter) - 1
    data = b""
    in_headers = False
    for chunk in chunks:
        data += chunk
        while True:
            if in_headers:
                end = data.find(b"\r\n\r\n")
                if end < 0:
                    if len(data) > _MAX_HEADER:
                        in_headers = False  # not a header block we can help with
                        continue
                    break
                yield utf8_header_block(data[: end + 4])
                data = data[end + 4 :]
                in_headers = False
            else:
                found = data.find(delimiter)
                if found < 0:
                    # Keep what could be the start of a delimiter cut by the read.
                    if len(data) > keep:
                        yield data[: len(data) - keep]
                        data = data[len(data) - keep :]
                    break
                yield data[: found + len(delimiter)]
                data = data[found + len(delimiter) :]
                in_headers = True
    if data:
        yield utf8_header_block(data) if in_headers else data


class _TranscodedStream:
    """A read-only file over ``transcode``'s output, for Django's multipart parser."""

    def __init__(self, stream: IO[bytes], boundary: bytes) -> None:
        self._chunks = transcode(iter(lambda: stream.read(_READ), b""), boundary)
        self._buffer = b""

    def read(self, size: int | None = -1) -> bytes:
        while size is None or size < 0 or len(self._buffer) < size:
            if not self._fill():
                break
        return self._take(size)

    def readline(self, size: int | None = -1) -> bytes:
        while b"\n" not in self._buffer and (size is None or size < 0 or len(self._buffer) < size):
            if not self._fill():
                break
        end = self._buffer.find(b"\n") + 1 or len(self._buffer)
        if size is not None and size >= 0:
            end = min(end, size)
        return self._take(end)

    def _fill(self) -> bool:
        chunk = next(self._chunks, None)
        if chunk is None:
            return False
        self._buffer += chunk
        return True

    def _take(self, size: int | None) -> bytes:
        if size is None or size < 0:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


class MultipartNamesMiddleware:
    """Put ``_TranscodedStream`` under a multipart request's body before anyone reads it.
    Must come before any middleware that reads ``request.POST`` (CSRF)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
        boundary = params.get("boundary", "")
        if content_type == "multipart/form-data" and boundary and hasattr(request, "_stream"):
            try:
                encoded = boundary.encode("ascii")
            except UnicodeEncodeError:
                raise MultiPartParserError(f"Invalid boundary in multipart: {boundary!r}") from None
            # Django reads the body through ``_stream`` (read and readline are all it uses).
            request._stream = _TranscodedStream(request._stream, encoded)  # type: ignore[assignment]
        return self.get_response(request)
