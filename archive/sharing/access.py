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

How the sets are queried (issue 17, measured by ``bench/sharing.py``): ``owner_id = X OR id IN
(SELECT ... grants)`` defeats the (owner, ...) indexes. So the grants reaching the user are read
first, in one small statement over the grant indexes, at most ``INLINE_GRANTS`` + 1 rows: up to
that many, the querysets carry the ids as a constant array, ``owner_id = X OR id = ANY(ids)``,
which PostgreSQL answers with a BitmapOr of the owner index and the primary key, estimated from
the array's size. Past it (a member of busy groups who sees a third of the archive) the grants
stay a subquery: PostgreSQL hashes it once and reads the documents in table order, which is
cheaper than probing the primary key for every id (an array of 20,000 ids in every statement
made each statement slower, not faster; ``= ANY(ARRAY(subquery))`` is not hashed at all: 7 s).
A queryset holds the small grant lists as they were when it was made: each request makes its
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
from archive.replica.routing import read_connection
from archive.sharing.models import DocumentPermission, Level

User = AbstractBaseUser | AnonymousUser


class Access(enum.IntEnum):
    """A user's access to one document, ordered: each level includes those below it."""

    NONE = 0
    VIEW = 1
    EDIT = 2
    OWNER = 3


def _grants(user: User) -> QuerySet[DocumentPermission]:
    """The grants that reach ``user``: theirs, and their groups' (the group ids read now, a
    few rows: as constants both branches are index scans, OR-ed in a bitmap; as a subquery the
    grants table was read whole)."""
    groups = list(Group.objects.filter(user=user.pk).values_list("pk", flat=True))
    mine = Q(user_id=user.pk)
    return DocumentPermission.objects.filter(mine | Q(group_id__in=groups) if groups else mine)


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


#: Grants read into the query as constants up to this many documents; past it, the grants
#: subquery (see the module note).
INLINE_GRANTS = 1000


def shared_condition(user: User, level: Level | None = None) -> Q | None:
    """The condition "shared with ``user``" (at ``level`` if given) on documents, None when
    nothing is; the user's own documents shared back to them included. One statement of at
    most ``INLINE_GRANTS`` + 1 grant rows decides which form (see the module note)."""
    grants = _grants(user) if level is None else _grants(user).filter(level=level)
    found = list(grants.order_by().values_list("document_id", flat=True)[: INLINE_GRANTS + 1])
    if not found:
        return None
    if len(found) > INLINE_GRANTS:
        return Q(pk__in=grants.values("document_id"))
    return Q(id_in(sorted(set(found))))


def sharing_owners(user: User) -> list[int]:
    """The owners (never the user) of documents shared with ``user``, sorted. One statement:
    for each user, whether a grant reaching ``user`` is on one of their documents (the owner
    index, then the (user|group, document) grant indexes; stops at the first): 20 ms for a
    member of busy groups at 100,000 documents, where the distinct owners of the shared
    documents (a join of 20,000 grants) took 80-150 ms."""
    if not user.is_authenticated or not user.is_active:
        return []
    groups = list(Group.objects.filter(user=user.pk).values_list("pk", flat=True))
    # On the connection reads go to now: the replica's in a replica block (archive.replica),
    # like the search that asks and the visible documents it reads.
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT u.id FROM auth_user u WHERE u.id <> %s AND EXISTS ("
            " SELECT 1 FROM archive_document d JOIN archive_documentpermission p"
            " ON p.document_id = d.id WHERE d.owner_id = u.id"
            " AND (p.user_id = %s OR p.group_id = ANY(%s::int[]))) ORDER BY u.id",
            [user.pk, user.pk, groups],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def visible_condition(user: User) -> Q:
    """``visible_documents(user)`` as a condition on documents (for a ``Q`` of one's own)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    own = Q(owner_id=user.pk)
    shared = shared_condition(user)
    return own if shared is None else own | shared


def _own_or(user: User, level: Level | None) -> QuerySet[Document]:
    """The user's documents and those shared with them (at ``level``): two branches (see the
    module note). With no grant, the plain owner query the (owner, ...) indexes answer best:
    the plans measured before sharing existed."""
    own = Q(owner_id=user.pk)
    shared = shared_condition(user, level)
    return Document.objects.filter(own if shared is None else own | shared)


def visible_documents(user: User) -> QuerySet[Document]:
    """Every document ``user`` may view: their own and those shared with them (or a group of
    theirs), the grants as they are now (see the module note). Nothing for an anonymous or
    inactive user."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    return _own_or(user, None)


def editable_documents(user: User) -> QuerySet[Document]:
    """Every document ``user`` may change (rename, re-run): their own and those shared with
    them at level EDIT."""
    if not user.is_authenticated or not user.is_active:
        return Document.objects.none()
    return _own_or(user, Level.EDIT)


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
    shared = shared_condition(user) or Q(id_in([]))
    return Document.objects.filter(shared).exclude(owner_id=user.pk)


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
