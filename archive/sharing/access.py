"""Who may do what with a document: the one place that decides it.

Every read of documents goes through ``visible_documents`` (through ``archive.selectors``),
every change through ``editable_documents`` or ``owned_documents``, so no view can forget a
rule. A user may

- do everything with their own documents (owner);
- view and change (rename, re-run OCR) a document shared with them, or with a group they are
  a member of, at level EDIT;
- view (library, document page, page images, thumbnails, downloads, API) one shared at VIEW.

Deleting a document and changing who it is shared with stay the owner's. Anonymous users see
nothing here (share links are checked in ``archive.sharing.links``).
"""

from __future__ import annotations

import enum

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from archive.models import Document
from archive.sharing.models import DocumentPermission, Level

User = AbstractBaseUser | AnonymousUser


class Access(enum.IntEnum):
    """A user's access to one document, ordered: each level includes those below it."""

    NONE = 0
    VIEW = 1
    EDIT = 2
    OWNER = 3


def _grants(user: User) -> QuerySet[DocumentPermission]:
    """The grants that reach ``user``: theirs, and their groups'."""
    groups = Group.objects.filter(user=user.pk).values("pk")
    return DocumentPermission.objects.filter(Q(user_id=user.pk) | Q(group_id__in=groups))


def _reached_by_grants(user: User) -> bool:
    """Whether any document is shared with the user (one indexed lookup). A user with none
    keeps the plain owner query, which the (owner, ...) indexes answer best."""
    return _grants(user).exists()


def visible_documents(user: User) -> QuerySet[Document]:
    """Every document ``user`` may view: their own and those shared with them (or a group of
    theirs). Nothing for an anonymous or inactive user."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    own = Q(owner_id=user.pk)
    if not _reached_by_grants(user):
        return Document.objects.filter(own)
    return Document.objects.filter(own | Q(pk__in=_grants(user).values("document_id")))


def editable_documents(user: User) -> QuerySet[Document]:
    """Every document ``user`` may change (rename, re-run): their own and those shared with
    them at level EDIT."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    own = Q(owner_id=user.pk)
    edit = _grants(user).filter(level=Level.EDIT).values("document_id")
    return Document.objects.filter(own | Q(pk__in=edit))


def owned_documents(user: User) -> QuerySet[Document]:
    """The user's own documents: the only ones they may delete or share."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    return Document.objects.filter(owner_id=user.pk)


def shared_with(user: User) -> QuerySet[Document]:
    """The documents others share with ``user`` (the "shared with me" filter)."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    return Document.objects.filter(pk__in=_grants(user).values("document_id")).exclude(
        owner_id=user.pk
    )


def access_of(user: User, document: Document) -> Access:
    """The user's access to ``document`` (one query for a document that is not theirs)."""
    if not user.is_authenticated or not user.is_active:
        return Access.NONE
    if document.owner_id == user.pk:
        return Access.OWNER
    levels = set(_grants(user).filter(document_id=document.pk).values_list("level", flat=True))
    if Level.EDIT in levels:
        return Access.EDIT
    if Level.VIEW in levels:
        return Access.VIEW
    return Access.NONE


#: The library's "whose documents" choices: all I may see, mine, shared with me.
SCOPES = {
    "": gettext_lazy("All"),
    "mine": gettext_lazy("Mine"),
    "shared": gettext_lazy("Shared with me"),
}


def scoped_documents(user: User, scope: str) -> QuerySet[Document]:
    """The documents of one of ``SCOPES`` (an unknown scope reads as all)."""
    if scope == "mine":
        return owned_documents(user)
    if scope == "shared":
        return shared_with(user)
    return visible_documents(user)
