"""The embedded PostgreSQL used when ``DATABASE_URL`` is unset.

pgserver ships a real PostgreSQL 16 inside a pip wheel, so a new user can run the whole product
with no system packages. The server keeps its data under ``var/pgdata``. pgserver counts the
processes holding a handle and stops the server when the last one exits, so `serve`, a one-off
`manage.py import` and the test suite can share one data directory safely.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

_logger = logging.getLogger(__name__)


def embedded_database_url(data_dir: Path) -> str:
    """Start (or join) the embedded server in ``data_dir`` and return its connection URL.

    The URL is also exported as ``DATABASE_URL`` so that child processes started by this one
    (the web server and the worker under ``manage.py serve``) connect to the same server
    without each starting their own handle.
    """
    with warnings.catch_warnings():
        # pgserver keeps its lock file in platformdirs' runtime folder, which warns when
        # XDG_RUNTIME_DIR is unset (servers, containers, CI) and falls back to
        # /tmp/runtime-<uid>: a fine place, and the warning is noise on every command.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        from pgserver.postgres_server import get_server  # lazily: only local mode needs it

    data_dir.mkdir(parents=True, exist_ok=True)
    # pgserver logs every handle at INFO; that is noise for a user running a command.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    server = get_server(data_dir, cleanup_mode="stop")
    url: str = server.get_uri()
    os.environ["DATABASE_URL"] = url
    return url
