"""Sharing in the web UI: a document's grants and share links (its owner's), bulk sharing,
the user's groups and default permissions, and the public page of a share link.

Every document view reads its document through ``archive.selectors`` with
``need=Access.OWNER``: only the owner changes who may see a document (others get 404, or 403
if it is shared with them).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from archive import selectors
from archive.downloads import original_response, searchable_pdf_response
from archive.errors import UserError
from archive.exports import ExportPending, ExportUnavailable
from archive.proxies import client_address
from archive.sharing.access import Access
from archive.sharing.links import (
    EXPIRIES,
    rate_allows,
    share_link_create,
    share_link_open,
    share_link_revoke,
)
from archive.sharing.models import ShareLink
from archive.sharing.services import (
    default_permission_delete,
    default_permission_set,
    default_permissions,
    documents_share,
    grantee_find,
    permission_delete,
)


def _user(request: HttpRequest) -> AbstractBaseUser:
    user = request.user
    assert isinstance(user, AbstractBaseUser)  # login_required
    return user


def _share(request: HttpRequest, ids: list[int]) -> int:
    post = request.POST
    grantee = grantee_find(user=post.get("user", "").strip(), group=post.get("group", "").strip())
    return documents_share(
        owner=_user(request), documents=ids, grantee=grantee, level=post.get("level", "")
    )


@login_required
@require_POST
def document_share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share the owner's document with a user or group (``user`` or ``group``, ``level``)."""
    document = selectors.document_get(user=request.user, pk=pk, need=Access.OWNER)
    try:
        _share(request, [document.pk])
    except UserError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("Shared."))
    return redirect(reverse("document", args=[document.pk]) + "#sharing")


@login_required
@require_POST
def documents_share_bulk(request: HttpRequest) -> HttpResponse:
    """Share many of the owner's documents at once (``documents``: ids, as the library's
    selection sends them); ids that are not the user's own are left out."""
    try:
        ids = [int(raw) for raw in request.POST.getlist("documents")][:10_000]
        if not ids:
            raise UserError(gettext("Choose the documents to share."))
        count = _share(request, ids)
    except ValueError:
        messages.error(request, gettext("Choose the documents to share."))
    except UserError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext("Shared %(count)d document.", "Shared %(count)d documents.", count)
            % {"count": count},
        )
    return redirect("library")


@login_required
@require_POST
def document_unshare(request: HttpRequest, pk: int, permission_pk: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, pk=pk, need=Access.OWNER)
    try:
        permission_delete(owner=_user(request), permission_id=permission_pk)
    except UserError as error:
        raise Http404(str(error)) from error
    messages.success(request, gettext("No longer shared."))
    return redirect(reverse("document", args=[document.pk]) + "#sharing")


@login_required
@require_POST
def share_link_make(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a share link and show it, once (only its hash is kept)."""
    document = selectors.document_get(user=request.user, pk=pk, need=Access.OWNER)
    try:
        made = share_link_create(
            owner=_user(request),
            document=document,
            kind=request.POST.get("kind", ""),
            expires=request.POST.get("expires", ""),
        )
    except UserError as error:
        messages.error(request, str(error))
        return redirect(reverse("document", args=[document.pk]) + "#sharing")
    url = request.build_absolute_uri(reverse("share_link", args=[made.token]))
    response = render(
        request,
        "archive/share_link_made.html",
        {"document": document, "link": made.link, "url": url},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def share_link_remove(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    document = selectors.document_get(user=request.user, pk=pk, need=Access.OWNER)
    try:
        share_link_revoke(owner=_user(request), pk=link_pk)
    except UserError as error:
        raise Http404(str(error)) from error
    messages.success(request, gettext("The link no longer works."))
    return redirect(reverse("document", args=[document.pk]) + "#sharing")


def _open(request: HttpRequest, token: str) -> ShareLink:
    """The live link, after counting the request against the client's rate (429 past it)."""
    if not rate_allows(client_address(request) or "unknown"):
        raise _TooMany
    link = share_link_open(token)
    if link is None:
        raise Http404("No such link.")
    return link


class _TooMany(Exception):
    """Past ``SHARE_LINK_RATE`` requests this minute."""


def _too_many() -> HttpResponse:
    response = HttpResponse(
        gettext("Too many requests: try again in a minute."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = "60"
    return response


@require_GET
def share_link_page(request: HttpRequest, token: str) -> HttpResponse:
    """A share link's public page: the document's title and a download of the one file the
    link gives, for anyone holding the link (no login)."""
    try:
        link = _open(request, token)
    except _TooMany:
        return _too_many()
    response = render(request, "archive/share_link.html", {"link": link, "token": token})
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


@require_GET
def share_link_file(request: HttpRequest, token: str) -> HttpResponseBase:
    """The file a share link gives (the original, or the searchable PDF once built)."""
    try:
        link = _open(request, token)
    except _TooMany:
        return _too_many()
    if link.kind == ShareLink.Kind.ORIGINAL:
        return original_response(link.document)
    try:
        return searchable_pdf_response(link.document)
    except ExportPending as pending:
        response = HttpResponse(str(pending), status=202, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "3"
        return response
    except ExportUnavailable as error:
        return HttpResponse(str(error), status=409, content_type="text/plain; charset=utf-8")


@login_required
@require_http_methods(["GET", "POST"])
def sharing_settings(request: HttpRequest) -> HttpResponse:
    """The user's groups (and every group, to share with) and their default permissions:
    POST adds one (``user`` or ``group``, ``level``)."""
    owner = _user(request)
    if request.method == "POST":
        post = request.POST
        try:
            grantee = grantee_find(
                user=post.get("user", "").strip(), group=post.get("group", "").strip()
            )
            default_permission_set(owner=owner, grantee=grantee, level=post.get("level", ""))
        except UserError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Your new documents will be shared that way."))
        return redirect("sharing_settings")
    context = {
        "my_groups": Group.objects.filter(user=owner.pk).order_by("name"),
        "groups": Group.objects.order_by("name"),
        "defaults": default_permissions(owner),
        "expiries": EXPIRIES,
    }
    return render(request, "archive/sharing_settings.html", context)


@login_required
@require_POST
def default_permission_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        default_permission_delete(owner=_user(request), pk=pk)
    except UserError as error:
        raise Http404(str(error)) from error
    messages.success(request, gettext("Removed: new documents are no longer shared that way."))
    return redirect("sharing_settings")
