"""A document's history: who did what to it, and when.

The services that change a document call ``event_record``; the document page (for its owner
and staff) and the API list ``document_history``.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from archive.models import Document
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
