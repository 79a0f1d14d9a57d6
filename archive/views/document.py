"""One document: the page viewer (image with the search words boxed, text beside it), its live
status, and the changes its owner can make: re-run, password, rename, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive import selectors
from archive.documents import (
    document_delete,
    document_rename,
    document_rerun,
    document_set_password,
)
from archive.errors import UserError
from archive.forms import PdfPasswordForm, RenameForm, RerunForm
from archive.models import Document
from archive.quotas import QueueFull
from archive.replica.requests import pin_to_primary
from archive.search import more_like_this, page_highlights
from archive.sharing.access import Access
from archive.sharing.history import document_history
from archive.sharing.links import share_links
from archive.sharing.services import document_permissions
from archive.views.organize import panel_context


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The document with one page shown (``?page=N``, default the first) and, when it comes
    from a search (``?q=``), the words of the query marked on the page image."""
    document = selectors.document_get(user=request.user, pk=pk)
    pages = list(selectors.document_pages(document).only("pk", "number", "document_id"))
    numbers = [page.number for page in pages]
    try:
        wanted = int(request.GET.get("page", ""))
    except ValueError:
        wanted = numbers[0] if numbers else 1
    current = None
    page_note = ""
    if wanted in numbers:
        current = selectors.document_pages(document).get(number=wanted)
    elif numbers:
        # A number past the end (an old link, a hand-edited URL) shows the last page, one
        # below 1 the first; either way the page says so rather than silently showing another.
        shown = numbers[-1] if wanted > numbers[-1] else numbers[0]
        current = selectors.document_pages(document).get(number=shown)
        if "page" in request.GET:
            page_note = _missing_page_note(document, wanted, shown)
    query = request.GET.get("q", "").strip()[:500]
    position = numbers.index(current.number) if current else 0
    context = {
        "document": document,
        "pages": pages,
        "current": current,
        "previous": numbers[position - 1] if current and position > 0 else None,
        "next": numbers[position + 1] if current and position + 1 < len(numbers) else None,
        "query": query,
        "page_note": page_note,
        # SVG rectangles (x, y, width, height) in the page image's pixels.
        "highlights": [
            (x0, y0, x1 - x0, y1 - y0)
            for x0, y0, x1, y1 in (
                page_highlights(current, query, document.language) if current else []
            )
        ],
        "rename_form": RenameForm(initial={"title": document.title}),
        "rerun_form": RerunForm(
            initial={"language": document.language, "force_ocr": document.force_ocr},
            staff=request.user.is_staff,
        ),
        "password_form": PdfPasswordForm(),
        # The owner's documents sharing this one's most distinctive words (bounded work),
        # those the user may see: another's similar documents are not all shared with them.
        "similar": selectors.visible_only(
            request.user, more_like_this(document, limit=8) if document.is_finished else []
        ),
        **_sharing_context(request, document),
    }
    if document.access >= Access.EDIT:  # type: ignore[attr-defined]
        # The metadata panel: date, correspondent, type, tags, fields, notes, suggestions for
        # the owner; the date, correspondent, type and tags (the owner's) for an editor.
        context.update(panel_context(request, document))
    return render(request, "archive/document.html", context)


def _sharing_context(request: HttpRequest, document: Document) -> dict[str, Any]:
    """What the page shows of sharing: who shared it (to a recipient), what they may do, and
    for the owner the grants, share links and history (the history for staff too)."""
    access = document.access  # type: ignore[attr-defined]
    owner = access == Access.OWNER
    return {
        "access": access,
        "can_edit": access >= Access.EDIT,
        "is_owner": owner,
        "permissions": document_permissions(document) if owner else [],
        "share_links": share_links(document) if owner else [],
        "history": list(document_history(document.pk)[:50])
        if owner or request.user.is_staff
        else [],
    }


@login_required
@require_GET
def document_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The status badge alone, polled by htmx until the document is finished."""
    document = selectors.document_get(user=request.user, pk=pk)
    # The badge swapped in keeps asking for the reload, or a document still processing at the
    # first poll would never reload the page when it is done.
    reload = bool(request.GET.get("reload"))
    response = render(request, "archive/_status.html", {"document": document, "reload": reload})
    if document.is_finished:
        # The user now knows the text is there: their next search reads from the primary
        # until a lagging read replica has it too (archive.replica).
        pin_to_primary(request)
        if reload:
            # The detail page shows pages and text that appeared meanwhile: reload it once.
            response["HX-Refresh"] = "true"
    return response


def _missing_page_note(document: Document, wanted: int, shown: int) -> str:
    if document.page_count and 1 <= wanted <= document.page_count:
        return gettext("Page %(wanted)d is not read yet; showing page %(shown)d.") % {
            "wanted": wanted,
            "shown": shown,
        }
    count = document.page_count
    pages = (
        ngettext("it has %(count)d page", "it has %(count)d pages", count) % {"count": count}
        if count
        else gettext("no pages are read yet")
    )
    return gettext("This document has no page %(wanted)d (%(pages)s); showing page %(shown)d.") % {
        "wanted": wanted,
        "pages": pages,
        "shown": shown,
    }


@login_required
@require_POST
def document_rerun_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue OCR again: the missing pages, or every page with the choices of the form."""
    document = selectors.document_get(user=request.user, pk=pk, need=Access.EDIT)
    form = RerunForm(request.POST, staff=request.user.is_staff)
    if not form.is_valid():
        messages.error(request, gettext("The re-run options were not understood."))
        return redirect(document)
    data = form.cleaned_data
    try:
        missing = document_rerun(
            document,
            from_scratch=data["from_scratch"],
            language=data["language"] or None,
            engine=data.get("engine") or None,
            force_ocr=data["force_ocr"],
            actor=request.user,  # type: ignore[arg-type]
        )
    except QueueFull as refusal:
        messages.error(request, str(refusal))
        return redirect(document)
    if missing is None:
        messages.success(request, gettext("OCR queued again: every page will be read again."))
    else:
        messages.success(
            request,
            ngettext(
                "OCR queued again for the page not read yet.",
                "OCR queued again for the %(count)d pages not read yet.",
                missing,
            )
            % {"count": missing},
        )
    return redirect(document)


@login_required
@require_POST
def document_password_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the password of a PDF stored without it; OCR is queued once it opens the file."""
    document = selectors.document_get(user=request.user, pk=pk, need=Access.EDIT)
    form = PdfPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Enter the PDF's password."))
        return redirect(document)
    try:
        document_set_password(document, form.cleaned_data["password"])
    except UserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("The password opens the PDF. OCR queued."))
    return redirect(document)


@login_required
@require_POST
def document_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, pk=pk, need=Access.EDIT)
    form = RenameForm(request.POST)
    if form.is_valid() and form.cleaned_data["title"].strip():
        document_rename(document, form.cleaned_data["title"], actor=request.user)  # type: ignore[arg-type]
        messages.success(request, gettext("Renamed."))
    else:
        messages.error(request, gettext("A title cannot be empty."))
    return redirect(document)


@login_required
@require_http_methods(["GET", "POST"])
def document_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the document and its files."""
    document = selectors.document_get(user=request.user, pk=pk, need=Access.OWNER)
    if request.method == "POST":
        title = document.title
        document_delete(document, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, gettext("Deleted “%(title)s”.") % {"title": title})
        return redirect("library")
    return render(request, "archive/confirm_delete.html", {"document": document})
