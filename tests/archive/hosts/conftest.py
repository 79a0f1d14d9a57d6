"""Worker hosts in network namespaces, storing in the session's SeaweedFS (its fixtures are
those of the storage tests), with the ORM broker or Redis (``broker``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.archive.storage.conftest import bucket, s3_storage, seaweedfs
from tests.netns import Forwarder
from tests.redis_broker import use_redis

__all__ = ["bucket", "s3_storage", "seaweedfs"]


@pytest.fixture
def forwarder() -> Iterator[Forwarder]:
    """TCP forwarding from the hosts' addresses to this machine's services, closed after."""
    forwarding = Forwarder()
    yield forwarding
    forwarding.close()


@pytest.fixture(params=["orm", "redis"])
def broker(request: pytest.FixtureRequest, settings: Any) -> Iterator[str]:
    """The task queue of the test, "orm" (django-q2's ORM broker: the tasks in PostgreSQL) or
    "redis" (django-q2's Redis broker: this process and the hosts' workers queue in the
    local Redis's test database, emptied before and after)."""
    if request.param == "orm":
        yield "orm"
        return
    with use_redis(settings):
        yield "redis"
