"""The user deciding on suggestions: confirm (keep the value) or reject (clear it).

Changing a suggested value is an ordinary edit (``archive.organize.assign``), which rejects the
suggestion in the same transaction.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from archive.organize.errors import OrganizeError
from archive.organize.models import CustomFieldValue, DocumentTag, Suggestion
from archive.organize.training import classifier_mark_dirty

Kind = Suggestion.Kind
State = Suggestion.State


def _open(owner: AbstractBaseUser, suggestion: Suggestion) -> Suggestion:
    if suggestion.owner_id != owner.pk:
        raise OrganizeError(gettext("No such suggestion."))
    row = Suggestion.objects.select_for_update().filter(pk=suggestion.pk).first()
    if row is None or row.state != State.SUGGESTED:
        raise OrganizeError(gettext("This suggestion was already decided."))
    return row


def suggestion_confirm(*, owner: AbstractBaseUser, suggestion: Suggestion) -> Suggestion:
    """Keep the suggested value: it becomes the user's, and the classifier may learn it."""
    with transaction.atomic():
        row = _open(owner, suggestion)
        row.state, row.decided = State.CONFIRMED, timezone.now()
        row.save(update_fields=["state", "decided"])
        if row.kind in (Kind.CORRESPONDENT, Kind.TYPE, Kind.TAG):
            classifier_mark_dirty(owner.pk)
    return row


def suggestion_reject(*, owner: AbstractBaseUser, suggestion: Suggestion) -> Suggestion:
    """Clear the suggested value from the document (if it still holds it); no later run
    suggests this place again."""
    from archive.models import Document

    with transaction.atomic():
        row = _open(owner, suggestion)
        document = Document.objects.select_for_update().get(pk=row.document_id)
        if row.kind == Kind.DATE and document.document_date == row.value_date:
            document.document_date = None
            document.save(update_fields=["document_date", "updated"])
        elif row.kind == Kind.CORRESPONDENT and document.correspondent_id == row.correspondent_id:
            document.correspondent = None
            document.save(update_fields=["correspondent", "updated"])
        elif row.kind == Kind.TYPE and document.document_type_id == row.document_type_id:
            document.document_type = None
            document.save(update_fields=["document_type", "updated"])
        elif row.kind == Kind.TAG:
            DocumentTag.objects.filter(document=document, tag_id=row.tag_id or 0).delete()
        elif row.kind == Kind.FIELD:
            from archive.organize.fields import field_value_show

            held = CustomFieldValue.objects.filter(document=document, field_id=row.field_id).first()
            if held is not None and row.field and field_value_show(row.field, held) == row.value:
                held.delete()
        row.state, row.decided = State.REJECTED, timezone.now()
        row.save(update_fields=["state", "decided"])
    return row


def document_suggestions_confirm_all(*, owner: AbstractBaseUser, document_id: int) -> int:
    """Confirm every open suggestion of one document; returns how many."""
    with transaction.atomic():
        count = Suggestion.objects.filter(
            owner_id=owner.pk, document_id=document_id, state=State.SUGGESTED
        ).update(state=State.CONFIRMED, decided=timezone.now())
        if count:
            classifier_mark_dirty(owner.pk)
    return count
