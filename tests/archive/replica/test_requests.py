"""The pages during replication lag: the session that wrote sees its write at once, other
sessions read from the replica, and a replica that is down is not noticed at all (a real
streaming replica with its replay paused, ``pg_wal_replay_pause()``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from archive.models import Document
from archive.replica.requests import PIN_KEY
from archive.search import document_vector_rebuild, page_vector_write
from tests.archive.replica.conftest import replica_alias, replica_lost_at_first_search, where
from tests.archive.replica.test_routing import indexed
from tests.pg_replica import StreamingReplica, free_port


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)  # straight to the session: no request, so no write recorded
    return client


def _search(client: Client, query: str) -> tuple[str, str]:
    """(where the search read from, the page)."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return where(response), response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_after_an_edit_the_writer_finds_the_new_title_while_the_replica_lags(
    replica: StreamingReplica, alice: Any
) -> None:
    document = indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    replica.wait_replayed(replica.primary_lsn())
    writer, other = _logged_in(alice), _logged_in(alice)
    assert _search(writer, "zanzibar")[0] == "replica"
    replica.pause_replay()

    response = writer.post(f"/documents/{document.pk}/rename/", {"title": "Zanzibar receipts"})
    assert response.status_code == 302
    pin = writer.session[PIN_KEY]
    source, page = _search(writer, "zanzibar")
    assert source == "pinned"
    assert "Zanzibar receipts" in page
    # Another session of the same user wrote nothing: it reads the replica, which has not
    # replayed the rename yet (so the writer's answer above did come from the primary).
    source, page = _search(other, "zanzibar")
    assert source == "replica"
    assert "Zanzibar receipts" not in page

    replica.resume_replay()
    replica.wait_replayed(pin)
    for client in (writer, other):
        source, page = _search(client, "zanzibar")
        assert source == "replica"
        assert "Zanzibar receipts" in page


@pytest.mark.django_db(transaction=True)
def test_after_an_upload_the_writer_sees_it_in_the_library_while_the_replica_lags(
    replica: StreamingReplica, alice: Any, make_upload: Any
) -> None:
    replica.wait_replayed(replica.primary_lsn())
    writer, other = _logged_in(alice), _logged_in(alice)
    replica.pause_replay()
    response = writer.post("/upload/", {"scans": [make_upload("lagging-upload.png")]})
    assert response.status_code == 302
    mine = writer.get("/library/")
    assert where(mine) == "pinned"
    assert "lagging-upload" in mine.content.decode()
    theirs = other.get("/library/")
    assert where(theirs) == "replica"
    assert "lagging-upload" not in theirs.content.decode()


@pytest.mark.django_db(transaction=True)
def test_only_requests_that_may_write_record_a_position(
    replica: StreamingReplica, alice: Any
) -> None:
    client = _logged_in(alice)
    client.get("/library/")
    client.get("/search/", {"q": "anything"})
    assert PIN_KEY not in client.session
    client.post("/views/", {"name": "Mine", "query": ""})
    assert PIN_KEY in client.session


@pytest.mark.django_db(transaction=True)
def test_search_and_library_work_with_the_replica_down(settings: Any, alice: Any) -> None:
    indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    client = _logged_in(alice)
    with replica_alias(free_port(), settings, connect_timeout=1):  # nothing listens there
        source, page = _search(client, "invoice")
        assert source == "down"
        assert "Water bill" in page
        library = client.get("/library/")
        assert library.status_code == 200
        assert where(library) == "down"
        assert "Water bill" in library.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_replica_lost_during_a_search_answers_from_the_primary(
    replica: StreamingReplica, alice: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The replica's server process for this connection is terminated just before the first
    search statement: the page still answers, from the primary, with a log line; the replica
    itself still answers, so the next search reads from it again."""
    indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    replica.wait_replayed(replica.primary_lsn())
    client = _logged_in(alice)
    with replica_lost_at_first_search(replica) as killed:
        response = client.get("/search/", {"q": "invoice"})
    assert killed
    assert response.status_code == 200
    assert "Water bill" in response.content.decode()
    assert where(response) == "replica"  # chosen before the failure …
    assert "read again from the primary" in caplog.text  # … then read again from the primary
    assert where(client.get("/search/", {"q": "invoice"})) == "replica"


@pytest.mark.django_db(transaction=True)
def test_once_the_status_says_done_the_owner_finds_the_text_while_the_replica_lags(
    replica: StreamingReplica, alice: Any
) -> None:
    """OCR is written by a worker, not by the user's session; the status the document page
    polls (from the primary) reports it done, and from then on the user's search finds it."""
    document = indexed(alice, "Trip ledger", "placeholder words")
    Document.objects.filter(pk=document.pk).update(status=Document.Status.PROCESSING)
    replica.wait_replayed(replica.primary_lsn())
    watcher, other = _logged_in(alice), _logged_in(alice)
    replica.pause_replay()
    # What the worker writes when the page is read: the text, its vectors, the status.
    page = document.pages.get()
    page.text = "Kilimanjaro expedition receipts"
    page.save()
    page_vector_write(page, "en")
    document_vector_rebuild(document)
    Document.objects.filter(pk=document.pk).update(status=Document.Status.DONE)

    assert watcher.get(f"/documents/{document.pk}/status/").status_code == 200
    source, found = _search(watcher, "kilimanjaro")
    assert source == "pinned"
    assert "Trip ledger" in found
    source, found = _search(other, "kilimanjaro")
    assert source == "replica"
    assert "Trip ledger" not in found
