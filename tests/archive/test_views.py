"""archive.views: login, multi-file upload, document pages, and nobody sees another's files."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def processed(alice, make_upload):
    """One of alice's documents, OCR done."""
    upload = make_upload("notice.png", lines=["Parking notice", "Renew your permit"])
    document = document_create(owner=alice, upload=upload, name="notice.png").document
    document_process(document.pk)
    document.refresh_from_db()
    return document


def test_pages_need_login(client):
    for name in ("library", "search"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_answers(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in" in response.content


def test_upload_many_files_at_once(client, alice, make_upload, django_capture_on_commit_callbacks):
    client.force_login(alice)
    files = [
        make_upload("one.png", lines=["First"]),
        make_upload("two.jpg", lines=["Second"], fmt="JPEG"),
        make_upload("three.tif", lines=["Third"], fmt="TIFF"),
        make_upload("notes.txt", data=b"plain text, not a scan"),
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("upload"), {"scans": files, "language": "en"}, follow=True)
    assert response.status_code == 200
    assert Document.objects.filter(owner=alice).count() == 3
    assert len(callbacks) == 3
    assert sorted(Document.objects.values_list("mime_type", flat=True)) == [
        "image/jpeg",
        "image/png",
        "image/tiff",
    ]
    text = response.content.decode()
    assert "notes.txt: This is not a supported scan" in text
    assert "Queued" in text  # the library shows the new documents' status


def test_duplicate_upload_sends_the_user_to_the_existing_document(client, alice, make_upload):
    client.force_login(alice)
    data = make_upload().read()
    client.post(reverse("upload"), {"scans": [make_upload("a.png", data=data)]})
    existing = Document.objects.get(owner=alice)
    response = client.post(reverse("upload"), {"scans": [make_upload("b.png", data=data)]})
    assert response.status_code == 302
    assert response["Location"] == existing.get_absolute_url()
    assert Document.objects.filter(owner=alice).count() == 1


@pytest.mark.slow
def test_owner_sees_document_pages_image_text_and_original(client, alice, processed):
    client.force_login(alice)
    detail = client.get(processed.get_absolute_url())
    assert detail.status_code == 200
    assert b"permit" in detail.content.lower()
    image = client.get(reverse("page_image", args=[processed.pk, 1]))
    assert image.status_code == 200
    assert image["Content-Type"] == "image/webp"
    assert "private" in image["Cache-Control"]
    assert "no-cache" in image["Cache-Control"]  # unversioned URL: always asked again
    assert b"".join(image.streaming_content)[:4] == b"RIFF"
    page = processed.pages.get()
    versioned = client.get(reverse("page_thumbnail", args=[processed.pk, 1]), {"v": page.pk})
    assert versioned.status_code == 200
    assert "immutable" in versioned["Cache-Control"]
    thumbnail = Image.open(io.BytesIO(b"".join(versioned.streaming_content)))
    assert thumbnail.format == "WEBP"
    assert max(thumbnail.size) <= 400
    library = client.get(reverse("library"))
    assert f"thumbnail/?v={page.pk}".encode() in library.content
    original = client.get(reverse("document_original", args=[processed.pk]))
    assert original.status_code == 200
    assert "attachment" in original["Content-Disposition"]
    status = client.get(reverse("document_status", args=[processed.pk]))
    assert b"Done" in status.content
    assert b"hx-trigger" not in status.content  # finished: polling stops
    found = client.get(reverse("search"), {"q": "permit"})
    assert processed.title.encode() in found.content
    assert b"<mark>" in found.content


@pytest.mark.slow
def test_another_user_gets_404_everywhere(client, bob, processed):
    client.force_login(bob)
    urls = [
        processed.get_absolute_url(),
        reverse("document_status", args=[processed.pk]),
        reverse("document_original", args=[processed.pk]),
        reverse("page_image", args=[processed.pk, 1]),
        reverse("page_thumbnail", args=[processed.pk, 1]),
        reverse("document_delete", args=[processed.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for name in ("document_rerun", "document_rename", "document_delete"):
        assert client.post(reverse(name, args=[processed.pk]), {"title": "x"}).status_code == 404
    found = client.get(reverse("search"), {"q": "permit"})
    assert processed.title.encode() not in found.content
    library = client.get(reverse("library"))
    assert processed.title.encode() not in library.content
    # Not staff: the admin does not let bob in either.
    admin = client.get(reverse("admin:archive_document_change", args=[processed.pk]))
    assert admin.status_code == 302
    assert "/admin/login/" in admin["Location"]
    Document.objects.get(pk=processed.pk)  # still there, untouched


@pytest.mark.slow
def test_staff_see_documents_pages_and_queue_in_admin(client, admin_user, processed):
    client.force_login(admin_user)
    for url in (
        reverse("admin:archive_document_changelist"),
        reverse("admin:archive_document_change", args=[processed.pk]),
        reverse("admin:archive_page_changelist"),
        reverse("admin:django_q_ormq_changelist"),
        reverse("admin:django_q_failure_changelist"),
    ):
        assert client.get(url).status_code == 200, url


def test_rename_rerun_and_delete(client, alice, make_upload, settings):
    client.force_login(alice)
    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name="x.png").document
    client.post(reverse("document_rename", args=[document.pk]), {"title": "Renamed scan"})
    document.refresh_from_db()
    assert document.title == "Renamed scan"
    client.post(reverse("document_rerun", args=[document.pk]), {"from_scratch": "1"})
    document.refresh_from_db()
    assert document.status == Document.Status.QUEUED
    confirm = client.get(reverse("document_delete", args=[document.pk]))
    assert b"cannot be undone" in confirm.content
    response = client.post(reverse("document_delete", args=[document.pk]))
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()


def test_the_status_badge_keeps_asking_for_the_reload(client, alice):
    """A document still processing at the badge's first poll must reload its page when done:
    the badge swapped in polls with ``reload`` too."""
    document = document_with_pages(alice, "slow", "en", ["text"])
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING)
    client.force_login(alice)
    url = reverse("document_status", args=[document.pk])
    assert "?reload=1" in client.get(url, {"reload": "1"}).content.decode()
    assert "?reload=1" not in client.get(url).content.decode()
    Document.objects.filter(pk=document.pk).update(status=Document.Status.DONE)
    assert client.get(url, {"reload": "1"})["HX-Refresh"] == "true"


def test_a_plain_rerun_of_a_finished_document_reads_every_page_again(client, alice):
    """Issue 17: "Re-run OCR now" on a Done document said "OCR queued again." and read nothing
    (only missing pages are read by default, and a finished document has none)."""
    document = document_with_pages(alice, "done", "en", ["one", "two"])
    client.force_login(alice)
    response = client.post(reverse("document_rerun", args=[document.pk]), follow=True)
    document.refresh_from_db()
    assert document.status == Document.Status.QUEUED
    assert not document.pages.exists()  # every page is read again
    assert "every page will be read again" in response.content.decode()


def test_a_rerun_after_a_failure_reads_the_missing_pages_and_says_so(client, alice):
    document = document_with_pages(alice, "half", "en", ["one"])
    Document.objects.filter(pk=document.pk).update(status=Document.Status.FAILED, page_count=3)
    client.force_login(alice)
    response = client.post(reverse("document_rerun", args=[document.pk]), follow=True)
    assert list(document.pages.values_list("number", flat=True)) == [1]
    assert "the 2 pages not read yet" in response.content.decode()


def test_a_page_number_past_the_end_shows_the_last_page_and_says_so(client, alice):
    """Issue 17: ``?page=9`` on a 3-page document silently showed page 1."""
    document = document_with_pages(alice, "three", "en", ["first", "second", "third page"])
    client.force_login(alice)
    url = document.get_absolute_url()
    page = client.get(url, {"page": 9})
    assert page.status_code == 200
    text = page.content.decode()
    assert "third page" in text
    assert "has no page 9" in text
    assert "has no page" not in client.get(url, {"page": 2}).content.decode()
    assert "has no page 0" in client.get(url, {"page": 0}).content.decode()


def test_the_status_says_which_page_is_being_read(client, alice):
    """Issue 17: "Processing · page 0 of 1" while the first page was being read."""
    document = document_with_pages(alice, "reading", "en", [])
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING, page_count=1)
    client.force_login(alice)
    badge = client.get(reverse("document_status", args=[document.pk])).content.decode()
    assert "reading page 1 of 1" in badge
    assert "page 0" not in badge


def test_the_upload_hint_names_every_accepted_type(client, alice):
    """Issue 17: the hint omitted WebP, BMP and GIF, which are accepted."""
    from ocr.formats import SUPPORTED_TYPES

    client.force_login(alice)
    text = client.get(reverse("library")).content.decode()
    for label in SUPPORTED_TYPES.values():
        assert label in text.split('class="hint"')[1].split("</p>")[0], label


def test_the_upload_form_shows_only_readable_languages_and_says_which_are_missing(
    client, alice, tmp_path, monkeypatch, settings
):
    """Issue 19: the form offered languages nothing here could read. With Tesseract holding
    English data only, Russian is not in the list and the page says how to add it."""
    from tests.tessdata import tessdata_with

    settings.OCR_ENGINE = "auto"
    monkeypatch.setenv("TESSDATA_PREFIX", str(tessdata_with(tmp_path / "tessdata", "eng")))
    client.force_login(alice)
    text = client.get(reverse("library")).content.decode()
    select = text.split('name="language"')[1].split("</select>")[0]
    assert 'value="es"' in select
    assert 'value="ru"' not in select
    hint = text.split('id="language-missing"')[1].split("</p>")[0]
    assert "Russian" in hint
    assert "apt-get install tesseract-ocr-rus" in hint
