"""The document page's metadata panel: shown with suggestions and their reasons; every change
by htmx (the panel comes back) or as a plain form (back to the document); errors in words."""

from __future__ import annotations

import pytest

from archive.models import Note, Suggestion, Tag
from archive.organize.fields import custom_field_create
from archive.organize.objects import correspondent_create
from archive.organize.suggest import document_suggest
from tests.archive.conftest import document_with_pages

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def suggested(alice):
    correspondent_create(owner=alice, name="IKEA", match_algorithm="any", match_pattern="ikea")
    document = document_with_pages(alice, "receipt", "en", ["IKEA receipt 11/03/2024"])
    document_suggest(document.pk)
    return document


def test_the_page_shows_values_marked_suggested_with_their_reason(client, alice, suggested):
    client.force_login(alice)
    page = client.get(f"/documents/{suggested.pk}/").content.decode()
    assert 'id="metadata"' in page
    assert page.count("suggested</span>") == 2
    assert "your rule matched: any of &quot;ikea&quot;" in page
    assert 'value="2024-11-03"' in page
    assert "Confirm all 2 suggestions" in page


def test_confirm_and_clear_by_htmx_return_the_panel(client, alice, suggested):
    client.force_login(alice)
    rows = {s.key: s for s in Suggestion.objects.filter(document=suggested)}
    url = f"/documents/{suggested.pk}/suggestions/{rows['date'].pk}/confirm/"
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    panel = response.content.decode()
    assert 'id="metadata"' in panel
    assert panel.count("suggested</span>") == 1
    url = f"/documents/{suggested.pk}/suggestions/{rows['correspondent'].pk}/reject/"
    assert client.post(url).status_code == 302  # without htmx: back to the document
    suggested.refresh_from_db()
    assert suggested.correspondent is None
    assert str(suggested.document_date) == "2024-11-03"
    assert set(Suggestion.objects.values_list("state", flat=True)) == {"confirmed", "rejected"}


def test_changing_a_suggested_value_is_one_save(client, alice, suggested):
    client.force_login(alice)
    other = correspondent_create(owner=alice, name="Other shop")
    client.post(f"/documents/{suggested.pk}/metadata/", {"correspondent": other.pk}, **HTMX)
    suggested.refresh_from_db()
    assert suggested.correspondent_id == other.pk
    assert Suggestion.objects.get(key="correspondent").state == "rejected"


def test_bad_input_is_shown_in_the_panel(client, alice, suggested):
    client.force_login(alice)
    field = custom_field_create(owner=alice, name="Total", data_type="monetary")
    for url, data, message in [
        (f"/documents/{suggested.pk}/metadata/", {"document_date": "2024-13-01"}, "YYYY-MM-DD"),
        (f"/documents/{suggested.pk}/metadata/", {"correspondent": "abc"}, "No such"),
        (f"/documents/{suggested.pk}/fields/{field.pk}/", {"value": "lots"}, "not a number"),
        (f"/documents/{suggested.pk}/tags/", {"tag": "a//b"}, "not a tag name"),
        (f"/documents/{suggested.pk}/notes/", {"text": "  "}, "cannot be empty"),
    ]:
        response = client.post(url, data, **HTMX)
        assert response.status_code == 200, url
        assert message in response.content.decode(), url


def test_tags_fields_and_notes(client, alice, suggested):
    client.force_login(alice)
    client.post(f"/documents/{suggested.pk}/tags/", {"tag": "Tax/2024"}, **HTMX)
    tag = Tag.objects.get(path="Tax/2024")
    assert list(suggested.tags.all()) == [tag]
    client.post(f"/documents/{suggested.pk}/tags/{tag.pk}/remove/", **HTMX)
    assert not suggested.tags.exists()
    field = custom_field_create(owner=alice, name="Total", data_type="monetary", currency="EUR")
    panel = client.post(
        f"/documents/{suggested.pk}/fields/{field.pk}/", {"value": "12,50"}, **HTMX
    ).content.decode()
    assert 'value="12.50 EUR"' in panel
    client.post(f"/documents/{suggested.pk}/notes/", {"text": "warranty <b>2y</b>"}, **HTMX)
    note = Note.objects.get()
    page = client.get(f"/documents/{suggested.pk}/").content.decode()
    assert "warranty &lt;b&gt;2y&lt;/b&gt;" in page
    client.post(f"/documents/{suggested.pk}/notes/{note.pk}/delete/", **HTMX)
    assert not Note.objects.exists()


def test_another_users_ids_are_404(client, bob, alice, suggested):
    mine = document_with_pages(bob, "bob's", "en", ["x"])
    client.force_login(bob)
    row = Suggestion.objects.filter(document=suggested).order_by("pk")[0]
    assert (
        client.post(f"/documents/{mine.pk}/suggestions/{row.pk}/confirm/", **HTMX).status_code
        == 404
    )
    assert (
        client.post(f"/documents/{suggested.pk}/metadata/", {"document_date": ""}).status_code
        == 404
    )
    assert Suggestion.objects.get(pk=row.pk).state == "suggested"


@pytest.mark.parametrize("level", ["view", "edit"])
def test_a_shared_editor_sets_the_owners_existing_metadata(client, alice, bob, level):
    """Issue 17: a user a document is shared with to edit sets its date, correspondent, type
    and tags from the owner's existing ones (their names on the form), never makes one in the
    owner's namespace, and sees none of the owner's fields, notes or suggestions; a viewer
    changes nothing (403)."""
    from archive.models import Correspondent, CustomFieldValue, DocumentTag, DocumentType
    from archive.organize import services
    from archive.sharing.services import documents_share

    document = document_with_pages(alice, "Roof quote", "en", ["roof"])
    other = document_with_pages(alice, "Other", "en", ["other"])
    tag = services.tag_for_path(owner=alice, path="Housing/Roof")
    kept = services.tag_for_path(owner=alice, path="Kept")
    sender = services.correspondent_create(owner=alice, name="Acme Thatchers")
    kind = services.document_type_create(owner=alice, name="Quotation")
    field = custom_field_create(owner=alice, name="Private field", data_type="text")
    services.documents_set_field(owner=alice, documents=[document.pk], field=field, value="x")
    services.note_create(owner=alice, document_id=document.pk, text="A private note")
    services.documents_add_tags(owner=alice, documents=[document.pk], tags=[kept])
    documents_share(owner=alice, documents=[document.pk], grantee=bob, level=level)
    client.force_login(bob)
    page = client.get(f"/documents/{document.pk}/").content.decode()
    if level == "edit":
        for name in ("Housing/Roof", "Acme Thatchers", "Quotation"):
            assert name in page, name
    for secret in ("Private field", "A private note"):
        assert secret not in page, secret
    url = f"/documents/{document.pk}"
    answers = [
        client.post(f"{url}/metadata/", {"document_date": "2024-03-01"}),
        client.post(f"{url}/metadata/", {"correspondent": str(sender.pk)}),
        client.post(f"{url}/metadata/", {"document_type": str(kind.pk)}),
        client.post(f"{url}/tags/", {"tag": "housing/roof"}),
        client.post(f"{url}/tags/{kept.pk}/remove/"),
        client.post(f"{url}/tags/", {"tag": "Brand new"}),
    ]
    document.refresh_from_db()
    tags = set(DocumentTag.objects.filter(document=document).values_list("tag_id", flat=True))
    if level == "view":
        assert [answer.status_code for answer in answers] == [403] * 6
        assert document.document_date is None
        assert tags == {kept.pk}
    else:
        assert str(document.document_date) == "2024-03-01"
        assert document.correspondent_id == sender.pk
        assert document.document_type_id == kind.pk
        assert tags == {tag.pk}
    # Never an object made in either namespace, the owner's fields and other documents as
    # they were.
    assert not Tag.objects.filter(path__iexact="Brand new").exists()
    assert Correspondent.objects.count() == 1
    assert DocumentType.objects.count() == 1
    assert CustomFieldValue.objects.filter(document=document).count() == 1
    assert not DocumentTag.objects.filter(document=other).exists()
    # A correspondent of bob's own cannot be put on alice's document.
    own = services.correspondent_create(owner=bob, name="Bob's sender")
    answer = client.post(f"{url}/metadata/", {"correspondent": str(own.pk)})
    document.refresh_from_db()
    assert document.correspondent_id != own.pk
    assert answer.status_code in (302, 403, 404)
