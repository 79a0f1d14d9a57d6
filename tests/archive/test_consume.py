"""The consume folder (``archive.consume`` and ``manage.py watch``) on real files and a real
database. No worker runs: imported documents stay queued.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from archive.consume import Consumed, ConsumeFolder, free_name, watch
from archive.models import Document
from archive.outcomes import Outcome
from tests.archive.conftest import encode, render_page
from tests.archive.serving import ctrl_c, start_serve

pytestmark = pytest.mark.django_db


def png(*lines: str) -> bytes:
    return encode([render_page(lines, size=(400, 200))], "PNG")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "consume"
    path.mkdir()
    return path


@pytest.fixture
def consume(folder: Path, alice: User) -> ConsumeFolder:
    return ConsumeFolder(folder, owner=alice)


def files(root: Path) -> list[str]:
    """Every file under ``root``, relative, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_complete_file_becomes_a_document_and_moves_to_done(consume, folder, alice):
    (folder / "invoice.png").write_bytes(png("Invoice"))
    assert consume.poll() == []  # first sight: maybe still being copied
    assert files(folder) == ["invoice.png"]

    [taken] = consume.poll()
    assert taken.result.outcome is Outcome.CREATED
    assert taken.moved_to == folder / "done" / "invoice.png"
    assert files(folder) == ["done/invoice.png"]
    document = Document.objects.get(owner=alice)
    assert document.pk == taken.result.document_id
    assert document.original_name == "invoice.png"
    assert document.status == Document.Status.QUEUED
    assert consume.poll() == []


def test_bad_files_go_to_failed_with_a_reason(consume, folder):
    (folder / "notes.pdf").write_text("not a scan at all")
    (folder / "empty.png").write_bytes(b"")
    consume.poll()
    taken = consume.poll()
    assert {t.result.outcome for t in taken} == {Outcome.REJECTED}
    assert files(folder) == [
        "failed/empty.png",
        "failed/empty.png.reason.txt",
        "failed/notes.pdf",
        "failed/notes.pdf.reason.txt",
    ]
    reason = (folder / "failed" / "empty.png.reason.txt").read_text()
    assert reason.startswith("The file is empty.\n")
    assert "File: empty.png" in reason
    notes = (folder / "failed" / "notes.pdf.reason.txt").read_text()
    assert notes.startswith("This is not a supported scan")
    assert (folder / "failed" / "notes.pdf").read_text() == "not a scan at all"  # unchanged
    assert not Document.objects.exists()


def test_file_still_growing_is_not_taken(consume, folder):
    path = folder / "big.png"
    data = png("Being copied")
    path.write_bytes(data[:100])
    consume.poll()
    path.write_bytes(data)  # size changed since the first scan
    assert consume.poll() == []
    assert files(folder) == ["big.png"]
    # Same size but touched again (a copier that preallocates, then fills): still not taken.
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert consume.poll() == []
    [taken] = consume.poll()  # unchanged since the last scan: complete
    assert taken.result.outcome is Outcome.CREATED
    assert files(folder) == ["done/big.png"]


def test_duplicate_goes_to_done_with_a_note_in_the_log(consume, folder, caplog):
    (folder / "a.png").write_bytes(png("Same page"))
    (folder / "b.png").write_bytes(png("Same page"))
    consume.poll()
    with caplog.at_level(logging.INFO, logger="archive.consume"):
        taken = consume.poll()
    assert [t.result.outcome for t in taken] == [Outcome.CREATED, Outcome.DUPLICATE]
    assert files(folder) == ["done/a.png", "done/b.png"]
    assert Document.objects.count() == 1
    document = Document.objects.get()
    assert f"b.png is a duplicate of document {document.pk}" in caplog.text


def test_name_clashes_get_a_numeric_suffix(consume, folder):
    (folder / "done").mkdir()
    (folder / "failed").mkdir()
    (folder / "done" / "scan.png").write_bytes(b"earlier")
    (folder / "done" / "scan-1.png").write_bytes(b"earlier too")
    (folder / "failed" / "bad.pdf").write_text("earlier")
    (folder / "failed" / "bad.pdf.reason.txt").write_text("earlier reason")
    (folder / "failed" / "bad-1.pdf.reason.txt").write_text("a stale note")
    (folder / "scan.png").write_bytes(png("Scan"))
    (folder / "bad.pdf").write_text("text again")
    consume.poll()
    consume.poll()
    assert (folder / "done" / "scan-2.png").read_bytes() == png("Scan")
    assert (folder / "failed" / "bad-2.pdf").read_text() == "text again"
    assert (folder / "failed" / "bad-2.pdf.reason.txt").exists()
    # What was there before is untouched.
    assert (folder / "done" / "scan.png").read_bytes() == b"earlier"
    assert (folder / "failed" / "bad.pdf.reason.txt").read_text() == "earlier reason"
    assert (folder / "failed" / "bad-1.pdf.reason.txt").read_text() == "a stale note"


def test_free_name(tmp_path: Path):
    assert free_name(tmp_path, "a.tar.gz") == tmp_path / "a.tar.gz"
    (tmp_path / "a.tar.gz").touch()
    assert free_name(tmp_path, "a.tar.gz") == tmp_path / "a.tar-1.gz"
    (tmp_path / "README").touch()
    assert free_name(tmp_path, "README") == tmp_path / "README-1"


def test_hidden_files_and_done_and_failed_are_ignored_subfolders_kept(consume, folder):
    (folder / ".partial.png").write_bytes(png("Hidden"))
    (folder / ".sync").mkdir()
    (folder / ".sync" / "x.png").write_bytes(png("In a hidden folder"))
    (folder / "done").mkdir()
    (folder / "done" / "old.png").write_bytes(png("Old"))
    (folder / "failed").mkdir()
    (folder / "failed" / "old.pdf").write_text("old")
    (folder / "2024" / "march").mkdir(parents=True)
    (folder / "2024" / "march" / "bill.png").write_bytes(png("Bill"))
    consume.poll()
    [taken] = consume.poll()
    assert taken.moved_to == folder / "done" / "2024" / "march" / "bill.png"
    assert files(folder) == [
        ".partial.png",
        ".sync/x.png",
        "done/2024/march/bill.png",
        "done/old.png",
        "failed/old.pdf",
    ]
    assert Document.objects.count() == 1


def test_a_file_that_cannot_be_moved_stays_and_is_not_imported_again(consume, folder, caplog):
    (folder / "sub").mkdir()
    (folder / "sub" / "a.png").write_bytes(png("Stuck"))
    (folder / "done").mkdir()
    (folder / "done" / "sub").write_text("a file where the folder should be")
    consume.poll()
    with caplog.at_level(logging.INFO, logger="archive.consume"):
        [taken] = consume.poll()
        assert taken.moved_to is None
        assert consume.poll() == []  # not read again every scan
    assert (folder / "sub" / "a.png").exists()  # nothing lost
    assert Document.objects.count() == 1  # and it was stored before the move was tried
    assert caplog.text.count("cannot move") == 1

    (folder / "done" / "sub").unlink()
    (folder / "sub" / "a.png").touch()  # changed: taken again (a duplicate now), then moved
    consume.poll()
    [taken] = consume.poll()
    assert taken.result.outcome is Outcome.DUPLICATE
    assert files(folder / "done") == ["sub/a.png"]


def test_watch_loop_survives_a_missing_folder_and_logs_it_once(folder, alice, caplog):
    elsewhere = folder.with_name("elsewhere")

    class Scripted(ConsumeFolder):
        """Scans 1-2 take a file; then the folder vanishes (an unmounted share) for three
        scans and comes back."""

        scans = 0

        def poll(self, **kwargs: Any) -> list[Consumed]:
            self.scans += 1
            if self.scans == 3:
                shutil.move(folder, elsewhere)
            if self.scans == 6:
                shutil.move(elsewhere, folder)
            return super().poll(**kwargs)

    consume = Scripted(folder, owner=alice)
    (folder / "a.png").write_bytes(png("Before"))
    with caplog.at_level(logging.INFO, logger="archive.consume"):
        watch(consume, interval=0.01, should_stop=lambda: consume.scans >= 7)
    assert files(folder) == ["done/a.png"]
    assert caplog.text.count("consume folder scan failed") == 1
    assert caplog.text.count("consume folder scans work again") == 1


def test_watch_command_once(alice, folder, settings: Any):
    (folder / "one.png").write_bytes(png("One"))
    (folder / "two.pdf").write_text("text")
    out = StringIO()
    call_command("watch", str(folder), owner="alice", once=True, interval=0.1, stdout=out)
    assert out.getvalue().strip() == "1 imported, 0 duplicate, 1 rejected"
    assert files(folder) == ["done/one.png", "failed/two.pdf", "failed/two.pdf.reason.txt"]

    # The settings give the defaults.
    settings.WATCH_DIR = str(folder)
    settings.WATCH_OWNER = "alice"
    (folder / "three.png").write_bytes(png("Three"))
    out = StringIO()
    call_command("watch", once=True, interval=0.1, stdout=out)
    assert out.getvalue().strip() == "1 imported, 0 duplicate, 0 rejected"


def test_watch_command_refuses_bad_arguments(alice, folder, tmp_path, settings: Any):
    settings.WATCH_DIR = ""
    settings.WATCH_OWNER = ""
    with pytest.raises(CommandError, match="WATCH_DIR"):
        call_command("watch", owner="alice", once=True)
    with pytest.raises(CommandError, match="WATCH_OWNER"):
        call_command("watch", str(folder), once=True)
    with pytest.raises(CommandError, match="No user named 'bob'"):
        call_command("watch", str(folder), owner="bob", once=True)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("watch", str(tmp_path / "unmounted"), owner="alice", once=True)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_serve_starts_the_watcher_when_watch_dir_is_set(alice, folder, settings, tmp_path):
    (folder / "dropped.png").write_bytes(png("Dropped"))
    port = 19000 + os.getpid() % 1000
    # No OCR worker: the watcher is under test, and OCR would load the shared cores.
    process = start_serve(
        settings,
        tmp_path,
        "--port",
        str(port),
        "--no-worker",
        WATCH_DIR=str(folder),
        WATCH_OWNER="alice",
        WATCH_INTERVAL="1",
    )
    try:
        deadline = time.monotonic() + 90
        while not (folder / "done" / "dropped.png").exists() and process.poll() is None:
            assert time.monotonic() < deadline, "the watcher did not take the file"
            time.sleep(0.2)
    finally:
        output = ctrl_c(process)
    assert process.returncode == 0, output
    assert (folder / "done" / "dropped.png").exists(), output
    assert Document.objects.filter(owner=alice, original_name="dropped.png").exists()
    assert f"Watching {folder}" in output
