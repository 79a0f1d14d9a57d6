"""A worker killed with SIGKILL in the middle of a document loses nothing, for real.

A django-q2 cluster runs as a separate process on the test database (hence committed data,
``transaction=True``); the test kills its whole process group mid-document, starts a new
cluster, and checks the document completes with every page saved exactly once.
"""

from __future__ import annotations

import os
import signal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.ingest import document_create
from archive.models import Document
from tests.archive.conftest import encode, render_page
from tests.archive.workers import RETRY_SECONDS, start_cluster, stop_cluster, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_sigkilled_worker_loses_nothing_and_no_page_is_saved_twice(alice, settings):
    words = ["Kilo", "Lima", "Mike", "November", "Oscar", "Papa"]
    frames = [render_page([f"{word} section"], size=(900, 400)) for word in words]
    upload = SimpleUploadedFile("six.tif", encode(frames, "TIFF"))
    document = document_create(owner=alice, upload=upload, name="six.tif").document

    first = start_cluster(settings)
    try:
        wait_for(lambda: document.pages.count() >= 2, 120, "the first pages")
        os.killpg(first.pid, signal.SIGKILL)  # no shutdown of any kind
        first.wait(timeout=10)
    finally:
        stop_cluster(first)
    saved_before = document.pages.count()
    assert saved_before < len(words), "the worker finished before it was killed"
    document.refresh_from_db()
    assert document.status == Document.Status.PROCESSING, document.error

    second = start_cluster(settings)
    try:
        wait_for(
            lambda: Document.objects.get(pk=document.pk).is_finished,
            120 + RETRY_SECONDS,
            "the document to finish after the restart",
        )
    finally:
        stop_cluster(second)

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
