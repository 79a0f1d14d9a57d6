"""Whole-archive backups keep sharing: groups and members, default permissions, each
document's grants (user and group, their levels), share links (a link handed out before the
backup still opens the restored document) and history."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from archive.backup import export_archive, import_archive
from archive.models import DefaultPermission, Document, DocumentEvent, DocumentPermission
from archive.sharing.access import visible_documents
from archive.sharing.links import share_link_create, share_link_open, share_link_revoke
from archive.sharing.services import default_permission_set
from tests.archive.sharing.conftest import share

pytestmark = pytest.mark.django_db


def test_export_then_import_keeps_who_may_see_what(
    alice: User, bob: User, carol: User, office: Group, letter: Document, tmp_path: Path
) -> None:
    share(alice, letter, "edit", user=bob)
    share(alice, letter, "view", group=office)
    default_permission_set(owner=alice, grantee=office, level="view")
    kept = share_link_create(owner=alice, document=letter, kind="original", expires="never")
    gone = share_link_create(owner=alice, document=letter, kind="original", expires="1d")
    share_link_revoke(owner=alice, pk=gone.link.pk)
    history = list(
        DocumentEvent.objects.filter(document_id=letter.pk)
        .order_by("pk")
        .values_list("action", "actor__username", "detail")
    )
    assert history  # shared twice, two links made, one revoked
    default_storage.save(letter.original.name, ContentFile(b"scan"))

    export_archive(tmp_path / "backup")
    Document.objects.all().delete()
    DocumentEvent.objects.all().delete()  # history rows are not tied to the document row
    User.objects.all().delete()
    Group.objects.all().delete()
    import_archive(tmp_path / "backup")

    restored = Document.objects.get(title="Alice letter")
    grants = {
        (p.grantee, p.level, p.granted_by.username)
        for p in DocumentPermission.objects.select_related("user", "group", "granted_by")
        if p.granted_by
    }
    assert grants == {("bob", "edit", "alice"), ("group Office", "view", "alice")}
    assert list(Group.objects.get(name="Office").user_set.values_list("username", flat=True)) == [
        "carol"
    ]
    new_carol = User.objects.get(username="carol")
    assert restored in visible_documents(new_carol)
    (default,) = DefaultPermission.objects.select_related("owner", "group")
    assert (default.owner.username, default.grantee, default.level) == (
        "alice",
        "group Office",
        "view",
    )
    link = share_link_open(kept.token)
    assert link is not None
    assert link.document_id == restored.pk
    assert share_link_open(gone.token) is None  # still revoked
    assert (
        list(
            DocumentEvent.objects.filter(document_id=restored.pk)
            .order_by("pk")
            .values_list("action", "actor__username", "detail")
        )
        == history
    )


def test_a_backup_without_sharing_restores_with_nothing_shared(
    alice: User, letter: Document, tmp_path: Path
) -> None:
    default_storage.save(letter.original.name, ContentFile(b"scan"))
    export_archive(tmp_path / "backup")
    (tmp_path / "backup" / "sharing.json").unlink()  # as an older release wrote it
    Document.objects.all().delete()
    import_archive(tmp_path / "backup")
    assert Document.objects.count() == 1
    assert not DocumentPermission.objects.exists()
