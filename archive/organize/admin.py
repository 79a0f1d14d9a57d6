"""Django admin for the organize models (staff only; mounted by ``archive.admin``).

Staff see every owner's objects, as with documents. Objects with a matching rule are saved
through the services' checks (a bad regular expression is a form error, never a 500); the owner
is chosen when an object is added and fixed afterwards, and a tag's parent must be the same
owner's. Rows users make in the app (notes, saved views, values, suggestions, the classifier)
are not added here: staff can read, correct and delete them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from archive.organize.errors import OrganizeError
from archive.organize.models import (
    COLOUR,
    TAG_SEPARATOR,
    Correspondent,
    CustomField,
    CustomFieldValue,
    DocumentType,
    Note,
    SavedView,
    StartPage,
    Suggestion,
    Tag,
    UserClassifier,
)
from archive.organize.rules import rule_check


class MatchingForm(forms.ModelForm[Any]):
    """Checks the rule and the name's uniqueness per owner as the services do."""

    allow_auto = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner = data.get("owner") or getattr(self.instance, "owner", None)
        try:
            data["match_pattern"] = rule_check(
                data.get("match_algorithm", ""),
                data.get("match_pattern", ""),
                allow_auto=self.allow_auto,
            )
        except OrganizeError as error:
            self.add_error(error.field or None, error.message)
        name = " ".join(str(data.get("name", "")).split())
        if owner is not None and name and not isinstance(self.instance, Tag):
            clash = type(self.instance)._default_manager.filter(owner=owner, name__iexact=name)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("name", f"This owner already has one named “{name}”.")
        return data


class CustomFieldForm(MatchingForm):
    allow_auto = False


class TagForm(MatchingForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        owner = data.get("owner") or getattr(self.instance, "owner", None)
        parent: Tag | None = data.get("parent")
        name = " ".join(str(data.get("name", "")).split())
        if TAG_SEPARATOR in name:
            self.add_error("name", f"A tag's name cannot hold “{TAG_SEPARATOR}”.")
        if parent is not None and owner is not None and parent.owner_id != owner.pk:
            self.add_error("parent", "The parent must be a tag of the same owner.")
        if (
            parent is not None
            and self.instance.pk
            and (
                parent.pk == self.instance.pk
                or parent.path.startswith(self.instance.path + TAG_SEPARATOR)
            )
        ):
            self.add_error("parent", "A tag cannot be put under itself or one of its tags.")
        try:
            COLOUR(data.get("colour", ""))
        except forms.ValidationError:
            self.add_error("colour", "A colour is written #rrggbb.")
        return data


class OwnedAdmin(admin.ModelAdmin[Any]):
    """The owner is chosen on add and read-only afterwards."""

    list_select_related = ("owner",)
    search_fields = ("name", "owner__username")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields if obj is None else ("owner", *fields)


@admin.register(Correspondent)
class CorrespondentAdmin(OwnedAdmin):
    form = MatchingForm
    list_filter = ("match_algorithm",)
    list_display = ("name", "owner", "match_algorithm", "match_pattern")


@admin.register(DocumentType)
class DocumentTypeAdmin(OwnedAdmin):
    form = MatchingForm
    list_filter = ("match_algorithm",)
    list_display = ("name", "owner", "match_algorithm", "match_pattern")


@admin.register(Tag)
class TagAdmin(OwnedAdmin):
    form = TagForm
    list_filter = ("match_algorithm",)
    list_display = ("path", "owner", "colour", "match_algorithm", "match_pattern")
    search_fields = ("path", "owner__username")
    raw_id_fields = ("parent",)
    readonly_fields = ("path",)

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        # The path of the tag and of every tag under it follows a rename or a move.
        from archive.organize.objects import tag_create, tag_update

        data = form.cleaned_data
        rule = {
            key: data[key]
            for key in ("match_algorithm", "match_pattern", "match_case_sensitive", "colour")
        }
        if change:
            fresh = Tag.objects.get(pk=obj.pk)
            tag_update(
                owner=fresh.owner, tag=fresh, name=data["name"], parent=data["parent"], **rule
            )
        else:
            created = tag_create(
                owner=data["owner"], name=data["name"], parent=data["parent"], **rule
            )
            obj.pk = created.pk


@admin.register(CustomField)
class CustomFieldAdmin(OwnedAdmin):
    form = CustomFieldForm
    list_display = ("name", "owner", "data_type", "suggest", "match_algorithm")
    list_filter = ("match_algorithm", "data_type", "suggest")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = tuple(super().get_readonly_fields(request, obj))
        # Values are stored by type: the type of a field with values stays.
        return fields if obj is None else (*fields, "data_type")


class UserRowAdmin(admin.ModelAdmin[Any]):
    """Rows users make in the app: staff read, correct and delete, never add."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CustomFieldValue)
class CustomFieldValueAdmin(UserRowAdmin):
    list_display = ("document", "field", "value_text", "value_number", "value_date")
    list_select_related = ("document", "field")
    search_fields = ("document__title", "field__name")
    readonly_fields = ("document", "field", "value_document")


@admin.register(Note)
class NoteAdmin(UserRowAdmin):
    list_display = ("document", "author", "created", "__str__")
    list_select_related = ("document", "author")
    search_fields = ("document__title", "text")
    readonly_fields = ("document", "author", "created", "updated")


@admin.register(SavedView)
class SavedViewAdmin(UserRowAdmin):
    list_display = ("name", "owner", "query", "show_on_dashboard", "show_in_sidebar", "position")
    list_select_related = ("owner",)
    search_fields = ("name", "owner__username")
    readonly_fields = ("owner",)


@admin.register(StartPage)
class StartPageAdmin(UserRowAdmin):
    """Read and delete only: the view must be the owner's, which the settings page checks."""

    list_display = ("owner", "page", "view")
    list_select_related = ("owner", "view")
    search_fields = ("owner__username",)
    readonly_fields = ("owner", "page", "view")


@admin.register(Suggestion)
class SuggestionAdmin(UserRowAdmin):
    list_display = ("document", "kind", "value_shown", "state", "reason", "created")
    list_filter = ("kind", "state")
    list_select_related = ("document", "correspondent", "document_type", "tag", "field")
    search_fields = ("document__title", "reason")
    fields = ("owner", "document", "key", "kind", "state", "value_shown", "reason", "confidence")
    readonly_fields = fields

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # decided by the document's owner only

    @admin.display(description="Value")
    def value_shown(self, obj: Suggestion) -> str:
        item = obj.correspondent or obj.document_type or obj.tag
        if item is not None:
            return str(item)
        return obj.value_date.isoformat() if obj.value_date else obj.value


@admin.register(UserClassifier)
class UserClassifierAdmin(UserRowAdmin):
    list_display = ("owner", "trained_on", "trained_at", "seconds", "dirty", "error")
    fields = ("owner", "trained_on", "trained_at", "seconds", "dirty", "error")
    readonly_fields = fields
    actions = ["retrain"]

    @admin.action(description="Retrain now (in the background)", permissions=["view"])
    def retrain(self, request: HttpRequest, queryset: QuerySet[UserClassifier]) -> None:
        from archive.organize.training import training_enqueue

        for row in queryset:
            training_enqueue(row.owner_id)
        self.message_user(request, f"{queryset.count()} training(s) queued.", messages.SUCCESS)
