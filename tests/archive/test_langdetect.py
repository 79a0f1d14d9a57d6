"""archive.langdetect and the "detect" language: every way in defaults to it, and the worker
finds the language on the first page (real OCR on real scans) before any page is indexed."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.forms import ChoiceField
from django.urls import reverse

from archive.bulk import import_file
from archive.consume import ConsumeFolder
from archive.forms import UploadForm
from archive.ingest import UploadRejected, document_create
from archive.langdetect import detect, document_language_detect
from archive.languages import DETECT
from archive.models import Document
from archive.processing import document_process, reading
from archive.search import document_search
from tests.archive.api.conftest import DOCUMENTS, token_client
from tests.archive.conftest import encode, render_page, run_queued_tasks
from tests.ocr.pdfmaker import text_pdf

pytestmark = pytest.mark.django_db


def _png(*lines: str) -> bytes:
    return encode([render_page(lines, size=(600, 300))], "PNG")


# --- detection with the archive's settings ------------------------------------------------------


def test_text_that_cannot_tell_takes_the_configured_default(settings):
    settings.LANGUAGE_DETECT_DEFAULT = "fr"
    for text in ("", "42", "--- ~~~ ///", "x y z"):
        found = detect(text)
        assert (found.language, found.detected, found.confidence) == ("fr", False, 0.0)


def test_detection_is_among_the_archive_languages_only():
    assert detect("本发明涉及一种文件扫描和存档系统").language == "zh"
    assert detect("Vielen Dank für Ihren Einkauf und bis bald").language == "de"


def test_only_a_document_still_to_detect_is_changed(alice, make_upload):
    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    assert document.language == DETECT
    found = document_language_detect(document, "Les commentaires seront recueillis par écrit.")
    assert found.language == "fr"
    document.refresh_from_db()
    assert (document.language, document.language_detected) == ("fr", True)
    assert document.language_confidence == pytest.approx(found.confidence)
    assert document.language_display == f"French (detected, {found.confidence:.2f})"

    chosen = document_create(
        owner=alice, upload=make_upload("b.png", lines=["Other"]), name="b.png", language="de"
    ).document
    document_language_detect(chosen, "The quick brown dog jumped over the lazy fox.")
    chosen.refresh_from_db()
    assert (chosen.language, chosen.language_detected) == ("de", False)
    assert chosen.language_display == "German"


def test_fallback_shows_that_the_text_did_not_tell(alice, make_upload, settings):
    settings.LANGUAGE_DETECT_DEFAULT = "en"
    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    document_language_detect(document, "12 34")
    document.refresh_from_db()
    assert (document.language, document.language_detected) == ("en", True)
    assert document.language_confidence is None
    assert "did not tell" in document.language_display


# --- "detect" is the default of every way in; explicit choices stay ----------------------------


def test_document_create_defaults_to_detect_and_keeps_an_explicit_language(alice, make_upload):
    def create(name: str, **kwargs: Any) -> Document:
        upload = make_upload(name, lines=[name])
        return document_create(owner=alice, upload=upload, name=name, **kwargs).document

    assert create("a.png").language == DETECT
    assert create("b.png", language="de").language == "de"
    assert create("c.png", language=DETECT).language == DETECT
    with pytest.raises(UploadRejected, match="Unknown language"):
        create("d.png", language="xx")


def test_web_upload_offers_detect_first_and_selected(client, alice, make_upload):
    field = UploadForm().fields["language"]
    assert isinstance(field, ChoiceField)
    assert field.initial == DETECT
    assert field.choices[0][0] == DETECT  # type: ignore[index]
    client.force_login(alice)
    response = client.post(reverse("upload"), {"scans": [make_upload()]}, follow=True)
    assert response.status_code == 200
    assert Document.objects.get(owner=alice).language == DETECT


def test_api_upload_defaults_to_detect_and_shows_the_detection_fields(alice, make_upload):
    api = token_client(alice)
    response = api.post(DOCUMENTS, {"files": [make_upload()]})
    assert response.status_code == 201, response.content
    (outcome,) = response.json()["files"]
    shown = outcome["document"]
    assert shown["language"] == DETECT
    assert shown["language_detected"] is False
    assert shown["language_confidence"] is None
    assert shown["languages"] == []
    explicit = api.post(DOCUMENTS, {"files": [make_upload("x.png", lines=["X"])], "language": "fr"})
    assert explicit.json()["files"][0]["document"]["language"] == "fr"


def test_bulk_import_and_consume_folder_default_to_detect(alice, tmp_path: Path):
    scan = tmp_path / "scan.png"
    scan.write_bytes(_png("Invoice 1"))
    outcome = import_file(scan, owner=alice)
    assert outcome.document_id is not None
    assert Document.objects.get(pk=outcome.document_id).language == DETECT

    folder = tmp_path / "consume"
    folder.mkdir()
    (folder / "letter.png").write_bytes(_png("Letter 2"))
    consume = ConsumeFolder(folder, owner=alice)
    consume.prepare()
    assert consume.poll() == []  # a file is taken once it was seen unchanged
    assert len(consume.poll()) == 1
    assert Document.objects.get(owner=alice, original_name="letter.png").language == DETECT

    other = tmp_path / "other.png"
    other.write_bytes(_png("Other 3"))
    call_command("import", str(other), owner="alice", language="de", stdout=StringIO())
    assert Document.objects.get(owner=alice, original_name="other.png").language == "de"


# --- the worker: real OCR on real scans ---------------------------------------------------------


def _upload(owner, path: Path, **kwargs) -> Document:
    with path.open("rb") as handle:
        return document_create(owner=owner, upload=handle, name=path.name, **kwargs).document


def _found(owner, query: str) -> list[int]:
    return [hit.document.pk for hit in document_search(user=owner, query=query)]


@pytest.fixture
def reads(monkeypatch) -> list[int]:
    """The page numbers the worker reads, in order (a page read twice shows twice)."""
    numbers: list[int] = []
    real = reading.read

    def spy(document, engine, source, number, on_image=None):
        numbers.append(number)
        return real(document, engine, source, number, on_image)

    monkeypatch.setattr(reading, "read", spy)
    return numbers


@pytest.mark.slow
def test_english_scan_is_detected_and_found_by_an_english_stem(alice, testdata, reads):
    document = _upload(alice, testdata / "tesseract_test" / "phototest.tif")
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert (document.language, document.language_detected) == ("en", True)
    assert (document.language_confidence or 0) > 0.9
    assert document.languages == ["en"]
    assert reads == [1]  # RapidOCR reads English as it read the unknown page: once
    assert _found(alice, "jumping") == [document.pk]  # English stemming: jumped


@pytest.mark.slow
def test_french_scan_is_detected_and_found_by_a_french_stem(alice, testdata, reads):
    path = testdata / "tapuscorpus_fr" / "europeana_btv1b53157893j.jpeg"
    document = _upload(alice, path)
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert (document.language, document.language_detected) == ("fr", True)
    assert (document.language_confidence or 0) > 0.9
    assert reads == [1]
    assert "recueillis" in document.pages.get().text
    assert _found(alice, "recueillir") == [document.pk]  # French stemming: recueillis


@pytest.mark.slow
def test_an_explicit_language_is_kept_whatever_the_text(alice, testdata):
    path = testdata / "tapuscorpus_fr" / "europeana_btv1b53157893j.jpeg"
    document = _upload(alice, path, language="de")
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert (document.language, document.language_detected) == ("de", False)
    assert document.language_confidence is None
    assert document.languages[0] == "de"


@pytest.mark.slow
def test_an_engine_that_reads_by_language_reads_the_first_page_again(alice, testdata, reads):
    """Tesseract reads an unknown page as eng+chi_sim, a German one as deu: read it again."""
    from ocr.engines import available_engines

    if "tesseract" not in available_engines():
        pytest.skip("Tesseract cannot run here")
    path = testdata / "ocrd_de" / "dinglehopper_462875_0008.jpg"
    document = _upload(alice, path, engine="tesseract")
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert document.language == "de"
    assert reads == [1, 1]
    assert document.pages.get().engine == "tesseract"


def test_a_text_layer_is_detected_without_ocr(alice, reads):
    data = text_pdf(
        [
            "Sehr geehrte Damen und Herren,",
            "anbei erhalten Sie die Rechnung für den Monat März.",
            "Wir bitten um Zahlung innerhalb von vierzehn Tagen.",
            "Mit freundlichen Grüßen",
        ]
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = document_create(
        owner=alice, upload=SimpleUploadedFile("brief.pdf", data), name="brief.pdf"
    ).document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert (document.language, document.language_detected) == ("de", True)
    assert document.pages.get().source == "text"
    assert reads == [1]
    assert _found(alice, "Zahlungen") == [document.pk]  # German stemming: Zahlung


@pytest.mark.slow
def test_pages_after_the_first_are_read_in_the_detected_language(alice, make_upload):
    english = render_page(
        ["The quick brown dog jumped over", "the lazy fox and ran away."], size=(1000, 300)
    )
    second = render_page(["Payment is due within", "fourteen days of receipt."], size=(1000, 300))
    upload = make_upload("two.tiff", data=encode([english, second], "TIFF"))
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert document.language == "en"
    assert document.pages.count() == 2
    assert _found(alice, "payments") == [document.pk]


def test_rerun_in_a_chosen_language_forgets_the_detection(alice, make_upload):
    from archive.documents import document_rerun

    upload = make_upload()
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    Document.objects.filter(pk=document.pk).update(
        language="fr", language_detected=True, language_confidence=0.97, languages=["fr", "de"]
    )
    document.refresh_from_db()
    document_rerun(document, language="en")
    document.refresh_from_db()
    assert (document.language, document.language_detected) == ("en", False)
    assert (document.language_confidence, document.languages) == (None, [])
    document_rerun(document, language=DETECT)
    document.refresh_from_db()
    assert document.language == DETECT
    assert document.status == Document.Status.QUEUED
