"""archive.organize.start_page and /settings/: each user's start page, what ``/`` opens."""

from __future__ import annotations

import pytest

from archive.models import SavedView, StartPage
from archive.organize.errors import OrganizeError
from archive.organize.start_page import start_destination, start_page_get, start_page_set
from tests.archive.organize.test_bulk_edit import make_documents

pytestmark = pytest.mark.django_db


def test_no_setting_keeps_the_automatic_start_page(client, alice):
    make_documents(alice, 2)
    client.force_login(alice)
    assert start_page_get(alice).page == StartPage.Choice.AUTO
    assert 'id="library-count">(2)' in client.get("/").content.decode()
    SavedView.objects.create(owner=alice, name="Pinned", query="", show_on_dashboard=True)
    assert client.get("/").url == "/dashboard/"


@pytest.mark.parametrize(
    ("page", "where"),
    [("dashboard", "/dashboard/"), ("search", "/search/")],
)
def test_each_page_can_be_the_start_page(client, alice, page, where):
    start_page_set(owner=alice, page=page)
    client.force_login(alice)
    answer = client.get("/")
    assert (answer.status_code, answer.url) == (302, where)
    # Any parameter is still the library under it.
    assert client.get("/?status=done").status_code == 200


def test_the_library_stays_the_start_page_even_with_a_pinned_view(client, alice):
    make_documents(alice, 3)
    SavedView.objects.create(owner=alice, name="Pinned", query="", show_on_dashboard=True)
    start_page_set(owner=alice, page="library")
    client.force_login(alice)
    answer = client.get("/")
    assert answer.status_code == 200
    assert 'id="library-count">(3)' in answer.content.decode()


def test_a_saved_view_as_start_page_opens_the_library_under_it(client, alice):
    make_documents(alice, 6)  # half of them German
    view = SavedView.objects.create(owner=alice, name="German", query="language=de", sort="oldest")
    start_page_set(owner=alice, page="view", view_id=view.pk)
    client.force_login(alice)
    answer = client.get("/")
    assert answer.url == "/library/?language=de&sort=oldest"
    assert 'id="library-count">(3)' in client.get(answer.url).content.decode()
    # A view with an empty filter goes to /library/, never back to / (no redirect loop).
    everything = SavedView.objects.create(owner=alice, name="All", query="")
    start_page_set(owner=alice, page="view", view_id=everything.pk)
    assert client.get("/").url == "/library/"


def test_a_deleted_view_falls_back_to_the_automatic_start_page(client, alice):
    view = SavedView.objects.create(owner=alice, name="Soon gone", query="language=de")
    start_page_set(owner=alice, page="view", view_id=view.pk)
    view.delete()
    setting = StartPage.objects.get(owner=alice)
    assert setting.view is None
    assert start_destination(alice).library


def test_another_users_view_or_an_unknown_page_is_refused(alice, bob):
    bobs = SavedView.objects.create(owner=bob, name="Bobs", query="")
    with pytest.raises(OrganizeError, match="one of your saved views"):
        start_page_set(owner=alice, page="view", view_id=bobs.pk)
    with pytest.raises(OrganizeError, match="one of your saved views"):
        start_page_set(owner=alice, page="view", view_id=None)
    with pytest.raises(OrganizeError, match="Unknown start page"):
        start_page_set(owner=alice, page="inbox")
    assert not StartPage.objects.filter(owner=alice).exists()


def test_one_users_setting_changes_nothing_for_another(client, alice, bob):
    start_page_set(owner=alice, page="dashboard")
    client.force_login(bob)
    assert client.get("/").status_code == 200


def test_the_settings_page_shows_and_saves_the_choice(client, alice, bob):
    mine = SavedView.objects.create(owner=alice, name="Receipts", query="type=3")
    SavedView.objects.create(owner=bob, name="Bobs secret view", query="")
    client.force_login(alice)
    page = client.get("/settings/").content.decode()
    assert 'name="start" value="auto" checked' in page
    assert "Receipts" in page
    assert "Bobs secret view" not in page
    answer = client.post("/settings/", {"start": "view", "view": str(mine.pk)}, follow=True)
    assert "Saved your start page." in answer.content.decode()
    assert 'name="start" value="view" checked' in answer.content.decode()
    assert f'<option value="{mine.pk}" selected>Receipts</option>' in answer.content.decode()
    assert client.get("/").url == "/library/?type=3"
    refused = client.post("/settings/", {"start": "view", "view": "abc"}, follow=True)
    assert "Choose one of your saved views" in refused.content.decode()
    assert StartPage.objects.get(owner=alice).view == mine


def test_the_settings_page_needs_a_login(client):
    answer = client.get("/settings/")
    assert answer.status_code == 302
    assert "/login/" in answer.url or "login" in answer.url
