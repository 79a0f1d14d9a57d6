"""A worker killed with SIGKILL in the middle of a document loses nothing, for real.

A django-q2 cluster runs as a separate process on the test database (hence committed data,
``transaction=True``); the test kills its whole process group mid-document, starts a new
cluster, and checks the document completes with every page saved exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.ingest import document_create
from archive.models import Document
from tests.archive.conftest import child_env, encode, render_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PROJECT = Path(django_settings.BASE_DIR)
#: Short enough that the tasks the killed cluster held are handed out again within seconds
#: (shorter than the time limit, which django-q2 warns about: a slow page may then be handed
#: out twice, which the exactly-once saving of pages makes harmless).
RETRY_SECONDS = 10


def _cluster(settings: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=PROJECT,
        env=child_env(
            settings.MEDIA_ROOT,
            WORKERS="1",
            OCR_ENGINE="rapidocr",
            OCR_PAGE_TIMEOUT="60",  # a cold worker loads its models first
            OCR_RETRY_SECONDS=str(RETRY_SECONDS),
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches every process
    )


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_sigkilled_worker_loses_nothing_and_no_page_is_saved_twice(alice, settings):
    words = ["Kilo", "Lima", "Mike", "November", "Oscar", "Papa"]
    frames = [render_page([f"{word} section"], size=(900, 400)) for word in words]
    upload = SimpleUploadedFile("six.tif", encode(frames, "TIFF"))
    document = document_create(owner=alice, upload=upload, name="six.tif").document

    first = _cluster(settings)
    try:
        _wait(lambda: document.pages.count() >= 2, 120, "the first pages")
        os.killpg(first.pid, signal.SIGKILL)  # no shutdown of any kind
        first.wait(timeout=10)
    finally:
        _stop(first)
    saved_before = document.pages.count()
    assert saved_before < len(words), "the worker finished before it was killed"
    document.refresh_from_db()
    assert document.status == Document.Status.PROCESSING, document.error

    second = _cluster(settings)
    try:
        _wait(
            lambda: Document.objects.get(pk=document.pk).is_finished,
            120 + RETRY_SECONDS,
            "the document to finish after the restart",
        )
    finally:
        _stop(second)

    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    pages = list(document.pages.order_by("number"))
    assert [page.number for page in pages] == [1, 2, 3, 4, 5, 6]
    for page, word in zip(pages, words, strict=True):
        assert word.lower() in page.text.lower()
    # Exactly one image and one thumbnail per page: nothing the killed worker had half-written.
    folder = f"pages/{alice.pk}/{document.pk}"
    stored = sorted(default_storage.listdir(folder)[1])
    expected = {name for page in pages for name in (page.image.name, page.thumbnail.name)}
    assert {f"{folder}/{name}" for name in stored} == expected
    assert len(stored) == 12
