"""The organize metadata in whole-archive backups (``archive.backup``).

Written by name, not by id (ids differ between installations): ``organize.json`` holds each
user's correspondents, types, tags (by full path), custom fields and saved views; each line of
``documents.jsonl`` gets an ``organize`` entry with the document's correspondent, type, tags,
field values, notes and suggestions (so what the user confirmed or rejected stays theirs after
a restore). Classifiers are not written: they are retrained from the restored documents.
A backup without these entries (an older release) restores as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Model

from archive.organize.models import (
    Correspondent,
    CustomField,
    CustomFieldValue,
    DocumentTag,
    DocumentType,
    MatchingModel,
    Note,
    SavedView,
    Suggestion,
    Tag,
)
from archive.organize.training import classifier_mark_dirty

FILE = "organize.json"
_RULE = ("name", "match_algorithm", "match_pattern", "match_case_sensitive")
_VIEW = ("name", "query", "sort", "columns", "show_on_dashboard", "show_in_sidebar", "position")
_FIELD = (*_RULE, "data_type", "currency", "select_options", "suggest")
_VALUES = ("value_text", "value_int", "value_number", "value_currency", "value_date", "value_bool")


def _pick(item: Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(item, name) for name in names}


def organize_export(target: Path, encoder: type[json.JSONEncoder]) -> None:
    """Write every user's organize objects to ``target / organize.json``."""
    users: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for user in get_user_model().objects.order_by("pk"):
        mine = {"owner_id": user.pk}
        entry = {
            "correspondents": [_pick(c, _RULE) for c in Correspondent.objects.filter(**mine)],
            "document_types": [_pick(t, _RULE) for t in DocumentType.objects.filter(**mine)],
            "tags": [
                {**_pick(t, _RULE), "path": t.path, "colour": t.colour}
                for t in Tag.objects.filter(**mine).order_by("path")
            ],
            "custom_fields": [_pick(f, _FIELD) for f in CustomField.objects.filter(**mine)],
            "saved_views": [_pick(v, _VIEW) for v in SavedView.objects.filter(**mine)],
        }
        if any(entry.values()):
            users[user.get_username()] = entry
    (target / FILE).write_text(json.dumps({"users": users}, cls=encoder, indent=1))


def document_organize_line(document: Any) -> dict[str, Any]:
    """The document's organize entry for its line of ``documents.jsonl``."""
    values = []
    for value in CustomFieldValue.objects.filter(document=document).select_related("field"):
        values.append(
            {
                "field": value.field.name,
                **_pick(value, _VALUES),
                "value_document": value.value_document_id,
            }
        )
    suggestions = []
    for row in Suggestion.objects.filter(document=document).select_related(
        "correspondent", "document_type", "tag", "field"
    ):
        target = row.correspondent or row.document_type or row.field
        suggestions.append(
            {
                "kind": row.kind,
                "state": row.state,
                "target": row.tag.path if row.tag else (target.name if target else None),
                "value_date": row.value_date,
                "value": row.value,
                "reason": row.reason,
                "confidence": row.confidence,
                "created": row.created,
                "decided": row.decided,
            }
        )
    return {
        "id": document.pk,
        "document_date": document.document_date,
        "correspondent": document.correspondent.name if document.correspondent else None,
        "document_type": document.document_type.name if document.document_type else None,
        "tags": sorted(document.tags.values_list("path", flat=True)),
        "fields": values,
        "notes": [
            {
                "author": note.author.get_username() if note.author else None,
                "text": note.text,
                "created": note.created,
                "updated": note.updated,
            }
            for note in Note.objects.filter(document=document).select_related("author")
        ],
        "suggestions": suggestions,
    }


@dataclass
class Restored:
    """The objects made by ``organize_import``, by owner and name, and what waits for all
    documents to exist (links between documents)."""

    objects: dict[tuple[int, str, str], Model] = field(default_factory=dict)
    documents: dict[int, int] = field(default_factory=dict)  # old id -> new id
    links: list[tuple[int, int]] = field(default_factory=list)  # (value pk, old target id)

    def get(self, owner_id: int, kind: str, name: str | None) -> Any:
        return self.objects.get((owner_id, kind, (name or "").casefold())) if name else None


def organize_import(source: Path, users: dict[str, Any]) -> Restored:
    """Make every user's organize objects from ``source / organize.json`` (if there is one)."""
    restored = Restored()
    path = source / FILE
    if not path.exists():
        return restored
    data = json.loads(path.read_text())
    for username, entry in data.get("users", {}).items():
        owner = users.get(username)
        if owner is None:
            continue
        for kind, model in (("correspondent", Correspondent), ("type", DocumentType)):
            for row in entry.get(f"{kind if kind != 'type' else 'document_type'}s", []):
                item: MatchingModel = model.objects.create(owner=owner, **_only(row, _RULE))
                restored.objects[(owner.pk, kind, item.name.casefold())] = item
        for row in entry.get("tags", []):  # parents come first: sorted by path
            parent_path, _, _name = row["path"].rpartition("/")
            parent = restored.get(owner.pk, "tag", parent_path)
            tag = Tag.objects.create(
                owner=owner,
                parent=parent,
                path=row["path"],
                colour=row["colour"],
                **_only(row, _RULE),
            )
            restored.objects[(owner.pk, "tag", tag.path.casefold())] = tag
        for row in entry.get("custom_fields", []):
            custom = CustomField.objects.create(owner=owner, **_only(row, _FIELD))
            restored.objects[(owner.pk, "field", custom.name.casefold())] = custom
        for row in entry.get("saved_views", []):
            SavedView.objects.create(owner=owner, **_only(row, _VIEW))
    return restored


def _only(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: row[name] for name in names if name in row}


def document_organize_import(
    document: Any, entry: dict[str, Any] | None, restored: Restored, users: dict[str, Any]
) -> None:
    """Give the restored ``document`` its metadata (in the document's transaction)."""
    if not entry:
        return
    owner = document.owner_id
    restored.documents[int(entry["id"])] = document.pk
    document.document_date = _date(entry.get("document_date"))
    document.correspondent = restored.get(owner, "correspondent", entry.get("correspondent"))
    document.document_type = restored.get(owner, "type", entry.get("document_type"))
    document.save(update_fields=["document_date", "correspondent", "document_type"])
    tags = [restored.get(owner, "tag", path) for path in entry.get("tags", [])]
    DocumentTag.objects.bulk_create(
        [DocumentTag(document=document, tag=tag) for tag in tags if tag is not None]
    )
    for row in entry.get("fields", []):
        custom = restored.get(owner, "field", row["field"])
        if custom is None:
            continue
        value = CustomFieldValue.objects.create(
            document=document,
            field=custom,
            **{name: row.get(name) for name in _VALUES if name != "value_currency"},
            value_currency=row.get("value_currency") or "",
        )
        if row.get("value_date"):
            CustomFieldValue.objects.filter(pk=value.pk).update(value_date=_date(row["value_date"]))
        if row.get("value_document"):
            restored.links.append((value.pk, int(row["value_document"])))
    for row in entry.get("notes", []):
        note = Note.objects.create(
            document=document, author=users.get(row.get("author") or ""), text=row["text"]
        )
        Note.objects.filter(pk=note.pk).update(created=row["created"], updated=row["updated"])
    for row in entry.get("suggestions", []):
        made = _suggestion(document, row, restored)
        if made is not None:
            Suggestion.objects.filter(pk=made.pk).update(created=row["created"])


def _date(value: Any) -> Any:
    from datetime import date

    return date.fromisoformat(value) if isinstance(value, str) else value


def _suggestion(document: Any, row: dict[str, Any], restored: Restored) -> Suggestion | None:
    owner = document.owner_id
    kind = row["kind"]
    made = Suggestion(
        owner_id=owner,
        document=document,
        kind=kind,
        state=row["state"],
        value_date=_date(row.get("value_date")),
        value=row.get("value") or "",
        reason=row.get("reason") or "",
        confidence=row.get("confidence"),
        decided=row.get("decided"),
    )
    target = row.get("target")
    if kind == Suggestion.Kind.DATE:
        made.key = "date"
    elif kind == Suggestion.Kind.CORRESPONDENT:
        made.key, made.correspondent = "correspondent", restored.get(owner, "correspondent", target)
    elif kind == Suggestion.Kind.TYPE:
        made.key, made.document_type = "type", restored.get(owner, "type", target)
    elif kind == Suggestion.Kind.TAG:
        made.tag = restored.get(owner, "tag", target)
        made.key = f"tag:{made.tag.pk}" if made.tag else ""
    else:
        made.field = restored.get(owner, "field", target)
        made.key = f"field:{made.field.pk}" if made.field else ""
    if not made.key:  # its tag or field is gone
        return None
    made.save()
    return made


def organize_import_finish(restored: Restored) -> None:
    """Links between documents, now that all exist; queue the restored users' trainings."""
    for value_pk, old in restored.links:
        CustomFieldValue.objects.filter(pk=value_pk).update(
            value_document_id=restored.documents.get(old)
        )
    for owner_id in {key[0] for key in restored.objects}:
        classifier_mark_dirty(owner_id)
