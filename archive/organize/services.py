"""The organize write services in one place: views, the API, the admin, bulk edit and the
worker import from here. Each lives in a small module named for what it changes.

Every service takes the acting ``owner`` and refuses another user's objects; bad input raises
``OrganizeError`` with a message for the user (never a 500).
"""

from __future__ import annotations

from archive.organize.assign import (
    document_metadata_update,
    document_set_tags,
    documents_add_tags,
    documents_remove_tags,
    documents_set_correspondent,
    documents_set_date,
    documents_set_document_type,
    documents_set_field,
)
from archive.organize.decisions import (
    document_suggestions_confirm_all,
    suggestion_confirm,
    suggestion_reject,
)
from archive.organize.errors import OrganizeError
from archive.organize.fields import (
    custom_field_create,
    custom_field_delete,
    custom_field_update,
    field_value_parse,
    field_value_show,
)
from archive.organize.notes import note_create, note_delete, note_update
from archive.organize.objects import (
    correspondent_create,
    correspondent_delete,
    correspondent_update,
    document_type_create,
    document_type_delete,
    document_type_update,
    tag_create,
    tag_delete,
    tag_for_path,
    tag_update,
)
from archive.organize.saved_views import saved_view_create, saved_view_delete, saved_view_update
from archive.organize.suggest import document_suggest
from archive.organize.training import classifier_mark_dirty, classifier_train

__all__ = [
    "OrganizeError",
    "classifier_mark_dirty",
    "classifier_train",
    "correspondent_create",
    "correspondent_delete",
    "correspondent_update",
    "custom_field_create",
    "custom_field_delete",
    "custom_field_update",
    "document_metadata_update",
    "document_set_tags",
    "document_suggest",
    "document_suggestions_confirm_all",
    "document_type_create",
    "document_type_delete",
    "document_type_update",
    "documents_add_tags",
    "documents_remove_tags",
    "documents_set_correspondent",
    "documents_set_date",
    "documents_set_document_type",
    "documents_set_field",
    "field_value_parse",
    "field_value_show",
    "note_create",
    "note_delete",
    "note_update",
    "saved_view_create",
    "saved_view_delete",
    "saved_view_update",
    "suggestion_confirm",
    "suggestion_reject",
    "tag_create",
    "tag_delete",
    "tag_for_path",
    "tag_update",
]
