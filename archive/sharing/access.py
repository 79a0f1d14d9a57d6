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

How the sets are queried (issue 17, measured by ``bench/sharing.py``): the ids of the documents
shared with the user are read first, in one small statement over the grant indexes
(``granted_ids``), and the querysets carry them as a constant array: ``owner_id = X OR id =
ANY(ids)``. PostgreSQL answers that with a BitmapOr of the owner index and the primary key and
estimates it from the array's size; ``owner_id = X OR id IN (SELECT ... grants)`` instead
defeated every (owner, ...) index and scanned all documents and grants for each statement.
A queryset therefore holds the grants as they were when it was made: each request makes its
own (a grant taken back or a group left is gone from the next call).
"""

from __future__ import annotations

import enum

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.postgres.fields import ArrayField
from django.db.models import BigIntegerField, BooleanField, F, Func, Q, QuerySet, Value
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


def granted_ids(user: User, level: Level | None = None) -> list[int]:
    """Ids of the documents shared with ``user`` (directly or through a group of theirs), at
    ``level`` only if given, sorted, each once; their own documents shared back to them
    included. One statement: the (user, document) and (group, document) indexes, index-only.
    Empty for an anonymous or inactive user."""
    if not user.is_authenticated or not user.is_active:
        return []
    grants = _grants(user) if level is None else _grants(user).filter(level=level)
    return list(grants.order_by("document_id").values_list("document_id", flat=True).distinct())


class _AnyOf(Func):
    """``expression = ANY(array)``: a condition usable in ``filter`` and ``Q``."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()
    conditional = True


def id_in(ids: list[int]) -> _AnyOf:
    """The condition ``id = ANY(ids)`` on documents, the ids one array parameter (``pk__in``
    would write one placeholder per id). The planner sees the constant and its size: an
    index scan of the primary key, estimated right. Composes like any filter (``F`` follows
    the table's alias into subqueries)."""
    array = Value([int(pk) for pk in ids], output_field=ArrayField(BigIntegerField()))
    return _AnyOf(F("pk"), array)


def _own_or(user: User, ids: list[int]) -> QuerySet[Document]:
    """The user's documents and those of ``ids``: two index-driven branches (see the module
    note). With no ids, the plain owner query the (owner, ...) indexes answer best: the
    plans measured before sharing existed."""
    own = Q(owner_id=user.pk)
    if not ids:
        return Document.objects.filter(own)
    return Document.objects.filter(own | Q(id_in(ids)))


def visible_documents(user: User) -> QuerySet[Document]:
    """Every document ``user`` may view: their own and those shared with them (or a group of
    theirs), the grants as they are now (see the module note). Nothing for an anonymous or
    inactive user."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    return _own_or(user, granted_ids(user))


def editable_documents(user: User) -> QuerySet[Document]:
    """Every document ``user`` may change (rename, re-run): their own and those shared with
    them at level EDIT."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    return _own_or(user, granted_ids(user, Level.EDIT))


def owned_documents(user: User) -> QuerySet[Document]:
    """The user's own documents: the only ones they may delete or share."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    return Document.objects.filter(owner_id=user.pk)


def shared_with(user: User) -> QuerySet[Document]:
    """The documents others share with ``user`` (the "shared with me" filter)."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    # With no grants, ``id = ANY('{}')``: empty, and still SQL a caller may embed (``none()``
    # is not: ``shared_terms.visible_held``).
    return Document.objects.filter(id_in(granted_ids(user))).exclude(owner_id=user.pk)


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
