"""archive.organize.bulk_edit (and its API and web views): many documents edited batch by
batch, each batch all or nothing; "all matching this filter"; a failure half-way."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from archive.models import BulkEdit, Document, DocumentTag
from archive.organize.bulk_edit import bulk_edit_create, bulk_edit_run
from archive.organize.errors import OrganizeError
from archive.organize.fields import custom_field_create
from archive.organize.objects import correspondent_create, tag_for_path
from tests.archive.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db


def make_documents(owner, count: int, *, language: str = "en") -> list[int]:
    """``count`` done documents of ``owner`` made in bulk (no files: metadata edits only)."""
    made = Document.objects.bulk_create(
        Document(
            owner=owner,
            title=f"doc {n}",
            original=f"originals/bulk/{owner.pk}/{n}",
            original_name=f"{n}.png",
            sha256=f"{owner.pk:032d}{n:032d}",
            mime_type="image/png",
            size=1,
            language=language if n % 2 else "de",
            status=Document.Status.DONE,
            page_count=1,
        )
        for n in range(count)
    )
    return sorted(d.pk for d in made)


@pytest.fixture
def api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


def test_ten_thousand_documents_in_the_background(
    alice, bob, api, settings, django_capture_on_commit_callbacks
):
    settings.BULK_EDIT_INLINE = 100
    ids = make_documents(alice, 10_000)
    bobs = make_documents(bob, 5)
    tax = tag_for_path(owner=alice, path="Tax/2024")
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            "/api/bulk-edits/",
            {"action": "add_tags", "documents": [*ids, *bobs], "value": {"tags": [tax.pk]}},
            format="json",
        )
    assert answer.status_code == 202, answer.json()
    edit = answer.json()
    assert edit["status"] == "queued"
    assert edit["total"] == 10_000  # bob's ids are not alice's to edit
    run_queued_tasks()
    progress = api.get(f"/api/bulk-edits/{edit['id']}/").json()
    assert progress["status"] == "done"
    assert progress["done"] == progress["changed"] == 10_000
    assert progress["summary"] == "Added Tax/2024: 10,000 tags on 10,000 of 10,000 documents."
    assert DocumentTag.objects.filter(tag=tax).count() == 10_000
    assert not DocumentTag.objects.filter(document_id__in=bobs).exists()
    assert BulkEdit.objects.get(pk=edit["id"]).batches == 20


def test_select_all_matching_a_filter(alice, api, settings):
    ids = make_documents(alice, 60)
    ikea = correspondent_create(owner=alice, name="IKEA")
    # German documents only (every even one).
    answer = api.post(
        "/api/bulk-edits/",
        {
            "action": "set_correspondent",
            "filter": {"language": "de"},
            "value": {"correspondent": ikea.pk},
        },
        format="json",
    )
    assert answer.status_code == 202
    assert answer.json()["status"] == "done"
    german = set(Document.objects.filter(owner=alice, language="de").values_list("pk", flat=True))
    assert set(Document.objects.filter(correspondent=ikea).values_list("pk", flat=True)) == german
    assert len(german) == 30
    assert len(ids) == 60


def test_a_failure_half_way_leaves_each_batch_whole(alice, settings):
    settings.BULK_EDIT_BATCH = 100
    ids = make_documents(alice, 450)
    tag = tag_for_path(owner=alice, path="Checked")
    poisoned = ids[250]  # in the third batch (ids 200-299)
    with connection.cursor() as cursor:
        # A real failure in the database: the third batch's INSERT fails on one row.
        cursor.execute(
            """
            CREATE FUNCTION refuse_tag() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'disk full (test)'; END $$;
            """
        )
        cursor.execute(
            f"""
            CREATE TRIGGER refuse_tag BEFORE INSERT ON archive_document_tag
            FOR EACH ROW WHEN (NEW.document_id = {int(poisoned)}) EXECUTE FUNCTION refuse_tag()
            """
        )
    edit = bulk_edit_create(owner=alice, action="add_tags", documents=ids, value={"tags": [tag.pk]})
    edit = bulk_edit_run(edit.pk)
    assert edit.status == "failed"
    assert edit.done == 200
    assert edit.batches == 2
    tagged = set(DocumentTag.objects.filter(tag=tag).values_list("document_id", flat=True))
    assert tagged == set(ids[:200])
    assert "Stopped at documents 201–300 of 450: disk full (test)" in edit.error
    assert "the 200 documents before it were" in edit.error
    assert edit.summary.startswith("Added Checked: 200 tags on 200 of 450 documents")


def test_every_action_and_its_summary(alice, api):
    ids = make_documents(alice, 4)
    amount = custom_field_create(owner=alice, name="Amount", data_type="monetary", currency="EUR")
    tag = tag_for_path(owner=alice, path="Home")
    cases = [
        ({"action": "add_tags", "value": {"tags": [tag.pk]}}, "Added Home: 4 tags"),
        ({"action": "remove_tags", "value": {"tags": [tag.pk]}}, "Removed Home: 4 tags"),
        ({"action": "set_date", "value": {"date": "2024-03-05"}}, "Set date 2024-03-05"),
        ({"action": "set_field", "value": {"field": amount.pk, "value": "12.50"}}, "Amount"),
        ({"action": "set_type", "value": {"document_type": None}}, "Set no type"),
    ]
    for body, summary in cases:
        answer = api.post("/api/bulk-edits/", {**body, "documents": ids}, format="json")
        assert answer.status_code == 202, answer.json()
        assert summary in answer.json()["summary"]
    assert set(Document.objects.filter(pk__in=ids).values_list("document_date", flat=True)) == {
        datetime.date(2024, 3, 5)
    }


def test_bad_requests_say_what_is_wrong(alice, bob, api):
    ids = make_documents(alice, 3)
    bobs_tag = tag_for_path(owner=bob, path="Secret")
    answers = [
        api.post("/api/bulk-edits/", {"action": "delete", "documents": ids}, format="json"),
        api.post(
            "/api/bulk-edits/",
            {"action": "add_tags", "documents": ids, "value": {"tags": [bobs_tag.pk]}},
            format="json",
        ),
        api.post(
            "/api/bulk-edits/",
            {"action": "set_date", "documents": ids, "value": {"date": "2024-13-01"}},
            format="json",
        ),
        api.post("/api/bulk-edits/", {"action": "rerun", "documents": [999999999]}, format="json"),
        api.post(
            "/api/bulk-edits/",
            {"action": "rerun", "filter": {"month": "3"}},
            format="json",
        ),
    ]
    messages = [str(a.json()) for a in answers]
    assert [a.status_code for a in answers] == [400] * 5
    assert "cannot be undone" in messages[0]
    assert "No such tag" in messages[1]
    assert "is not a date" in messages[2]
    assert "No documents selected" in messages[3]
    assert "needs a year" in messages[4]
    assert Document.objects.filter(pk__in=ids).count() == 3
    with pytest.raises(OrganizeError):
        bulk_edit_create(owner=alice, action="explode", documents=ids)


def test_another_users_edit_is_not_found(alice, bob, api):
    ids = make_documents(bob, 2)
    edit = bulk_edit_create(owner=bob, action="set_date", documents=ids, value={"date": None})
    assert api.get(f"/api/bulk-edits/{edit.pk}/").status_code == 404
    web = api.get(reverse("bulk_edit_progress", args=[edit.pk]))
    assert web.status_code in (302, 404)


def test_the_web_form_deletes_after_confirmation(client, alice):
    ids = make_documents(alice, 5)
    client.force_login(alice)
    form = {"action": "delete", "documents": [str(pk) for pk in ids[:3]], "next": "/"}
    asked = client.post(reverse("bulk_edit"), form)
    assert asked.status_code == 200
    assert "Delete 3 documents?" in asked.content.decode()
    assert Document.objects.filter(pk__in=ids).count() == 5
    done = client.post(reverse("bulk_edit"), {**form, "confirm": "1"}, follow=True)
    assert "Deleted 3 of 3 documents." in done.content.decode()
    assert set(Document.objects.filter(owner=alice).values_list("pk", flat=True)) == set(ids[3:])


def test_the_web_form_edits_all_matching_the_library_filter(client, alice):
    make_documents(alice, 20)
    client.force_login(alice)
    tag = tag_for_path(owner=alice, path="German")
    answer = client.post(
        reverse("bulk_edit"),
        {
            "action": "add_tags",
            "all": "1",
            "filter": "language=de",
            "tags": [tag.pk],
            # A value field named like a filter parameter must not narrow the selection.
            "correspondent": "1",
            "next": "/",
        },
        follow=True,
    )
    assert "Added German: 10 tags on 10 of 10 documents." in answer.content.decode()
    tagged = Document.objects.filter(tags=tag)
    assert tagged.count() == 10
    assert set(tagged.values_list("language", flat=True)) == {"de"}
