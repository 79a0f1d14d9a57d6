"""Worker hosts in network namespaces, storing in the session's SeaweedFS (its fixtures are
those of the storage tests)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.archive.storage.conftest import bucket, s3_storage, seaweedfs
from tests.netns import Forwarder

__all__ = ["bucket", "s3_storage", "seaweedfs"]


@pytest.fixture
def forwarder() -> Iterator[Forwarder]:
    """TCP forwarding from the hosts' addresses to this machine's services, closed after."""
    forwarding = Forwarder()
    yield forwarding
    forwarding.close()
