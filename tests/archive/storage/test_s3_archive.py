"""The archive on S3 beyond one document: backups, orphaned page files, settings from the
environment, and workers' temporary copies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from archive.ingest import document_create
from archive.processing import document_process
from archive.processing.orphans import page_folder, remove_orphans
from tests.archive.conftest import database_url
from tests.archive.storage.conftest import keys
from tests.archive.test_backup import (
    archive_content,  # noqa: F401  (a fixture)
    test_export_then_import_restores_everything,
)
from tests.seaweedfs import SeaweedFS

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
@pytest.mark.slow
@pytest.mark.usefixtures("s3_storage")
def test_backup_export_and_import_with_files_on_s3(
    archive_content: None,  # noqa: F811
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
    seaweedfs: SeaweedFS,
    s3_storage: str,
) -> None:
    # The backup test itself, every file read from and written back to the bucket.
    assert keys(seaweedfs, s3_storage, "originals/")
    test_export_then_import_restores_everything(
        archive_content, tmp_path, django_capture_on_commit_callbacks
    )
    names = {
        p.relative_to(tmp_path / "backup" / "files").as_posix()
        for p in (tmp_path / "backup" / "files").rglob("*")
        if p.is_file()
    }
    assert names <= set(keys(seaweedfs, s3_storage))


@pytest.mark.django_db
@pytest.mark.slow
def test_orphaned_page_files_are_removed_on_s3(
    alice: Any,
    make_upload: Any,
    s3_storage: str,
    seaweedfs: SeaweedFS,
    settings: Any,
    tmp_path: Path,
) -> None:
    temporary = tmp_path / "worker-tmp"
    temporary.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temporary)
    upload = make_upload("scan.png", lines=["Orphan check"])
    document = document_create(owner=alice, upload=upload, name=upload.name).document
    document_process(document.pk)
    assert list(temporary.iterdir()) == []  # the worker's copy of the original is gone
    folder = page_folder(document)
    left = default_storage.save(f"{folder}/00002.webp", ContentFile(b"from a dead worker"))
    page = document.pages.get()
    remove_orphans(document)
    assert keys(seaweedfs, s3_storage, folder + "/") == sorted(
        [str(page.image.name), str(page.thumbnail.name)]
    )
    assert left not in keys(seaweedfs, s3_storage)


def _settings_probe(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import django, json; django.setup();"
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import default_storage as s;"
        "n = s.save('probe/hello.txt', ContentFile(b'hello'));"
        "print(json.dumps([type(s._wrapped).__name__, n, s.open(n).read().decode()]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "archive.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


@pytest.mark.django_db
def test_settings_read_django_storages_variables_from_the_environment(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {
        **os.environ,
        **seaweedfs.environment(bucket),
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(blocker / "media"),  # can never exist
    }
    done = _settings_probe(env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [
        "S3Storage",
        "probe/hello.txt",
        "hello",
    ]
    assert keys(seaweedfs, bucket) == ["probe/hello.txt"]

    env.pop("AWS_STORAGE_BUCKET_NAME")
    refused = _settings_probe(env)
    assert refused.returncode != 0
    assert "STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME" in refused.stderr
