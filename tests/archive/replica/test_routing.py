"""Which queries go where: search, library and facet reads to the replica, writes and every
other read to the primary (a real streaming replica, ``conftest.streaming_replica``)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from archive.models import Document
from archive.replica.config import REPLICA
from archive.replica.routing import ReplicaRouter, read_alias, reading_from
from archive.search import document_vector_rebuild, page_vector_write
from tests.archive.conftest import document_with_pages
from tests.archive.replica.conftest import where
from tests.pg_replica import StreamingReplica


def indexed(owner: Any, title: str, text: str) -> Document:
    document = document_with_pages(owner, title, "en", [text])
    page_vector_write(document.pages.get(), "en")
    document_vector_rebuild(document)
    return document


def test_the_router_sends_reads_where_the_block_says_and_writes_to_the_primary() -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Document) == "default" == read_alias()
    with reading_from(REPLICA):
        assert router.db_for_read(Document) == REPLICA == read_alias()
        assert router.db_for_write(Document) == "default"
    assert router.db_for_read(Document) == "default"
    assert router.allow_migrate("default", "archive") is True
    assert router.allow_migrate(REPLICA, "archive") is False


def _sql(context: CaptureQueriesContext) -> str:
    return "\n".join(query["sql"] for query in context.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_search_and_library_read_from_the_replica(
    replica: StreamingReplica, client: Any, alice: Any
) -> None:
    document = indexed(alice, "Water bill", "The quarterly water invoice is overdue.")
    replica.wait_replayed(replica.primary_lsn())
    client.force_login(alice)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as standby,
    ):
        response = client.get("/search/", {"q": "invoice"})
    assert response.status_code == 200
    assert where(response) == "replica"
    assert document.title in response.content.decode()
    # The search itself (vectors, statistics, snippets) and the status probe on the replica;
    # only the session and the user on the primary.
    assert "search_vector" in _sql(standby)
    assert "archive_searchterm" in _sql(standby)
    assert "pg_last_wal_replay_lsn" in _sql(standby)
    assert "search_vector" not in _sql(primary)
    assert "archive_document" not in _sql(primary)
    assert "django_session" in _sql(primary)

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as standby,
    ):
        response = client.get("/library/")
    assert response.status_code == 200
    assert document.title in response.content.decode()
    assert "archive_document" in _sql(standby)
    assert "archive_document" not in _sql(primary)

    # A page outside the replica views reads from the primary.
    with CaptureQueriesContext(connections[REPLICA]) as standby:
        assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert standby.captured_queries == []


@pytest.mark.django_db(transaction=True)
def test_a_write_inside_a_replica_block_goes_to_the_primary(
    replica: StreamingReplica, alice: Any
) -> None:
    document = indexed(alice, "Tax", "tax return")
    replica.wait_replayed(replica.primary_lsn())
    with reading_from(REPLICA):
        assert Document.objects.get(pk=document.pk).title == "Tax"  # read: the replica
        Document.objects.filter(pk=document.pk).update(title="Taxes")  # write: the primary
        # The replica has not necessarily replayed it; the primary has it at once.
        assert Document.objects.using("default").get(pk=document.pk).title == "Taxes"
    replica.wait_replayed(replica.primary_lsn())
    with reading_from(REPLICA):
        assert Document.objects.get(pk=document.pk).title == "Taxes"
