"""Where reads go now, and the Django router that sends them there.

A view that may read from the replica runs inside ``reading_from(alias)`` (entered by
``archive.replica.requests.replica_reads``); everything else reads from the primary. The
alias is a context variable, so a block covers exactly the code it runs (each thread and each
request its own).

- ORM reads (``Document.objects.filter(...)``) ask the router: the block's alias.
- Raw SQL of the search package uses ``read_connection()`` instead of
  ``django.db.connection``, and its transactions ``transaction.atomic(using=read_alias())``.
- Writes always go to the primary: the router answers ``default`` for every ORM write, and
  the writers of the search index (``index``, ``terms``) keep using ``django.db.connection``.
  A hot standby refuses a write anyway ("cannot execute … in a read-only transaction").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

_reading: ContextVar[str] = ContextVar("archive_replica_reading", default=DEFAULT_DB_ALIAS)


def read_alias() -> str:
    """The database alias reads go to now: ``default`` (the primary) outside a
    ``reading_from`` block."""
    return _reading.get()


def read_connection() -> BaseDatabaseWrapper:
    """The connection reads go to now, for raw SQL that only reads."""
    return connections[_reading.get()]


@contextmanager
def reading_from(alias: str) -> Iterator[str]:
    """Send the reads of the block to ``alias`` (the block's writes still go to the primary)."""
    token = _reading.set(alias)
    try:
        yield alias
    finally:
        _reading.reset(token)


@contextmanager
def reading_scope() -> Iterator[None]:
    """A block within which ``read_from`` may change where reads go (a view that decides only
    once the request is authenticated); where reads went before is restored at its end."""
    token = _reading.set(_reading.get())
    try:
        yield
    finally:
        _reading.reset(token)


def read_from(alias: str) -> None:
    """Send the reads that follow to ``alias``, up to the end of the enclosing
    ``reading_scope`` (outside one, the change would outlive the request: never do that)."""
    _reading.set(alias)


class ReplicaRouter:
    """Django's database router: reads to ``read_alias()``, writes to the primary, and
    migrations on the primary only (the replica follows them through the WAL)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        return _reading.get()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # Both aliases hold the same rows: an object read from the replica may be related to
        # one read from the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
