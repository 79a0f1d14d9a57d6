"""Real django-q2 worker processes for tests: started on the test database, stopped, waited on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from tests.archive.conftest import child_env

PROJECT = Path(django_settings.BASE_DIR)
#: Short enough that the tasks the killed cluster held are handed out again within seconds
#: (shorter than the time limit, which django-q2 warns about: a slow page may then be handed
#: out twice, which the exactly-once saving of pages makes harmless).
RETRY_SECONDS = 10


def start_cluster(settings: Any) -> subprocess.Popen[bytes]:
    """A ``qcluster`` of one worker in its own process group, on this test's database and
    media folder, reading with RapidOCR."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=PROJECT,
        env=child_env(
            settings.MEDIA_ROOT,
            WORKERS="1",
            OCR_ENGINE="rapidocr",
            OCR_PAGE_TIMEOUT="60",  # a cold worker loads its models first
            OCR_RETRY_SECONDS=str(RETRY_SECONDS),
            # Runs out before the tasks of a killed cluster are handed out again: those then
            # find the jobs they stood for free to take (there is no ``serve`` here to sweep).
            OCR_LEASE_SECONDS="5",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill reaches every process
    )


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.2)


def stop_cluster(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
