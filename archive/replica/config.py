"""The replica's database settings (``DATABASE_REPLICA_URL``), read by ``archive.settings``.

Kept free of database access: the settings module imports it before Django is set up.
"""

from __future__ import annotations

from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

#: The database alias of the read replica.
REPLICA = "replica"


def replica_database(url: str, *, connect_timeout: int) -> dict[str, Any]:
    """Django's settings for the replica at ``url`` (``postgres://…``).

    ``connect_timeout`` (whole seconds, as libpq takes it) bounds how long a
    request waits for a replica that does not answer before it reads from the primary. In
    tests the alias mirrors the primary's test database (``TEST["MIRROR"]``): a streaming
    replica holds every database of its primary, the test database included, so none is
    created on it.
    """
    database: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if not database["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL must point to PostgreSQL (postgres://...)."
        )
    options = dict(database.get("OPTIONS") or {})
    if "host" in options and not database.get("HOST"):
        database["HOST"] = options.pop("host")
    options.setdefault("connect_timeout", max(1, connect_timeout))
    database["OPTIONS"] = options
    database["TEST"] = {"MIRROR": "default"}
    return database
