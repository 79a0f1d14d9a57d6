"""``manage.py export`` and ``import-archive``: a backup restores the archive exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django_q.models import OrmQ

from archive.ingest import document_create
from archive.models import Document, Page, PageCorrection, PageJob
from archive.processing import document_process
from archive.review import page_correct, page_revert
from archive.search import document_search
from tests.archive.conftest import encode, render_page, run_queued_tasks

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, Any]:
    """Everything a backup must keep, by stable keys (ids may change): rows and file bytes."""
    documents = {}
    for document in Document.objects.select_related("owner").order_by("sha256"):
        fields = {
            key: value
            for key, value in Document.objects.values().get(pk=document.pk).items()
            if key not in {"id", "owner_id", "search_vector", "search_length", "original"}
        }
        pages = [
            {
                **{
                    key: value
                    for key, value in page.items()
                    if key not in {"id", "document_id", "search_vector", "image", "thumbnail"}
                },
                "image": _digest(page["image"]),
                "thumbnail": _digest(page["thumbnail"]),
                "corrections": _corrections(page["id"]),
            }
            for page in Page.objects.filter(document=document).order_by("number").values()
        ]
        documents[document.sha256] = {
            **fields,
            "owner": document.owner.username,
            "original": _digest(document.original.name or ""),
            "pages": pages,
        }
    users = {
        user.username: (user.password, user.is_staff, user.is_superuser, user.date_joined)
        for user in User.objects.all()
    }
    return {"documents": documents, "users": users}


def _corrections(page_id: int) -> list[tuple[Any, ...]]:
    rows = list(PageCorrection.objects.filter(page_id=page_id).order_by("pk"))
    position = {row.pk: index for index, row in enumerate(rows)}
    return [
        (
            row.user.username if row.user else None,
            row.created,
            row.action,
            row.text_before,
            row.text_after,
            position.get(row.reverted_to_id) if row.reverted_to_id else None,
        )
        for row in rows
    ]


def _digest(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.fixture
def archive_content(alice: User, bob: User, make_upload: Any, testdata: Path) -> None:
    done = document_create(
        owner=alice,
        upload=make_upload("letter.png", lines=["Backup letter", "Dear records office"]),
        name="letter.png",
        language="en",
    ).document
    document_process(done.pk)
    page = done.pages.get()
    first = page_correct(page, user=alice, text="Backup letter\nDear records office, corrected")
    page_correct(page, user=bob, text="A wrong correction")
    page_revert(page, user=alice, to=first)
    two_pages = encode(
        [render_page(["Frame one of two"]), render_page(["Frame two of two"])], "TIFF"
    )
    tiff = document_create(
        owner=bob, upload=make_upload("two.tif", data=two_pages), name="two.tif"
    ).document
    document_process(tiff.pk)
    run_queued_tasks()  # the second page's task, as a worker would run it
    locked = (testdata / "pdfs/paperless/password-is-test.pdf").read_bytes()
    document_create(owner=bob, upload=make_upload("locked.pdf", data=locked), name="locked.pdf")
    document_create(
        owner=alice, upload=make_upload("waiting.png", lines=["Still queued"]), name="waiting.png"
    )


def test_export_then_import_restores_everything(
    archive_content: None, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    before = _snapshot()
    assert len(before["documents"]) == 4
    call_command("export", str(tmp_path / "backup"))

    # A new installation: no documents, no accounts, no files.
    for document in Document.objects.all():
        for name in [document.original.name, *document.pages.values_list("image", flat=True)]:
            default_storage.delete(name)
    Document.objects.all().delete()
    User.objects.all().delete()
    OrmQ.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):  # its ticket is sent on commit
        call_command("import-archive", str(tmp_path / "backup"))

    after = _snapshot()
    for sha, document in before["documents"].items():
        for key, value in document.items():
            assert after["documents"][sha][key] == value, (document["original_name"], key)
    assert after == before
    corrections = next(d for d in after["documents"].values() if d["original_name"] == "letter.png")
    assert [c[2] for c in corrections["pages"][0]["corrections"]] == ["edit", "edit", "revert"]
    assert corrections["pages"][0]["corrections"][2][5] == 0  # the revert names the first edit
    alice = User.objects.get(username="alice")
    assert alice.check_password("alice-password-1")
    hits = document_search(user=alice, query="corrected")
    assert [hit.document.title for hit in hits] == ["letter"]
    # The document that was still queued is queued again.
    waiting = Document.objects.get(original_name="waiting.png")
    assert waiting.status == Document.Status.QUEUED
    assert list(PageJob.objects.values_list("document", "number", "priority")) == [
        (waiting.pk, 0, PageJob.Priority.BULK)
    ]
    assert OrmQ.objects.count() == 1


def test_import_refuses_an_archive_that_has_documents(
    archive_content: None, tmp_path: Path
) -> None:
    call_command("export", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="already holds documents"):
        call_command("import-archive", str(tmp_path / "backup"))


def test_import_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not a Scan Archive backup"):
        call_command("import-archive", str(tmp_path))


def test_export_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "something").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("export", str(tmp_path))
