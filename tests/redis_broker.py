"""django-q2's Redis broker for the tests and benches: the local Redis, one database of it.

The worker hosts' tests (tests/archive/hosts) run each case with the ORM broker and with the
Redis broker. The test process queues tickets too (an upload sends one), so ``use_redis``
switches django-q2's configuration in this process, which it reads once at import
(``django_q.conf.Conf``), as well as the settings. The database is emptied before and after
use: it must be one no one else uses (``SCAN_ARCHIVE_TEST_REDIS_DB``, default 5).

Redis not answering, or the ``redis`` package missing, fails the test saying so: never a skip.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

HOST = "127.0.0.1"
PORT = int(os.environ.get("SCAN_ARCHIVE_TEST_REDIS_PORT", "6379"))
#: The Redis database the tests flush and use; no other user of this Redis may use it.
DB = int(os.environ.get("SCAN_ARCHIVE_TEST_REDIS_DB", "5"))
URL = f"redis://{HOST}:{PORT}/{DB}"


def redis_client() -> Any:
    """A client of the tests' Redis database, checked to answer; or the test fails saying
    why."""
    try:
        import redis
    except ImportError:
        pytest.fail(
            "the Redis broker tests need the `redis` package: pip install 'scan-archive[redis]' "
            "(in the dev extra: scripts/setup dev)"
        )
    client = redis.Redis.from_url(URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"the Redis broker tests need Redis at {HOST}:{PORT} ({error}); start it "
            "(Debian: apt-get install redis-server), or name another port with "
            "SCAN_ARCHIVE_TEST_REDIS_PORT"
        )
    return client


@contextlib.contextmanager
def use_redis(settings: Any) -> Iterator[Any]:
    """This process queues and counts django-q2 tasks in Redis (``URL``), with the database
    emptied first and last; yields the client. ``settings`` is pytest-django's fixture (or
    ``django.conf.settings`` in a bench: restored all the same)."""
    from django_q.conf import Conf

    client = redis_client()
    client.flushdb()
    saved = (settings.Q_CLUSTER, Conf.ORM, Conf.REDIS)
    cluster = {key: value for key, value in settings.Q_CLUSTER.items() if key != "orm"}
    settings.Q_CLUSTER = {**cluster, "redis": URL}
    # django-q2 read Q_CLUSTER when it was imported: get_broker() asks these.
    Conf.ORM, Conf.REDIS = None, URL
    try:
        yield client
    finally:
        settings.Q_CLUSTER, Conf.ORM, Conf.REDIS = saved
        client.flushdb()
        client.close()
