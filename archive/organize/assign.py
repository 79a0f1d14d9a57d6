"""A user setting a document's metadata: date, correspondent, type, tags, custom fields.

Each function works on a set of the owner's documents in one transaction (one document is a
set of one; bulk edit passes a batch), and says what it changed. Ids of documents that are not
the owner's are ignored: for this user they do not exist.

What the user sets is theirs: any suggestion for the same place is decided here. A suggested
value the user keeps becomes *confirmed*; one they change or clear becomes *rejected*, and a
value the user clears is recorded as rejected too, so no later run of the suggestion step
writes that place again (``archive.organize.suggest``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from archive.organize.errors import OrganizeError
from archive.organize.fields import field_value_parse, field_value_show
from archive.organize.models import (
    Correspondent,
    CustomField,
    CustomFieldValue,
    DocumentTag,
    DocumentType,
    MatchAlgorithm,
    Suggestion,
    Tag,
)
from archive.organize.training import classifier_mark_dirty

State = Suggestion.State
Kind = Suggestion.Kind
#: Rows per INSERT of document tags or suggestions: large selections go in several statements.
_BATCH = 2000


def _documents(owner: AbstractBaseUser, documents: Iterable[int] | QuerySet[Any]) -> list[int]:
    """The ids among ``documents`` that are ``owner``'s, locked for this transaction (so two
    edits of the same documents do not interleave)."""
    from archive.models import Document

    ids = documents if isinstance(documents, QuerySet) else list(documents)
    return list(
        Document.objects.select_for_update()
        .filter(owner_id=owner.pk, pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _reject(owner_id: int, document_ids: Iterable[int], key: str, kind: str, **value: Any) -> None:
    """Record that the user cleared ``key`` on these documents: a re-run leaves it empty."""
    now = timezone.now()
    rows = [
        Suggestion(
            owner_id=owner_id,
            document_id=pk,
            key=key,
            kind=kind,
            state=State.REJECTED,
            reason="cleared by you",
            decided=now,
            **value,
        )
        for pk in document_ids
    ]
    Suggestion.objects.bulk_create(
        rows,
        batch_size=_BATCH,
        update_conflicts=True,
        unique_fields=["document", "key"],
        update_fields=["state", "decided"],
    )


def _decide(document_ids: list[int], key: str, kept: Q) -> None:
    """Suggestions still open for ``key``: confirmed where ``kept`` holds, rejected elsewhere."""
    Suggestion.objects.filter(document_id__in=document_ids, key=key, state=State.SUGGESTED).update(
        state=Case(When(kept, then=Value(State.CONFIRMED)), default=Value(State.REJECTED)),
        decided=timezone.now(),
    )


def _set_scalar(
    owner: AbstractBaseUser,
    documents: Iterable[int] | QuerySet[Any],
    column: str,
    key: str,
    value: Any,
    suggested: str,
) -> int:
    from archive.models import Document

    with transaction.atomic():
        ids = _documents(owner, documents)
        mine = Document.objects.filter(pk__in=ids)
        had = list(mine.exclude(**{column: None}).values_list("pk", flat=True))
        changed = mine.exclude(**{column: value}).update(
            **{column: value, "updated": timezone.now()}
        )
        if value is None:
            Suggestion.objects.filter(document_id__in=ids, key=key, state=State.SUGGESTED).update(
                state=State.REJECTED, decided=timezone.now()
            )
            _reject(owner.pk, had, key, key)
        else:
            _decide(ids, key, Q(**{suggested: value}))
        if key != Kind.DATE and ids:
            classifier_mark_dirty(owner.pk)
    return changed


def documents_set_date(
    *, owner: AbstractBaseUser, documents: Iterable[int] | QuerySet[Any], value: date | None
) -> int:
    """Set (or with None clear) the document date; returns how many documents changed."""
    if value is not None and not isinstance(value, date):
        raise OrganizeError(gettext("A document date is a date."), field="document_date")
    return _set_scalar(owner, documents, "document_date", Kind.DATE, value, "value_date")


def documents_set_correspondent(
    *,
    owner: AbstractBaseUser,
    documents: Iterable[int] | QuerySet[Any],
    correspondent: Correspondent | None,
) -> int:
    """Set (or with None clear) the correspondent; returns how many documents changed."""
    if correspondent is not None and correspondent.owner_id != owner.pk:
        raise OrganizeError(gettext("No such correspondent."), field="correspondent")
    return _set_scalar(
        owner, documents, "correspondent", Kind.CORRESPONDENT, correspondent, "correspondent"
    )


def documents_set_document_type(
    *,
    owner: AbstractBaseUser,
    documents: Iterable[int] | QuerySet[Any],
    document_type: DocumentType | None,
) -> int:
    """Set (or with None clear) the document type; returns how many documents changed."""
    if document_type is not None and document_type.owner_id != owner.pk:
        raise OrganizeError(gettext("No such document type."), field="document_type")
    return _set_scalar(owner, documents, "document_type", Kind.TYPE, document_type, "document_type")


def _own_tags(owner: AbstractBaseUser, tags: Iterable[Tag]) -> list[Tag]:
    tags = list(tags)
    if any(tag.owner_id != owner.pk for tag in tags):
        raise OrganizeError(gettext("No such tag."), field="tags")
    return tags


def documents_add_tags(
    *, owner: AbstractBaseUser, documents: Iterable[int] | QuerySet[Any], tags: Iterable[Tag]
) -> int:
    """Put ``tags`` on the documents (those already there stay, and a suggestion of one of them
    becomes confirmed); returns how many tags were added."""
    tags = _own_tags(owner, tags)
    with transaction.atomic():
        ids = _documents(owner, documents)
        tag_ids = [tag.pk for tag in tags]
        have = set(
            DocumentTag.objects.filter(document_id__in=ids, tag_id__in=tag_ids).values_list(
                "document_id", "tag_id"
            )
        )
        new = [
            DocumentTag(document_id=pk, tag_id=tag_id)
            for pk in ids
            for tag_id in tag_ids
            if (pk, tag_id) not in have
        ]
        DocumentTag.objects.bulk_create(new, batch_size=_BATCH, ignore_conflicts=True)
        Suggestion.objects.filter(
            document_id__in=ids, key__in=[f"tag:{t}" for t in tag_ids], state=State.SUGGESTED
        ).update(state=State.CONFIRMED, decided=timezone.now())
        if ids and tag_ids:
            classifier_mark_dirty(owner.pk)
    return len(new)


def documents_remove_tags(
    *, owner: AbstractBaseUser, documents: Iterable[int] | QuerySet[Any], tags: Iterable[Tag]
) -> int:
    """Take ``tags`` off the documents; a later suggestion step does not put them back.
    Returns how many tags were removed."""
    tags = _own_tags(owner, tags)
    with transaction.atomic():
        ids = _documents(owner, documents)
        removed = list(
            DocumentTag.objects.filter(
                document_id__in=ids, tag_id__in=[t.pk for t in tags]
            ).values_list("document_id", "tag_id")
        )
        DocumentTag.objects.filter(document_id__in=ids, tag_id__in=[t.pk for t in tags]).delete()
        # Only a tag the suggestion step could add again needs the user's "no" recorded.
        suggestible = {t.pk for t in tags if t.match_algorithm != MatchAlgorithm.NONE}
        by_tag: dict[int, list[int]] = {}
        for pk, tag_id in removed:
            if tag_id in suggestible:
                by_tag.setdefault(tag_id, []).append(pk)
        for tag_id, pks in by_tag.items():
            _reject(owner.pk, pks, f"tag:{tag_id}", Kind.TAG, tag_id=tag_id)
        if removed:
            classifier_mark_dirty(owner.pk)
    return len(removed)


def document_set_tags(*, owner: AbstractBaseUser, document_id: int, tags: Iterable[Tag]) -> None:
    """Make ``tags`` exactly the document's tags."""
    tags = _own_tags(owner, tags)
    with transaction.atomic():
        current = set(
            DocumentTag.objects.filter(document_id=document_id).values_list("tag_id", flat=True)
        )
        wanted = {t.pk for t in tags}
        drop = Tag.objects.filter(owner_id=owner.pk, pk__in=current - wanted)
        documents_remove_tags(owner=owner, documents=[document_id], tags=drop)
        documents_add_tags(
            owner=owner, documents=[document_id], tags=[t for t in tags if t.pk not in current]
        )


def documents_set_field(
    *,
    owner: AbstractBaseUser,
    documents: Iterable[int] | QuerySet[Any],
    field: CustomField,
    value: Any,
) -> int:
    """Set custom ``field`` to ``value`` (parsed for its type: ``OrganizeError`` if it does not
    fit) on the documents, or clear it with None / an empty text. Returns how many documents
    changed."""
    if field.owner_id != owner.pk:
        raise OrganizeError(gettext("No such field."), field="field")
    columns = field_value_parse(field, value, owner_id=owner.pk)
    key = f"field:{field.pk}"
    with transaction.atomic():
        ids = _documents(owner, documents)
        if columns is None:
            had = list(
                CustomFieldValue.objects.filter(document_id__in=ids, field=field).values_list(
                    "document_id", flat=True
                )
            )
            CustomFieldValue.objects.filter(document_id__in=ids, field=field).delete()
            Suggestion.objects.filter(document_id__in=ids, key=key, state=State.SUGGESTED).update(
                state=State.REJECTED, decided=timezone.now()
            )
            _reject(owner.pk, had, key, Kind.FIELD, field=field)
            return len(had)
        if columns.get("value_document_id") in ids and len(ids) == 1:
            raise OrganizeError(
                gettext("%(name)s: a document cannot link to itself.") % {"name": field.name},
                field="value",
            )
        CustomFieldValue.objects.bulk_create(
            [CustomFieldValue(document_id=pk, field=field, **columns) for pk in ids],
            batch_size=_BATCH,
            update_conflicts=True,
            unique_fields=["document", "field"],
            update_fields=list(columns),
        )
        _decide(ids, key, Q(value=field_value_show(field, columns)))
    return len(ids)


def document_metadata_update(*, owner: AbstractBaseUser, document_id: int, **changes: Any) -> None:
    """Change one document's metadata at once (the document page, the API): any of
    ``document_date``, ``correspondent``, ``document_type``, ``tags`` (the full set), and
    ``fields`` ({CustomField: value or None}); all or nothing."""
    with transaction.atomic():
        if "document_date" in changes:
            documents_set_date(owner=owner, documents=[document_id], value=changes["document_date"])
        if "correspondent" in changes:
            documents_set_correspondent(
                owner=owner, documents=[document_id], correspondent=changes["correspondent"]
            )
        if "document_type" in changes:
            documents_set_document_type(
                owner=owner, documents=[document_id], document_type=changes["document_type"]
            )
        if "tags" in changes:
            document_set_tags(owner=owner, document_id=document_id, tags=changes["tags"])
        for field, value in changes.get("fields", {}).items():
            documents_set_field(owner=owner, documents=[document_id], field=field, value=value)
