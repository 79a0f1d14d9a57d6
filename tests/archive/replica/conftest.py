"""Fixtures of the read-replica tests: one real streaming replica for the session.

``streaming_replica`` copies the local PostgreSQL with ``pg_basebackup -R`` once per session
(after pytest made its test database there: a replica holds every database of its primary)
and stops it at the end. ``replica`` gives one test the database alias ``replica`` pointing
at it, as ``DATABASE_REPLICA_URL`` would, and takes it away afterwards, so no other test reads
from it. The tests fail, never skip, when the primary does not allow replication, saying what
to configure.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db.backends.base.base import BaseDatabaseWrapper

from archive.replica import freshness
from archive.replica.config import REPLICA
from archive.replica.requests import read_choice
from tests.pg_replica import StreamingReplica


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup: None) -> Iterator[StreamingReplica]:
    """A hot standby of the primary the tests use, on its own port, for the session."""
    from django.db import connections

    primary = connections["default"].settings_dict
    host = primary["HOST"] or "127.0.0.1"
    if host.startswith("/"):
        pytest.fail(
            "The replica tests need PostgreSQL over TCP (DATABASE_URL=postgres://…@127.0.0.1/…), "
            "not the embedded server: they copy it with pg_basebackup."
        )
    bindir = Path("/usr/lib/postgresql/15/bin")
    if not (bindir / "pg_basebackup").exists():
        pytest.fail(f"The replica tests need PostgreSQL 15's server binaries in {bindir}.")
    server = StreamingReplica(
        host=host, port=int(primary["PORT"] or 5432), user=primary["USER"], bindir=bindir
    )
    try:
        server.start()
    except (RuntimeError, OSError) as error:
        server.stop()
        pytest.fail(f"The replica tests could not start a streaming replica: {error}")
    yield server
    server.stop()


def replica_connection(port: int, *, connect_timeout: int = 2) -> BaseDatabaseWrapper:
    """A connection of the alias ``replica`` at ``127.0.0.1:port``, as ``archive.settings``
    makes it from ``DATABASE_REPLICA_URL`` (same user, the test database)."""
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    default = connections["default"].settings_dict
    return DatabaseWrapper(
        {
            **default,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "OPTIONS": {**default["OPTIONS"], "connect_timeout": connect_timeout},
            "TEST": {**default["TEST"], "MIRROR": "default"},
        },
        REPLICA,
    )


@contextmanager
def replica_alias(port: int, settings: Any, *, connect_timeout: int = 2) -> Iterator[None]:
    """Reads of the replica views go to ``127.0.0.1:port`` inside the block.

    The connection is set on ``connections`` directly rather than added to
    ``settings.DATABASES``: a test may then use it without listing it in its ``databases``
    (which pytest-django checks before any fixture of the test could add the alias), and no
    other test ever sees it.
    """
    from django.db import connections

    settings.READ_FROM_REPLICA = True
    connections[REPLICA] = replica_connection(port, connect_timeout=connect_timeout)
    freshness.reset()
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        freshness.reset()


def where(response: Any) -> str:
    """Why the replica view that gave ``response`` read where it did (``replica``, ``pinned``,
    ``down``, ``lagging``)."""
    choice = read_choice(response.wsgi_request)
    assert choice is not None, "not a replica view"
    return choice.reason


@pytest.fixture
def replica(
    streaming_replica: StreamingReplica, transactional_db: None, settings: Any
) -> Iterator[StreamingReplica]:
    """The session's replica as this test's ``replica`` alias (writes committed: the test is
    transactional, so the replica sees them), replaying; forgotten afterwards."""
    settings.REPLICA_MAX_LAG_SECONDS = 30.0
    settings.REPLICA_RETRY_SECONDS = 30.0
    streaming_replica.resume_replay()
    with replica_alias(streaming_replica.port, settings):
        yield streaming_replica
    streaming_replica.resume_replay()


@contextmanager
def replica_lost_at_first_search(replica: StreamingReplica) -> Iterator[list[int]]:
    """Inside the block, the replica's server process for Django's replica connection is
    terminated just before that connection's first search statement (one reading
    ``search_vector``); yields the list of terminated process ids (one entry once it
    happened), so a test can check the failure was really provoked."""
    from django.db import connections

    standby = connections[REPLICA]
    killed: list[int] = []

    def terminate_first(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "search_vector" in sql and not killed:
            killed.append(standby.connection.info.backend_pid)
            with replica.connect() as other:
                other.execute("SELECT pg_terminate_backend(%s)", [killed[0]])
        return execute(sql, params, many, context)

    with standby.execute_wrapper(terminate_first):
        yield killed
