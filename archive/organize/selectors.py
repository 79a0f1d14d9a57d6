"""Reads of a user's organize objects, always scoped to the user asking.

Another user's tag, correspondent, field, note, view or suggestion does not exist for this
one: every lookup by id answers ``Http404`` alike for "not there" and "someone else's".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet
from django.http import Http404

from archive.organize.fields import field_value_show
from archive.organize.models import (
    Correspondent,
    CustomField,
    CustomFieldValue,
    DocumentType,
    Note,
    SavedView,
    Suggestion,
    Tag,
)

User = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)
_MAX_ID = 2**63 - 1


def _mine(model: type[M], user: User) -> QuerySet[M]:
    if not user.is_authenticated:
        return model._default_manager.none()
    return model._default_manager.filter(owner_id=user.pk)


def _one(queryset: QuerySet[M], pk: int, what: str) -> M:
    found = queryset.filter(pk=pk).first() if 0 < pk <= _MAX_ID else None
    if found is None:
        raise Http404(f"No such {what}.")
    return found


def tag_list(*, user: User) -> QuerySet[Tag]:
    """The user's tags in tree order (by full path)."""
    return _mine(Tag, user).order_by("path", "id")


def tag_get(*, user: User, pk: int) -> Tag:
    return _one(tag_list(user=user), pk, "tag")


def correspondent_list(*, user: User) -> QuerySet[Correspondent]:
    return _mine(Correspondent, user).order_by("name", "id")


def correspondent_get(*, user: User, pk: int) -> Correspondent:
    return _one(correspondent_list(user=user), pk, "correspondent")


def document_type_list(*, user: User) -> QuerySet[DocumentType]:
    return _mine(DocumentType, user).order_by("name", "id")


def document_type_get(*, user: User, pk: int) -> DocumentType:
    return _one(document_type_list(user=user), pk, "document type")


def custom_field_list(*, user: User) -> QuerySet[CustomField]:
    return _mine(CustomField, user).order_by("name", "id")


def custom_field_get(*, user: User, pk: int) -> CustomField:
    return _one(custom_field_list(user=user), pk, "custom field")


def saved_view_list(*, user: User) -> QuerySet[SavedView]:
    return _mine(SavedView, user).order_by("position", "name", "id")


def saved_view_get(*, user: User, pk: int) -> SavedView:
    return _one(saved_view_list(user=user), pk, "saved view")


def note_list(*, user: User, document_id: int | None = None) -> QuerySet[Note]:
    """The notes on the user's documents (of one document if given), oldest first."""
    if not user.is_authenticated:
        return Note.objects.none()
    notes = Note.objects.filter(document__owner_id=user.pk).select_related("author")
    if document_id is not None:
        notes = notes.filter(document_id=document_id)
    return notes.order_by("document_id", "created", "id")


def note_get(*, user: User, pk: int) -> Note:
    return _one(note_list(user=user), pk, "note")


def suggestion_list(
    *, user: User, document_id: int | None = None, state: str | None = Suggestion.State.SUGGESTED
) -> QuerySet[Suggestion]:
    """The user's suggestions (open ones unless ``state`` says otherwise; None for all)."""
    rows = _mine(Suggestion, user).select_related("correspondent", "document_type", "tag", "field")
    if document_id is not None:
        rows = rows.filter(document_id=document_id)
    if state is not None:
        rows = rows.filter(state=state)
    return rows.order_by("document_id", "kind", "key")


def suggestion_get(*, user: User, pk: int) -> Suggestion:
    return _one(suggestion_list(user=user, state=None), pk, "suggestion")


@dataclass(frozen=True)
class FieldShown:
    """One custom field on a document page: the field, its value as text (empty if unset),
    the stored value row (if any) and the open suggestion for it (if any)."""

    field: CustomField
    shown: str
    value: CustomFieldValue | None
    suggestion: Suggestion | None


@dataclass(frozen=True)
class DocumentMetadata:
    """Everything the document page shows of a document's metadata, read in a few queries."""

    tags: list[Tag]
    fields: list[FieldShown]
    notes: list[Note]
    suggestions: dict[str, Suggestion]  # open suggestions by key

    def suggestion(self, key: str) -> Suggestion | None:
        return self.suggestions.get(key)


def document_metadata(*, user: User, document: Any) -> DocumentMetadata:
    """The metadata of one of the user's documents (``document`` was read through
    ``archive.selectors.document_get``, so it is theirs)."""
    if not user.is_authenticated or document.owner_id != user.pk:
        raise Http404("No such document.")
    suggestions = {row.key: row for row in suggestion_list(user=user, document_id=document.pk)}
    values = {v.field_id: v for v in CustomFieldValue.objects.filter(document_id=document.pk)}
    fields = [
        FieldShown(
            field=field,
            shown=field_value_show(field, values[field.pk]) if field.pk in values else "",
            value=values.get(field.pk),
            suggestion=suggestions.get(f"field:{field.pk}"),
        )
        for field in custom_field_list(user=user)
    ]
    return DocumentMetadata(
        tags=list(document.tags.order_by("path")),
        fields=fields,
        notes=list(note_list(user=user, document_id=document.pk)),
        suggestions=suggestions,
    )
