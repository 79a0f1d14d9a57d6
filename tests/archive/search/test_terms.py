"""archive.search.terms: df, N and the impact lists stay exact through index, re-index, rename,
corrections, re-runs and deletion, per owner, and concurrent writers do not deadlock."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from archive.documents import document_delete, document_rename, page_text_update
from archive.models import Document
from archive.search import reindex_documents
from archive.search.terms import statistics_rebuild
from tests.archive.conftest import document_with_pages
from tests.archive.search.corpus import build, list_errors, stored_df, true_df


@pytest.fixture(params=[0, 20])
def low(settings, request):
    settings.SEARCH_IMPACT_THRESHOLD = request.param
    settings.SEARCH_IMPACT_KEEP = 10


def _exact(*owners) -> None:
    for owner in owners:
        assert stored_df(owner.pk) == true_df(owner.pk)
        assert list_errors(owner.pk) == []


@pytest.mark.django_db
def test_df_and_lists_exact_after_index_reindex_edit_and_delete(alice, bob, low):
    documents = build(alice, 300)
    build(bob, 50, seed=5)
    _exact(alice, bob)
    assert stored_df(alice.pk)[""] == 300
    reindex_documents(documents[:120])
    _exact(alice, bob)
    document_rename(documents[0], "zephyr quarry")
    page_text_update(documents[1].pages.get(), "a corrected page about walnut")
    _exact(alice, bob)
    for document in documents[:150]:
        document_delete(document)
    _exact(alice, bob)
    assert stored_df(alice.pk)[""] == 150
    statistics_rebuild(alice.pk)
    _exact(alice)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_of_shared_terms_do_not_deadlock(alice, low):
    """Two threads, each with its own connection and transaction, index documents holding the
    same words at the same time (a barrier lines them up); both commit, df is exact."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker(seed: int) -> None:
        try:
            texts = [f"invoice garden tools harbour {seed} {i}" for i in range(40)]
            with transaction.atomic():
                made = [
                    document_with_pages(alice, f"t{seed}-{i}", "en", [text])
                    for i, text in enumerate(texts)
                ]
                barrier.wait(timeout=30)
                reindex_documents(made[::-1] if seed % 2 else made)
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Document.objects.filter(owner=alice).count() == 80
    _exact(alice)
