"""Fixtures of the API tests: token-authenticated clients, a real scan, a worker run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from archive.models import Document
from tests.archive.conftest import run_queued_tasks

DOCUMENTS = "/api/documents/"


def token_client(user: Any) -> APIClient:
    """A client that sends the user's token, as an API client would (no session)."""
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(alice) -> APIClient:
    return token_client(alice)


@pytest.fixture
def bob_api(bob) -> APIClient:
    return token_client(bob)


@pytest.fixture
def phototest(testdata: Path) -> Path:
    """A real 640×480 scan of English text (Tesseract's test page), ground truth beside it."""
    return testdata / "tesseract_test" / "phototest.tif"


def file_upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def upload_and_process(
    api: APIClient, django_capture_on_commit_callbacks: Any
) -> Callable[..., dict[str, Any]]:
    """Upload files through the API, then let a worker run the queued tasks for real; returns
    the upload's JSON answer."""

    def run(*files: SimpleUploadedFile, **fields: str) -> dict[str, Any]:
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(DOCUMENTS, {"files": list(files), **fields}, format="multipart")
        assert response.status_code in (200, 201), response.content
        run_queued_tasks()
        return response.json()

    return run


@pytest.fixture
def processed(phototest: Path, upload_and_process: Callable[..., dict[str, Any]]) -> Document:
    """alice's phototest.tif, uploaded through the API and read by a worker."""
    answer = upload_and_process(file_upload(phototest))
    document = Document.objects.get(pk=answer["files"][0]["document"]["id"])
    assert document.status == Document.Status.DONE, document.error
    return document
