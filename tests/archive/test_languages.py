"""archive.languages: the configurations a document is indexed in, primary first; and a
document with an English and a German page, read for real, found by stems of both."""

from __future__ import annotations

import pytest

from archive.ingest import document_create
from archive.languages import DETECT, LANGUAGES, UPLOAD_LANGUAGE_CHOICES, document_search_configs
from archive.models import Document
from archive.processing import document_process
from archive.search import document_search
from tests.archive.conftest import encode, render_page, run_queued_tasks

ENGLISH = [
    "The committee approved the annual budget",
    "after a long discussion about the new",
    "buildings and the payments that are still",
    "outstanding. The members agreed to meet",
    "again next month to review the invoices",
    "and to decide about the remaining items.",
]
GERMAN = [
    "Der Vorstand hat die Rechnung des Jahres",
    "nach einer langen Besprechung über die",
    "neuen Gebäude genehmigt. Die Mitglieder",
    "wollen sich im nächsten Monat wieder",
    "treffen, um über die Zahlung und die",
    "übrigen Punkte der Sitzung zu beraten.",
]


def test_configs_are_the_primary_then_the_other_languages_without_repeats():
    document = Document(language="en", languages=["en", "de"])
    assert document_search_configs(document) == ["english", "german"]
    assert document_search_configs(Document(language="fr")) == ["french"]
    # zh and ja share "simple"; an unknown or undetected language is "simple" too.
    assert document_search_configs(Document(language="zh", languages=["zh", "ja"])) == ["simple"]
    assert document_search_configs(Document(language=DETECT)) == ["simple"]


def test_detect_is_offered_first_and_is_not_a_language():
    assert UPLOAD_LANGUAGE_CHOICES[0][0] == DETECT
    assert DETECT not in LANGUAGES


def _mixed_document(owner, make_upload) -> Document:
    pages = [render_page(ENGLISH, size=(1400, 640)), render_page(GERMAN, size=(1400, 640))]
    upload = make_upload("minutes.tiff", data=encode(pages, "TIFF"))
    document = document_create(owner=owner, upload=upload, name=upload.name).document
    document_process(document.pk)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    return document


@pytest.mark.django_db
@pytest.mark.slow
def test_a_document_with_an_english_and_a_german_page_has_both_languages(alice, make_upload):
    document = _mixed_document(alice, make_upload)
    assert (document.language, document.language_detected) == ("en", True)
    assert document.languages == ["en", "de"]
    assert document_search_configs(document) == ["english", "german"]
    assert document.language_display.endswith("+ German")


@pytest.mark.django_db
@pytest.mark.slow
def test_a_mixed_document_is_found_by_stems_in_both_languages(alice, make_upload):
    document = _mixed_document(alice, make_upload)
    assert "Rechnung" in document.pages.get(number=2).text
    # English stemming on the English page: "invoice" finds "invoices".
    assert [h.document.pk for h in document_search(user=alice, query="invoice")] == [document.pk]
    # German stemming on the German page: "Rechnungen" finds "Rechnung", "Zahlungen" "Zahlung".
    assert [h.document.pk for h in document_search(user=alice, query="Rechnungen")] == [document.pk]
    assert [h.document.pk for h in document_search(user=alice, query="Zahlungen")] == [document.pk]
