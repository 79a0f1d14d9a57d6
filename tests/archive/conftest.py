"""Fixtures for the Django app's tests: users, scans rendered on the fly, isolated storage."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from archive.models import Document


@pytest.fixture(autouse=True)
def _media_root(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> None:
    """Each test stores files in its own folder, never in the real ``var/media``."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    # A worker's cache of originals of its own too: the same rendered page in another test
    # (same sha256) must not be served from a copy that test fetched.
    settings.WORKER_ORIGINALS_CACHE_DIR = str(tmp_path_factory.mktemp("originals-cache"))
    # Templates resolve static URLs without a collectstatic run (manifest storage needs one).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def alice(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("alice", password="alice-password-1")


@pytest.fixture
def bob(django_user_model: type[User]) -> User:
    return django_user_model.objects.create_user("bob", password="bob-password-1")


def render_page(lines: Sequence[str], *, size: tuple[int, int] = (1200, 800)) -> Image.Image:
    """A white page with ``lines`` in large black type: a scan made in the test."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for index, line in enumerate(lines):
        draw.text((60, 60 + index * 90), line, fill="black", font=font)
    return image


def encode(images: Sequence[Image.Image], fmt: str) -> bytes:
    """Encode one image, or several as a multi-page file (TIFF), to bytes."""
    buffer = io.BytesIO()
    first, *rest = images
    if rest:
        first.save(buffer, format=fmt, save_all=True, append_images=rest)
    else:
        first.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def make_upload() -> Callable[..., SimpleUploadedFile]:
    """Build an uploaded file from lines of text (rendered) or from raw bytes."""

    def make(
        name: str = "scan.png",
        *,
        lines: Sequence[str] = ("Quarterly invoice", "Payment overdue"),
        fmt: str = "PNG",
        data: bytes | None = None,
    ) -> SimpleUploadedFile:
        content = data if data is not None else encode([render_page(lines)], fmt)
        return SimpleUploadedFile(name, content)

    return make


def run_queued_tasks(limit: int = 1000) -> int:
    """Run the tasks waiting in the django-q2 queue in this process, as a worker would, until
    it is empty (tasks may queue more); returns how many ran. For tests of code that fans out
    through the queue without starting a worker process."""
    import pydoc

    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    ran = 0
    while ran < limit and (batch := broker.dequeue()):
        for ack_id, payload in batch:
            task = SignedPackage.loads(payload)
            func = pydoc.locate(task["func"])
            assert callable(func), task["func"]
            func(*task["args"], **task["kwargs"])
            broker.acknowledge(ack_id)
            ran += 1
    return ran


def database_url(name: str = "") -> str:
    """A URL of the database this test uses (``name`` picks another on the same server)."""
    from django.db import connection

    db = connection.settings_dict
    name = name or db["NAME"]
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # a Unix socket (the embedded server)
        return f"postgres://{db['USER']}@/{name}?host={host}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{db['PORT'] or 5432}/{name}"


def child_env(media_root: object, **extra: str) -> dict[str, str]:
    """Environment for a child process (a worker, ``serve``) that uses this test's database
    and media folder, plus ``extra`` settings."""
    import os

    return {**os.environ, "DATABASE_URL": database_url(), "MEDIA_ROOT": str(media_root), **extra}


def document_with_pages(owner: Any, title: str, language: str, texts: list[str]) -> Document:
    """A done document of ``owner`` with one page per text, made directly in the database
    (no file, no OCR, no vectors yet): for tests of indexing and search."""
    from archive.models import Document, Page

    document = Document.objects.create(
        owner=owner,
        title=title,
        original=f"originals/test/{title}",
        original_name=title,
        sha256=f"{abs(hash((owner.pk, title))):064d}"[:64],
        mime_type="image/png",
        size=1,
        language=language,
        status=Document.Status.DONE,
        page_count=len(texts),
    )
    for number, text in enumerate(texts, 1):
        Page.objects.create(document=document, number=number, text=text)
    return document


def protected_pdf(pages: int, password: str = "test") -> bytes:
    """A PDF of ``pages`` blank pages that opens only with ``password`` (made with pikepdf)."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(200, 200))
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(owner="owner-" + password, user=password))
    return buffer.getvalue()
