"""Bulk edit: one change applied to many of a user's documents, a batch at a time.

``bulk_edit_create`` checks the request (the action, its value, the documents: only the
owner's count) and records a ``BulkEdit``; ``bulk_edit_run`` applies it in batches of
``BULK_EDIT_BATCH`` documents (default 500), **one transaction per batch** that also records the
progress, so a failure leaves every batch either wholly applied or not at all, and the edit
says how far it got. Small selections run at once (``bulk_edit_start``), larger ones in the
background (django-q2 task ``archive.tasks.run_bulk_edit``), the page polling the progress.

The changes themselves are the organize services (``archive.organize.assign``) and the
document services (``archive.documents``: re-run, delete), so a bulk edit obeys the same
rules as one edit (suggestions confirmed or rejected, the classifier marked stale).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django_q.tasks import async_task

from archive.organize.assign import (
    documents_add_tags,
    documents_remove_tags,
    documents_set_correspondent,
    documents_set_date,
    documents_set_document_type,
    documents_set_field,
)
from archive.organize.bulk_models import BulkEdit
from archive.organize.errors import OrganizeError
from archive.organize.fields import field_value_parse
from archive.organize.models import Correspondent, CustomField, DocumentType, Tag

Action = BulkEdit.Action
# At most this many documents in one bulk edit (a selection of "all matching" larger than this
# is refused with a message rather than run for an hour).
MAX_DOCUMENTS = 100_000


def batch_size() -> int:
    """Documents per batch and transaction (``BULK_EDIT_BATCH``)."""
    return max(1, int(getattr(settings, "BULK_EDIT_BATCH", 500)))


def inline_limit() -> int:
    """Selections up to this size run in the request (``BULK_EDIT_INLINE``); larger ones in
    the background."""
    return max(0, int(getattr(settings, "BULK_EDIT_INLINE", 200)))


def _own(model: Any, owner: AbstractBaseUser, pk: Any, what: str) -> Any:
    try:
        return model.objects.get(owner_id=owner.pk, pk=int(pk))
    except (model.DoesNotExist, TypeError, ValueError) as error:
        raise OrganizeError(gettext("No such %(what)s.") % {"what": what}, field=what) from error


def _params(owner: AbstractBaseUser, action: str, value: dict[str, Any]) -> dict[str, Any]:
    """The action's value checked and in stored form; ``OrganizeError`` with a message."""
    if action in (Action.ADD_TAGS, Action.REMOVE_TAGS):
        ids = value.get("tags") or []
        if not isinstance(ids, list) or not ids:
            raise OrganizeError(gettext("Choose at least one tag."), field="tags")
        return {"tags": [_own(Tag, owner, pk, "tag").pk for pk in ids]}
    if action == Action.SET_CORRESPONDENT:
        pk = value.get("correspondent")
        found = None if pk in (None, "") else _own(Correspondent, owner, pk, "correspondent")
        return {"correspondent": found.pk if found else None}
    if action == Action.SET_TYPE:
        pk = value.get("document_type")
        found = None if pk in (None, "") else _own(DocumentType, owner, pk, "document_type")
        return {"document_type": found.pk if found else None}
    if action == Action.SET_DATE:
        raw = value.get("date")
        if raw in (None, ""):
            return {"date": None}
        try:
            day = raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw))
        except ValueError as error:
            raise OrganizeError(
                gettext("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw}, field="date"
            ) from error
        return {"date": day.isoformat()}
    if action == Action.SET_FIELD:
        field = _own(CustomField, owner, value.get("field"), "field")
        raw = value.get("value")
        # Checked now, so a bad value is refused before any batch runs.
        field_value_parse(field, raw, owner_id=owner.pk)
        return {"field": field.pk, "value": raw}
    if action in (Action.RERUN, Action.DELETE):
        return {}
    raise OrganizeError(gettext("Unknown action %(action)r.") % {"action": action}, field="action")


def bulk_edit_create(
    *,
    owner: AbstractBaseUser,
    action: str,
    documents: Iterable[int],
    value: dict[str, Any] | None = None,
) -> BulkEdit:
    """A new (queued) bulk edit of the owner's ``documents`` (ids of anyone else's are
    dropped); ``OrganizeError`` for an unknown action, a bad value, no documents or too
    many."""
    from archive.models import Document

    params = _params(owner, action, value or {})
    wanted = list(dict.fromkeys(int(pk) for pk in documents))
    if len(wanted) > MAX_DOCUMENTS:
        raise OrganizeError(
            gettext("At most %(limit)s documents are edited at once; narrow the selection.")
            % {"limit": number_format(MAX_DOCUMENTS, force_grouping=True)}
        )
    ids = list(
        Document.objects.filter(owner_id=owner.pk, pk__in=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        raise OrganizeError(gettext("No documents selected."), field="documents")
    if action == Action.RERUN:
        _check_queue_share(owner, ids)
    return BulkEdit.objects.create(owner_id=owner.pk, action=action, params=params, documents=ids)


def _check_queue_share(owner: AbstractBaseUser, ids: list[int]) -> None:
    """``OrganizeError`` if re-reading every page of the documents ``ids`` would take
    ``owner`` past the pages one user may have waiting for OCR (``archive.quotas``): refused
    before anything runs. Each batch counts again when it queues (``document_rerun``), under
    the owner's lock, and stops the edit with the same message if the limit is reached by
    then."""
    from django.db.models import Sum
    from django.db.models.functions import Coalesce

    from archive.models import Document
    from archive.quotas import Work, queued_pages_refusal

    pages = Document.objects.filter(pk__in=ids).aggregate(pages=Sum(Coalesce("page_count", 1)))[
        "pages"
    ]
    refusal = queued_pages_refusal(owner.pk, int(pages or 0), work=Work.BULK_RERUN, replacing=ids)
    if refusal is not None:
        raise OrganizeError(refusal, field="documents")


def bulk_edit_start(edit: BulkEdit) -> None:
    """Run ``edit`` now if it is small, else queue it for a worker (after the commit)."""
    if edit.total <= inline_limit():
        bulk_edit_run(edit.pk)
        return
    pk = edit.pk
    transaction.on_commit(lambda: _enqueue_run(pk))


def _enqueue_run(edit_id: int) -> None:
    """Queue a bulk edit for a worker (``archive.tasks.run_bulk_edit``; the dotted name is
    stored in the queue). Called once the edit is committed."""
    async_task(
        "archive.tasks.run_bulk_edit",
        edit_id,
        task_name=f"bulk-edit-{edit_id}",
        group="organize",
    )


def bulk_edit_run(edit_id: int) -> BulkEdit:
    """Apply the edit batch by batch from where it stopped (a worker that died mid-way is
    resumed by running it again); returns it finished (done or failed)."""
    edit = BulkEdit.objects.select_related("owner").get(pk=edit_id)
    if edit.status in (BulkEdit.Status.DONE, BulkEdit.Status.FAILED):
        return edit
    BulkEdit.objects.filter(pk=edit.pk).update(status=BulkEdit.Status.RUNNING)
    size = batch_size()
    ids = edit.documents
    for start in range(edit.done, len(ids), size):
        batch = ids[start : start + size]
        try:
            with transaction.atomic():
                changed = _apply(edit, batch)
                BulkEdit.objects.filter(pk=edit.pk).update(
                    done=start + len(batch),
                    changed=edit.changed + changed,
                    batches=edit.batches + 1,
                )
        except Exception as error:
            # The batch's transaction is rolled back whole; earlier batches stay.
            text = str(error).strip().splitlines()
            message = text[0][:300] if text else type(error).__name__
            edit.refresh_from_db()
            BulkEdit.objects.filter(pk=edit.pk).update(
                status=BulkEdit.Status.FAILED,
                error=(
                    f"Stopped at documents {start + 1}–{start + len(batch)} of {len(ids)}: "
                    f"{message}. Nothing of that batch was applied; the {edit.done} documents "
                    "before it were."
                ),
                summary=_summary(edit, edit.changed, edit.done),
                finished=timezone.now(),
            )
            edit.refresh_from_db()
            return edit
        edit.refresh_from_db()
    BulkEdit.objects.filter(pk=edit.pk).update(
        status=BulkEdit.Status.DONE,
        summary=_summary(edit, edit.changed, edit.done),
        finished=timezone.now(),
    )
    edit.refresh_from_db()
    return edit


def _apply(edit: BulkEdit, batch: list[int]) -> int:
    """Apply the edit to one batch (inside its transaction); how many things changed."""
    from archive.documents import document_delete, document_rerun
    from archive.models import Document

    owner = edit.owner
    params = edit.params
    if edit.action in (Action.ADD_TAGS, Action.REMOVE_TAGS):
        tags = list(Tag.objects.filter(owner_id=owner.pk, pk__in=params["tags"]))
        change = documents_add_tags if edit.action == Action.ADD_TAGS else documents_remove_tags
        return change(owner=owner, documents=batch, tags=tags)
    if edit.action == Action.SET_CORRESPONDENT:
        pk = params["correspondent"]
        correspondent = Correspondent.objects.get(owner_id=owner.pk, pk=pk) if pk else None
        return documents_set_correspondent(
            owner=owner, documents=batch, correspondent=correspondent
        )
    if edit.action == Action.SET_TYPE:
        pk = params["document_type"]
        kind = DocumentType.objects.get(owner_id=owner.pk, pk=pk) if pk else None
        return documents_set_document_type(owner=owner, documents=batch, document_type=kind)
    if edit.action == Action.SET_DATE:
        day = datetime.date.fromisoformat(params["date"]) if params["date"] else None
        return documents_set_date(owner=owner, documents=batch, value=day)
    if edit.action == Action.SET_FIELD:
        field = CustomField.objects.get(owner_id=owner.pk, pk=params["field"])
        return documents_set_field(owner=owner, documents=batch, field=field, value=params["value"])
    documents = list(Document.objects.select_for_update().filter(owner_id=owner.pk, pk__in=batch))
    for document in documents:
        if edit.action == Action.RERUN:
            document_rerun(document, from_scratch=True, actor=owner)
        else:
            document_delete(document, actor=owner)
    return len(documents)


def _summary(edit: BulkEdit, changed: int, done: int) -> str:
    """What the edit changed, in words."""
    params = edit.params
    of = f"{done:,} of {edit.total:,} documents"
    if edit.action in (Action.ADD_TAGS, Action.REMOVE_TAGS):
        names = ", ".join(
            Tag.objects.filter(pk__in=params["tags"])
            .order_by("path")
            .values_list("path", flat=True)
        )
        verb = "Added" if edit.action == Action.ADD_TAGS else "Removed"
        return f"{verb} {names}: {changed:,} tag{'s' if changed != 1 else ''} on {of}."
    if edit.action == Action.SET_CORRESPONDENT:
        pk = params["correspondent"]
        name = Correspondent.objects.filter(pk=pk).values_list("name", flat=True).first()
        what = f"correspondent {name}" if pk else "no correspondent"
        return f"Set {what}: {changed:,} changed among {of}."
    if edit.action == Action.SET_TYPE:
        pk = params["document_type"]
        name = DocumentType.objects.filter(pk=pk).values_list("name", flat=True).first()
        what = f"type {name}" if pk else "no type"
        return f"Set {what}: {changed:,} changed among {of}."
    if edit.action == Action.SET_DATE:
        what = f"date {params['date']}" if params["date"] else "no date"
        return f"Set {what}: {changed:,} changed among {of}."
    if edit.action == Action.SET_FIELD:
        name = CustomField.objects.filter(pk=params["field"]).values_list("name", flat=True).first()
        return f"Set {name} to “{params['value']}” on {of}."
    if edit.action == Action.RERUN:
        return f"Queued OCR again for {changed:,} of {edit.total:,} documents."
    return f"Deleted {changed:,} of {edit.total:,} documents."
