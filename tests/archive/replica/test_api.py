"""The REST API on a real streaming replica: its search, document listing and facet counts
read from the replica like the web's, and a token client that wrote (it has no session to
keep its last write in) reads its own writes from the primary until the replica has them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from archive.models import Document
from archive.search import document_vector_rebuild, page_vector_write
from tests.archive.api.conftest import token_client
from tests.archive.replica.conftest import replica_alias, replica_lost_at_first_search, where
from tests.archive.replica.test_routing import indexed
from tests.pg_replica import StreamingReplica, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def _api_search(client: Any, query: str) -> tuple[str, str]:
    """(where the API's search read from, its JSON)."""
    response = client.get("/api/search/", {"q": query})
    assert response.status_code == 200, response.content
    return where(response), response.content.decode()


def test_the_api_search_listing_and_facets_read_from_the_replica(
    replica: StreamingReplica, alice: Any
) -> None:
    indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    replica.wait_replayed(replica.primary_lsn())
    api = token_client(alice)
    source, found = _api_search(api, "invoice")
    assert source == "replica"
    assert "Water bill" in found
    listing = api.get("/api/documents/")
    assert listing.status_code == 200
    assert where(listing) == "replica"
    assert "Water bill" in listing.content.decode()
    facets = api.get("/api/documents/facets/")
    assert facets.status_code == 200
    assert where(facets) == "replica"
    assert facets.json()["total"] == 1
    # A document itself (its page, its status) is read on the primary, as on the web.
    document = Document.objects.get(owner=alice)
    assert not hasattr(api.get(f"/api/documents/{document.pk}/").wsgi_request, "replica_choice")


def test_after_an_api_rename_the_token_client_finds_the_new_title_while_the_replica_lags(
    replica: StreamingReplica, alice: Any, bob: Any
) -> None:
    document = indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    indexed(bob, "Zanzibar notes", "Bob's own zanzibar travel notes.")
    replica.wait_replayed(replica.primary_lsn())
    writer, others = token_client(alice), token_client(bob)
    browser = Client()
    browser.force_login(alice)  # a web session of the same user, which wrote nothing
    assert _api_search(writer, "zanzibar")[0] == "replica"
    sessions = Session.objects.count()
    replica.pause_replay()

    renamed = writer.patch(
        f"/api/documents/{document.pk}/", {"title": "Zanzibar receipts"}, format="json"
    )
    assert renamed.status_code == 200
    # The token client's write is remembered for its user, not in a session made for it.
    assert Session.objects.count() == sessions
    assert "Set-Cookie" not in renamed.headers
    source, found = _api_search(writer, "zanzibar")
    assert source == "pinned"
    assert "Zanzibar receipts" in found
    listing = writer.get("/api/documents/", {"ordering": "title"})
    assert where(listing) == "pinned"
    assert "Zanzibar receipts" in listing.content.decode()
    # Another user's client wrote nothing: it reads the replica.
    assert _api_search(others, "zanzibar")[0] == "replica"
    # The user's web session did not write either: it reads the replica, which has not
    # replayed the rename (so the writer's answer above came from the primary).
    page = browser.get("/search/", {"q": "zanzibar"})
    assert where(page) == "replica"
    assert "Zanzibar receipts" not in page.content.decode()

    replica.resume_replay()
    replica.wait_replayed(replica.primary_lsn())
    source, found = _api_search(writer, "zanzibar")
    assert source == "replica"
    assert "Zanzibar receipts" in found


def test_once_the_api_status_says_done_the_token_client_finds_the_text_while_the_replica_lags(
    replica: StreamingReplica, alice: Any
) -> None:
    """Upload, poll the status until done, search: the API client's usual round. The OCR is
    written by a worker; the status (read on the primary) reporting it done pins the user."""
    document = indexed(alice, "Trip ledger", "placeholder words")
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING)
    replica.wait_replayed(replica.primary_lsn())
    api = token_client(alice)
    replica.pause_replay()
    page = document.pages.get()
    page.text = "Kilimanjaro expedition receipts"
    page.save()
    page_vector_write(page, "en")
    document_vector_rebuild(document)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.DONE)

    status = api.get(f"/api/documents/{document.pk}/status/")
    assert status.status_code == 200
    assert status.json()["finished"] is True
    source, found = _api_search(api, "kilimanjaro")
    assert source == "pinned"
    assert "Trip ledger" in found


def test_only_api_requests_that_may_write_pin_the_token_user(
    replica: StreamingReplica, alice: Any
) -> None:
    indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    replica.wait_replayed(replica.primary_lsn())
    api = token_client(alice)
    api.get("/api/documents/")
    api.get("/api/search/", {"q": "invoice"})
    assert _api_search(api, "invoice")[0] == "replica"
    replica.pause_replay()
    assert api.post("/api/tags/", {"name": "water"}, format="json").status_code == 201
    assert _api_search(api, "invoice")[0] == "pinned"


def test_the_api_search_works_with_the_replica_down(settings: Any, alice: Any) -> None:
    indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    api = token_client(alice)
    with replica_alias(free_port(), settings, connect_timeout=1):  # nothing listens there
        source, found = _api_search(api, "invoice")
        assert source == "down"
        assert "Water bill" in found


def test_a_replica_lost_during_an_api_search_answers_from_the_primary(
    replica: StreamingReplica, alice: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The replica's server process for this connection is terminated just before the API
    search's first search statement: the API still answers 200, from the primary, with a log
    line, and the next search reads from the replica again."""
    indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    replica.wait_replayed(replica.primary_lsn())
    api = token_client(alice)
    with replica_lost_at_first_search(replica) as killed:
        response = api.get("/api/search/", {"q": "invoice"})
    assert killed
    assert response.status_code == 200, response.content
    assert "Water bill" in response.content.decode()
    assert where(response) == "replica"  # chosen before the failure …
    assert "read again from the primary" in caplog.text  # … then read again from the primary
    assert _api_search(api, "invoice")[0] == "replica"
