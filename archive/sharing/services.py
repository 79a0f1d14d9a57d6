"""Changes to who may see a document: share, unshare, default permissions.

Only a document's owner shares it (the callers read it with ``need=Access.OWNER``); the
services also check that each document is the owner's, so a bulk share naming another user's
ids changes nothing of theirs. Each change is a line in the document's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext

from archive.errors import UserError
from archive.models import Document
from archive.sharing.history import Action, event_record
from archive.sharing.models import DefaultPermission, DocumentPermission, Level


def grantee_find(*, user: str = "", group: str = "") -> AbstractBaseUser | Group:
    """The active user named ``user`` or the group named ``group`` (exactly one of them);
    ``UserError`` if there is none of that name."""
    if bool(user) == bool(group):
        raise UserError(gettext("Name one user or one group."))
    if user:
        found = get_user_model().objects.filter(username=user, is_active=True).first()
        if found is None:
            raise UserError(gettext("There is no user %(name)r.") % {"name": user})
        return found
    named = Group.objects.filter(name=group).first()
    if named is None:
        raise UserError(gettext("There is no group %(name)r.") % {"name": group})
    return named


def _level(level: str) -> Level:
    if level not in Level.values:
        raise UserError(gettext("Share to view or to edit."))
    return Level(level)


def _grantee_columns(grantee: AbstractBaseUser | Group) -> dict[str, Any]:
    if isinstance(grantee, Group):
        return {"group_id": grantee.pk, "user_id": None}
    return {"user_id": grantee.pk, "group_id": None}


def documents_share(
    *,
    owner: AbstractBaseUser,
    documents: Iterable[int],
    grantee: AbstractBaseUser | Group,
    level: str,
) -> int:
    """Share the owner's ``documents`` (ids) with ``grantee`` at ``level`` (a ``Level``
    value); an existing grant to the same grantee takes the new level. Ids that are not the
    owner's are left out. Returns how many documents were shared."""
    wanted = _level(level)
    if not isinstance(grantee, Group) and grantee.pk == owner.pk:
        raise UserError(gettext("Your documents are yours already."))
    columns = _grantee_columns(grantee)
    who = grantee.name if isinstance(grantee, Group) else grantee.get_username()
    shared = 0
    with transaction.atomic():
        for document in Document.objects.filter(owner_id=owner.pk, pk__in=list(documents)):
            DocumentPermission.objects.update_or_create(
                document=document,
                **columns,
                defaults={"level": wanted, "granted_by_id": owner.pk},
            )
            event_record(document, Action.SHARED, actor=owner, detail=f"{who}: {wanted.label}")
            shared += 1
    return shared


def permission_delete(*, owner: AbstractBaseUser, permission_id: int) -> Document:
    """Take back one grant on one of the owner's documents; ``UserError`` if there is none."""
    with transaction.atomic():
        grant = (
            DocumentPermission.objects.select_related("document", "user", "group")
            .filter(pk=permission_id, document__owner_id=owner.pk)
            .first()
        )
        if grant is None:
            raise UserError(gettext("No such permission."))
        document = grant.document
        event_record(document, Action.UNSHARED, actor=owner, detail=grant.grantee)
        grant.delete()
    return document


def document_permissions(document: Document) -> list[DocumentPermission]:
    """The grants on ``document`` (its owner reads them), users first then groups."""
    return list(
        DocumentPermission.objects.filter(document=document)
        .select_related("user", "group")
        .order_by("group__name", "user__username", "id")
    )


def default_permission_set(
    *, owner: AbstractBaseUser, grantee: AbstractBaseUser | Group, level: str
) -> DefaultPermission:
    """From now on, the owner's new documents are shared with ``grantee`` at ``level``."""
    wanted = _level(level)
    if not isinstance(grantee, Group) and grantee.pk == owner.pk:
        raise UserError(gettext("Your documents are yours already."))
    row, _ = DefaultPermission.objects.update_or_create(
        owner_id=owner.pk, **_grantee_columns(grantee), defaults={"level": wanted}
    )
    return row


def default_permission_delete(*, owner: AbstractBaseUser, pk: int) -> None:
    """Stop sharing the owner's new documents with one grantee (earlier ones stay shared)."""
    deleted, _ = DefaultPermission.objects.filter(owner_id=owner.pk, pk=pk).delete()
    if not deleted:
        raise UserError(gettext("No such default permission."))


def default_permissions(owner: AbstractBaseUser) -> list[DefaultPermission]:
    return list(
        DefaultPermission.objects.filter(owner_id=owner.pk)
        .select_related("user", "group")
        .order_by("group__name", "user__username", "id")
    )


def document_added(document: Document) -> None:
    """A new document (upload, API, bulk import, consume folder: all go through
    ``archive.ingest.document_create``): its owner's default permissions are copied onto it
    and its history begins. Call inside the transaction that creates it."""
    for default in DefaultPermission.objects.filter(owner_id=document.owner_id):
        DocumentPermission.objects.create(
            document=document,
            user_id=default.user_id,
            group_id=default.group_id,
            level=default.level,
            granted_by_id=document.owner_id,
        )
    event_record(document, Action.UPLOADED, actor=document.owner, detail=document.original_name)
