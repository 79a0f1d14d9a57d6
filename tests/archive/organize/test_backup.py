"""Whole-archive backups keep the organize metadata: objects by name, each document's
correspondent, type, tags, field values (a link to another document too), notes, and the
suggestions with what the user decided."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from archive.backup import export_archive, import_archive
from archive.models import (
    CustomFieldValue,
    Document,
    Note,
    SavedView,
    Suggestion,
    Tag,
)
from archive.organize import services
from archive.organize.decisions import suggestion_reject
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db


def test_export_then_import_keeps_the_metadata(alice, tmp_path: Path) -> None:
    services.correspondent_create(
        owner=alice, name="IKEA", match_algorithm="any", match_pattern="ikea"
    )
    services.tag_create(owner=alice, name="Home", match_algorithm="any", match_pattern="lamp")
    year = services.tag_for_path(owner=alice, path="Tax/2024", colour="#ff0000")
    total = services.custom_field_create(
        owner=alice, name="Total", data_type="monetary", currency="EUR"
    )
    link = services.custom_field_create(owner=alice, name="See also", data_type="document")
    services.saved_view_create(
        owner=alice, name="Receipts", query="q=tag:home", show_in_sidebar=True
    )
    first = document_with_pages(alice, "receipt", "en", ["IKEA lamp 11/03/2024"])
    second = document_with_pages(alice, "other", "en", ["nothing"])
    services.document_suggest(first.pk)
    home = Suggestion.objects.get(document=first, kind="tag")
    suggestion_reject(owner=alice, suggestion=home)
    services.documents_add_tags(owner=alice, documents=[first.pk], tags=[year])
    services.documents_set_field(owner=alice, documents=[first.pk], field=total, value="12.50")
    services.documents_set_field(owner=alice, documents=[first.pk], field=link, value=second.pk)
    services.note_create(owner=alice, document_id=first.pk, text="warranty 2 years")
    for document in (first, second):  # the backup copies each original
        default_storage.save(document.original.name, ContentFile(b"scan"))

    export_archive(tmp_path / "backup")
    Document.objects.all().delete()
    User.objects.all().delete()
    import_archive(tmp_path / "backup")

    owner = User.objects.get(username="alice")
    restored = Document.objects.get(title="receipt")
    other = Document.objects.get(title="other")
    assert restored.document_date == date(2024, 11, 3)
    assert restored.correspondent is not None
    assert restored.correspondent.name == "IKEA"
    assert restored.correspondent.owner == owner
    assert list(restored.tags.values_list("path", flat=True)) == ["Tax/2024"]
    assert Tag.objects.get(path="Tax/2024").parent == Tag.objects.get(path="Tax")
    assert Tag.objects.get(path="Tax/2024").colour == "#ff0000"
    values = {v.field.name: v for v in CustomFieldValue.objects.select_related("field")}
    assert values["Total"].value_number == Decimal("12.5")
    assert values["Total"].value_currency == "EUR"
    assert values["See also"].value_document_id == other.pk
    assert Note.objects.get().text == "warranty 2 years"
    assert SavedView.objects.get().show_in_sidebar
    states = dict(Suggestion.objects.values_list("key", "state"))
    home_tag = Tag.objects.get(path="Home")
    assert states == {
        "date": "suggested",
        "correspondent": "suggested",
        f"tag:{home_tag.pk}": "rejected",
    }
    # The rejected tag stays rejected: a re-run does not bring it back.
    services.document_suggest(restored.pk)
    assert not restored.tags.filter(path="Home").exists()
