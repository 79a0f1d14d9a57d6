"""Sharing, unsharing, bulk sharing and default permissions at every entry point."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, User

from archive.bulk import import_paths
from archive.consume import ConsumeFolder
from archive.errors import UserError
from archive.ingest import document_create
from archive.models import Document, DocumentEvent, DocumentPermission
from archive.sharing.access import Access, access_of
from archive.sharing.services import (
    default_permission_delete,
    default_permission_set,
    default_permissions,
    documents_share,
    grantee_find,
    permission_delete,
)
from tests.archive.conftest import document_with_pages, encode, render_page

pytestmark = pytest.mark.django_db


def test_bulk_share_leaves_out_other_owners_documents(alice: User, bob: User, carol: User):
    mine = [document_with_pages(alice, f"a{n}", "en", ["x"]) for n in range(3)]
    theirs = document_with_pages(carol, "carol's", "en", ["x"])
    count = documents_share(
        owner=alice, documents=[d.pk for d in mine] + [theirs.pk], grantee=bob, level="view"
    )
    assert count == 3
    assert access_of(bob, theirs) is Access.NONE
    assert not DocumentPermission.objects.filter(document=theirs).exists()


def test_sharing_again_changes_the_level_and_unsharing_takes_it_back(
    alice: User, bob: User, letter: Document
):
    documents_share(owner=alice, documents=[letter.pk], grantee=bob, level="view")
    documents_share(owner=alice, documents=[letter.pk], grantee=bob, level="edit")
    [grant] = DocumentPermission.objects.filter(document=letter)
    assert access_of(bob, letter) is Access.EDIT
    with pytest.raises(UserError):  # not bob's to take back
        permission_delete(owner=bob, permission_id=grant.pk)
    permission_delete(owner=alice, permission_id=grant.pk)
    assert access_of(bob, letter) is Access.NONE
    actions = list(
        DocumentEvent.objects.filter(document_id=letter.pk).values_list("action", flat=True)
    )
    assert actions == ["unshared", "shared", "shared"]


def test_bad_grants_are_refused(alice: User, letter: Document):
    with pytest.raises(UserError):
        grantee_find(user="nobody")
    with pytest.raises(UserError):
        grantee_find(group="No such group")
    with pytest.raises(UserError):
        grantee_find()
    with pytest.raises(UserError):
        documents_share(owner=alice, documents=[letter.pk], grantee=alice, level="view")
    with pytest.raises(UserError):
        documents_share(owner=alice, documents=[letter.pk], grantee=alice, level="own")


def _png(text: str) -> bytes:
    return encode([render_page([text], size=(400, 200))], "PNG")


@pytest.fixture
def defaults(alice: User, office: Group) -> None:
    default_permission_set(owner=alice, grantee=office, level="view")


def _check_shared(document_id: int, carol: User) -> None:
    document = Document.objects.get(pk=document_id)
    assert access_of(carol, document) is Access.VIEW
    assert DocumentEvent.objects.filter(document_id=document_id, action="uploaded").exists()


def test_default_permissions_at_upload(defaults: None, alice: User, carol: User, make_upload: Any):
    result = document_create(owner=alice, upload=make_upload("a.png", lines=["one"]), name="a.png")
    _check_shared(result.document.pk, carol)


def test_default_permissions_at_bulk_import(
    defaults: None, alice: User, carol: User, tmp_path: Path
):
    (tmp_path / "b.png").write_bytes(_png("two"))
    [result] = list(import_paths([tmp_path], owner=alice))
    assert result.document_id is not None
    _check_shared(result.document_id, carol)


def test_default_permissions_at_the_consume_folder(
    defaults: None, alice: User, carol: User, tmp_path: Path
):
    (tmp_path / "c.png").write_bytes(_png("three"))
    consume = ConsumeFolder(tmp_path, owner=alice)
    consume.poll()  # first sight: maybe still being copied
    [taken] = consume.poll()
    assert taken.result.document_id is not None
    _check_shared(taken.result.document_id, carol)


def test_default_permissions_are_the_owners_own(
    defaults: None, alice: User, bob: User, carol: User, make_upload: Any
):
    """Bob's uploads are not shared by Alice's defaults; removing a default stops it."""
    result = document_create(owner=bob, upload=make_upload("b.png", lines=["bob"]), name="b.png")
    assert access_of(carol, result.document) is Access.NONE
    [row] = default_permissions(alice)
    with pytest.raises(UserError):
        default_permission_delete(owner=bob, pk=row.pk)
    default_permission_delete(owner=alice, pk=row.pk)
    later = document_create(owner=alice, upload=make_upload("d.png", lines=["four"]), name="d.png")
    assert access_of(carol, later.document) is Access.NONE
