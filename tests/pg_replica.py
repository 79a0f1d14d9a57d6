"""A real streaming replica of the local PostgreSQL for the tests, made by ``pg_basebackup -R``.

``StreamingReplica.start`` copies the primary (the server ``DATABASE_URL`` points at, the one
pytest made its test database on) into a temporary folder with a physical replication slot
(so the primary keeps the WAL the copy still needs), starts it as a hot standby on a free
port with ``pg_ctl``, and waits until it streams and has replayed everything written so far.
``stop`` stops it, deletes the folder and drops the slot. Run as root, the server's commands
run as the ``postgres`` user (PostgreSQL refuses to run as root).

``replication_problems`` says what keeps the primary from serving a replica, in words an
operator can act on; the fixture fails with them instead of skipping.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

SLOT_PREFIX = "sa_test_replica_"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user() -> list[str]:
    """The command prefix that runs a server command as a user PostgreSQL accepts."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def replication_problems(primary: psycopg.Connection[Any]) -> list[str]:
    """What keeps ``primary`` from serving a streaming replica to 127.0.0.1 (empty: nothing)."""
    problems = []
    with primary.cursor() as cursor:
        cursor.execute("SHOW wal_level")
        if cursor.fetchone()[0] not in ("replica", "logical"):  # type: ignore[index]
            problems.append("wal_level must be 'replica' (postgresql.conf; restart)")
        cursor.execute(
            "SELECT current_setting('max_wal_senders')::int - count(*) FROM pg_stat_replication"
        )
        if cursor.fetchone()[0] < 1:  # type: ignore[index]
            problems.append("max_wal_senders leaves no free WAL sender (postgresql.conf)")
        cursor.execute("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = user")
        if not cursor.fetchone()[0]:  # type: ignore[index]
            problems.append("the test user needs the REPLICATION attribute")
        try:
            cursor.execute(
                "SELECT count(*) FROM pg_hba_file_rules WHERE error IS NULL "
                "AND type LIKE 'host%%' AND 'replication' = ANY(database)"
            )
            if cursor.fetchone()[0] == 0:  # type: ignore[index]
                cursor.execute("SHOW hba_file")
                hba = cursor.fetchone()[0]  # type: ignore[index]
                problems.append(
                    f"{hba} has no 'replication' line: add "
                    "'host replication all 127.0.0.1/32 trust' (or Debian's default "
                    "'… scram-sha-256' with a password) and reload "
                    "(scripts/allow-replication does it on a test machine)"
                )
        except psycopg.errors.InsufficientPrivilege:
            primary.rollback()  # pg_basebackup's own message says it then
    return problems


def _process_alive(pid: str) -> bool:
    """Whether the process ``pid`` (a slot name's suffix) still runs on this machine."""
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, owned by someone else
    return True


class StreamingReplica:
    """A hot standby of the primary at ``host:port``, in a temporary folder."""

    def __init__(self, *, host: str, port: int, user: str, bindir: Path) -> None:
        self.host, self.primary_port, self.user = host, port, user
        self.bindir = bindir
        self.port = free_port()
        self.slot = f"{SLOT_PREFIX}{os.getpid()}"
        self.root = Path(tempfile.mkdtemp(prefix="sa-replica-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"

    def _primary(self) -> psycopg.Connection[Any]:
        return psycopg.connect(
            host=self.host, port=self.primary_port, user=self.user, dbname="postgres",
            autocommit=True,
        )  # fmt: skip

    def connect(self, dbname: str = "postgres") -> psycopg.Connection[Any]:
        """An autocommit connection to the replica (superuser: may pause replay)."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            dbname=dbname,
            autocommit=True,
        )

    def _run(self, *command: str, timeout: float = 300) -> None:
        done = subprocess.run(
            [*_as_server_user(), *command],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{Path(command[0]).name} failed: {done.stderr.strip()}")

    def start(self) -> None:
        """Copy the primary and start the copy as a streaming replica (RuntimeError saying
        what failed)."""
        with self._primary() as primary:
            problems = replication_problems(primary)
            if problems:
                raise RuntimeError("the primary does not allow replication: " + "; ".join(problems))
            # A slot left by a test run that was killed keeps WAL on the primary forever. Only
            # slots whose process is gone: another pytest process (a parallel worker) may be
            # between making its slot and starting its copy, when the slot is not yet active.
            for (name,) in primary.execute(
                "SELECT slot_name FROM pg_replication_slots WHERE slot_name LIKE %s AND NOT active",
                [SLOT_PREFIX + "%"],
            ).fetchall():
                if not _process_alive(name.removeprefix(SLOT_PREFIX)):
                    primary.execute("SELECT pg_drop_replication_slot(%s)", [name])
            # The slot is made (and its WAL reserved) before the copy starts, so the primary
            # keeps every WAL segment from here on: ``pg_basebackup -C`` reserves it a moment
            # later, and a checkpoint forced in between (another test's CREATE DATABASE) has
            # been seen to invalidate that slot mid-copy.
            primary.execute("SELECT pg_create_physical_replication_slot(%s, true)", [self.slot])
            limits = {
                name: primary.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                for name in (
                    "max_connections",
                    "max_worker_processes",
                    "max_wal_senders",
                    "max_prepared_transactions",
                    "max_locks_per_transaction",
                )
            }
        if os.geteuid() == 0:
            os.chown(self.root, pwd.getpwnam("postgres").pw_uid, -1)
        self._run(
            str(self.bindir / "pg_basebackup"),
            "-R",  # standby.signal and primary_conninfo
            "-D",
            str(self.data),
            "-h",
            self.host,
            "-p",
            str(self.primary_port),
            "-U",
            self.user,
            "-X",
            "stream",
            "-S",  # the slot: the primary keeps the WAL until the replica has it
            self.slot,
            "--checkpoint=fast",
        )
        # Debian keeps the configuration outside the data folder: the copy has none.
        hot_standby_limits = "".join(f"{name} = {value}\n" for name, value in limits.items())
        self._write(
            "postgresql.conf",
            f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.root}'\nhot_standby = on\n"
            # Queries on the replica hold back the primary's cleanup instead of being
            # cancelled by it; a throwaway copy needs no fsync.
            "hot_standby_feedback = on\nshared_buffers = 32MB\nfsync = off\n"
            f"{hot_standby_limits}",
        )
        self._write("pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n")
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
            "-t", "120", "start",
        )  # fmt: skip
        self.wait_streaming()
        self.wait_replayed(self.primary_lsn())

    def _write(self, name: str, text: str) -> None:
        path = self.data / name
        path.write_text(text)
        if os.geteuid() == 0:
            shutil.chown(path, "postgres")

    def stop(self) -> None:
        """Stop the server, delete its folder and drop its slot on the primary."""
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*_as_server_user(), str(self.bindir / "pg_ctl"), "-D", str(self.data),
                 "-m", "immediate", "-w", "stop"],
                capture_output=True, check=False, timeout=60,
            )  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)
        with self._primary() as primary:
            primary.execute(
                "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                "WHERE slot_name = %s",
                [self.slot],
            )

    def primary_lsn(self) -> str:
        with self._primary() as primary:
            return str(primary.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0])  # type: ignore[index]

    def replay_lsn(self) -> str:
        with self.connect() as replica:
            return str(replica.execute("SELECT pg_last_wal_replay_lsn()::text").fetchone()[0])  # type: ignore[index]

    def wait_streaming(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.connect() as replica:
                if replica.execute(
                    "SELECT EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming')"
                ).fetchone()[0]:  # type: ignore[index]
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the replica did not stream within {timeout} s: see {self.log}")

    def wait_replayed(self, lsn: str, timeout: float = 60) -> float:
        """Wait until the replica has replayed past ``lsn``; returns the seconds waited."""
        start = time.monotonic()
        with self.connect() as replica:
            while time.monotonic() - start < timeout:
                if replica.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]
                ).fetchone()[0]:  # type: ignore[index]
                    return time.monotonic() - start
                time.sleep(0.005)
        raise RuntimeError(f"the replica did not replay {lsn} within {timeout} s")

    def pause_replay(self) -> None:
        with self.connect() as replica:
            replica.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.connect() as replica:
            replica.execute("SELECT pg_wal_replay_resume()")
