"""A worker host that cannot reach the file storage (its namespace has no route to S3) fails
the document with a reason, and the system re-runs it by itself once S3 can be reached
(archive.retries): no one has to press "Re-run"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archive.ingest import document_create
from archive.models import Document
from archive.retries import storage_retries_due
from tests.archive.conftest import encode, render_page
from tests.archive.hosts.cluster import S3_PORT, connect, log_tail, start_worker, worker_env
from tests.archive.workers import wait_for
from tests.netns import Forwarder, hosts
from tests.seaweedfs import SeaweedFS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_worker_without_a_route_to_s3_fails_the_page_and_it_is_rerun_later(
    alice: Any, s3_storage: str, seaweedfs: SeaweedFS, forwarder: Forwarder, tmp_path: Path
) -> None:
    with hosts(2) as (worker, storage):
        # S3 is offered on the address of a second veth, which the worker's namespace has
        # no route to; PostgreSQL on its own.
        connect(worker, forwarder, None)
        forwarder.forward(storage.address, S3_PORT, seaweedfs.ports["s3"])
        log = tmp_path / "worker.log"
        env = worker_env(
            worker,
            tmp_path / "media",
            s3_storage,
            s3_address=storage.address,
            STORAGE_RETRY_SECONDS="2",
        )
        start_worker(worker, env, log)
        frames = [render_page([f"{word} minutes"], size=(900, 400)) for word in ("Alpha", "Bravo")]
        upload = SimpleUploadedFile("two.tif", encode(frames, "TIFF"))
        document = document_create(owner=alice, upload=upload, name="two.tif").document
        try:
            wait_for(
                lambda: Document.objects.get(pk=document.pk).status == Document.Status.FAILED,
                180,
                "the document to fail on the worker without S3",
            )
            document.refresh_from_db()
            assert "the file storage failed (storage server unreachable)" in document.error
            # The worker marks the re-run just after it failed the document (``fail``, then
            # ``retry_later``, two statements): on a loaded machine the test may look between.
            wait_for(
                lambda: Document.objects.filter(pk=document.pk, retry_at__isnull=False).exists(),
                30,
                "an automatic re-run to be planned for the failed document",
            )
            document.refresh_from_db()
            failed_run = document.run

            worker.route_to(storage.address)  # S3 is reachable again

            def rerun_and_done() -> bool:
                # What the `sweep_leases` schedule (every minute) and `serve` (every
                # LEASE_SWEEP_SECONDS) run: called here, since a transactional test run
                # earlier in this process may have emptied the schedule table, and a minute
                # is long to wait.
                storage_retries_due()
                return Document.objects.get(pk=document.pk).status == Document.Status.DONE

            wait_for(
                rerun_and_done,
                240,
                "the document to be re-run and done once S3 is reachable",
            )
        except BaseException:
            print(log_tail([log]))
            raise

    document.refresh_from_db()
    assert document.run > failed_run  # the system started a new run
    retry = Document.objects.values_list("error", "retry_at", "storage_retries").get(pk=document.pk)
    assert retry == ("", None, 0)  # done: nothing planned, the back-off starts afresh
    pages = list(document.pages.order_by("number"))
    assert ["alpha" in pages[0].text.lower(), "bravo" in pages[1].text.lower()] == [True, True]
