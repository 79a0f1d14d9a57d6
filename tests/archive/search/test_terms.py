"""archive.search.terms: df, N and the impact lists stay exact through index, re-index, rename,
corrections, re-runs and deletion, per owner, and concurrent writers do not deadlock."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from archive.documents import (
    document_delete,
    document_rename,
    document_rerun,
    page_text_update,
)
from archive.models import Document
from archive.search import document_vector_append, page_vector_write, reindex_documents
from archive.search.terms import merge, statistics_rebuild
from tests.archive.conftest import document_with_pages
from tests.archive.search.corpus import (
    COMMON,
    WORDS,
    build,
    list_errors,
    merged_df,
    pair_errors,
    pending,
    posting_errors,
    stored_df,
    true_df,
)


@pytest.fixture(params=[0, 20])
def low(settings, request):
    settings.SEARCH_IMPACT_THRESHOLD = request.param
    settings.SEARCH_IMPACT_KEEP = 10


def _exact(*owners) -> None:
    """Counts exact as read (deltas pending), then merged: the same counts with no deltas
    left, every list complete above its floor, and the postings and word pairs equal a
    recount."""
    for owner in owners:
        assert stored_df(owner.pk) == true_df(owner.pk)
        assert list_errors(owner.pk) == []
        assert posting_errors(owner.pk) == []
        assert pair_errors(owner.pk) == []
        assert merge(owner.pk)
        assert pending(owner.pk) == 0
        assert merged_df(owner.pk) == stored_df(owner.pk) == true_df(owner.pk)
        assert list_errors(owner.pk) == []


@pytest.mark.django_db
def test_df_and_lists_exact_after_index_reindex_edit_and_delete(alice, bob, low):
    documents = build(alice, 300)
    build(bob, 50, seed=5, words=[*COMMON, *WORDS])
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


@pytest.mark.django_db
def test_word_pairs_exact_after_every_write_path(alice, bob, settings):
    """The word pairs of phrases (``archive.search.pairs``) follow every writer: bulk index,
    upload (page by page), re-index, rename, correction, re-run, delete, statistics rebuild."""
    settings.SEARCH_IMPACT_THRESHOLD = 20
    vocabulary = [*COMMON, *WORDS]
    documents = build(alice, 120, words=vocabulary)
    build(bob, 30, seed=5, words=vocabulary)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM archive_search_pair WHERE owner_id = %s", [alice.pk])
        assert cursor.fetchone()[0] > 100  # the vocabulary's pairs are indexed
    _exact(alice, bob)
    # An upload: each page indexed and appended as the worker saves it.
    uploaded = document_with_pages(
        alice, "the letter of the harbour", "en", ["the bridge and the river", "was there to"]
    )
    for page in uploaded.pages.order_by("number"):
        page_vector_write(page, "en")
        document_vector_append(uploaded, page)
    _exact(alice, bob)
    reindex_documents(documents[:40])
    _exact(alice, bob)
    document_rename(documents[0], "und der die")
    page_text_update(documents[1].pages.get(), "the end of the walnut and the tools")
    _exact(alice, bob)
    document_rerun(documents[2], from_scratch=True)
    _exact(alice, bob)
    for document in documents[50:90]:
        document_delete(document)
    _exact(alice, bob)
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


def _floors(owner) -> dict[str, float | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, floor FROM archive_searchterm WHERE owner_id = %s AND term <> ''",
            [owner.pk],
        )
        return dict(cursor.fetchall())


@pytest.mark.django_db
def test_terms_past_the_threshold_get_their_lists_at_the_merge(alice, settings):
    """No list is written with the documents; the merge gives one to each term past the
    threshold, whether it passed it through deltas or in the write that created its row."""
    settings.SEARCH_IMPACT_THRESHOLD = 20
    settings.SEARCH_IMPACT_KEEP = 10
    # The first write creates every row (some already past 20), the next ones append deltas.
    build(alice, 90, batch=30)
    assert pending(alice.pk) > 0
    assert all(floor is None for floor in _floors(alice).values())
    df = true_df(alice.pk)
    assert merge(alice.pk)
    floors = _floors(alice)
    frequent = {term for term, n in df.items() if term and n > 20}
    assert frequent
    assert {term for term, floor in floors.items() if floor is not None} == frequent
    assert list_errors(alice.pk) == []
    # Lists, once there, take new documents with the writes; a recount still agrees.
    build(alice, 60, seed=11, batch=60, start=1000)
    assert list_errors(alice.pk) == []
    _exact(alice)


@pytest.mark.django_db
def test_merged_deltas_equal_a_recount(alice, bob, low):
    documents = build(alice, 120, batch=20)
    reindex_documents(documents[:40])
    document_rename(documents[2], "zephyr quarry")
    for document in documents[:30]:
        document_delete(document)
    assert pending(alice.pk) > 0
    assert stored_df(alice.pk) == true_df(alice.pk)
    assert merge(alice.pk)
    assert pending(alice.pk) == 0
    assert merged_df(alice.pk) == true_df(alice.pk)
    statistics_rebuild(alice.pk)
    assert merged_df(alice.pk) == true_df(alice.pk)


@pytest.mark.django_db(transaction=True)
def test_a_writer_does_not_wait_for_another_writers_commit(alice, settings):
    """Writer A indexes documents of common words and keeps its transaction open; writer B
    indexes documents of the same words and commits while A is still open (a lock on the
    shared term rows would make B wait for A, which waits for B: lock_timeout fails it).
    The merge does nothing while A is uncommitted; afterwards the counts are exact."""
    settings.SEARCH_IMPACT_THRESHOLD = 5
    build(alice, 20)
    errors: list[BaseException] = []
    written, done = threading.Event(), threading.Event()

    def writer_a() -> None:
        try:
            with transaction.atomic():
                made = [
                    document_with_pages(alice, f"a{i}", "en", ["invoice garden tools harbour"])
                    for i in range(5)
                ]
                reindex_documents(made)
                written.set()
                assert done.wait(timeout=120)
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            written.set()
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=writer_a)
    thread.start()
    try:
        assert written.wait(timeout=120)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '30s'")
            made = [
                document_with_pages(alice, f"b{i}", "en", ["invoice garden tools orchard"])
                for i in range(5)
            ]
            reindex_documents(made)
        assert not merge(alice.pk)
    finally:
        done.set()
        thread.join(timeout=120)
    assert errors == []
    assert Document.objects.filter(owner=alice).count() == 30
    _exact(alice)


@pytest.mark.django_db
def test_the_scheduled_task_merges_every_owner(alice, bob):
    from importlib import import_module

    from django.apps import apps
    from django_q.models import Schedule

    from archive.tasks import merge_search_terms

    # The migration's own function makes the row: a transactional test run before this one in
    # the same process (the suite runs in parallel, in any order) empties the tables, the row
    # the migration made included.
    migration = import_module("archive.migrations.0019_search_term_delta")
    Schedule.objects.filter(name="merge-search-terms").delete()
    migration.add_schedule(apps, None)
    schedule = Schedule.objects.get(name="merge-search-terms")
    assert schedule.func == "archive.tasks.merge_search_terms"
    assert schedule.schedule_type == Schedule.MINUTES
    build(alice, 40, batch=10)
    build(bob, 20, seed=5, batch=10)
    assert pending(alice.pk) > 0
    assert pending(bob.pk) > 0
    merge_search_terms()
    assert pending(alice.pk) == pending(bob.pk) == 0
    assert merged_df(alice.pk) == true_df(alice.pk)
    assert merged_df(bob.pk) == true_df(bob.pk)
