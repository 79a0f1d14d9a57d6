"""Sharing in whole-archive backups (``archive.backup``): groups and their members, default
permissions, and per document its permissions, share links and history.

Written by name, not by id (ids differ between installations): ``sharing.json`` holds the
groups (with member usernames) and each owner's default permissions; each line of
``documents.jsonl`` gets a ``sharing`` entry. Share links keep their token's SHA-256, so a
link handed out before the backup opens the restored document (the token itself was never
stored). History lines of documents deleted before the backup are not written: the backup
holds no such document to attach them to. A backup without these entries (an older release)
restores as before: nothing shared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from archive.models import Document
from archive.sharing.models import DefaultPermission, DocumentEvent, DocumentPermission, ShareLink

FILE = "sharing.json"
_LINK = ("token_hash", "prefix", "kind", "created", "expires_at", "revoked_at", "uses")


def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _grantee(row: Any) -> dict[str, Any]:
    return {"user": _name(row.user), "group": row.group.name if row.group else None}


def sharing_export(target: Path, encoder: type[json.JSONEncoder]) -> None:
    """Write the groups and every owner's default permissions to ``target / sharing.json``."""
    groups = [
        {
            "name": group.name,
            "members": sorted(
                get_user_model()
                .objects.filter(groups=group)
                .values_list(get_user_model().USERNAME_FIELD, flat=True)
            ),
        }
        for group in Group.objects.order_by("name")
    ]
    defaults = [
        {"owner": _name(row.owner), **_grantee(row), "level": row.level, "created": row.created}
        for row in DefaultPermission.objects.select_related("owner", "user", "group").order_by("pk")
    ]
    payload = {"groups": groups, "default_permissions": defaults}
    (target / FILE).write_text(json.dumps(payload, cls=encoder, indent=1))


def document_sharing_line(document: Document) -> dict[str, Any]:
    """The document's ``sharing`` entry for its line of ``documents.jsonl``."""
    permissions = DocumentPermission.objects.filter(document=document).select_related(
        "user", "group", "granted_by"
    )
    links = ShareLink.objects.filter(document=document).select_related("created_by")
    events = DocumentEvent.objects.filter(document_id=document.pk).select_related("actor")
    return {
        "permissions": [
            {
                **_grantee(row),
                "level": row.level,
                "granted_by": _name(row.granted_by),
                "created": row.created,
            }
            for row in permissions.order_by("pk")
        ],
        "links": [
            {**{name: getattr(link, name) for name in _LINK}, "created_by": _name(link.created_by)}
            for link in links.order_by("pk")
        ],
        "history": [
            {
                "actor": _name(event.actor),
                "action": event.action,
                "detail": event.detail,
                "title": event.title,
                "created": event.created,
            }
            for event in events.order_by("pk")
        ],
    }


def sharing_import(source: Path, users: dict[str, Any]) -> dict[str, Group]:
    """Make the groups (an existing one of the same name is joined) with their members, and the
    default permissions, from ``source / sharing.json`` if there is one. Returns the groups by
    name, for ``document_sharing_import``."""
    path = source / FILE
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    groups: dict[str, Group] = {}
    for row in data.get("groups", []):
        group, _ = Group.objects.get_or_create(name=row["name"])
        group.user_set.add(*(users[name] for name in row.get("members", []) if name in users))
        groups[group.name] = group
    for row in data.get("default_permissions", []):
        owner = users.get(row.get("owner") or "")
        columns = _grantee_columns(row, users, groups)
        if owner is None or columns is None:
            continue
        made, _ = DefaultPermission.objects.get_or_create(
            owner=owner, **columns, defaults={"level": row["level"]}
        )
        DefaultPermission.objects.filter(pk=made.pk).update(created=row["created"])
    return groups


def _grantee_columns(
    row: dict[str, Any], users: dict[str, Any], groups: dict[str, Group]
) -> dict[str, Any] | None:
    """``user=``/``group=`` of a written grant; None when its grantee is not in the backup."""
    if row.get("user"):
        user = users.get(row["user"])
        return {"user": user} if user is not None else None
    group = groups.get(row.get("group") or "")
    return {"group": group} if group is not None else None


def document_sharing_import(
    document: Document,
    entry: dict[str, Any] | None,
    groups: dict[str, Group],
    users: dict[str, Any],
) -> None:
    """Give the restored ``document`` its grants, links and history (in its transaction)."""
    if not entry:
        return
    for row in entry.get("permissions", []):
        columns = _grantee_columns(row, users, groups)
        if columns is None:
            continue
        made = DocumentPermission.objects.create(
            document=document,
            level=row["level"],
            granted_by=users.get(row.get("granted_by") or ""),
            **columns,
        )
        DocumentPermission.objects.filter(pk=made.pk).update(created=row["created"])
    for row in entry.get("links", []):
        values = {name: row[name] for name in _LINK if name in row}
        link = ShareLink.objects.create(
            document=document, created_by=users.get(row.get("created_by") or ""), **values
        )
        ShareLink.objects.filter(pk=link.pk).update(created=row["created"])
    for row in entry.get("history", []):
        event = DocumentEvent.objects.create(
            document_id=document.pk,
            title=row["title"],
            actor=users.get(row.get("actor") or ""),
            action=row["action"],
            detail=row.get("detail", ""),
        )
        DocumentEvent.objects.filter(pk=event.pk).update(created=row["created"])
