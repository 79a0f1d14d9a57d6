"""Hostile and broken files through the real upload view and the real worker code.

Hypothesis mutates real scans (truncated, bit-flipped, headers swapped or faked, huge
declared sizes, random bytes, empty) and posts them as uploads. Whatever arrives:

- the view answers 200/302 (taken), 400 (refused) or 413 (too large), never a 500;
- an accepted file's original is stored byte for byte (sha256 checked) and processing it
  ends in done, failed-with-a-reason or needs-password, with no exception escaping;
- a refused file leaves no row and no stored file behind.

``FUZZ_EXAMPLES`` sets the number of files per endpoint (default 100, so that CI stays quick;
run thousands before a release:
``FUZZ_EXAMPLES=3000 scripts/test tests/archive/test_fuzz_uploads.py -s``).
"""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from archive.models import Document, Page
from archive.processing import document_process
from tests.archive.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
SEED_FILES = [
    "uw3_lines_en/test_010001.png",
    "ocrd_dta_lines_de/alexis_ruhe01_1852_0018_022.tif",
    "tesseract_test/phototest-rotated-180.png",
    "pdfs/ocrmypdf/kcs.pdf",
    "pdfs/paperless/tagged-but-no-text.pdf",
    "pdfs/paperless/password-is-test.pdf",
]
MAGICS = [
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff\xe0",
    b"II*\x00",
    b"%PDF-1.7\n",
    b"GIF89a",
    b"PK\x03\x04",
]
NAMES = ["scan.png", "scan.jpg", "scan.tif", "scan.pdf", "scan.webp", "scan", "a/../b.pdf"]


def _seeds(testdata: Path) -> list[bytes]:
    """Real scans, plus one of them re-encoded in every other accepted format."""
    seeds = [(testdata / name).read_bytes() for name in SEED_FILES]
    line = Image.open(testdata / SEED_FILES[0]).convert("RGB")
    for fmt in ("JPEG", "WEBP", "GIF", "BMP"):
        out = io.BytesIO()
        line.save(out, fmt)
        seeds.append(out.getvalue())
    frames = io.BytesIO()
    line.save(frames, "TIFF", save_all=True, append_images=[line.rotate(180)])
    seeds.append(frames.getvalue())
    return seeds


def _huge_png(width: int, height: int) -> bytes:
    """A valid PNG header that claims ``width`` x ``height`` pixels, with a tiny body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


@st.composite
def hostile_files(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = draw(st.sampled_from(seeds))
    kind = draw(
        st.sampled_from(["asis", "truncate", "flip", "magic", "random", "empty", "huge", "prefix"])
    )
    if kind == "truncate":
        return data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if kind == "flip":
        buffer = bytearray(data)
        for _ in range(draw(st.integers(1, 16))):
            index = draw(st.integers(0, len(buffer) - 1))
            buffer[index] ^= 1 << draw(st.integers(0, 7))
        return bytes(buffer)
    if kind == "magic":
        magic = draw(st.sampled_from(MAGICS))
        return magic + data[len(magic) :]
    if kind == "random":
        return draw(st.binary(min_size=1, max_size=4096))
    if kind == "empty":
        return b""
    if kind == "huge":
        return _huge_png(draw(st.integers(20_000, 2**31 - 1)), draw(st.integers(20_000, 100_000)))
    if kind == "prefix":
        return draw(st.binary(min_size=1, max_size=64)) + data
    return data


def _stored_files(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


# (URL, file field): the web UI's upload and the REST API's.
ENDPOINTS = [("/upload/", "scans"), ("/api/documents/", "files")]


@pytest.mark.slow  # hundreds of files through the upload and the worker code
@pytest.mark.parametrize(("url", "field"), ENDPOINTS)
def test_hostile_uploads_never_break_anything(
    client: Client, alice: User, testdata: Path, settings_media_root: Path, url: str, field: str
) -> None:
    client.force_login(alice)
    seeds = _seeds(testdata)
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=hostile_files(seeds), name=st.sampled_from(NAMES))
    def upload(data: bytes, name: str) -> None:
        documents_before = set(Document.objects.values_list("pk", flat=True))
        files_before = _stored_files(settings_media_root)
        response = client.post(
            url,
            {field: SimpleUploadedFile(name, data), "language": "en"},
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code in (200, 201, 400, 413), response.status_code
        answer: dict[str, Any] = response.json()
        new = set(Document.objects.values_list("pk", flat=True)) - documents_before
        outcome = answer["files"][0]["outcome"] if answer.get("files") else "rejected"
        if outcome == "rejected":
            assert response.status_code in (400, 413)
            assert answer["files"] == [] or answer["files"][0]["message"]
            assert not new
            assert _stored_files(settings_media_root) == files_before
            outcomes["refused"] += 1
            return
        assert response.status_code in (200, 201)
        document = Document.objects.get(pk=answer["files"][0]["document"]["id"])
        with document.original.open("rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == hashlib.sha256(data).hexdigest()
        if document.pk in new and document.status == Document.Status.QUEUED:
            document_process(document.pk)  # raises if anything escapes the worker code
            run_queued_tasks()  # the other pages of a multi-page file
            document.refresh_from_db()
            assert document.status in (Document.Status.DONE, Document.Status.FAILED)
            if document.status == Document.Status.FAILED:
                assert document.error.strip()
            assert Page.objects.filter(document=document).count() <= (document.page_count or 0)
        outcomes[f"stored, then {document.status}"] += 1

    upload()
    print(
        f"fuzzed uploads through {url}: {dict(outcomes)}"
    )  # the figures for the README (pytest -s)


@pytest.fixture
def settings_media_root(settings: Any) -> Path:
    return Path(settings.MEDIA_ROOT)
