"""Concurrent first downloads of a searchable PDF (issue 15, item 2): several requests for a
PDF not built yet each build one, and all must get the same valid file, with no second copy
left in storage. Real requests on separate threads (each its own database connection)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connections
from django.test import Client
from django.urls import reverse

from archive import exports
from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from tests.archive.conftest import run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REQUESTS = 3


def _rendezvous(build: Callable[..., str], barrier: threading.Barrier) -> Callable[..., str]:
    """``build``, then wait for the other requests' builds: every request has built its own
    file before any records one, the interleaving a double click gives on a slow build. A fix
    that lets only one request build breaks the barrier by timeout; the others go on."""

    def wrapped(*args: Any, **kwargs: Any) -> str:
        name = build(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return name

    return wrapped


def test_parallel_first_downloads_all_get_the_one_recorded_pdf(alice, make_upload, monkeypatch):
    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert not document.searchable_pdf.name

    barrier = threading.Barrier(REQUESTS, timeout=10)
    monkeypatch.setattr(exports, "_build_and_store", _rendezvous(exports._build_and_store, barrier))
    url = reverse("document_searchable_pdf", args=[document.pk])
    start = threading.Barrier(REQUESTS)
    results: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def download() -> None:
        try:
            client = Client(raise_request_exception=False)
            client.force_login(alice)
            start.wait()
            response = client.get(url)
            body = response.getvalue() if response.status_code == 200 else b""
            with lock:
                results.append((response.status_code, body))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=download) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(status for status, _ in results) == [200] * REQUESTS
    bodies = {body for _, body in results}
    assert len(bodies) == 1
    assert next(iter(bodies)).startswith(b"%PDF-")
    document.refresh_from_db()
    recorded = document.searchable_pdf.name
    assert recorded
    assert default_storage.exists(recorded)
    folder = f"exports/{alice.pk}/{document.pk}"
    _, files = default_storage.listdir(folder)
    assert [f"{folder}/{name}" for name in files] == [recorded]  # no orphan copies
