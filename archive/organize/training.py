"""The per-user classifier: what it learns from, when it is retrained, where it is kept.

A user's classifier (``archive.organize.classifier``) learns correspondents, document types and
tags whose rule is *automatic* from the documents the user filed: values the user set or
confirmed, never values still only suggested (that would teach the classifier its own guesses).
It is stored in ``UserClassifier`` and retrained by a background task whenever assignments
change: ``classifier_mark_dirty`` is called by every service that changes them, in the same
transaction, and queues one training (a second change before it runs queues nothing more).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone
from django_q.tasks import async_task

from archive.organize.classifier import Classifier, TrainingDoc
from archive.organize.models import (
    Correspondent,
    DocumentTag,
    DocumentType,
    MatchAlgorithm,
    Suggestion,
    Tag,
    UserClassifier,
)

_logger = logging.getLogger(__name__)

#: The text a document contributes (its first characters): enough to know a sender and a kind,
#: and it keeps training on 10,000 documents within memory and minutes.
TRAINING_TEXT_CHARS = 20_000

_MARK_DIRTY = """
INSERT INTO archive_userclassifier (owner_id, trained_on, dirty, error)
VALUES (%s, 0, true, '')
ON CONFLICT (owner_id) DO UPDATE SET dirty = true WHERE archive_userclassifier.dirty = false
RETURNING owner_id
"""


def classifier_mark_dirty(owner_id: int) -> None:
    """Note that ``owner_id``'s assignments changed; queue a training once this transaction
    commits, unless one is queued already (the row is dirty)."""
    with connection.cursor() as cursor:
        cursor.execute(_MARK_DIRTY, [owner_id])
        changed = cursor.fetchone() is not None
    if changed:
        transaction.on_commit(lambda: training_enqueue(owner_id))


def training_enqueue(owner_id: int) -> None:
    """Queue training of ``owner_id``'s classifier (``archive.tasks.train_classifier``; the
    dotted name is stored in the queue). Called once the change that asks for it committed."""
    async_task(
        "archive.tasks.train_classifier",
        owner_id,
        task_name=f"train-classifier-{owner_id}",
        group="organize",
    )


_TEXTS = """
SELECT d.id,
       left(d.title || E'\\n' || coalesce(string_agg(p.text, E'\\n' ORDER BY p.number), ''), %s)
FROM archive_document d LEFT JOIN archive_page p ON p.document_id = d.id
WHERE d.id = ANY(%s)
GROUP BY d.id
"""


def training_documents(owner_id: int) -> list[TrainingDoc]:
    """The owner's filed documents as the classifier learns them: each with at least one
    correspondent, type or tag that is automatic and set or confirmed by the user."""
    pending: dict[int, set[str]] = defaultdict(set)
    for document_id, key in Suggestion.objects.filter(
        owner_id=owner_id, state=Suggestion.State.SUGGESTED
    ).values_list("document_id", "key"):
        pending[document_id].add(key)
    auto = {"match_algorithm": MatchAlgorithm.AUTO, "owner_id": owner_id}
    auto_correspondents = set(Correspondent.objects.filter(**auto).values_list("pk", flat=True))
    auto_types = set(DocumentType.objects.filter(**auto).values_list("pk", flat=True))
    auto_tags = set(Tag.objects.filter(**auto).values_list("pk", flat=True))

    from archive.models import Document

    labels: dict[int, tuple[int | None, int | None, set[int]]] = {}
    for pk, correspondent, document_type in Document.objects.filter(
        owner_id=owner_id, status=Document.Status.DONE
    ).values_list("pk", "correspondent_id", "document_type_id"):
        keys = pending.get(pk, set())
        labels[pk] = (
            correspondent
            if correspondent in auto_correspondents and "correspondent" not in keys
            else None,
            document_type if document_type in auto_types and "type" not in keys else None,
            set(),
        )
    for document_id, tag_id in DocumentTag.objects.filter(
        document__owner_id=owner_id, tag_id__in=auto_tags
    ).values_list("document_id", "tag_id"):
        entry = labels.get(document_id)
        if entry is not None and f"tag:{tag_id}" not in pending.get(document_id, set()):
            entry[2].add(tag_id)
    filed = [pk for pk, (c, t, tags) in labels.items() if c is not None or t is not None or tags]
    texts: dict[int, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(_TEXTS, [TRAINING_TEXT_CHARS, filed])
        texts = dict(cursor.fetchall())
    return [
        TrainingDoc(
            text=texts.get(pk, ""),
            correspondent=labels[pk][0],
            document_type=labels[pk][1],
            tags=frozenset(labels[pk][2]),
        )
        for pk in sorted(filed)
    ]


def classifier_train(owner_id: int) -> UserClassifier:
    """Train ``owner_id``'s classifier on their filed documents now and store it.

    The row is marked clean before the documents are read, so a change made while training
    runs queues the next training. A failure is recorded in ``error`` (and logged); the
    previous classifier stays in use.
    """
    UserClassifier.objects.filter(owner_id=owner_id).update(dirty=False)
    started = time.perf_counter()
    try:
        documents = training_documents(owner_id)
        classifier = Classifier.train(documents)
        data = classifier.dumps()
    except Exception as error:  # recorded for the admin; the old model keeps serving
        _logger.exception("training the classifier of user %s failed", owner_id)
        row, _ = UserClassifier.objects.get_or_create(owner_id=owner_id)
        row.error = f"{type(error).__name__}: {error}"
        row.save(update_fields=["error"])
        return row
    row, _ = UserClassifier.objects.update_or_create(
        owner_id=owner_id,
        defaults={
            "model": data,
            "trained_on": classifier.trained_on,
            "trained_at": timezone.now(),
            "seconds": time.perf_counter() - started,
            "error": "",
        },
    )
    _logger.info(
        "classifier of user %s trained on %d documents in %.2f s",
        owner_id,
        classifier.trained_on,
        row.seconds or 0.0,
    )
    return row


_cache: dict[int, tuple[object, Classifier]] = {}


def classifier_for(owner_id: int) -> Classifier | None:
    """``owner_id``'s trained classifier, or None before the first training. Kept loaded in
    the process until a newer training replaces it."""
    row = (
        UserClassifier.objects.filter(owner_id=owner_id, model__isnull=False)
        .values_list("trained_at", flat=True)
        .first()
    )
    if row is None:
        return None
    cached = _cache.get(owner_id)
    if cached is not None and cached[0] == row:
        return cached[1]
    data = UserClassifier.objects.filter(owner_id=owner_id).values_list("model", flat=True)[0]
    try:
        classifier = Classifier.loads(bytes(data or b""))
    except Exception:  # a model from an older release: retrain, predict nothing meanwhile
        _logger.exception("classifier of user %s cannot be loaded; retraining", owner_id)
        classifier_mark_dirty(owner_id)
        return None
    _cache[owner_id] = (row, classifier)
    return classifier
