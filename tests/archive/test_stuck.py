"""Documents left without a worker are found and queued again (archive.processing.stuck)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_q.models import OrmQ, Schedule

from archive.ingest import document_create
from archive.models import Document
from archive.processing.stuck import queued_document_ids, requeue_stuck, stuck_documents
from tests.archive.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def _document(alice: User, make_upload: object) -> Document:
    upload = make_upload("stuck.png", lines=["Stuck document words"])  # type: ignore[operator]
    return document_create(owner=alice, upload=upload, name="stuck.png", language="en").document


def _age(document: Document, seconds: int) -> None:
    Document.objects.filter(pk=document.pk).update(
        updated=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_queued_document_with_its_task_waiting_is_not_stuck(
    alice: User, make_upload: object, settings: object
) -> None:
    document = _document(alice, make_upload)
    _age(document, 10_000)
    assert document.pk in (queued_document_ids() or set())
    assert stuck_documents() == []


def test_a_document_whose_task_was_lost_is_queued_again_and_finishes(
    alice: User, make_upload: object
) -> None:
    document = _document(alice, make_upload)
    OrmQ.objects.all().delete()  # the task is lost (a flushed broker, a give-up after crashes)
    _age(document, 10_000)
    assert stuck_documents() == [document.pk]
    assert requeue_stuck() == [document.pk]
    assert stuck_documents() == []  # its new task is in the queue
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE
    assert document.pages.count() == 1
    assert "stuck" in document.pages.get().text.lower()


def test_a_recently_active_document_is_left_alone(alice: User, make_upload: object) -> None:
    document = _document(alice, make_upload)
    OrmQ.objects.all().delete()
    _age(document, 60)  # less than STUCK_AFTER_SECONDS: a page may still be being read
    assert stuck_documents() == []


def test_finished_documents_are_never_stuck(alice: User, make_upload: object) -> None:
    document = _document(alice, make_upload)
    run_queued_tasks()
    _age(document, 10_000)
    assert stuck_documents() == []


def test_the_migration_schedules_the_check() -> None:
    # Transactional tests empty the tables after each test, the migration's row included, so
    # the migration is run again here: back to the one before it, then forward.
    migration = ("archive", "0007_reliability")
    graph = MigrationLoader(connection).graph
    parents = [parent.key for parent in graph.node_map[migration].parents]
    before = next(name for app, name in parents if app == "archive")
    call_command("migrate", "archive", before, verbosity=0)
    assert not Schedule.objects.filter(name="requeue-stuck-documents").exists()
    call_command("migrate", "archive", verbosity=0)
    schedule = Schedule.objects.get(name="requeue-stuck-documents")
    assert schedule.func == "archive.tasks.requeue_stuck"
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.repeats == -1
