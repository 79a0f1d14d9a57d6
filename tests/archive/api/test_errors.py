"""archive.api.errors and the schema pages: JSON errors everywhere under /api/, docs offline."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.archive.api.conftest import DOCUMENTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        f"{DOCUMENTS}abc/",
        f"{DOCUMENTS}-1/",
        f"{DOCUMENTS}0/",
        f"{DOCUMENTS}99999999999999999999999/",  # past bigint: no row, not a database error
        f"{DOCUMENTS}1/pages/99999999999/",
        "/api/nothing-here/",
    ],
)
def test_unknown_urls_and_ids_answer_json_404(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_ids_past_the_column_range_are_404_in_the_web_ui_too(alice):
    client = Client()
    client.force_login(alice)
    assert client.get("/documents/99999999999999999999999/").status_code == 404
    assert client.get("/documents/1/pages/99999999999/image/").status_code == 404


def test_too_many_files_is_a_plain_json_400(api, make_upload, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    response = api.post(DOCUMENTS, {"files": [make_upload(f"{i}.png") for i in range(3)]})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Too many files in one request; send them in smaller batches."
    }


def test_malformed_json_is_a_400(api):
    response = api.generic("PATCH", f"{DOCUMENTS}1/", "{not json", "application/json")
    # The id does not exist either; the body is parsed only after the document is found.
    assert response.status_code in (400, 404)
    response = api.generic("POST", "/api/token/", "{not json", "application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_schema_and_docs_are_served_without_a_cdn():
    client = Client()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/documents/{id}/pages/{number}/" in schema.json()["paths"]
    # Swagger UI only: drf-spectacular's Redoc page loads fonts from Google, so it is not offered.
    assert client.get("/api/redoc/").status_code == 404
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources
    scripts = [s for s in sources if s.endswith(".js")]
    assert scripts
    for script in scripts:
        assert client.get(script).status_code == 200, script
