"""Concurrent first downloads of a searchable PDF (issue 15, items 2 and 5).

Item 2: three parallel downloads of a PDF not built yet once gave 200, 500, 500. Item 5: the
PDF was built inside the web request. Now the requests only queue one build and answer
"being prepared"; two workers that both get a build task for the document build it once.
Real requests on separate threads (each its own database connection)."""

from __future__ import annotations

import threading

import pytest
from django.core.files.storage import default_storage
from django.db import connections
from django.test import Client
from django.urls import reverse
from django_q.models import OrmQ

from archive import exports
from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from tests.archive.conftest import run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REQUESTS = 3


def _parallel(target, count: int) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def test_parallel_first_downloads_queue_one_build_and_all_get_the_one_pdf(alice, make_upload):
    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert not document.searchable_pdf.name

    url = reverse("document_searchable_pdf", args=[document.pk])
    start = threading.Barrier(REQUESTS)
    statuses: list[int] = []
    lock = threading.Lock()

    def download() -> None:
        try:
            client = Client(raise_request_exception=False)
            client.force_login(alice)
            start.wait()
            response = client.get(url)
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    _parallel(download, REQUESTS)
    assert statuses == [202] * REQUESTS
    assert OrmQ.objects.count() == 1  # one build queued for three clicks

    # Two workers each holding a build task for the document: one builds, the other waits
    # for it and finds the PDF (no second build, no second file).
    builds: list[str] = []
    real_build = exports._build_and_store

    def counted(*args, **kwargs):
        name = real_build(*args, **kwargs)
        with lock:
            builds.append(name)
        return name

    exports._build_and_store = counted
    try:

        def work() -> None:
            try:
                exports.searchable_pdf_build(document.pk)
            finally:
                connections.close_all()

        _parallel(work, 2)
    finally:
        exports._build_and_store = real_build
    assert len(builds) == 1
    document.refresh_from_db()
    assert document.searchable_pdf.name == builds[0]
    assert document.searchable_pdf_requested is None

    bodies = set()
    for _ in range(REQUESTS):
        client = Client()
        client.force_login(alice)
        response = client.get(url)
        assert response.status_code == 200
        bodies.add(response.getvalue())
    assert len(bodies) == 1
    assert next(iter(bodies)).startswith(b"%PDF-")
    _folders, files = default_storage.listdir(f"exports/{alice.pk}/{document.pk}")
    assert len(files) == 1
