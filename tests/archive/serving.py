"""``manage.py serve`` run for real by a test: on the test database and media folder, with its
static files and ``var/`` in the test's temporary folder, stopped the way Ctrl-C stops it.

(The browser tests' ``tests/browser/live_server.py`` starts it for a whole package of tests,
with its output in a file and a wait for the worker; this is the one-test version.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings

from tests.archive.conftest import child_env

PROJECT = Path(django_settings.BASE_DIR)
ADMIN_PASSWORD = "admin-test-password"


def start_serve(settings: Any, tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    """``manage.py serve *args`` in its own process group, output (both streams) piped;
    ``env`` adds settings (the admin it makes gets ``ADMIN_PASSWORD``)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", *args],
        cwd=PROJECT,
        env=child_env(
            settings.MEDIA_ROOT,
            STATIC_ROOT=str(tmp_path / "static"),
            SCAN_ARCHIVE_VAR_DIR=str(tmp_path / "var"),
            SECRET_KEY="test-secret",
            ADMIN_PASSWORD=ADMIN_PASSWORD,
            **env,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def ctrl_c(process: subprocess.Popen[bytes]) -> str:
    """Press Ctrl-C (SIGINT to the whole process group, as a terminal does), wait for serve to
    stop, and return its output."""
    os.killpg(process.pid, signal.SIGINT)
    return process.communicate(timeout=60)[0].decode()
