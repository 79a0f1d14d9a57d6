"""Worker hosts in network namespaces, storing in the session's SeaweedFS (its fixtures are
those of the storage tests)."""

from __future__ import annotations

from tests.archive.storage.conftest import bucket, s3_storage, seaweedfs

__all__ = ["bucket", "s3_storage", "seaweedfs"]
