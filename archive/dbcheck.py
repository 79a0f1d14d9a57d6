"""Which PostgreSQL a command will use, checked in a few seconds before any slow step.

``python -m archive.dbcheck`` (``scripts/test`` runs it first) decides, in this order:

1. ``DATABASE_URL`` is set: that server must answer (the database it names need not exist
   yet: pytest makes its own ``test_…`` database beside it).
2. Otherwise, a PostgreSQL answering at the local address (``127.0.0.1:5432``;
   ``SCAN_ARCHIVE_LOCAL_POSTGRES=host:port`` moves it) as user ``postgres`` without a password
   is used: ``postgres://postgres@host:port/postgres``.
3. Otherwise, when nothing listens there, the embedded PostgreSQL (``archive.embedded_db``,
   data under ``var/pgdata``) must start.

It prints the ``DATABASE_URL`` to use on stdout, or an empty line for "leave it unset" (the
embedded server: each process then joins it through the settings), and a one-line note on
stderr when it falls back to the embedded server. When no database can be had it prints one
plain line on stderr saying why and exits with status 1, instead of a traceback after minutes
of linting.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import psycopg.conninfo

LOCAL_DEFAULT = "127.0.0.1:5432"
CONNECT_SECONDS = 5


class NoDatabase(Exception):
    """No database can be had; the message says why and what to do, in one line."""


@dataclass(frozen=True)
class Choice:
    """The database chosen: ``url`` to export, or ``""`` for the embedded server."""

    url: str
    note: str = ""


def _answers(url: str) -> None:
    """Connect to ``url`` and run one query; raises ``psycopg.Error`` if that fails."""
    with psycopg.connect(url, connect_timeout=CONNECT_SECONDS) as connection:
        connection.execute("SELECT 1")


def _server_answers(url: str) -> None:
    """The server of ``url`` answers: its database, or else the maintenance database
    ``postgres`` with the same credentials (the tests make their own ``test_…`` database, so
    the one named need not exist). Raises the first ``psycopg.Error`` if neither answers."""
    try:
        _answers(url)
    except psycopg.Error as error:
        try:
            _answers(psycopg.conninfo.make_conninfo(url, dbname="postgres"))
        except psycopg.Error:
            raise error from None


def _listening(host: str, port: int) -> bool:
    """Whether anything accepts a TCP connection at ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_SECONDS):
            return True
    except OSError:
        return False


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def choose(
    *,
    database_url: str,
    local: str = LOCAL_DEFAULT,
    embedded_url: Callable[[], str] | None = None,
) -> Choice:
    """The database to use (see the module's docstring); raises ``NoDatabase``.

    ``embedded_url`` is a callable returning the embedded server's URL (it starts the server);
    by default ``archive.embedded_db.embedded_database_url`` on ``var/pgdata``.
    """
    if database_url:
        try:
            _server_answers(database_url)
        except psycopg.Error as error:
            raise NoDatabase(
                f"the database at DATABASE_URL does not answer ({_first_line(error)}); "
                "start it, fix DATABASE_URL, or unset it to use the embedded PostgreSQL"
            ) from None
        return Choice(database_url)

    host, _, port_text = local.rpartition(":")
    try:
        port = int(port_text)
    except ValueError:
        raise NoDatabase(f"SCAN_ARCHIVE_LOCAL_POSTGRES={local!r} is not host:port") from None
    if _listening(host, port):
        url = f"postgres://postgres@{host}:{port}/postgres"
        try:
            _answers(url)
        except psycopg.Error as error:
            raise NoDatabase(
                f"something listens at {local} but it is not a PostgreSQL that user postgres "
                f"can use without a password ({_first_line(error)}); set DATABASE_URL"
            ) from None
        return Choice(url)

    where = "the embedded one"
    if embedded_url is None:
        from archive.embedded_db import embedded_database_url
        from archive.env import var_dir

        data = var_dir() / "pgdata"
        where = f"the embedded one ({data})"

        def start() -> str:
            return embedded_database_url(data)

        embedded_url = start
    try:
        url = embedded_url()
        _answers(url)
    except Exception as error:  # pgserver raises plain exceptions of several kinds
        raise NoDatabase(
            f"no PostgreSQL at {local} and {where} could not start "
            f"({_first_line(error)}); set DATABASE_URL to a PostgreSQL 15+ server"
        ) from None
    return Choice("", note=f"No PostgreSQL at {local}: the tests use {where}.")


def main() -> int:
    # The check starts the embedded server only to see that it can; it stops again when this
    # process exits, and the commands that follow start (or join) it themselves.
    try:
        choice = choose(
            database_url=os.environ.get("DATABASE_URL", ""),
            local=os.environ.get("SCAN_ARCHIVE_LOCAL_POSTGRES", "") or LOCAL_DEFAULT,
        )
    except NoDatabase as error:
        print(f"No database for the tests: {error}.", file=sys.stderr)
        return 1
    if choice.note:
        print(choice.note, file=sys.stderr)
    print(choice.url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
