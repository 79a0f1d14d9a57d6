"""``manage.py serve``: everything a single machine needs, in one command.

Migrates the database, makes sure an admin account exists, collects static files, then runs the
web server (gunicorn), the OCR worker (django-q2 ``qcluster``) and, when ``WATCH_DIR`` is set, the
consume-folder watcher (``manage.py watch``) as child processes. Ctrl-C (or SIGTERM) stops them
all. A worker cluster that dies (killed, out of memory) is started again, with its orphaned
processes ended first; if the web server or the watcher dies, the others are stopped too and
the command exits non-zero, so a supervisor (systemd, a container runtime) can restart the set.

Every ``LEASE_SWEEP_SECONDS`` it also hands the OCR jobs of dead workers (here or on any other
host) to live ones (``archive.processing.jobs.sweep``): that is what brings an interrupted page
back within seconds.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connection

from archive.accounts import ensure_admin
from archive.env import env_int, env_str
from archive.processing.jobs import sweep
from archive.retries import storage_retries_due
from archive.startup import (
    AdminLogin,
    manage_command,
    port_in_use,
    port_in_use_message,
    saved_admin,
    shown_path,
    wait_until_listening,
    welcome_box,
)
from archive.stopping import StopRequest, stop_on_signals

_logger = logging.getLogger(__name__)
#: A worker cluster that dies sooner than this after its start is started again only this
#: long after that start, so a cluster that cannot start does not spin.
_RESTART_SECONDS = 5.0


class Command(BaseCommand):
    help = "Run Scan Archive on this machine: web server and OCR worker together."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=env_str("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000, minimum=1))
        parser.add_argument(
            "--web-workers",
            type=int,
            default=env_int("WEB_WORKERS", 2, minimum=1),
            help="gunicorn worker processes (each runs 4 threads).",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Run only the web server (OCR workers run elsewhere: manage.py qcluster).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Before anything slow: a busy port would otherwise show up as gunicorn's errors
        # after "running at".
        if port_in_use(options["host"], options["port"]):
            self.stderr.write(port_in_use_message(options["host"], options["port"]))
            sys.exit(1)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        admin = self._ensure_admin()

        # From here on Ctrl-C and SIGTERM stop the children in order (see _supervise).
        stop = stop_on_signals()
        # Children inherit os.environ, which holds the embedded database's DATABASE_URL, so they
        # join this process's server instead of starting their own.
        address = f"{options['host']}:{options['port']}"
        children = {
            "web": subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "archive.wsgi:application",
                    "--bind",
                    address,
                    "--workers",
                    str(options["web_workers"]),
                    "--threads",
                    "4",
                    "--timeout",
                    "120",
                    "--access-logfile",
                    "-",
                    # gunicorn 27's control socket lives at one path per user: two archives
                    # (or a test server) on one machine would take it from each other.
                    "--no-control-socket",
                ],
                cwd=settings.BASE_DIR,
            )
        }
        restarts: dict[str, Callable[[], subprocess.Popen[bytes]]] = {}
        if not options["no_worker"]:
            restarts["worker"] = _start_cluster
            children["worker"] = _start_cluster()
        if settings.WATCH_DIR:
            # The watcher checks WATCH_OWNER and the folder itself; if they are wrong it exits
            # with the reason and the others are stopped, as for any child that dies.
            children["watch"] = subprocess.Popen(
                [
                    sys.executable,
                    str(settings.BASE_DIR / "manage.py"),
                    "watch",
                    # The child runs in the project folder: resolve a relative path from here.
                    str(Path(settings.WATCH_DIR).resolve()),
                    "--owner",
                    settings.WATCH_OWNER,
                    "--interval",
                    str(settings.WATCH_INTERVAL),
                ],
                cwd=settings.BASE_DIR,
            )
        # The box comes once the web server listens, below its start-up lines; if it dies
        # first, _supervise says so instead.
        web = children["web"]
        if wait_until_listening(
            options["host"],
            options["port"],
            alive=lambda: web.poll() is None and not stop.requested,
        ):
            self._welcome(address, options["port"], admin)
        sys.exit(_supervise(children, restarts, stop))

    def _welcome(self, address: str, port: int, admin: AdminLogin | None) -> None:
        box = welcome_box(
            url=f"http://{address}/",
            admin=admin,
            password_file=shown_path(self._password_file(), settings.BASE_DIR),
            manage=manage_command(settings.BASE_DIR),
            port=port,
        )
        self.stdout.write(self.style.SUCCESS(box))
        self.stdout.flush()  # under a supervisor stdout is a pipe: say it now

    def _password_file(self) -> Path:
        return Path(settings.VAR_DIR) / "admin-password.txt"

    def _ensure_admin(self) -> AdminLogin | None:
        """The admin account to show: made now (with its password), or on an earlier start."""
        made = ensure_admin(
            username=env_str("ADMIN_USERNAME", "admin"),
            password=env_str("ADMIN_PASSWORD"),
            password_file=self._password_file(),
        )
        if made is not None:
            return AdminLogin(made.username, made.password)
        return saved_admin(self._password_file())


def _start_cluster() -> subprocess.Popen[bytes]:
    """The django-q2 cluster, in a process group of its own: if its main process dies, the
    group still names its sentinel and workers, so they can be ended with it."""
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"],
        cwd=settings.BASE_DIR,
        process_group=0,
    )


def _end_group(child: subprocess.Popen[bytes]) -> None:
    """Kill what is left of a dead child's process group (a cluster's orphaned workers)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)


def _sweep() -> None:
    """Hand the jobs of dead workers to live ones; a database that is away is tried again at
    the next sweep (the worker cluster meets the same outage and recovers the same way).
    Documents whose storage re-run is due are queued again (``archive.retries``)."""
    try:
        sweep()
        storage_retries_due()
    except DatabaseError as error:
        _logger.warning("lease sweep: %s", error)
        connection.close()


def _supervise(
    children: dict[str, subprocess.Popen[bytes]],
    restarts: dict[str, Callable[[], subprocess.Popen[bytes]]],
    stop: StopRequest,
) -> int:
    """Wait until a signal arrives or a child exits; then stop all children. Returns exit code.

    A child named in ``restarts`` that exits is started again (by its function) instead."""
    started = dict.fromkeys(children, time.monotonic())
    swept = 0.0
    failed = ""
    while not stop.requested:
        exited = [name for name, child in children.items() if child.poll() is not None]
        for name in [name for name in exited if name in restarts]:
            if stop.requested or time.monotonic() - started[name] < _RESTART_SECONDS:
                continue
            _end_group(children[name])
            print(
                f"The {name} exited with code {children[name].returncode}; starting it again.",
                file=sys.stderr,
                flush=True,
            )
            children[name] = restarts[name]()
            started[name] = time.monotonic()
        exited = [name for name in exited if name not in restarts]
        # A child that exits because of the same Ctrl-C (it shares our process group) is not
        # a failure; one that exits on its own is.
        if exited and not stop.requested:
            failed = f"{exited[0]} exited with code {children[exited[0]].returncode}"
            break
        if time.monotonic() - swept >= settings.LEASE_SWEEP_SECONDS:
            _sweep()
            swept = time.monotonic()
        time.sleep(0.2)
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    for name in restarts:
        _end_group(children[name])  # nothing of a cluster outlives the command
    if failed:
        print(f"Stopped: {failed}.", file=sys.stderr)
        return 1
    return 0
