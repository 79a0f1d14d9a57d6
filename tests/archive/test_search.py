"""archive.search: websearch syntax, ranking, escaped snippets, owner isolation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.documents import document_rename, page_text_update
from archive.ingest import document_create
from archive.models import Document
from archive.processing import document_process
from archive.search import document_search, render_snippet

pytestmark = pytest.mark.django_db


def _ingest(owner, make_upload, lines, name="scan.png"):
    upload = make_upload(name, lines=lines)
    document = document_create(owner=owner, upload=upload, name=name).document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    return document


@pytest.mark.slow
def test_phototest_is_found_by_its_words_and_not_by_others(alice, testdata: Path):
    path = testdata / "tesseract_test" / "phototest.tif"
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    document = document_create(owner=alice, upload=upload, name=path.name).document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error

    truth = (testdata / "tesseract_test" / "phototest.gt.txt").read_text()
    words = {w.lower() for w in re.findall(r"[A-Za-z]{5,}", truth)}
    found = [w for w in sorted(words) if document_search(user=alice, query=w)]
    assert len(found) >= 0.9 * len(words), f"only {found} of {sorted(words)} found"

    hits = document_search(user=alice, query="quick brown")
    assert [h.document.pk for h in hits] == [document.pk]
    assert hits[0].pages == [1]
    assert "<mark>" in hits[0].snippet
    assert document_search(user=alice, query="elephant") == []


@pytest.mark.slow
def test_query_syntax_ranking_and_snippets(alice, make_upload):
    invoice = _ingest(alice, make_upload, ["Invoice for garden tools", "Total due in March"])
    letter = _ingest(alice, make_upload, ["Letter about the garden party", "Tools were returned"])

    assert {h.document.pk for h in document_search(user=alice, query="garden")} == {
        invoice.pk,
        letter.pk,
    }
    # Phrase, exclusion and OR.
    assert [h.document.pk for h in document_search(user=alice, query='"garden tools"')] == [
        invoice.pk
    ]
    assert [h.document.pk for h in document_search(user=alice, query="garden -invoice")] == [
        letter.pk
    ]
    assert {h.document.pk for h in document_search(user=alice, query="march OR returned")} == {
        invoice.pk,
        letter.pk,
    }
    # Stemming in the document's language: "invoices" finds "Invoice".
    assert [h.document.pk for h in document_search(user=alice, query="invoices")] == [invoice.pk]
    # A word in the title ranks above the same word in the text only.
    document_rename(letter, "Returned tools")
    hits = document_search(user=alice, query="returned")
    assert hits[0].document.pk == letter.pk
    # Empty and punctuation-only queries find nothing rather than failing.
    assert document_search(user=alice, query="   ") == []
    assert document_search(user=alice, query="!!! & |") == []


@pytest.mark.slow
def test_snippet_escapes_ocr_text_and_corrections_are_searchable(alice, make_upload):
    document = _ingest(alice, make_upload, ["Harmless page"])
    page = document.pages.get()
    page_text_update(page, 'Note <script>alert("x")</script> about parcels')
    hits = document_search(user=alice, query="parcels")
    assert [h.document.pk for h in hits] == [document.pk]
    snippet = str(hits[0].snippet)
    # PostgreSQL's parser reads "<script>" as a tag token, which ts_headline leaves out; the
    # rest of the text is escaped (the detail page shows the full text, escaped).
    assert "<script" not in snippet
    assert "alert(&quot;x&quot;)" in snippet
    assert "<mark>parcels</mark>" in snippet
    # The text it replaced is no longer found.
    assert document_search(user=alice, query="harmless") == []


@pytest.mark.slow
def test_other_users_documents_are_never_hits(alice, bob, make_upload):
    _ingest(alice, make_upload, ["Confidential salary review"])
    assert document_search(user=alice, query="salary")
    assert document_search(user=bob, query="salary") == []


def test_render_snippet_escapes_and_marks():
    assert render_snippet("a <b> \x02word\x03  &\nend") == "a &lt;b&gt; <mark>word</mark> &amp; end"
