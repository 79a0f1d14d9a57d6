"""archive.views.dashboard: saved views from the library, the dashboard's pinned views with
their counts, recent documents and what needs attention."""

from __future__ import annotations

import pytest

from archive.models import Document, SavedView, Suggestion
from archive.organize.assign import documents_add_tags
from archive.organize.objects import tag_for_path
from tests.archive.organize.test_bulk_edit import make_documents

pytestmark = pytest.mark.django_db


def test_a_saved_view_reopens_the_library_under_its_filter(client, alice):
    ids = make_documents(alice, 12)
    tax = tag_for_path(owner=alice, path="Tax")
    documents_add_tags(owner=alice, documents=ids[:5], tags=[tax])
    client.force_login(alice)
    answer = client.post(
        "/views/", {"name": "Tax papers", "query": f"tag={tax.pk}&sort=oldest&page=3", "pin": "1"}
    )
    assert answer.status_code == 302
    view = SavedView.objects.get(owner=alice)
    assert (view.name, view.query, view.sort) == ("Tax papers", f"tag={tax.pk}", "oldest")
    assert view.show_on_dashboard
    assert view.show_in_sidebar
    library = client.get("/library/").content.decode()
    assert f'href="/?tag={tax.pk}&amp;sort=oldest">Tax papers</a>' in library
    opened = client.get(f"/?tag={tax.pk}&sort=oldest").content.decode()
    assert 'id="library-count">(5)' in opened


def test_the_dashboard_shows_pinned_views_recent_and_attention(client, alice, bob):
    ids = make_documents(alice, 10)
    make_documents(bob, 3)
    Document.objects.filter(pk__in=ids[:2]).update(status=Document.Status.FAILED)
    Document.objects.filter(pk=ids[2]).update(status=Document.Status.NEEDS_PASSWORD)
    Suggestion.objects.create(
        owner=alice, document_id=ids[3], key="date", kind="date", reason="first full date"
    )
    SavedView.objects.create(
        owner=alice, name="German", query="language=de", show_on_dashboard=True
    )
    SavedView.objects.create(owner=bob, name="Bobs view", query="", show_on_dashboard=True)
    client.force_login(alice)
    body = client.get("/dashboard/").content.decode()
    german = Document.objects.filter(owner=alice, language="de").count()
    assert 'German</a> <span class="count">' + str(german) in body
    assert "Bobs view" not in body
    assert '<a href="/?status=failed">2 failed</a>' in body
    assert "1 waiting for a password" in body
    assert "1 document with suggestions to confirm" in body
    assert "doc 9" in body  # the newest document, among the recent ones


def test_bad_views_say_why_and_others_views_are_not_found(client, alice, bob):
    client.force_login(alice)
    answer = client.post("/views/", {"name": "Bad", "query": "year=2024&month=13"}, follow=True)
    assert "from 1 to 12" in answer.content.decode()
    assert not SavedView.objects.filter(owner=alice).exists()
    theirs = SavedView.objects.create(owner=bob, name="Theirs", query="")
    assert client.post(f"/views/{theirs.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=theirs.pk).exists()
    mine = SavedView.objects.create(owner=alice, name="Mine", query="")
    assert client.post(f"/views/{mine.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=mine.pk).exists()


def test_the_dashboard_is_the_start_page_once_a_view_is_pinned(client, alice, bob):
    make_documents(alice, 3)
    client.force_login(alice)
    assert client.get("/").status_code == 200  # no pinned view: the library
    assert 'id="library-heading"' in client.get("/").content.decode()
    unpinned = SavedView.objects.create(owner=alice, name="Later", query="")
    assert client.get("/").status_code == 200
    SavedView.objects.create(owner=bob, name="Bobs", query="", show_on_dashboard=True)
    assert client.get("/").status_code == 200  # another user's pin changes nothing here
    client.post(f"/views/{unpinned.pk}/", {"pin": "1"})
    start = client.get("/")
    assert start.status_code == 302
    assert start["Location"] == "/dashboard/"
    dashboard = client.get("/dashboard/").content.decode()
    assert 'href="/library/">All documents</a>' in dashboard
    # The library stays one click away, and any filtered link is still the library.
    for url in ("/library/", "/?status=done", "/?sort=oldest"):
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert 'id="library-heading"' in answer.content.decode(), url
    # Logging in lands on the start page.
    client.logout()
    alice.set_password("pw-for-the-test-1")
    alice.save()
    login = client.post("/login/", {"username": "alice", "password": "pw-for-the-test-1"})
    assert login["Location"] == "/"
