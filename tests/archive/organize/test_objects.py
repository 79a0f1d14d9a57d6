"""archive.organize.objects: correspondents, document types and nested tags of one owner."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from archive.models import Correspondent, DocumentTag, DocumentType, Tag
from archive.organize.errors import OrganizeError
from archive.organize.objects import (
    correspondent_create,
    correspondent_delete,
    correspondent_update,
    document_type_create,
    document_type_delete,
    document_type_update,
    tag_create,
    tag_delete,
    tag_for_path,
    tag_update,
)
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("algorithm", "pattern"),
    [
        ("any", "ikea möbel"),
        ("all", "stadtwerke strom"),
        ("exact", "Deutsche Bahn"),
        ("regex", r"IKEA\s+\d+"),
        ("fuzzy", "Stadtwerke München"),
        ("auto", ""),
        ("none", ""),
    ],
)
def test_each_rule_kind_is_saved(alice, algorithm, pattern):
    item = correspondent_create(
        owner=alice, name="Sender", match_algorithm=algorithm, match_pattern=pattern
    )
    item.refresh_from_db()
    assert (item.match_algorithm, item.match_pattern) == (algorithm, pattern)


@pytest.mark.parametrize("pattern", ["(unclosed", "[a-", "*stars", "a{2,1}"])
def test_a_bad_regular_expression_is_refused_when_saved(alice, pattern):
    with pytest.raises(OrganizeError) as caught:
        document_type_create(
            owner=alice, name="Invoice", match_algorithm="regex", match_pattern=pattern
        )
    assert caught.value.field == "match_pattern"
    assert caught.value.message
    assert not DocumentType.objects.exists()


def test_a_bad_rule_is_refused_on_update_and_the_old_rule_kept(alice):
    kind = document_type_create(
        owner=alice, name="Invoice", match_algorithm="any", match_pattern="invoice"
    )
    with pytest.raises(OrganizeError):
        document_type_update(
            owner=alice, document_type=kind, match_algorithm="regex", match_pattern="("
        )
    kind.refresh_from_db()
    assert (kind.match_algorithm, kind.match_pattern) == ("any", "invoice")


def test_unknown_algorithm_and_empty_name_are_refused(alice):
    with pytest.raises(OrganizeError, match="Unknown matching algorithm"):
        correspondent_create(owner=alice, name="X", match_algorithm="magic")
    with pytest.raises(OrganizeError, match="empty"):
        correspondent_create(owner=alice, name="   ")


def test_names_are_unique_per_owner_without_regard_to_case(alice, bob):
    correspondent_create(owner=alice, name="IKEA")
    with pytest.raises(OrganizeError, match="already"):
        correspondent_create(owner=alice, name="ikea")
    # Another user's names are theirs: the same name is fine.
    correspondent_create(owner=bob, name="ikea")
    # The database agrees, whatever writes around the services.
    with pytest.raises(IntegrityError):
        Correspondent.objects.create(owner=alice, name="Ikea")


def test_rename_and_delete_keep_documents(alice):
    shop = correspondent_create(owner=alice, name="Ikea")
    document = document_with_pages(alice, "receipt", "en", ["IKEA receipt"])
    document.correspondent = shop
    document.save()
    correspondent_update(owner=alice, correspondent=shop, name="IKEA Deutschland")
    assert Correspondent.objects.get().name == "IKEA Deutschland"
    correspondent_delete(owner=alice, correspondent=shop)
    document.refresh_from_db()
    assert document.correspondent is None
    kind = document_type_create(owner=alice, name="Receipt")
    document_type_delete(owner=alice, document_type=kind)
    assert not DocumentType.objects.exists()


def test_another_users_object_is_refused(alice, bob):
    shop = correspondent_create(owner=alice, name="Ikea")
    with pytest.raises(OrganizeError):
        correspondent_update(owner=bob, correspondent=shop, name="mine")
    with pytest.raises(OrganizeError):
        correspondent_delete(owner=bob, correspondent=shop)
    parent = tag_create(owner=alice, name="Tax")
    with pytest.raises(OrganizeError):
        tag_create(owner=bob, name="2024", parent=parent)
    assert Correspondent.objects.get().name == "Ikea"


def test_nested_tags_have_full_paths_that_follow_renames_and_moves(alice):
    tax = tag_create(owner=alice, name="Tax", colour="#1F78B4")
    year = tag_create(owner=alice, name="2024", parent=tax)
    receipts = tag_create(owner=alice, name="Receipts", parent=year)
    assert (tax.colour, year.path, receipts.path) == ("#1f78b4", "Tax/2024", "Tax/2024/Receipts")
    tag_update(owner=alice, tag=tax, name="Taxes")
    assert set(Tag.objects.values_list("path", flat=True)) == {
        "Taxes",
        "Taxes/2024",
        "Taxes/2024/Receipts",
    }
    archive = tag_create(owner=alice, name="Archive")
    tag_update(owner=alice, tag=year.__class__.objects.get(pk=year.pk), parent=archive)
    assert set(Tag.objects.values_list("path", flat=True)) == {
        "Taxes",
        "Archive",
        "Archive/2024",
        "Archive/2024/Receipts",
    }
    tag_update(owner=alice, tag=Tag.objects.get(pk=year.pk), parent=None)
    assert Tag.objects.get(pk=receipts.pk).path == "2024/Receipts"


def test_tag_rules_cycles_and_separators(alice):
    tax = tag_create(owner=alice, name="Tax")
    year = tag_create(owner=alice, name="2024", parent=tax)
    with pytest.raises(OrganizeError, match="under itself"):
        tag_update(owner=alice, tag=tax, parent=year)
    with pytest.raises(OrganizeError, match="under itself"):
        tag_update(owner=alice, tag=tax, parent=tax)
    with pytest.raises(OrganizeError, match="cannot hold"):
        tag_create(owner=alice, name="a/b")
    with pytest.raises(OrganizeError, match="already"):
        tag_create(owner=alice, name="2024", parent=tax)
    # The same name under another parent is another tag.
    tag_create(owner=alice, name="2024")
    with pytest.raises(OrganizeError, match="#rrggbb"):
        tag_create(owner=alice, name="Red", colour="red")


def test_tag_for_path_makes_missing_ancestors_once(alice):
    leaf = tag_for_path(owner=alice, path="Tax/2024/Q1")
    assert leaf.path == "Tax/2024/Q1"
    assert tag_for_path(owner=alice, path="tax/2024/q1").pk == leaf.pk
    assert Tag.objects.count() == 3
    with pytest.raises(OrganizeError):
        tag_for_path(owner=alice, path="Tax//x")


def test_deleting_a_tag_deletes_its_subtags_and_keeps_documents(alice):
    leaf = tag_for_path(owner=alice, path="Tax/2024")
    other = tag_create(owner=alice, name="Taxi")  # shares a prefix, not a parent
    document = document_with_pages(alice, "d", "en", ["text"])
    DocumentTag.objects.create(document=document, tag=leaf)
    assert tag_delete(owner=alice, tag=Tag.objects.get(path="Tax")) == 2
    assert list(Tag.objects.values_list("pk", flat=True)) == [other.pk]
    document.refresh_from_db()
    assert not document.tags.exists()
