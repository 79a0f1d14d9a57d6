"""The app run for real for the browser tests: ``manage.py serve`` on a free port.

``serve`` migrates, collects static files, and runs gunicorn and one django-q2 worker as child
processes, exactly as in production. Here it points at pytest-django's test database and at
temporary media, static and var folders, so nothing touches ``var/``. Its output (access log,
worker log) goes to a file; the last lines are shown when it fails to start or dies.

The server is a separate process: it sees only data the test has committed, which is why the
``live_app`` fixture makes its tests transactional (``transactional_db``).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

PROJECT = Path(settings.BASE_DIR)
# serve makes this superuser when the database has none; it is gone after the first test's flush,
# so tests must not rely on it (make users with the ``make_user`` fixture).
ADMIN_USERNAME = "live-admin"
ADMIN_PASSWORD = "live-admin-password-1"
# django-q2 logs this line once its worker processes are up.
WORKER_READY = re.compile(r"Q Cluster .+ running\.")


class LiveAppError(RuntimeError):
    """The server did not start, or died; the message carries the tail of its output."""


@dataclass
class LiveApp:
    url: str  # base URL without a trailing slash, e.g. "http://127.0.0.1:41234"
    process: subprocess.Popen[bytes]
    log: Path
    media_root: Path

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return "(no output)"
        return "\n".join(text.splitlines()[-lines:])

    def check_alive(self) -> None:
        code = self.process.poll()
        if code is not None:
            raise LiveAppError(
                f"manage.py serve exited with code {code}; output ({self.log}):\n{self.log_tail()}"
            )


def free_port() -> int:
    """A TCP port free right now (the OS picks it; the tiny race before gunicorn binds it is
    acceptable for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def database_url() -> str:
    """A ``DATABASE_URL`` for the database Django is connected to: after pytest-django's setup,
    the test database (``test_<name>``)."""
    from django.db import connection

    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    if host.startswith("/"):  # a Unix socket (the embedded server)
        return f"postgres://{db['USER']}@/{db['NAME']}?host={host}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def start(workdir: Path, *, timeout: float = 120) -> LiveApp:
    """Start ``serve`` with its state under ``workdir``; return once the web server answers and
    the worker is up. Raises ``LiveAppError`` (with the server's output) if it does not."""
    port = free_port()
    media_root = workdir / "media"
    media_root.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_root),
        "STATIC_ROOT": str(workdir / "static"),
        "SCAN_ARCHIVE_VAR_DIR": str(workdir / "var"),
        "SECRET_KEY": "browser-tests-secret-key",
        "DEBUG": "false",  # the pages users get: real 404 and 500 pages, manifest static files
        "ADMIN_USERNAME": ADMIN_USERNAME,
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
        "WORKERS": "1",  # one OCR worker: the machine's cores are shared with the test run
        "WATCH_DIR": "",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the server must keep Django's safety check
    if _gunicorn_has_setting("control_socket_disable"):
        # Recent gunicorn (27) opens a control socket at one fixed path in $HOME; a test server
        # must not take it over from a running app or another test run. (GUNICORN_CMD_ARGS is
        # read by gunicorn itself, so serve's command line stays as in production.)
        env["GUNICORN_CMD_ARGS"] = "--no-control-socket"
    log = workdir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port), "--web-workers", "1"],
            cwd=PROJECT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own process group, so that stop() reaches gunicorn's and django-q2's children.
            start_new_session=True,
        )
    app = LiveApp(url=f"http://127.0.0.1:{port}", process=process, log=log, media_root=media_root)
    try:
        _wait_until_ready(app, timeout)
    except BaseException:
        stop(app)
        raise
    return app


def _gunicorn_has_setting(name: str) -> bool:
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == name for setting in KNOWN_SETTINGS)


def _wait_until_ready(app: LiveApp, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    web_up = False
    while time.monotonic() < deadline:
        app.check_alive()
        if not web_up:
            try:
                with urllib.request.urlopen(f"{app.url}/login/", timeout=5) as response:
                    web_up = response.status == 200
            except (urllib.error.URLError, OSError):
                pass
        if web_up and WORKER_READY.search(app.log.read_text(errors="replace")):
            return
        time.sleep(0.25)
    raise LiveAppError(
        f"manage.py serve did not get ready in {timeout:.0f} s (web server answering: {web_up}); "
        f"output ({app.log}):\n{app.log_tail()}"
    )


def stop(app: LiveApp, *, grace: float = 30) -> None:
    """Stop serve as Ctrl-C or a supervisor does: SIGTERM to serve, which stops gunicorn and the
    worker in order and waits for them; after ``grace`` seconds, SIGKILL the whole process group
    (serve's children and theirs), and reap whatever is left.

    Not SIGTERM to the whole group: django-q2's worker processes would die under its cluster
    process, which then waits for them forever (until the SIGKILL)."""
    with contextlib.suppress(ProcessLookupError):
        app.process.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        app.process.wait(timeout=grace)
    # The group id is serve's pid; this also ends grandchildren that outlived serve.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(app.process.pid, signal.SIGKILL)
    app.process.wait()
