"""A document's history: who did what to it, and when.

The services that change a document call ``event_record``; a change of its metadata (date,
correspondent, type, tags, custom fields) runs inside ``metadata_recorded``, which writes one
line per part that changed. The document page (for its owner and staff) and the API list
``document_history``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet

from archive.models import CustomFieldValue, Document, DocumentTag
from archive.organize.fields import field_value_show
from archive.sharing.models import DocumentEvent

Action = DocumentEvent.Action


def event_record(
    document: Document,
    action: DocumentEvent.Action,
    *,
    actor: AbstractBaseUser | None,
    detail: str = "",
) -> DocumentEvent:
    """Add one line to ``document``'s history (``actor`` None: the system did it)."""
    return DocumentEvent.objects.create(
        document_id=document.pk,
        title=document.title[:255],
        actor_id=None if actor is None else actor.pk,
        action=action,
        detail=detail[:500],
    )


def document_history(document_id: int) -> QuerySet[DocumentEvent]:
    """The document's history, newest first (the caller checked who may read it: the owner or
    staff)."""
    return DocumentEvent.objects.filter(document_id=document_id).select_related("actor")


#: How an empty date, correspondent, type or field value is written in a history line.
EMPTY = "—"


@dataclass(frozen=True)
class _Metadata:
    """What a document's metadata reads as, for comparing before and after a change."""

    date: str
    correspondent: str
    document_type: str
    tags: frozenset[str]
    fields: dict[str, str]


def _metadata(document_id: int) -> _Metadata:
    row = Document.objects.filter(pk=document_id).values(
        "document_date", "correspondent__name", "document_type__name"
    )[0]
    values = CustomFieldValue.objects.filter(document_id=document_id).select_related("field")
    return _Metadata(
        date=row["document_date"].isoformat() if row["document_date"] else EMPTY,
        correspondent=row["correspondent__name"] or EMPTY,
        document_type=row["document_type__name"] or EMPTY,
        tags=frozenset(
            DocumentTag.objects.filter(document_id=document_id).values_list("tag__path", flat=True)
        ),
        fields={
            value.field.name: field_value_show(value.field, value) or EMPTY for value in values
        },
    )


def _changes(before: _Metadata, after: _Metadata) -> Iterator[tuple[Action, str]]:
    """(action, detail) for each part that differs, in the order the page shows them."""
    for action, old, new in (
        (Action.DATE, before.date, after.date),
        (Action.CORRESPONDENT, before.correspondent, after.correspondent),
        (Action.DOCUMENT_TYPE, before.document_type, after.document_type),
    ):
        if old != new:
            yield action, f"{old} → {new}"
    if before.tags != after.tags:
        added = [f"+{path}" for path in sorted(after.tags - before.tags)]
        removed = [f"−{path}" for path in sorted(before.tags - after.tags)]
        yield Action.TAGS, " ".join(added + removed)
    for name in sorted(before.fields.keys() | after.fields.keys()):
        old, new = before.fields.get(name, EMPTY), after.fields.get(name, EMPTY)
        if old != new:
            yield Action.FIELD, f"{name}: {old} → {new}"


@contextmanager
def metadata_recorded(document: Document, *, actor: AbstractBaseUser | None) -> Iterator[None]:
    """Run the block (which changes ``document``'s metadata through the organize services) and
    add a history line, with ``actor``, for each of date, correspondent, type, tags and each
    custom field that it changed: ``old → new`` (``—`` for empty), tags as ``+added −removed``.
    Values are written as they read then (names, not ids), so a line stays readable after a
    tag is renamed or deleted. Nothing changed, nothing written; an exception in the block
    writes nothing either. One transaction: the lines are there exactly when the change is."""
    with transaction.atomic():
        before = _metadata(document.pk)
        yield
        for action, detail in _changes(before, _metadata(document.pk)):
            event_record(document, action, actor=actor, detail=detail)
