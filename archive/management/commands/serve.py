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
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        self._ensure_admin()

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
        self.stdout.write(
            self.style.SUCCESS(f"Scan Archive is running at http://{address}/ (Ctrl-C stops it)")
        )
        sys.exit(_supervise(children, restarts))

    def _ensure_admin(self) -> None:
        password_file = settings.VAR_DIR / "admin-password.txt"
        admin = ensure_admin(
            username=env_str("ADMIN_USERNAME", "admin"),
            password=env_str("ADMIN_PASSWORD"),
            password_file=password_file,
        )
        if admin is not None:
            self.stdout.write(
                self.style.WARNING(
                    f"Created the admin account: username {admin.username!r}, password "
                    f"{admin.password!r} (also saved in {password_file}). "
                    "Change it with: python manage.py changepassword " + admin.username
                )
            )


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
    the next sweep (the worker cluster meets the same outage and recovers the same way)."""
    try:
        sweep()
    except DatabaseError as error:
        _logger.warning("lease sweep: %s", error)
        connection.close()


def _supervise(
    children: dict[str, subprocess.Popen[bytes]],
    restarts: dict[str, Callable[[], subprocess.Popen[bytes]]],
) -> int:
    """Wait until a signal arrives or a child exits; then stop all children. Returns exit code.

    A child named in ``restarts`` that exits is started again (by its function) instead."""
    stopping = False
    started = dict.fromkeys(children, time.monotonic())
    swept = 0.0

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    failed = ""
    while not stopping:
        exited = [name for name, child in children.items() if child.poll() is not None]
        for name in [name for name in exited if name in restarts]:
            if stopping or time.monotonic() - started[name] < _RESTART_SECONDS:
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
        if exited and not stopping:
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
