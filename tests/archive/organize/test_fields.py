"""archive.organize.fields: typed custom fields and reading values from user input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from archive.models import CustomField, CustomFieldValue
from archive.organize.assign import documents_set_field
from archive.organize.errors import OrganizeError
from archive.organize.fields import (
    custom_field_create,
    custom_field_delete,
    custom_field_update,
    field_value_parse,
    field_value_show,
)
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db


def _field(owner, data_type, **kwargs):
    return custom_field_create(owner=owner, name=f"f-{data_type}", data_type=data_type, **kwargs)


@pytest.mark.parametrize(
    ("data_type", "raw", "column", "stored", "shown", "extra"),
    [
        ("text", " warranty 2y ", "value_text", "warranty 2y", "warranty 2y", {}),
        ("integer", "42", "value_int", 42, "42", {}),
        ("number", "3,5", "value_number", Decimal("3.5"), "3.5", {}),
        ("monetary", "EUR 1.234,50", "value_number", Decimal("1234.5"), "1234.50 EUR", {}),
        ("monetary", "12.50", "value_number", Decimal("12.5"), "12.50 CHF", {"currency": "chf"}),
        (
            "monetary",
            {"amount": "9.99", "currency": "usd"},
            "value_number",
            Decimal("9.99"),
            "9.99 USD",
            {},
        ),
        ("date", "2024-03-05", "value_date", date(2024, 3, 5), "2024-03-05", {}),
        ("boolean", "yes", "value_bool", True, "yes", {}),
        ("boolean", False, "value_bool", False, "no", {}),
        (
            "url",
            "https://example.org/a",
            "value_text",
            "https://example.org/a",
            "https://example.org/a",
            {},
        ),
        ("select", "paid", "value_text", "Paid", "Paid", {"select_options": ["Open", "Paid"]}),
    ],
)
def test_each_type_reads_and_shows_its_value(alice, data_type, raw, column, stored, shown, extra):
    field = _field(alice, data_type, **extra)
    document = document_with_pages(alice, "d", "en", ["x"])
    documents_set_field(owner=alice, documents=[document.pk], field=field, value=raw)
    value = CustomFieldValue.objects.get(document=document, field=field)
    assert getattr(value, column) == stored
    assert field_value_show(field, value) == shown


@pytest.mark.parametrize(
    ("data_type", "raw", "extra"),
    [
        ("integer", "4.5", {}),
        ("integer", "9" * 30, {}),
        ("number", "abc", {}),
        ("number", "12 EUR", {}),
        ("number", "1e400", {}),
        ("monetary", "EUR 5 USD", {}),
        ("monetary", "5 EURO", {}),
        ("date", "2024-13-01", {}),
        ("boolean", "maybe", {}),
        ("url", "not a url", {}),
        ("url", "javascript:alert(1)", {}),
        ("select", "Unknown", {"select_options": ["Open"]}),
        ("document", "999999", {}),
        ("document", "abc", {}),
    ],
)
def test_a_bad_value_is_a_plain_error_and_changes_nothing(alice, data_type, raw, extra):
    field = _field(alice, data_type, **extra)
    document = document_with_pages(alice, "d", "en", ["x"])
    with pytest.raises(OrganizeError) as caught:
        documents_set_field(owner=alice, documents=[document.pk], field=field, value=raw)
    assert field.name in caught.value.message
    assert not CustomFieldValue.objects.exists()


def test_a_document_link_must_be_the_owners_document(alice, bob):
    field = _field(alice, "document")
    mine = document_with_pages(alice, "a", "en", ["x"])
    other = document_with_pages(alice, "b", "en", ["y"])
    theirs = document_with_pages(bob, "c", "en", ["z"])
    with pytest.raises(OrganizeError, match="no such document"):
        documents_set_field(owner=alice, documents=[mine.pk], field=field, value=theirs.pk)
    with pytest.raises(OrganizeError, match="itself"):
        documents_set_field(owner=alice, documents=[mine.pk], field=field, value=mine.pk)
    documents_set_field(owner=alice, documents=[mine.pk], field=field, value=str(other.pk))
    assert CustomFieldValue.objects.get().value_document_id == other.pk


def test_empty_value_clears(alice):
    field = _field(alice, "text")
    document = document_with_pages(alice, "d", "en", ["x"])
    documents_set_field(owner=alice, documents=[document.pk], field=field, value="a")
    assert documents_set_field(owner=alice, documents=[document.pk], field=field, value="") == 1
    assert not CustomFieldValue.objects.exists()
    assert field_value_parse(field, None) is None


def test_field_definitions_are_checked(alice):
    with pytest.raises(OrganizeError, match="Unknown field type"):
        custom_field_create(owner=alice, name="x", data_type="colour")
    with pytest.raises(OrganizeError, match="at least one option"):
        custom_field_create(owner=alice, name="x", data_type="select")
    with pytest.raises(OrganizeError, match="once"):
        custom_field_create(owner=alice, name="x", data_type="select", select_options=["a", "A"])
    with pytest.raises(OrganizeError, match="ISO 4217"):
        custom_field_create(owner=alice, name="x", data_type="monetary", currency="euro")
    with pytest.raises(OrganizeError, match="Only number and monetary"):
        custom_field_create(owner=alice, name="x", data_type="text", suggest="total")
    with pytest.raises(OrganizeError, match="Automatic matching"):
        custom_field_create(owner=alice, name="x", data_type="monetary", match_algorithm="auto")
    with pytest.raises(OrganizeError) as caught:
        custom_field_create(
            owner=alice,
            name="x",
            data_type="monetary",
            suggest="total",
            match_algorithm="regex",
            match_pattern="(",
        )
    assert caught.value.field == "match_pattern"
    assert not CustomField.objects.exists()


def test_options_in_use_are_kept_or_renamed_with_their_values(alice):
    field = _field(alice, "select", select_options=["Open", "Paid"])
    document = document_with_pages(alice, "d", "en", ["x"])
    documents_set_field(owner=alice, documents=[document.pk], field=field, value="Paid")
    with pytest.raises(OrganizeError, match="Paid"):
        custom_field_update(owner=alice, field=field, select_options=["Open"])
    custom_field_update(owner=alice, field=field, rename_options={"Paid": "Settled"})
    field.refresh_from_db()
    assert field.select_options == ["Open", "Settled"]
    assert CustomFieldValue.objects.get().value_text == "Settled"


def test_type_of_a_field_with_values_cannot_change(alice):
    field = _field(alice, "integer")
    document = document_with_pages(alice, "d", "en", ["x"])
    documents_set_field(owner=alice, documents=[document.pk], field=field, value=3)
    with pytest.raises(OrganizeError, match="type cannot change"):
        custom_field_update(owner=alice, field=field, data_type="text")
    custom_field_delete(owner=alice, field=field)
    assert not CustomFieldValue.objects.exists()


def test_another_users_field_is_refused(alice, bob):
    field = _field(alice, "text")
    document = document_with_pages(bob, "d", "en", ["x"])
    with pytest.raises(OrganizeError):
        documents_set_field(owner=bob, documents=[document.pk], field=field, value="x")
    with pytest.raises(OrganizeError):
        custom_field_update(owner=bob, field=field, name="y")
