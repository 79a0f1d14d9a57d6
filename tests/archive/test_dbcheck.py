"""``archive.dbcheck``: the database check ``scripts/test`` runs before anything slow.

Real servers only: the tests' own PostgreSQL, a port where nothing listens, a socket that
answers but speaks no PostgreSQL, and the real embedded server started in a child process.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from archive.dbcheck import NoDatabase, choose
from tests.archive.conftest import database_url

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> str:
    """host:port where nothing listens (a port just freed by the kernel)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"127.0.0.1:{port}"


@pytest.fixture
def not_postgres() -> Iterator[str]:
    """host:port of a TCP server that accepts connections and closes them at once."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except TimeoutError:
                continue
            client.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    server.close()


def _check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m archive.dbcheck`` in a child process with ``env`` (DATABASE_URL unset
    unless given) and its data folder in ``tmp_path``."""
    child = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    child.update({"SCAN_ARCHIVE_VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(
        [sys.executable, "-m", "archive.dbcheck"],
        cwd=ROOT,
        env=child,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_database_url_that_answers_is_kept() -> None:
    url = database_url("postgres")
    assert choose(database_url=url, local=_closed_port()).url == url


def test_a_database_url_naming_a_database_not_made_yet_is_kept() -> None:
    # pytest-django makes test_<name> on the server; <name> itself need not exist.
    url = database_url("no_such_database_here")
    assert choose(database_url=url, local=_closed_port()).url == url


def test_a_database_url_that_does_not_answer_is_one_plain_line() -> None:
    with pytest.raises(NoDatabase) as failure:
        choose(database_url=f"postgres://postgres@{_closed_port()}/postgres")
    message = str(failure.value)
    assert "DATABASE_URL does not answer" in message
    assert "\n" not in message


def test_a_local_server_that_answers_is_used() -> None:
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/") or db["USER"] != "postgres" or db["PASSWORD"]:
        pytest.skip("the tests' PostgreSQL is not a local TCP server trusting user postgres")
    local = f"{host}:{db['PORT'] or 5432}"
    assert choose(database_url="", local=local).url == f"postgres://postgres@{local}/postgres"


def test_something_else_listening_is_named_not_used(not_postgres: str) -> None:
    with pytest.raises(NoDatabase) as failure:
        choose(database_url="", local=not_postgres, embedded_url=lambda: "never called")
    assert f"something listens at {not_postgres}" in str(failure.value)
    assert "\n" not in str(failure.value)


def test_nothing_listening_falls_back_to_the_embedded_server(tmp_path: Path) -> None:
    result = _check(tmp_path, SCAN_ARCHIVE_LOCAL_POSTGRES=_closed_port())
    assert result.returncode == 0, result.stderr
    assert result.stdout == "\n"  # "leave DATABASE_URL unset"
    assert "the tests use the embedded one" in result.stderr
    assert (tmp_path / "var" / "pgdata" / "PG_VERSION").is_file()  # it really started


def test_no_database_at_all_fails_in_one_plain_line(tmp_path: Path) -> None:
    (tmp_path / "var").write_text("a file where the data folder should be")
    result = _check(tmp_path, SCAN_ARCHIVE_LOCAL_POSTGRES=_closed_port())
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("No database for the tests: no PostgreSQL at 127.0.0.1:")
    assert "the embedded one (" in lines[0]
    assert "could not start" in lines[0]
