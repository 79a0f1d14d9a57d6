"""The document page's metadata panel: date, correspondent, type, tags, custom fields, notes,
and the suggestions among them with one-click confirm, change or clear.

Every change is a POST that calls one service. The metadata is in the document's owner's
vocabulary (their tags, correspondents, types, fields). Its owner changes all of it; a user it
is shared with to edit (``Access.EDIT``) sets its date and puts on or takes off the owner's
existing correspondent, type and tags (the edit form lists their names), never makes one in
the owner's namespace, and neither sees nor changes the owner's custom fields, notes and
suggestions (403). The services run in the owner's namespace (``owner=document.owner``).

With htmx (``HX-Request``) the answer is the panel alone, swapped in place; without JavaScript
the forms work as plain forms that return to the document. A service's ``OrganizeError`` is
shown in the panel, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from archive import selectors as document_selectors
from archive.models import Document
from archive.organize import selectors, services
from archive.organize.errors import OrganizeError
from archive.organize.models import TAG_SEPARATOR, CustomField, Suggestion, Tag
from archive.sharing.access import Access
from archive.sharing.history import metadata_recorded

PANEL = "archive/_metadata.html"


def _owner(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # login_required
    return user


def _field_input(field: CustomField, value: Any) -> str:
    """The value as its edit box holds it."""
    if value is None:
        return ""
    kind = field.data_type
    if kind == CustomField.DataType.INTEGER:
        return str(value.value_int)
    if kind == CustomField.DataType.DATE:
        return value.value_date.isoformat() if value.value_date else ""
    if kind == CustomField.DataType.BOOLEAN:
        return "" if value.value_bool is None else ("yes" if value.value_bool else "no")
    if kind == CustomField.DataType.DOCUMENT:
        return str(value.value_document_id or "")
    if kind in (CustomField.DataType.NUMBER, CustomField.DataType.MONETARY):
        return services.field_value_show(field, value)
    return value.value_text or ""


def panel_context(request: HttpRequest, document: Document, error: str = "") -> dict[str, Any]:
    """What ``_metadata.html`` shows for ``document`` (read with ``document_get``): all of it
    for its owner, the date, correspondent, type and tags for an editor it is shared with."""
    if document.access != Access.OWNER:  # type: ignore[attr-defined]
        return _editor_context(document, error)
    user = request.user
    meta = selectors.document_metadata(user=user, document=document)
    tags = {tag.pk for tag in meta.tags}
    return {
        "document": document,
        "meta": meta,
        "error": error,
        "suggested_date": meta.suggestion("date"),
        "suggested_correspondent": meta.suggestion("correspondent"),
        "suggested_type": meta.suggestion("type"),
        "tag_chips": [(tag, meta.suggestion(f"tag:{tag.pk}")) for tag in meta.tags],
        "all_tags": [tag for tag in selectors.tag_list(user=user) if tag.pk not in tags],
        "correspondents": selectors.correspondent_list(user=user),
        "types": selectors.document_type_list(user=user),
        "field_rows": [
            (shown.field, shown.shown, _field_input(shown.field, shown.value), shown.suggestion)
            for shown in meta.fields
        ],
        "open_count": len(meta.suggestions),
        "is_owner": True,
    }


def _editor_context(document: Document, error: str) -> dict[str, Any]:
    """The panel for a user the document is shared with to edit: its date, correspondent, type
    and tags, with the owner's names to choose from; no fields, notes or suggestions."""
    owner = document.owner
    tags = list(document.tags.order_by("path"))
    on = {tag.pk for tag in tags}
    return {
        "document": document,
        "meta": None,
        "error": error,
        "suggested_date": None,
        "suggested_correspondent": None,
        "suggested_type": None,
        "tag_chips": [(tag, None) for tag in tags],
        "all_tags": [tag for tag in selectors.tag_list(user=owner) if tag.pk not in on],
        "correspondents": selectors.correspondent_list(user=owner),
        "types": selectors.document_type_list(user=owner),
        "field_rows": [],
        "open_count": 0,
        "is_owner": False,
    }


def _answer(
    request: HttpRequest,
    pk: int,
    change: Callable[[Document], str],
    need: Access = Access.OWNER,
) -> HttpResponse:
    """Run ``change`` (which returns a message) on the document and answer with the panel
    (htmx) or a redirect to the document. ``need``: OWNER for the owner's own vocabulary
    (fields, notes, suggestions), EDIT for what an editor may set (see the module note);
    others get 403 (or 404 for a document they may not see). Each change of the date,
    correspondent, type, tags or a field is written to the document's history with the user
    who made it."""
    document = document_selectors.document_get(user=request.user, pk=pk, need=need)
    error = ""
    try:
        # Whatever of the metadata it changes is a line in the document's history.
        with metadata_recorded(document, actor=_owner(request)):
            done = change(document)
    except OrganizeError as failure:
        error, done = failure.message, ""
    if request.headers.get("HX-Request"):
        document = document_selectors.document_get(user=request.user, pk=pk, need=need)
        return render(request, PANEL, panel_context(request, document, error))
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(document)


def _pk_or_none(raw: str, what: str) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise OrganizeError(gettext("No such %(what)s.") % {"what": what}) from None
    if not 0 < value < 2**63:
        raise OrganizeError(gettext("No such %(what)s.") % {"what": what})
    return value


@login_required
@require_POST
def document_metadata_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Set or clear the document date, correspondent or type (the form sends one of them)."""

    def change(document: Document) -> str:
        owner = document.owner  # the namespace of the document's metadata
        post = request.POST
        changes: dict[str, Any] = {}
        if "document_date" in post:
            raw = post["document_date"].strip()
            try:
                changes["document_date"] = date.fromisoformat(raw) if raw else None
            except ValueError:
                raise OrganizeError(gettext("A date is written YYYY-MM-DD.")) from None
        if "correspondent" in post:
            wanted = _pk_or_none(post["correspondent"], gettext("correspondent"))
            changes["correspondent"] = (
                None if wanted is None else selectors.correspondent_get(user=owner, pk=wanted)
            )
        if "document_type" in post:
            wanted = _pk_or_none(post["document_type"], gettext("document type"))
            changes["document_type"] = (
                None if wanted is None else selectors.document_type_get(user=owner, pk=wanted)
            )
        services.document_metadata_update(owner=owner, document_id=document.pk, **changes)
        return gettext("Saved.")

    return _answer(request, pk, change, need=Access.EDIT)


@login_required
@require_POST
def document_tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a tag on the document by its full name; a new name makes the tag (``Tax/2024``)."""

    def change(document: Document) -> str:
        path = request.POST.get("tag", "")[:1000]
        if document.owner_id == request.user.pk:
            tag = services.tag_for_path(owner=document.owner, path=path)
        else:
            tag = _owners_tag(document, path)
        services.documents_add_tags(owner=document.owner, documents=[document.pk], tags=[tag])
        return gettext("Tagged %(path)s.") % {"path": tag.path}

    return _answer(request, pk, change, need=Access.EDIT)


def _owners_tag(document: Document, path: str) -> Tag:
    """The document owner's existing tag named ``path`` (case ignored), for an editor: they
    never make a tag in the owner's namespace."""
    full = TAG_SEPARATOR.join(part.strip() for part in path.split(TAG_SEPARATOR))
    found = Tag.objects.filter(owner_id=document.owner_id, path__iexact=full).first()
    if found is None:
        raise OrganizeError(
            gettext("Choose one of the tags listed: only the owner makes new tags.")
        )
    return found


@login_required
@require_POST
def document_tag_remove(request: HttpRequest, pk: int, tag_pk: int) -> HttpResponse:
    def change(document: Document) -> str:
        owner = document.owner  # the namespace of the document's tags
        tag = selectors.tag_get(user=owner, pk=tag_pk)
        if not services.documents_remove_tags(owner=owner, documents=[document.pk], tags=[tag]):
            # Named only when it was on the document (an editor learns no other tag's name).
            raise OrganizeError(gettext("That tag is not on this document."))
        return gettext("Removed %(path)s.") % {"path": tag.path}

    return _answer(request, pk, change, need=Access.EDIT)


@login_required
@require_POST
def document_field_set(request: HttpRequest, pk: int, field_pk: int) -> HttpResponse:
    """Set a custom field's value (empty clears it)."""

    def change(document: Document) -> str:
        owner = _owner(request)
        field = selectors.custom_field_get(user=owner, pk=field_pk)
        value = request.POST.get("value", "")[:10_001]
        services.documents_set_field(owner=owner, documents=[document.pk], field=field, value=value)
        return gettext("Saved %(name)s.") % {"name": field.name}

    return _answer(request, pk, change)


@login_required
@require_POST
def document_note_add(request: HttpRequest, pk: int) -> HttpResponse:
    def change(document: Document) -> str:
        services.note_create(
            owner=_owner(request), document_id=document.pk, text=request.POST.get("text", "")
        )
        return gettext("Note added.")

    return _answer(request, pk, change)


@login_required
@require_POST
def document_note_delete(request: HttpRequest, pk: int, note_pk: int) -> HttpResponse:
    def change(document: Document) -> str:
        note = selectors.note_get(user=request.user, pk=note_pk)
        if note.document_id != document.pk:
            raise OrganizeError(gettext("No such note."))
        services.note_delete(owner=_owner(request), note=note)
        return gettext("Note deleted.")

    return _answer(request, pk, change)


def _decide(request: HttpRequest, pk: int, suggestion_pk: int, accept: bool) -> HttpResponse:
    def change(document: Document) -> str:
        row: Suggestion = selectors.suggestion_get(user=request.user, pk=suggestion_pk)
        if row.document_id != document.pk:
            raise OrganizeError(gettext("No such suggestion."))
        if accept:
            services.suggestion_confirm(owner=_owner(request), suggestion=row)
            return gettext("Confirmed.")
        services.suggestion_reject(owner=_owner(request), suggestion=row)
        return gettext("Cleared.")

    return _answer(request, pk, change)


@login_required
@require_POST
def document_suggestion_confirm(request: HttpRequest, pk: int, suggestion_pk: int) -> HttpResponse:
    """Keep a suggested value: it becomes the user's."""
    return _decide(request, pk, suggestion_pk, accept=True)


@login_required
@require_POST
def document_suggestion_reject(request: HttpRequest, pk: int, suggestion_pk: int) -> HttpResponse:
    """Clear a suggested value; it is not suggested again."""
    return _decide(request, pk, suggestion_pk, accept=False)


@login_required
@require_POST
def document_suggestions_confirm_all(request: HttpRequest, pk: int) -> HttpResponse:
    def change(document: Document) -> str:
        count = services.document_suggestions_confirm_all(
            owner=_owner(request), document_id=document.pk
        )
        return ngettext(
            "Confirmed %(count)s suggestion.", "Confirmed %(count)s suggestions.", count
        ) % {"count": count}

    return _answer(request, pk, change)
