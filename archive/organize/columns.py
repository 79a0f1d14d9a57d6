"""Columns a saved view can show as a table (in the library and on the dashboard), and the
rows' values for them.

A view stores its columns as a list of the names below (``SavedView.columns``), in the order
shown; ``saved_views.saved_view_create``/``update`` refuse any other name. A view without
columns is shown as the library's cards, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from archive.models import Document
from archive.organize.models import Tag

#: Column name -> heading, in the order offered.
COLUMNS: dict[str, StrOrPromise] = {
    "title": _("Title"),
    "date": _("Document date"),
    "correspondent": _("Correspondent"),
    "type": _("Type"),
    "tags": _("Tags"),
    "pages": _("Pages"),
    "added": _("Added"),
    "language": _("Language"),
    "status": _("Status"),
}
#: What "Save this view" ticks unless the user chooses otherwise.
DEFAULT_COLUMNS = ["title", "date", "correspondent", "type", "tags", "added"]


def unknown_columns(columns: Iterable[str]) -> list[str]:
    """The names in ``columns`` that are not columns (empty: all are)."""
    return [c for c in columns if c not in COLUMNS]


@dataclass(frozen=True)
class Column:
    name: str
    heading: StrOrPromise


def view_columns(names: Sequence[str]) -> list[Column]:
    """The columns to show for a view's ``names`` (unknown names, from data written around the
    services, are skipped; the title is always there, first, as the row's link)."""
    chosen = [n for n in dict.fromkeys(names) if n in COLUMNS and n != "title"]
    return [Column(n, COLUMNS[n]) for n in ["title", *chosen]]


def with_columns(documents: QuerySet[Document]) -> QuerySet[Document]:
    """``documents`` with what the table shows read along (the correspondent's and type's
    names, the tags by path): two extra statements for a page, not one per row."""
    return documents.select_related("correspondent", "document_type").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("path"))
    )


def cell(document: Document, column: str) -> str:
    """The text of ``column`` for ``document`` (read by ``with_columns``), as shown (dates
    as ISO dates)."""
    if column == "title":
        return document.title
    if column == "date":
        return document.document_date.isoformat() if document.document_date else ""
    if column == "correspondent":
        return document.correspondent.name if document.correspondent else ""
    if column == "type":
        return document.document_type.name if document.document_type else ""
    if column == "tags":
        return ", ".join(tag.path for tag in document.tags.all())
    if column == "pages":
        return str(document.page_count) if document.page_count else ""
    if column == "added":
        return document.created.date().isoformat()
    if column == "language":
        return document.language
    if column == "status":
        return document.get_status_display()
    return ""


def table_rows(documents: Iterable[Document], columns: Sequence[Column]) -> list[dict[str, Any]]:
    """One row per document: ``document`` and ``cells`` (values in the columns' order)."""
    return [{"document": d, "cells": [cell(d, c.name) for c in columns[1:]]} for d in documents]
