"""The suggestion step in the worker: real OCR of a rendered receipt, then a re-run."""

from __future__ import annotations

from datetime import date

import pytest

from archive.documents import document_rerun
from archive.ingest import document_create
from archive.models import Document, Suggestion
from archive.organize.assign import documents_set_correspondent
from archive.organize.objects import correspondent_create, document_type_create
from archive.processing import document_process

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_suggestions_after_the_last_page_and_a_rerun_keeps_user_values(alice, make_upload):
    correspondent_create(owner=alice, name="IKEA", match_algorithm="any", match_pattern="ikea")
    receipt = document_type_create(
        owner=alice, name="Receipt", match_algorithm="any", match_pattern="receipt"
    )
    upload = make_upload(lines=["IKEA Store Berlin", "Receipt", "Date 11/03/2024", "Total 62.49"])
    document = document_create(owner=alice, upload=upload, name=upload.name, language="en").document
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert document.correspondent is not None
    assert document.correspondent.name == "IKEA"
    assert document.document_type_id == receipt.pk
    assert document.document_date == date(2024, 11, 3)  # English: month first
    assert set(Suggestion.objects.filter(document=document).values_list("key", "state")) == {
        ("date", "suggested"),
        ("correspondent", "suggested"),
        ("type", "suggested"),
    }

    mine = correspondent_create(owner=alice, name="IKEA Berlin")
    documents_set_correspondent(owner=alice, documents=[document.pk], correspondent=mine)
    document_rerun(document, from_scratch=True)
    document_process(document.pk)
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    assert document.correspondent_id == mine.pk
    assert document.document_type_id == receipt.pk
    assert document.document_date == date(2024, 11, 3)
    assert Suggestion.objects.get(document=document, key="correspondent").state == "rejected"
