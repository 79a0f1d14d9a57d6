"""archive.organize.training: the per-user classifier learns what the user filed, is retrained
in the background when assignments change, and suggests with its reason."""

from __future__ import annotations

import pytest

from archive.models import Suggestion, UserClassifier
from archive.organize.assign import documents_set_correspondent, documents_set_document_type
from archive.organize.objects import correspondent_create, document_type_create
from archive.organize.suggest import document_suggest
from archive.organize.training import classifier_for, classifier_train, training_documents
from tests.archive.conftest import document_with_pages, run_queued_tasks

pytestmark = pytest.mark.django_db

POWER = "Stadtwerke electricity bill kilowatt hours meter reading tariff consumption"
PHONE = "Telekom mobile phone contract roaming data volume monthly minutes"


def _filed(alice):
    power = correspondent_create(owner=alice, name="Stadtwerke")  # automatic by default
    phone = correspondent_create(owner=alice, name="Telekom")
    bill = document_type_create(owner=alice, name="Bill")
    for index in range(4):
        for text, who in ((POWER, power), (PHONE, phone)):
            document = document_with_pages(alice, f"{who.name}-{index}", "en", [f"{text} {index}"])
            documents_set_correspondent(owner=alice, documents=[document.pk], correspondent=who)
            documents_set_document_type(owner=alice, documents=[document.pk], document_type=bill)
    return power, phone, bill


def test_assignments_queue_one_training_that_runs_in_the_background(
    alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        _filed(alice)
    assert len(queued) == 1
    row = UserClassifier.objects.get(owner=alice)
    assert row.dirty
    assert row.model is None
    # Sixteen assignments queued a single training.
    assert run_queued_tasks() == 1
    row.refresh_from_db()
    assert not row.dirty
    assert row.trained_on == 8
    assert row.model
    assert classifier_for(alice.pk) is not None


def test_learned_correspondent_is_suggested_with_how_many_documents_taught_it(alice, bob):
    power, _, _ = _filed(alice)
    classifier_train(alice.pk)
    new = document_with_pages(alice, "new", "en", ["Stadtwerke meter reading and tariff"])
    applied = document_suggest(new.pk)
    new.refresh_from_db()
    assert new.correspondent_id == power.pk
    row = Suggestion.objects.get(document=new, key="correspondent")
    assert row.reason == "learned from 4 documents you filed"
    assert row.confidence is not None
    assert "correspondent" in applied
    # Bob's documents learn nothing from Alice's.
    theirs = document_with_pages(bob, "bob", "en", ["Stadtwerke meter reading and tariff"])
    assert "correspondent" not in document_suggest(theirs.pk)


def test_open_suggestions_and_rule_objects_are_not_learned(alice):
    power, phone, _ = _filed(alice)
    ruled = correspondent_create(
        owner=alice, name="Ruled", match_algorithm="any", match_pattern="zzz"
    )
    classifier_train(alice.pk)
    new = document_with_pages(alice, "new", "en", ["Stadtwerke meter reading"])
    document_suggest(new.pk)  # an open suggestion: not a label
    ruled_doc = document_with_pages(alice, "ruled", "en", ["something zzz"])
    documents_set_correspondent(owner=alice, documents=[ruled_doc.pk], correspondent=ruled)
    docs = training_documents(alice.pk)
    assert len(docs) == 8
    assert {d.correspondent for d in docs} == {power.pk, phone.pk}
