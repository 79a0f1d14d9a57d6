"""Django admin for sharing (staff only; mounted by ``archive.admin``).

Groups themselves are Django's (``auth.Group``, in the admin's "Authentication and
Authorization" section): staff add groups and put users in them there. Here staff read and
take back grants and share links, and read every document's history (the owner reads their
own on the document page). Nothing is added here: sharing is the owner's to give.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from archive.sharing.models import DefaultPermission, DocumentEvent, DocumentPermission, ShareLink


class _NoAdd(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentPermission)
class DocumentPermissionAdmin(_NoAdd):
    list_display = ["document", "user", "group", "level", "granted_by", "created"]
    list_filter = ["level"]
    list_select_related = ["document", "user", "group", "granted_by"]
    raw_id_fields = ["document"]


@admin.register(DefaultPermission)
class DefaultPermissionAdmin(_NoAdd):
    list_display = ["owner", "user", "group", "level", "created"]
    list_select_related = ["owner", "user", "group"]


@admin.register(ShareLink)
class ShareLinkAdmin(_NoAdd):
    list_display = ["prefix", "document", "kind", "created", "expires_at", "revoked_at", "uses"]
    list_select_related = ["document"]
    exclude = ["token_hash"]


@admin.register(DocumentEvent)
class DocumentEventAdmin(_NoAdd):
    list_display = ["created", "document_id", "title", "actor", "action", "detail"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["=document_id", "title"]
