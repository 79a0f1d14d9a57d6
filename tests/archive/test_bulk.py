"""Bulk import (``archive.bulk`` and ``manage.py import``) on real files and a real database.

No worker runs: imported documents stay queued, which is all these tests need.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive.bulk import (
    Summary,
    WaitTimedOut,
    find_files,
    import_file,
    import_paths,
    wait_for_documents,
)
from archive.models import Document
from archive.outcomes import Outcome
from tests.archive.conftest import encode, render_page

pytestmark = pytest.mark.django_db

NOT_A_SCAN = "This is not a supported scan"


def png(*lines: str) -> bytes:
    return encode([render_page(lines, size=(400, 200))], "PNG")


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    """A folder as people have them: good scans, a copy, a text file named .pdf, an empty
    file, a hidden file and a subfolder. The bad files sort before good ones, so a good file
    after them proves the import went on."""
    folder = tmp_path / "inbox"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "a-notes.pdf").write_text("Shopping list: milk, eggs")
    (folder / "b-empty.png").write_bytes(b"")
    (folder / "c-invoice.png").write_bytes(png("Invoice 1"))
    (folder / "d-invoice-copy.png").write_bytes(png("Invoice 1"))
    (folder / "sub" / "e-letter.png").write_bytes(png("Letter"))
    (folder / ".hidden.png").write_bytes(png("Hidden"))
    (folder / ".git" / "f.png").write_bytes(png("In a hidden folder"))
    return folder


def test_find_files_walks_in_name_order_and_skips_hidden(inbox: Path, tmp_path: Path):
    found = find_files([inbox, inbox / ".hidden.png", tmp_path / "nowhere"])
    assert [p.relative_to(inbox).as_posix() for p in found.files] == [
        "a-notes.pdf",
        "b-empty.png",
        "c-invoice.png",
        "d-invoice-copy.png",
        "sub/e-letter.png",
        ".hidden.png",  # named on the command line: taken
    ]
    assert found.missing == [tmp_path / "nowhere"]
    assert found.total == 7


def test_import_paths_counts_duplicates_and_keeps_going_past_bad_files(alice, inbox: Path):
    summary = Summary()
    for outcome in import_paths([inbox], owner=alice):
        summary.add(outcome)

    assert [o.path.name for o in summary.imported] == ["c-invoice.png", "e-letter.png"]
    assert [o.path.name for o in summary.duplicates] == ["d-invoice-copy.png"]
    assert summary.duplicates[0].document_id == summary.imported[0].document_id
    reasons = {o.path.name: o.reason for o in summary.rejected}
    assert reasons["b-empty.png"] == "The file is empty."
    assert reasons["a-notes.pdf"].startswith(NOT_A_SCAN)
    assert "text" in reasons["a-notes.pdf"]
    assert summary.counts_line() == "2 imported, 1 duplicate, 2 rejected"

    documents = Document.objects.filter(owner=alice)
    assert documents.count() == 2
    assert set(documents.values_list("status", flat=True)) == {Document.Status.QUEUED}
    assert sorted(summary.document_ids) == sorted(documents.values_list("pk", flat=True))


def test_second_import_of_the_same_folder_stores_nothing(alice, inbox: Path):
    list(import_paths([inbox], owner=alice))
    again = Summary()
    for outcome in import_paths([inbox], owner=alice):
        again.add(outcome)
    assert again.counts_line() == "0 imported, 3 duplicate, 2 rejected"
    assert Document.objects.count() == 2


def test_unreadable_file_is_rejected_with_a_reason(alice, tmp_path: Path):
    # Gone between listing and reading (or a folder where a file was expected): the same path
    # as a permission error, and testable when the tests run as root.
    gone = import_file(tmp_path / "gone.png", owner=alice)
    assert gone.outcome is Outcome.REJECTED
    assert gone.reason == "Cannot read the file: No such file or directory."
    assert import_file(tmp_path, owner=alice).reason == "Cannot read the file: Is a directory."


def test_summary_table_groups_rejected_files_by_reason(alice, tmp_path: Path):
    for name in ("x.png", "y.tif", "z.jpg"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "notes.pdf").write_text("hello")
    (tmp_path / "scan.png").write_bytes(png("Scan"))
    summary = Summary()
    for outcome in import_paths([tmp_path, tmp_path / "gone.png"], owner=alice):
        summary.add(outcome)

    table = summary.table()
    lines = table.splitlines()
    assert lines[:4] == ["imported  1", "duplicate 0", "rejected  5", "total     6"]
    # Three files share a reason: stated once, files listed under it.
    start = lines.index("  The file is empty. (3 files)")
    assert lines[start + 1 : start + 4] == [
        f"    {tmp_path / n}" for n in ("x.png", "y.tif", "z.jpg")
    ]
    assert f"  {tmp_path / 'gone.png'}: No such file or folder." in lines
    assert any(line.startswith(f"  {tmp_path / 'notes.pdf'}: {NOT_A_SCAN}") for line in lines)
    assert lines[-1] == "1 imported, 0 duplicate, 5 rejected"


def test_import_command_prints_summary_and_exits_nonzero_on_rejects(alice, inbox: Path):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 file"):
        call_command("import", str(inbox), owner="alice", stdout=out, stderr=err)
    output, errors = out.getvalue(), err.getvalue()
    assert "2 imported, 1 duplicate, 2 rejected" in output
    assert "The file is empty." in output  # in the table
    assert f"rejected  {inbox / 'b-empty.png'}: The file is empty." in errors  # as it happened
    # Not a terminal: plain progress lines, no carriage returns; the last one says "all done".
    assert "\r" not in errors
    assert "5/5  100%  2 imported, 1 duplicate, 2 rejected" in errors
    # Per-file lines only with --verbosity 2.
    assert "c-invoice.png" not in output + errors


def test_import_command_verbose_lists_every_file(alice, tmp_path: Path):
    (tmp_path / "one.png").write_bytes(png("One"))
    out, err = StringIO(), StringIO()
    call_command("import", str(tmp_path), owner="alice", verbosity=2, stdout=out, stderr=err)
    document = Document.objects.get()
    assert f"imported  {tmp_path / 'one.png'} -> document {document.pk}" in err.getvalue()
    assert "1 imported, 0 duplicate, 0 rejected" in out.getvalue()


def test_import_command_unknown_owner(tmp_path: Path):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("import", str(tmp_path), owner="nobody")


def test_wait_returns_unfinished_ones_and_times_out(alice, tmp_path: Path):
    (tmp_path / "a.png").write_bytes(png("A"))
    (tmp_path / "b.png").write_bytes(png("B"))
    summary = Summary()
    for outcome in import_paths([tmp_path], owner=alice):
        summary.add(outcome)
    ids = summary.document_ids
    seen: list[int] = []
    with pytest.raises(WaitTimedOut) as timed_out:
        wait_for_documents(ids, timeout=0.2, poll=0.05, on_change=seen.append)
    assert timed_out.value.left == 2
    assert seen == [2]  # reported once: the number did not change

    Document.objects.filter(pk=ids[0]).update(status=Document.Status.DONE)
    Document.objects.filter(pk=ids[1]).update(status=Document.Status.FAILED, error="Broken")
    assert [d.pk for d in wait_for_documents(ids, timeout=5)] == [ids[1]]
