"""archive.ocr_files and its downloads: stored documents as hOCR and ALTO, corrections included.

Access to these URLs by anyone but the owner is walked in ``test_access_walk``.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from lxml import etree, html
from rest_framework.authtoken.models import Token

from archive.documents import document_rerun
from archive.models import Document
from archive.review import page_correct
from ocr.interchange import read_ocr_file
from tests.archive.scans import scanned
from tests.ocr.schemas import alto_schema

pytestmark = pytest.mark.django_db

PAGE = "tesseract_test/phototest.tif"


@pytest.fixture
def photo(alice: User, testdata: Any) -> Document:
    return scanned(alice, testdata, PAGE, language="en", title="Photo test")


def _stored_words(document: Document) -> list[tuple[str, tuple[int, ...]]]:
    page = document.pages.get()
    return [(w["text"], tuple(round(v) for v in w["box"])) for w in page.words]


@pytest.mark.slow
def test_document_downloads_as_valid_alto_and_hocr(
    client: Client, alice: User, photo: Document
) -> None:
    client.force_login(alice)
    page = photo.pages.get()
    response = client.get(f"/documents/{photo.pk}/ocr/alto/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/alto+xml; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Photo test.alto.xml"'
    assert "private" in response["Cache-Control"]
    root = etree.fromstring(response.content)
    assert alto_schema().validate(root), alto_schema().error_log
    ns = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
    (alto_page,) = root.findall(".//a:Page", ns)
    assert (alto_page.get("WIDTH"), alto_page.get("HEIGHT")) == (str(page.width), str(page.height))
    assert root.findtext(".//a:fileName", namespaces=ns) == "phototest.tif"
    assert {b.get("LANG") for b in root.iterfind(".//a:TextBlock", ns)} == {"en"}
    (read,) = read_ocr_file(response.content)
    assert [(w.text, w.box) for w in read.words] == _stored_words(photo)
    assert read.text.split() == page.text.split()

    response = client.get(f"/documents/{photo.pk}/pages/1/ocr/hocr/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vnd.hocr+html; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="Photo test-page-1.hocr"'
    (ocr_page,) = html.fromstring(response.content).find_class("ocr_page")
    assert f"bbox 0 0 {page.width} {page.height}" in ocr_page.get("title")
    (read,) = read_ocr_file(response.content)
    assert [(w.text, w.box) for w in read.words] == _stored_words(photo)


@pytest.mark.slow
def test_a_review_correction_is_what_is_exported(
    client: Client, alice: User, photo: Document, django_user_model: type[User]
) -> None:
    staff = django_user_model.objects.create_user("rita", is_staff=True)
    page = photo.pages.get()
    first = page.words[0]["text"]
    corrected = page.text.replace(first, "Corrected", 1)
    assert page_correct(page, user=staff, text=corrected) is not None
    client.force_login(alice)
    for url in (f"/documents/{photo.pk}/ocr/hocr/", f"/documents/{photo.pk}/pages/1/ocr/alto/"):
        (read,) = read_ocr_file(client.get(url).content)
        assert read.words[0].text == "Corrected"
        assert read.words[0].box == tuple(round(v) for v in page.words[0]["box"])
        assert read.text.split() == corrected.split()


@pytest.mark.slow
def test_the_api_gives_the_same_files(alice: User, photo: Document) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    web = Client()
    web.force_login(alice)
    for fmt in ("hocr", "alto"):
        from_api = api.get(f"/api/documents/{photo.pk}/ocr/{fmt}/")
        assert from_api.status_code == 200
        assert from_api.content == web.get(f"/documents/{photo.pk}/ocr/{fmt}/").content
        page = api.get(f"/api/documents/{photo.pk}/pages/1/ocr/{fmt}/")
        assert page.status_code == 200
        assert read_ocr_file(page.content)[0].words == read_ocr_file(from_api.content)[0].words


@pytest.mark.slow
def test_unknown_format_and_unfinished_document(
    client: Client, alice: User, photo: Document
) -> None:
    client.force_login(alice)
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=alice).key}")
    for url in (f"/documents/{photo.pk}/ocr/pdf/", f"/documents/{photo.pk}/pages/1/ocr/txt/"):
        assert client.get(url).status_code == 404
        assert api.get(f"/api{url}").status_code == 404
    assert client.get(f"/documents/{photo.pk}/pages/2/ocr/alto/").status_code == 404

    document_rerun(photo, from_scratch=True)  # queued again: not done, no pages
    response = client.get(f"/documents/{photo.pk}/ocr/alto/")
    assert response.status_code == 409
    assert "once every page has been read" in response.content.decode()
    response = api.get(f"/api/documents/{photo.pk}/ocr/hocr/")
    assert response.status_code == 409
    assert "once every page has been read" in response.json()["detail"]


@pytest.mark.slow
def test_the_document_page_links_the_files(client: Client, alice: User, photo: Document) -> None:
    client.force_login(alice)
    body = client.get(f"/documents/{photo.pk}/").content.decode()
    for url in (f"/documents/{photo.pk}/ocr/alto/", f"/documents/{photo.pk}/pages/1/ocr/hocr/"):
        assert f'href="{url}"' in body
