"""Serializers of the organize API (tags, correspondents, types, custom fields, saved views,
notes, document metadata, suggestions).

They shape and type-check input only; every rule (names, matching rules, typed values,
ownership) is checked by ``archive.organize.services``, whose ``OrganizeError`` the views turn
into a 400 on the field at fault.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from archive.organize.models import (
    Correspondent,
    CustomField,
    DocumentType,
    MatchAlgorithm,
    Note,
    SavedView,
    Suggestion,
    Tag,
)

_RULE = ["match_algorithm", "match_pattern", "match_case_sensitive"]


class _Rule(serializers.ModelSerializer[Any]):
    match_algorithm = serializers.ChoiceField(
        choices=MatchAlgorithm.choices, required=False, help_text="How the rule matches."
    )
    match_pattern = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, trim_whitespace=False
    )
    match_case_sensitive = serializers.BooleanField(required=False)


class CorrespondentSerializer(_Rule):
    class Meta:
        model = Correspondent
        fields = ["id", "name", *_RULE]


class DocumentTypeSerializer(_Rule):
    class Meta:
        model = DocumentType
        fields = ["id", "name", *_RULE]


class TagSerializer(_Rule):
    # DRF moves declared fields off the class, so "parent" does not shadow Field.parent.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_id",
        allow_null=True,
        required=False,
        min_value=1,
        help_text="Id of the parent tag, or null.",
    )
    colour = serializers.CharField(max_length=7, required=False, help_text="#rrggbb")

    class Meta:
        model = Tag
        fields = ["id", "name", "parent", "path", "colour", *_RULE]
        read_only_fields = ["path"]


class CustomFieldSerializer(_Rule):
    data_type = serializers.ChoiceField(choices=CustomField.DataType.choices)
    suggest = serializers.ChoiceField(
        choices=CustomField.Suggest.choices, required=False, allow_blank=True
    )
    select_options = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=500
    )
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)
    rename_options = serializers.DictField(
        child=serializers.CharField(max_length=200),
        required=False,
        write_only=True,
        help_text="On update: {old option: new option}; documents' values follow.",
    )

    class Meta:
        model = CustomField
        fields = [
            "id",
            "name",
            "data_type",
            "currency",
            "select_options",
            "suggest",
            "rename_options",
            *_RULE,
        ]


class SavedViewSerializer(serializers.ModelSerializer[SavedView]):
    columns = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=50
    )

    class Meta:
        model = SavedView
        fields = [
            "id",
            "name",
            "query",
            "sort",
            "columns",
            "show_on_dashboard",
            "show_in_sidebar",
            "position",
        ]
        extra_kwargs = {"position": {"min_value": -(2**31), "max_value": 2**31 - 1}}


class NoteSerializer(serializers.ModelSerializer[Note]):
    author = serializers.SerializerMethodField()
    text = serializers.CharField(max_length=20_000, trim_whitespace=False)

    class Meta:
        model = Note
        fields = ["id", "document", "author", "text", "created", "updated"]
        read_only_fields = ["document", "created", "updated"]

    def get_author(self, note: Note) -> str | None:
        return note.author.get_username() if note.author else None


class SuggestionSerializer(serializers.ModelSerializer[Suggestion]):
    value = serializers.SerializerMethodField(
        method_name="shown_value", help_text="The suggested value as shown."
    )

    class Meta:
        model = Suggestion
        fields = [
            "id",
            "document",
            "kind",
            "key",
            "state",
            "value",
            "value_date",
            "correspondent",
            "document_type",
            "tag",
            "field",
            "reason",
            "confidence",
            "created",
            "decided",
        ]
        read_only_fields = fields

    def shown_value(self, row: Suggestion) -> str:
        item = row.correspondent or row.document_type or row.tag
        if item is not None:
            return str(item)
        return row.value_date.isoformat() if row.value_date else row.value


class FieldValueSerializer(serializers.Serializer[Any]):
    field = serializers.IntegerField(min_value=1, help_text="Id of one of your custom fields.")
    value = serializers.JSONField(
        allow_null=True,
        help_text='In the field\'s type (see CustomField.data_type); null or "" clears.',
    )


class FieldValueOutSerializer(serializers.Serializer[Any]):
    field = serializers.IntegerField()
    name = serializers.CharField()
    data_type = serializers.CharField()
    value = serializers.CharField(help_text="As shown: 12.50 EUR, 2024-03-05, yes, #42 …")


class DocumentMetadataSerializer(serializers.Serializer[Any]):
    """A document's metadata as read (GET) and the changes a PATCH makes (omit what stays)."""

    document_date = serializers.DateField(allow_null=True, required=False)
    correspondent = serializers.IntegerField(allow_null=True, required=False, min_value=1)
    document_type = serializers.IntegerField(allow_null=True, required=False, min_value=1)
    tags = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="The full set of tag ids.",
    )
    custom_fields = FieldValueSerializer(many=True, required=False)


class NamedChoiceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TagChoiceSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    path = serializers.CharField(help_text="The full name (`Tax/2024`).")


class MetadataChoicesSerializer(serializers.Serializer[Any]):
    """The owner's existing names a user the document is shared with (to edit) may set."""

    tags = TagChoiceSerializer(many=True)
    correspondents = NamedChoiceSerializer(many=True)
    document_types = NamedChoiceSerializer(many=True)


class DocumentMetadataOutSerializer(serializers.Serializer[Any]):
    document_date = serializers.DateField(allow_null=True)
    correspondent = serializers.IntegerField(allow_null=True)
    document_type = serializers.IntegerField(allow_null=True)
    tags = serializers.ListField(child=serializers.IntegerField())
    custom_fields = FieldValueOutSerializer(
        many=True, help_text="The owner's custom fields (empty for an editor: the owner's own)."
    )
    suggestions = SuggestionSerializer(many=True, help_text="Open ones (the owner's only).")
    choices = MetadataChoicesSerializer(
        allow_null=True,
        help_text="For a user the document is shared with to edit: the owner's tags, "
        "correspondents and types, the only ones they may set. Null for the owner (whose "
        "own are listed by /api/tags/ and the like).",
    )
