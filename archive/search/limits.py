"""Bounds on what one search may cost: a number of words, and a time limit in the database.

A search box is an open door: 100 prefix terms joined by OR, or a one-letter prefix over a
million pages, can keep a database core busy for seconds and slow every other user (issue 15,
item 6). ``bounded`` runs a search under ``SEARCH_TIMEOUT_MS`` (PostgreSQL's
``statement_timeout``, local to the search's transaction) and turns a cancelled statement into
``QueryTooExpensive``, whose message the page and the API show as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import psycopg.errors
from django.conf import settings
from django.db import OperationalError, transaction
from django.utils.translation import gettext

from archive.replica.routing import read_connection

P = ParamSpec("P")
R = TypeVar("R")


class QueryTooExpensive(ValueError):
    """A search refused for its cost; ``str()`` is a message for the user."""


def max_clauses() -> int:
    """Most words and phrases one query may have (``SEARCH_MAX_TERMS``)."""
    return max(1, int(getattr(settings, "SEARCH_MAX_TERMS", 32)))


def check_clauses(count: int) -> None:
    """``QueryTooExpensive`` if a query has more than ``max_clauses()`` words and phrases."""
    if count > max_clauses():
        raise QueryTooExpensive(
            gettext(
                "This search has %(count)s words; at most %(limit)s are searched at once. "
                "Please simplify it."
            )
            % {"count": count, "limit": max_clauses()}
        )


def bounded(search: Callable[P, R]) -> Callable[P, R]:
    """``search`` run in a transaction whose statements stop after ``SEARCH_TIMEOUT_MS``
    (0: no limit); a statement stopped there raises ``QueryTooExpensive``."""

    @wraps(search)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        limit = int(getattr(settings, "SEARCH_TIMEOUT_MS", 10_000))
        try:
            # On the connection reads go to now (the replica's in a replica block).
            connection = read_connection()
            with transaction.atomic(using=connection.alias):
                if limit > 0:
                    with connection.cursor() as cursor:
                        cursor.execute(
                            "SELECT set_config('statement_timeout', %s, true)", [str(limit)]
                        )
                return search(*args, **kwargs)
        except OperationalError as error:
            if isinstance(error.__cause__, psycopg.errors.QueryCanceled):
                raise QueryTooExpensive(
                    gettext(
                        "This search takes too long to answer. Please simplify it: fewer words, "
                        "longer prefixes, or a filter."
                    )
                ) from error
            raise

    return run
