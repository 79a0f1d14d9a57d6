"""Management commands as scripts use them, with a real worker process.

These tests commit their data (``transaction=True``) so that a separate ``qcluster`` process,
started against the same test database, sees it: the real queue, the real worker.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from archive.models import Document
from tests.archive.conftest import child_env, encode, render_page
from tests.archive.serving import ADMIN_PASSWORD, PROJECT, ctrl_c, start_serve

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker(settings: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A real django-q2 cluster (one worker process) on the test database."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=PROJECT,
        env=child_env(settings.MEDIA_ROOT, WORKERS="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def test_import_wait_then_search_json(alice, worker, tmp_path: Path, testdata: Path):
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(testdata / "tesseract_test" / "phototest.tif", folder / "phototest.tif")
    (folder / "sub" / "garden.png").write_bytes(
        encode([render_page(["Garden invoice", "Seeds and tools"])], "PNG")
    )
    (folder / ".hidden.png").write_bytes(b"skipped")
    out = StringIO()
    call_command("import", str(folder), owner="alice", wait=True, timeout=300, stdout=out)
    assert "2 imported, 0 duplicate, 0 rejected" in out.getvalue()
    assert "2 done, 0 failed" in out.getvalue()
    assert set(Document.objects.values_list("status", flat=True)) == {"done"}

    # Importing the same folder again stores nothing new.
    again = StringIO()
    call_command("import", str(folder), owner="alice", stdout=again)
    assert "0 imported, 2 duplicate" in again.getvalue()

    out = StringIO()
    call_command("search", "quick brown fox", owner="alice", json=True, stdout=out)
    hits = json.loads(out.getvalue())
    assert [hit["title"] for hit in hits] == ["phototest"]
    assert hits[0]["pages"] == [1]
    assert "[" in hits[0]["snippet"]
    assert "<mark>" in hits[0]["snippet_html"]
    assert set(hits[0]) == {"id", "title", "rank", "pages", "snippet", "snippet_html"}

    out = StringIO()
    call_command("search", "seeds", owner="alice", stdout=out)
    assert "garden" in out.getvalue()


def test_import_reports_rejects_and_wait_exits_nonzero_on_failure(alice, worker, tmp_path):
    (tmp_path / "notes.txt").write_text("not a scan")
    good = encode([render_page(["Broken later"], size=(1600, 1200))], "TIFF")
    (tmp_path / "cut.tif").write_bytes(good[: len(good) // 2])
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="failed"):
        call_command(
            "import", str(tmp_path), owner="alice", wait=True, timeout=300, stdout=out, stderr=err
        )
    assert "1 imported, 0 duplicate, 1 rejected" in out.getvalue()
    assert "notes.txt" in err.getvalue()
    assert Document.objects.get().status == Document.Status.FAILED


def test_serve_runs_web_and_worker_and_stops_on_ctrl_c(settings, tmp_path):
    port = 18000 + os.getpid() % 1000
    process = start_serve(settings, tmp_path, "--port", str(port), "--web-workers", "1")
    try:
        body = b""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    body = r.read()
                    break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.5)
        assert b"Log in" in body, "serve did not answer on /login/"
        assert (tmp_path / "var" / "admin-password.txt").exists()
        from django.contrib.auth.models import User

        assert User.objects.filter(username="admin", is_superuser=True).exists()
    finally:
        output = ctrl_c(process)
    assert process.returncode == 0, output
    # The welcome box: where, who, the password (first start), where it is kept, and a
    # command that changes it with the Python that runs the app.
    assert f"Scan Archive is running at http://127.0.0.1:{port}/" in output
    assert "Log in as:        admin" in output
    assert f"Password:         {ADMIN_PASSWORD}" in output
    assert str(tmp_path / "var" / "admin-password.txt") in output
    (change,) = [line for line in output.splitlines() if "Change it:" in line]
    command = change.split("Change it:")[1].strip(" |").split()
    assert command[1:] == ["manage.py", "changepassword", "admin"]
    # That Python, run from the project folder, has Django (the system's may not).
    check = subprocess.run(
        [*command[:2], "changepassword", "--help"],
        cwd=PROJECT,
        env=child_env(settings.MEDIA_ROOT),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, check.stderr


def test_serve_on_a_busy_port_says_so_and_how_to_pick_another(settings, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_serve(settings, tmp_path, "--port", str(port))
        output = process.communicate(timeout=60)[0].decode()
    assert process.returncode == 1
    assert output.strip() == (
        f"Port {port} on 127.0.0.1 is already in use: another program (perhaps Scan Archive "
        f"started earlier) is listening there. Stop it, or pick another port: "
        f"scripts/run --port {port + 1}"
    )
    assert not (tmp_path / "var" / "admin-password.txt").exists()  # stopped before anything


def _qcluster_child(parent: int) -> int | None:
    """The pid of ``parent``'s child process running ``manage.py qcluster``, if any."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if ppid == parent and b"qcluster" in command:
            return int(entry.name)
    return None


def test_serve_starts_its_worker_cluster_again_after_a_sigkill(alice, settings, tmp_path):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from archive.ingest import document_create

    words = ["Quebec", "Romeo", "Sierra", "Tango"]
    frames = [render_page([f"{word} part"], size=(900, 400)) for word in words]
    upload = SimpleUploadedFile("four.tif", encode(frames, "TIFF"))
    document = document_create(owner=alice, upload=upload, name="four.tif").document
    with socket.socket() as probe:  # a free port: other servers may run on this machine
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--port", str(port), "--web-workers", "1"],
            cwd=PROJECT,
            env=child_env(
                settings.MEDIA_ROOT,
                STATIC_ROOT=str(tmp_path / "static"),
                SCAN_ARCHIVE_VAR_DIR=str(tmp_path / "var"),
                SECRET_KEY=settings.SECRET_KEY,  # reads the task this test queued
                ADMIN_PASSWORD="admin-test-password",
                WORKERS="1",
                OCR_ENGINE="rapidocr",
                OCR_LEASE_SECONDS="3",
                LEASE_SWEEP_SECONDS="1",
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait(lambda: document.pages.exists() or process.poll() is not None, 240)
        cluster = _qcluster_child(process.pid)
        assert cluster is not None, log.read_text()
        os.kill(cluster, signal.SIGKILL)  # mid-document, no shutdown of any kind
        _wait(lambda: Document.objects.get(pk=document.pk).is_finished, 240)
        assert process.poll() is None, log.read_text()  # serve stayed up
        # The killed cluster's own workers may finish the document before serve starts the
        # new cluster (it waits until the old one has run _RESTART_SECONDS): wait for it.
        _wait(lambda: _qcluster_child(process.pid) not in (None, cluster), 60)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as response:
            assert b"Log in" in response.read()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
    assert "The worker exited with code -9; starting it again." in log.read_text()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    pages = list(document.pages.order_by("number"))
    assert [page.number for page in pages] == [1, 2, 3, 4]
    for page, word in zip(pages, words, strict=True):
        assert word.lower() in page.text.lower()
    folder = f"pages/{alice.pk}/{document.pk}"
    assert len(default_storage.listdir(folder)[1]) == 8  # one image and thumbnail per page


def _wait(condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def test_reindex_rebuilds_vectors(alice):
    from archive.models import Page
    from tests.archive.search.test_behaviour import ids, index

    document = index(alice, "Lease", "Garden lease for the allotment")
    Page.objects.update(search_vector=None)
    Document.objects.update(search_vector=None)
    assert ids(alice, "allotment") == []
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "1 document(s) reindexed" in out.getvalue()
    assert ids(alice, "allotment") == [document.pk]
