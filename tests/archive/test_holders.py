"""archive.processing.holders: a job held by a worker process of this host that is gone is
taken over at once, without waiting for its lease; a live holder keeps its job.

The holder is a real process (``manage.py shell`` on the test database) that claims the job
and sleeps, as a worker reading a page would; it is SIGKILLed like the worker in
bench/recovery.py. The lease is made long (10 minutes), so only the dead holder can explain a
takeover."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

import pytest
from django.contrib.auth.models import User

from archive.ingest import document_create
from archive.models import Document, PageJob
from tests.archive.conftest import child_env, run_queued_tasks
from tests.archive.workers import PROJECT

_HOLD = (
    "from archive.processing.jobs import claim\n"
    "lease = claim()\n"
    "print(lease.job if lease else 'none', flush=True)\n"
    "import time; time.sleep(600)\n"
)


def _holder(settings: Any) -> tuple[subprocess.Popen[str], int]:
    """A process that claims the first job and keeps it (never renewing, never finishing)."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", _HOLD],
        cwd=PROJECT,
        env=child_env(settings.MEDIA_ROOT, OCR_LEASE_SECONDS="600"),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.isdigit():
        process.kill()
        process.wait()
        pytest.fail(f"the holder claimed nothing: {line!r}")
    return process, int(line)


@pytest.mark.django_db(transaction=True)
def test_a_job_of_a_killed_worker_is_taken_over_at_once_a_live_ones_is_not(
    alice: User, make_upload: Any, settings: Any
) -> None:
    settings.OCR_LEASE_SECONDS = 600
    document = document_create(owner=alice, upload=make_upload(), name="scan.png").document
    process, job = _holder(settings)
    try:
        held = PageJob.objects.get(pk=job)
        # Alive: its job stays its own, whatever tickets run meanwhile.
        run_queued_tasks()
        assert PageJob.objects.get(pk=job).lease_token == held.lease_token
        assert not document.pages.exists()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    # Gone: the next ticket takes its job over now, not when its 600 s lease runs out.
    from archive.processing.enqueue import send_tickets

    send_tickets(1)
    run_queued_tasks()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    assert document.pages.count() == 1
    assert not PageJob.objects.exists()
