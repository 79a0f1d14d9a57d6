"""``manage.py suggest``: documents read before the feature get suggestions; user values stay."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from archive.organize.assign import documents_set_date
from archive.organize.objects import correspondent_create
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db


def test_suggest_fills_empty_places_only(alice, bob):
    shop = correspondent_create(
        owner=alice, name="IKEA", match_algorithm="any", match_pattern="ikea"
    )
    one = document_with_pages(alice, "one", "en", ["IKEA 11/03/2024"])
    two = document_with_pages(alice, "two", "en", ["IKEA 11/04/2024"])
    theirs = document_with_pages(bob, "theirs", "en", ["IKEA 11/05/2024"])
    documents_set_date(owner=alice, documents=[two.pk], value=date(2000, 1, 1))
    out = io.StringIO()
    call_command("suggest", "--user", "alice", "--train", stdout=out)
    assert "2 documents, 3 values suggested" in out.getvalue()
    for document in (one, two, theirs):
        document.refresh_from_db()
    assert (one.correspondent_id, one.document_date) == (shop.pk, date(2024, 11, 3))
    assert (two.correspondent_id, two.document_date) == (shop.pk, date(2000, 1, 1))
    assert theirs.document_date is None  # not Bob's turn
    with pytest.raises(CommandError, match="No user"):
        call_command("suggest", "--user", "nobody")
