"""archive.organize.columns and saved views' columns and sort: the library and a pinned view
shown as a table with the chosen columns, in the view's order."""

from __future__ import annotations

import datetime

import pytest

from archive.models import Document, SavedView
from archive.organize.assign import documents_add_tags
from archive.organize.columns import COLUMNS, cell, view_columns, with_columns
from archive.organize.errors import OrganizeError
from archive.organize.objects import correspondent_create, tag_for_path
from archive.organize.saved_views import saved_view_create, saved_view_update
from tests.archive.organize.test_bulk_edit import make_documents

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(alice):
    """Four documents of alice: dated 2024-01-0n, the first two from ACME and tagged Tax/2024."""
    ids = make_documents(alice, 4)
    acme = correspondent_create(owner=alice, name="ACME")
    for n, pk in enumerate(ids):
        Document.objects.filter(pk=pk).update(
            document_date=datetime.date(2024, 1, n + 1),
            title=f"Letter {n}",
            page_count=n + 1,
            correspondent=acme if n < 2 else None,
        )
    documents_add_tags(
        owner=alice, documents=ids[:2], tags=[tag_for_path(owner=alice, path="Tax/2024")]
    )
    return ids


def test_cells_show_each_column(alice, filed):
    document = with_columns(Document.objects.filter(pk=filed[0])).get()
    assert [cell(document, c) for c in COLUMNS] == [
        "Letter 0",
        "2024-01-01",
        "ACME",
        "",
        "Tax/2024",
        "1",
        document.created.date().isoformat(),
        document.language,
        "Done",
    ]
    assert [c.name for c in view_columns(["tags", "date", "nonsense", "title", "tags"])] == [
        "title",
        "tags",
        "date",
    ]


def test_a_view_refuses_unknown_columns_and_sorts(alice):
    with pytest.raises(OrganizeError, match="Unknown column 'colour'"):
        saved_view_create(owner=alice, name="A", columns=["title", "colour"])
    with pytest.raises(OrganizeError, match="Unknown sort order 'sideways'"):
        saved_view_create(owner=alice, name="A", sort="sideways")
    view = saved_view_create(owner=alice, name="A", columns=["date", "date"], sort="date")
    assert view.columns == ["date"]
    with pytest.raises(OrganizeError, match="Unknown column"):
        saved_view_update(owner=alice, view=view, columns=["secret"])


def test_saving_from_the_library_keeps_the_ticked_columns(client, alice, filed):
    client.force_login(alice)
    page = client.get("/library/").content.decode()
    assert 'name="columns" value="date" checked' in page
    client.post(
        "/views/",
        {
            "name": "By date",
            "query": "sort=date_oldest",
            "columns_offered": "1",
            "columns": ["date", "correspondent"],
        },
    )
    view = SavedView.objects.get(owner=alice)
    assert (view.columns, view.sort) == (["date", "correspondent"], "date_oldest")


def test_the_library_shows_an_open_view_as_its_table_in_its_order(client, alice, bob, filed):
    view = saved_view_create(
        owner=alice,
        name="Dated",
        columns=["date", "correspondent", "tags"],
        sort="date",
        show_in_sidebar=True,
    )
    client.force_login(alice)
    sidebar = client.get("/library/").content.decode()
    assert f'href="/?sort=date&amp;view={view.pk}">Dated</a>' in sidebar
    body = client.get(f"/?sort=date&view={view.pk}").content.decode()
    assert '<table class="doc-table" id="documents">' in body
    assert '<th scope="col">Document date</th><th scope="col">Correspondent</th>' in body
    order = [body.index(f"Letter {n}</a>") for n in range(4)]
    assert order == sorted(order, reverse=True)  # document date, newest first
    assert "<td>2024-01-01</td><td>ACME</td><td>Tax/2024</td>" in body
    assert 'class="bulk-select"' in body  # the rows can still be selected for bulk edits
    # Another user's view id opens nothing: the cards, no name, no columns.
    theirs = saved_view_create(owner=bob, name="Bobs secret", columns=["date"])
    other = client.get(f"/library/?view={theirs.pk}").content.decode()
    assert "Bobs secret" not in other
    assert 'class="doc-table"' not in other
    assert client.post(f"/views/{theirs.pk}/", {"columns_offered": "1"}).status_code == 404


def test_changing_a_views_columns_sort_and_pin(client, alice, filed):
    view = saved_view_create(owner=alice, name="Dated", columns=["date"])
    client.force_login(alice)
    answer = client.post(
        f"/views/{view.pk}/",
        {"columns_offered": "1", "columns": ["pages", "type"], "sort": "title", "pin": "1"},
    )
    view.refresh_from_db()
    assert (view.columns, view.sort, view.show_on_dashboard) == (["pages", "type"], "title", True)
    assert answer["Location"] == f"/?sort=title&view={view.pk}"
    bad = client.post(
        f"/views/{view.pk}/", {"columns_offered": "1", "columns": ["x"]}, follow=True
    ).content.decode()
    assert "Unknown column" in bad
    view.refresh_from_db()
    assert view.columns == ["pages", "type"]
    # No columns ticked: the view goes back to cards.
    client.post(f"/views/{view.pk}/", {"columns_offered": "1", "sort": "title"})
    view.refresh_from_db()
    assert view.columns == []


def test_a_pinned_view_is_a_table_on_the_dashboard(client, alice, filed):
    saved_view_create(
        owner=alice,
        name="Tax",
        query="q=tag:tax",
        columns=["date", "pages"],
        sort="date_oldest",
        show_on_dashboard=True,
    )
    client.force_login(alice)
    body = client.get("/dashboard/").content.decode()
    assert (
        '<th scope="col">Title</th><th scope="col">Document date</th><th scope="col">Pages</th>'
        in body
    )
    first = body.index("Letter 0</a></td><td>2024-01-01</td><td>1</td>")
    second = body.index("Letter 1</a></td><td>2024-01-02</td><td>2</td>")
    assert first < second
    assert "Letter 2</a></td>" not in body
