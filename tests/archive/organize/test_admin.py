"""The organize models in the Django admin: every list and form opens, rules are checked on
save (a form error, never a 500), and a tag's parent stays within its owner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from archive.models import Correspondent, Tag
from archive.organize.assign import documents_set_field
from archive.organize.fields import custom_field_create
from archive.organize.notes import note_create
from archive.organize.objects import (
    correspondent_create,
    document_type_create,
    tag_create,
    tag_for_path,
)
from archive.organize.saved_views import saved_view_create
from archive.organize.suggest import document_suggest
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db

MODELS = (
    "correspondent",
    "documenttype",
    "tag",
    "customfield",
    "customfieldvalue",
    "note",
    "savedview",
    "suggestion",
    "userclassifier",
)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("root", password="root-password-1")


@pytest.fixture
def filled(alice):
    document = document_with_pages(alice, "receipt", "en", ["IKEA receipt 03/11/2024"])
    correspondent_create(owner=alice, name="IKEA", match_algorithm="any", match_pattern="ikea")
    document_type_create(
        owner=alice, name="Receipt", match_algorithm="any", match_pattern="receipt"
    )
    tag_for_path(owner=alice, path="Tax/2024")
    field = custom_field_create(owner=alice, name="Amount", data_type="number")
    documents_set_field(owner=alice, documents=[document.pk], field=field, value="3")
    note_create(owner=alice, document_id=document.pk, text="warranty until 2026")
    saved_view_create(owner=alice, name="Receipts", query="q=type:receipt")
    document_suggest(document.pk)
    from archive.organize.training import classifier_train

    classifier_train(alice.pk)
    return document


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_form_opens_for_staff(client, staff, filled, model):
    client.force_login(staff)
    listing = client.get(reverse(f"admin:archive_{model}_changelist"))
    assert listing.status_code == 200
    row = listing.context["cl"].result_list[0]
    assert client.get(reverse(f"admin:archive_{model}_change", args=[row.pk])).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_non_staff_get_no_organize_admin(client, alice, model):
    client.force_login(alice)
    response = client.get(reverse(f"admin:archive_{model}_changelist"))
    assert response.status_code == 302


def test_a_bad_rule_is_a_form_error(client, staff, alice):
    client.force_login(staff)
    response = client.post(
        reverse("admin:archive_correspondent_add"),
        {"owner": alice.pk, "name": "Bad", "match_algorithm": "regex", "match_pattern": "(x"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["match_pattern"]
    assert not Correspondent.objects.exists()


def test_tag_parent_of_another_owner_is_refused_and_renames_move_paths(client, staff, alice, bob):
    client.force_login(staff)
    theirs = tag_create(owner=bob, name="Bob's")
    data = {"owner": alice.pk, "name": "Mine", "colour": "#a6cee3", "match_algorithm": "none"}
    response = client.post(reverse("admin:archive_tag_add"), {**data, "parent": theirs.pk})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    year = tag_for_path(owner=alice, path="Tax/2024")
    tax = Tag.objects.get(path="Tax")
    response = client.post(
        reverse("admin:archive_tag_change", args=[tax.pk]),
        {"name": "Taxes", "colour": "#a6cee3", "match_algorithm": "none", "parent": ""},
    )
    assert response.status_code == 302
    assert Tag.objects.get(pk=year.pk).path == "Taxes/2024"
