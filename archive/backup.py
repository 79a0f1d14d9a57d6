"""Whole-archive backups: ``export_archive`` writes a folder, ``import_archive`` restores it.

The folder holds everything that cannot be made again from something else:

- ``manifest.json``: format name and version, when it was written, counts;
- ``users.json``: the accounts (password hashes, not passwords; staff and active flags);
- ``documents.jsonl``: one line per document with every field, its owner's username, and its
  pages (text, word boxes, confidences, sources, timings) and their correction history;
- ``files/``: the originals (with their imported OCR files), page images and thumbnails
  under their storage names;
- ``organize.json`` and each document line's ``organize`` entry: tags, correspondents, types,
  custom fields, saved views, notes and suggestions, by name (``archive.organize.backup``);
- ``sharing.json`` and each document line's ``sharing`` entry: groups, default permissions,
  and each document's permissions, share links and history (``archive.sharing.backup``).

Search vectors are not written: they are rebuilt from the text on import (``reindex``), which
also upgrades them if indexing changed between versions. Files are read and written through
Django's storage API, so the archive may live on S3; the backup folder is a local path.

A restore goes into an archive with no documents (a new installation): users are matched by
username (an existing account keeps its password), documents and pages get new ids, every
timestamp is kept. Documents that were still queued or processing are queued again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from archive.models import Document, Page, PageJob
from archive.organize.backup import (
    Restored,
    document_organize_import,
    document_organize_line,
    organize_export,
    organize_import,
    organize_import_finish,
)
from archive.sharing.backup import (
    document_sharing_import,
    document_sharing_line,
    sharing_export,
    sharing_import,
)

FORMAT = "scan-archive-backup"
VERSION = 1
# Fields that are ids, links or derived data (vectors and their lengths, the cached searchable
# PDF): written differently or not at all.
# The document's correspondent and type are written by name (archive.organize.backup).
_SKIP = {
    "id",
    "owner",
    "document",
    "page",
    "search_vector",
    "search_length",
    "searchable_pdf",
    "correspondent",
    "document_type",
}
_USER_FIELDS = [
    "username",
    "email",
    "first_name",
    "last_name",
    "password",
    "is_staff",
    "is_superuser",
    "is_active",
    "date_joined",
    "last_login",
]


class _Encoder(DjangoJSONEncoder):
    """Django's encoder keeps only milliseconds of a time; a backup keeps all of it."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """The folder is not a backup this version can read, or the archive is not empty."""


@dataclass(frozen=True)
class BackupSummary:
    users: int
    documents: int
    pages: int
    files: int


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if f.name not in _SKIP]


def _is_user_link(field: models.Field[Any, Any]) -> bool:
    return isinstance(field, models.ForeignKey) and field.related_model is get_user_model()


def _self_links(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f for f in _fields(model) if isinstance(f, models.ForeignKey) and f.related_model is model
    ]


def _row(instance: models.Model) -> dict[str, Any]:
    """The instance's fields as JSON-ready values; a link to a user as the username (ids
    differ between installations, usernames do not)."""
    row: dict[str, Any] = {}
    for field in _fields(type(instance)):
        if _is_user_link(field):
            user = getattr(instance, field.name)
            row[field.name] = user.get_username() if user is not None else None
            continue
        value = field.value_from_object(instance)
        row[field.name] = value.name if isinstance(value, models.fields.files.FieldFile) else value
    return row


def _restore(
    model: type[models.Model], row: dict[str, Any], users: dict[str, Any]
) -> dict[str, Any]:
    """Field values for ``model(**values)`` from an exported row (the inverse of ``_row``)."""
    values: dict[str, Any] = {}
    for field in _fields(model):
        if field.name not in row:
            continue
        if _is_user_link(field):
            values[field.name] = users.get(row[field.name]) if row[field.name] else None
        else:
            values[field.attname] = field.to_python(row[field.name])
    return values


# --- export -------------------------------------------------------------------------------------


def export_archive(target: Path) -> BackupSummary:
    """Write the whole archive into the folder ``target`` (created; must be empty if it exists)."""
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; export into a new folder.")
    files_dir = target / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    users = list(get_user_model().objects.order_by("pk"))
    (target / "users.json").write_text(
        json.dumps(
            [{name: getattr(user, name) for name in _USER_FIELDS} for user in users],
            cls=_Encoder,
            indent=1,
        )
    )
    organize_export(target, _Encoder)
    sharing_export(target, _Encoder)
    documents = pages = files = 0
    with (target / "documents.jsonl").open("w", encoding="utf-8") as out:
        for document in Document.objects.select_related("owner").order_by("pk").iterator(200):
            line = _document_line(document)
            for name in _file_names(line):
                _copy_out(name, files_dir)
                files += 1
            out.write(json.dumps(line, cls=_Encoder, ensure_ascii=False) + "\n")
            documents += 1
            pages += len(line["pages"])
    summary = BackupSummary(len(users), documents, pages, files)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": datetime.now(UTC).isoformat(),
        **summary.__dict__,
    }
    (target / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return summary


def _document_line(document: Document) -> dict[str, Any]:
    line = _row(document)
    line["owner"] = document.owner.get_username()
    line["organize"] = document_organize_line(document)
    line["sharing"] = document_sharing_line(document)
    line["pages"] = []
    for page in document.pages.order_by("number"):
        page_row = _row(page)
        # A correction may name an earlier one of the same page (the version a revert
        # restored): kept as its position in this list, since ids change on import.
        corrections = _corrections(page)
        position = {c.pk: index for index, c in enumerate(corrections)}
        page_row["corrections"] = []
        for correction in corrections:
            row = _row(correction)
            for field in _self_links(type(correction)):
                target = getattr(correction, field.attname)
                row[field.name] = position.get(target) if target is not None else None
            page_row["corrections"].append(row)
        line["pages"].append(page_row)
    return line


def _corrections(page: Page) -> list[models.Model]:
    """The page's correction history, oldest first (none before the review feature)."""
    related = getattr(page, "corrections", None)
    return list(related.order_by("pk")) if related is not None else []


def _file_names(line: dict[str, Any]) -> Iterator[str]:
    if line["original"]:
        yield line["original"]
    # The scan's imported OCR file (archive.ocr_imports); absent from older backups.
    if line.get("ocr_file"):
        yield line["ocr_file"]
    for page in line["pages"]:
        for key in ("image", "thumbnail"):
            if page.get(key):
                yield page[key]


def _copy_out(name: str, files_dir: Path) -> None:
    path = files_dir / name
    if not path.resolve().is_relative_to(files_dir.resolve()):
        raise BackupError(f"refusing a storage name outside the backup folder: {name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(name, "rb") as source, path.open("wb") as sink:
        shutil.copyfileobj(source, sink, 1 << 20)


# --- import -------------------------------------------------------------------------------------


def import_archive(source: Path) -> BackupSummary:
    """Restore the backup folder ``source`` into this (document-free) archive."""
    manifest = _manifest(source)
    if Document.objects.exists():
        raise BackupError(
            "This archive already holds documents; import-archive restores a backup into a new, "
            "empty installation."
        )
    users = _import_users(json.loads((source / "users.json").read_text()))
    restored = organize_import(source, users)
    groups = sharing_import(source, users)
    documents = pages = files = 0
    requeue: list[int] = []
    with (source / "documents.jsonl").open(encoding="utf-8") as lines:
        for text in lines:
            line = json.loads(text)
            document, stored = _import_document(line, users, source / "files", restored, groups)
            documents += 1
            pages += len(line["pages"])
            files += stored
            if document.status in (Document.Status.QUEUED, Document.Status.PROCESSING):
                requeue.append(document.pk)
    if documents != manifest.get("documents", documents):
        raise BackupError(
            f"The backup is incomplete: its manifest lists {manifest['documents']} documents, "
            f"documents.jsonl holds {documents}."
        )
    organize_import_finish(restored)
    call_command("reindex", verbosity=0)
    from archive.processing.jobs import queue_document

    for document in Document.objects.filter(pk__in=requeue):
        queue_document(document, priority=PageJob.Priority.BULK)
    return BackupSummary(len(users), documents, pages, files)


def _manifest(source: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((source / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a Scan Archive backup ({error}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Scan Archive backup.")
    if manifest.get("version") != VERSION:
        raise BackupError(
            f"{source} is a version {manifest.get('version')} backup; this version of Scan "
            f"Archive reads version {VERSION}."
        )
    return manifest


def _import_users(rows: list[dict[str, Any]]) -> dict[str, Any]:
    model = get_user_model()
    users = {}
    for row in rows:
        user = model.objects.filter(username=row["username"]).first()
        if user is None:
            values = {name: row[name] for name in _USER_FIELDS if name in row}
            for name in ("date_joined", "last_login"):
                field = model._meta.get_field(name)
                assert isinstance(field, models.Field)
                values[name] = field.to_python(values.get(name))
            user = model.objects.create(**values)
        users[row["username"]] = user
    return users


def _import_document(
    line: dict[str, Any],
    users: dict[str, Any],
    files_dir: Path,
    restored: Restored,
    groups: dict[str, Group],
) -> tuple[Document, int]:
    """One document with its pages and files; its files are removed again if it fails."""
    stored: dict[str, str] = {}
    try:
        for name in _file_names(line):
            with (files_dir / name).open("rb") as handle:
                stored[name] = default_storage.save(name, File(handle, name=name))
        with transaction.atomic():
            values = _restore(Document, line, users)
            values["original"] = stored.get(line["original"], "")
            values["ocr_file"] = stored.get(line.get("ocr_file") or "", "")
            document = Document(owner=users[line["owner"]], **values)
            document.save()
            for page_row in line["pages"]:
                _import_page(document, page_row, stored, users)
            document_organize_import(document, line.get("organize"), restored, users)
            document_sharing_import(document, line.get("sharing"), groups, users)
            _keep_timestamps(document, values)
    except BaseException:
        for name in stored.values():
            default_storage.delete(name)
        raise
    return document, len(stored)


def _import_page(
    document: Document, row: dict[str, Any], stored: dict[str, str], users: dict[str, Any]
) -> None:
    values = _restore(Page, row, users)
    for key in ("image", "thumbnail"):
        values[key] = stored.get(row.get(key) or "", "")
    page = Page(document=document, **values)
    page.save()
    _keep_timestamps(page, values)
    related = getattr(page, "corrections", None)
    if related is not None:
        model = related.model
        made: list[models.Model] = []
        for correction in row.get("corrections", []):
            restored = _restore(model, correction, users)
            for field in _self_links(model):
                restored.pop(field.attname, None)
                index = correction.get(field.name)
                restored[field.name] = made[index] if index is not None else None
            made.append(model.objects.create(page=page, **restored))
            _keep_timestamps(made[-1], restored)


def _keep_timestamps(instance: models.Model, values: dict[str, Any]) -> None:
    """Put back the exported values of ``auto_now``/``auto_now_add`` fields, which saving
    the new row has just set to the present."""
    automatic = {
        field.attname: values[field.attname]
        for field in instance._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        if field.attname in values
    }
    if automatic:
        type(instance)._default_manager.filter(pk=instance.pk).update(**automatic)
