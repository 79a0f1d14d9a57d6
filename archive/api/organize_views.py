"""The organize API: CRUD of a user's tags, correspondents, document types, custom fields,
saved views and notes; a document's metadata; suggestions with accept/reject.

Thin views: reads through ``archive.organize.selectors`` (another user's ids answer 404 like
ids that do not exist), writes through ``archive.organize.services`` (bad input answers 400
with the field at fault, never a 500).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model, QuerySet
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status as http
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import selectors as document_selectors
from archive.api import organize_serializers as s
from archive.api.serializers import DetailSerializer
from archive.organize import selectors, services
from archive.organize.errors import OrganizeError
from archive.organize.models import Suggestion
from archive.sharing.access import Access
from archive.sharing.history import metadata_recorded


def _owner(request: Request) -> AbstractBaseUser:
    """The signed-in user (every view here requires one: IsAuthenticated)."""
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    return user


@contextmanager
def _as_400() -> Iterator[None]:
    """A service's ``OrganizeError`` as the API's 400: on its field, or as ``detail``."""
    try:
        yield
    except OrganizeError as error:
        raise ValidationError(
            {error.field: [error.message]} if error.field else {"detail": error.message}
        ) from error


class _Owned(viewsets.GenericViewSet[Any]):
    """List, create, read, change (PATCH) and delete one kind of the user's objects."""

    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    list_of: ClassVar[Callable[..., QuerySet[Any]]]
    get_one: ClassVar[Callable[..., Any]]

    def get_queryset(self) -> QuerySet[Any]:
        return type(self).list_of(user=self.request.user)

    def get_object(self) -> Any:
        return type(self).get_one(user=self.request.user, pk=self.kwargs["pk"])

    def _valid(self, data: Any, *, partial: bool) -> dict[str, Any]:
        serializer = self.get_serializer(data=data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _out(self, item: Model, code: int = http.HTTP_200_OK) -> Response:
        return Response(
            self.get_serializer(type(self).get_one(user=self.request.user, pk=item.pk)).data, code
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        with _as_400():
            item = self._create(self._valid(request.data, partial=False))
        return self._out(item, http.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        with _as_400():
            self._update(item, self._valid(request.data, partial=True))
        return self._out(item)

    def destroy(self, request: Request, pk: int) -> Response:
        item = self.get_object()
        with _as_400():
            self._delete(item)
        return Response(status=http.HTTP_204_NO_CONTENT)

    def _create(self, data: dict[str, Any]) -> Model:
        raise NotImplementedError

    def _update(self, item: Any, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def _delete(self, item: Any) -> None:
        raise NotImplementedError


def _crud_schema(tag: str, what: str) -> Callable[[type], type]:
    return extend_schema_view(
        list=extend_schema(summary=f"List your {what}s", tags=[tag]),
        create=extend_schema(summary=f"Create a {what}", tags=[tag]),
        retrieve=extend_schema(summary=f"One {what}", tags=[tag]),
        partial_update=extend_schema(summary=f"Change a {what}", tags=[tag]),
        destroy=extend_schema(summary=f"Delete a {what}", tags=[tag], responses={204: None}),
    )


@_crud_schema("organize", "correspondent")
class CorrespondentViewSet(_Owned):
    serializer_class = s.CorrespondentSerializer
    list_of = selectors.correspondent_list
    get_one = selectors.correspondent_get

    def _create(self, data: dict[str, Any]) -> Model:
        return services.correspondent_create(owner=_owner(self.request), **data)

    def _update(self, item: Any, data: dict[str, Any]) -> None:
        services.correspondent_update(owner=_owner(self.request), correspondent=item, **data)

    def _delete(self, item: Any) -> None:
        services.correspondent_delete(owner=_owner(self.request), correspondent=item)


@_crud_schema("organize", "document type")
class DocumentTypeViewSet(_Owned):
    serializer_class = s.DocumentTypeSerializer
    list_of = selectors.document_type_list
    get_one = selectors.document_type_get

    def _create(self, data: dict[str, Any]) -> Model:
        return services.document_type_create(owner=_owner(self.request), **data)

    def _update(self, item: Any, data: dict[str, Any]) -> None:
        services.document_type_update(owner=_owner(self.request), document_type=item, **data)

    def _delete(self, item: Any) -> None:
        services.document_type_delete(owner=_owner(self.request), document_type=item)


@_crud_schema("organize", "tag")
class TagViewSet(_Owned):
    """Tags nest through ``parent``; ``path`` is the full name (``Tax/2024``). Deleting a tag
    deletes the tags under it (documents keep everything else)."""

    serializer_class = s.TagSerializer
    list_of = selectors.tag_list
    get_one = selectors.tag_get

    def _parent(self, data: dict[str, Any]) -> None:
        if "parent_id" in data:
            data["parent"] = data.pop("parent_id")
        if data.get("parent") is not None:
            found = selectors.tag_list(user=self.request.user).filter(pk=data["parent"]).first()
            if found is None:
                raise OrganizeError(gettext("No such tag."), field="parent")
            data["parent"] = found

    def _create(self, data: dict[str, Any]) -> Model:
        self._parent(data)
        return services.tag_create(owner=_owner(self.request), **data)

    def _update(self, item: Any, data: dict[str, Any]) -> None:
        self._parent(data)
        services.tag_update(owner=_owner(self.request), tag=item, **data)

    def _delete(self, item: Any) -> None:
        services.tag_delete(owner=_owner(self.request), tag=item)


@_crud_schema("organize", "custom field")
class CustomFieldViewSet(_Owned):
    serializer_class = s.CustomFieldSerializer
    list_of = selectors.custom_field_list
    get_one = selectors.custom_field_get

    def _create(self, data: dict[str, Any]) -> Model:
        data.pop("rename_options", None)
        return services.custom_field_create(owner=_owner(self.request), **data)

    def _update(self, item: Any, data: dict[str, Any]) -> None:
        services.custom_field_update(owner=_owner(self.request), field=item, **data)

    def _delete(self, item: Any) -> None:
        services.custom_field_delete(owner=_owner(self.request), field=item)


@_crud_schema("organize", "saved view")
class SavedViewViewSet(_Owned):
    serializer_class = s.SavedViewSerializer
    list_of = selectors.saved_view_list
    get_one = selectors.saved_view_get

    def _create(self, data: dict[str, Any]) -> Model:
        return services.saved_view_create(owner=_owner(self.request), **data)

    def _update(self, item: Any, data: dict[str, Any]) -> None:
        services.saved_view_update(owner=_owner(self.request), view=item, **data)

    def _delete(self, item: Any) -> None:
        services.saved_view_delete(owner=_owner(self.request), view=item)


_DOCUMENT = OpenApiParameter(
    "document", int, required=False, description="Only those of this document."
)


@extend_schema_view(
    list=extend_schema(summary="List your notes", tags=["organize"], parameters=[_DOCUMENT]),
    create=extend_schema(
        summary="Add a note to a document",
        tags=["organize"],
        parameters=[OpenApiParameter("document", int, required=True, description="The document.")],
        responses={
            201: s.NoteSerializer,
            404: OpenApiResponse(
                response=DetailSerializer, description="No such document of yours."
            ),
        },
    ),
    retrieve=extend_schema(summary="One note", tags=["organize"]),
    partial_update=extend_schema(summary="Change a note", tags=["organize"]),
    destroy=extend_schema(summary="Delete a note", tags=["organize"], responses={204: None}),
)
class NoteViewSet(_Owned):
    """Notes on your documents. Create with ``?document={id}``."""

    serializer_class = s.NoteSerializer
    get_one = selectors.note_get

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.note_list(
            user=self.request.user, document_id=_document_param(self.request)
        )

    def _create(self, data: dict[str, Any]) -> Model:
        document = _document_param(self.request)
        if document is None:
            raise OrganizeError(gettext("Say which document: ?document={id}."), field="document")
        # 404 for a document that is not the user's, as everywhere.
        document_selectors.document_get(user=self.request.user, pk=document, need=Access.OWNER)
        return services.note_create(
            owner=_owner(self.request), document_id=document, text=data["text"]
        )

    def _update(self, item: Any, data: dict[str, Any]) -> None:
        if "text" in data:
            services.note_update(owner=_owner(self.request), note=item, text=data["text"])

    def _delete(self, item: Any) -> None:
        services.note_delete(owner=_owner(self.request), note=item)


def _document_param(request: Request) -> int | None:
    raw = request.query_params.get("document")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({"document": [gettext("A document id is a number.")]}) from None
    if not 0 < value < 2**63:
        raise ValidationError({"document": [gettext("No such document.")]})
    return value


@extend_schema_view(
    list=extend_schema(
        summary="Suggestions (open ones unless ?state= says otherwise)",
        tags=["organize"],
        parameters=[
            _DOCUMENT,
            OpenApiParameter("state", str, enum=[*Suggestion.State.values, "all"], required=False),
        ],
    ),
    retrieve=extend_schema(summary="One suggestion", tags=["organize"]),
)
class SuggestionViewSet(viewsets.GenericViewSet[Suggestion]):
    """Values the suggestion step applied, marked until you accept or reject them."""

    serializer_class = s.SuggestionSerializer
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Any]:
        state = self.request.query_params.get("state", Suggestion.State.SUGGESTED)
        if state not in [*Suggestion.State.values, "all"]:
            raise ValidationError(
                {"state": [gettext("Choose suggested, confirmed, rejected or all.")]}
            )
        return selectors.suggestion_list(
            user=self.request.user,
            document_id=_document_param(self.request),
            state=None if state == "all" else state,
        )

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(
            self.get_serializer(selectors.suggestion_get(user=request.user, pk=pk)).data
        )

    @extend_schema(summary="Accept: keep the value as yours", tags=["organize"], request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: int) -> Response:
        row = selectors.suggestion_get(user=request.user, pk=pk)
        with _as_400():
            row = services.suggestion_confirm(owner=_owner(request), suggestion=row)
        return Response(self.get_serializer(row).data)

    @extend_schema(
        summary="Reject: clear the value; it is not suggested again",
        tags=["organize"],
        request=None,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: int) -> Response:
        row = selectors.suggestion_get(user=request.user, pk=pk)
        # Rejecting clears the value: a change of the document's metadata, in its history.
        with _as_400(), metadata_recorded(row.document, actor=_owner(request)):
            row = services.suggestion_reject(owner=_owner(request), suggestion=row)
        return Response(self.get_serializer(row).data)


class DocumentMetadataView(APIView):
    """A document's date, correspondent, type, tags, custom fields and open suggestions.

    With the document page's rules (``archive.views.organize``): its owner reads and changes
    all of it; a user it is shared with to edit reads and sets its date, correspondent, type
    and tags from the owner's existing ones (listed in ``choices``), never makes one in the
    owner's namespace (an id that is not the owner's answers 400) and neither reads nor sets
    the owner's custom fields (403); a viewer gets 403, anyone else 404. Every change is a
    line in the document's history with who made it."""

    http_method_names = ["get", "patch", "head", "options"]

    def _out(self, request: Request, pk: int) -> Response:
        document = document_selectors.document_get(user=request.user, pk=pk, need=Access.EDIT)
        if document.access == Access.OWNER:  # type: ignore[attr-defined]
            meta = selectors.document_metadata(user=request.user, document=document)
            tags = [tag.pk for tag in meta.tags]
            fields = [
                {
                    "field": shown.field.pk,
                    "name": shown.field.name,
                    "data_type": shown.field.data_type,
                    "value": shown.shown,
                }
                for shown in meta.fields
                if shown.value is not None
            ]
            suggestions, choices = list(meta.suggestions.values()), None
        else:
            owner = document.owner
            tags = list(document.tags.order_by("path").values_list("pk", flat=True))
            fields, suggestions = [], []
            choices = {
                "tags": selectors.tag_list(user=owner).values("id", "path"),
                "correspondents": selectors.correspondent_list(user=owner).values("id", "name"),
                "document_types": selectors.document_type_list(user=owner).values("id", "name"),
            }
        return Response(
            s.DocumentMetadataOutSerializer(
                {
                    "document_date": document.document_date,
                    "correspondent": document.correspondent_id,
                    "document_type": document.document_type_id,
                    "tags": tags,
                    "custom_fields": fields,
                    "suggestions": suggestions,
                    "choices": choices,
                }
            ).data
        )

    @extend_schema(
        tags=["organize"],
        summary="A document's metadata",
        description="For its owner, or a user it is shared with to edit (403 for a viewer).",
        responses=s.DocumentMetadataOutSerializer,
    )
    def get(self, request: Request, pk: int) -> Response:
        return self._out(request, pk)

    @extend_schema(
        tags=["organize"],
        summary="Change a document's metadata",
        description=(
            "Send only what changes; null clears. What you set is yours: an open suggestion "
            "for it is accepted (same value) or rejected (another value), and no later "
            "suggestion overwrites it. All or nothing. A user the document is shared with to "
            "edit sets the date, correspondent, type and tags to the owner's existing ones "
            "(`choices` of the GET): any other id answers 400, custom fields 403; a viewer "
            "gets 403. Each change is a line in the document's history."
        ),
        request=s.DocumentMetadataSerializer,
        responses=s.DocumentMetadataOutSerializer,
    )
    def patch(self, request: Request, pk: int) -> Response:
        document = document_selectors.document_get(user=request.user, pk=pk, need=Access.EDIT)
        given = s.DocumentMetadataSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        # The metadata is in the owner's vocabulary, whoever sets it.
        owner = document.owner
        editor = document.access != Access.OWNER  # type: ignore[attr-defined]
        if editor and "custom_fields" in data:
            raise PermissionDenied(gettext("Only the owner sets a document's custom fields."))
        changes: dict[str, Any] = {}
        with _as_400():
            if "document_date" in data:
                changes["document_date"] = data["document_date"]
            if "correspondent" in data:
                changes["correspondent"] = _mine(
                    selectors.correspondent_list(user=owner),
                    data["correspondent"],
                    "correspondent",
                    editor=editor,
                )
            if "document_type" in data:
                changes["document_type"] = _mine(
                    selectors.document_type_list(user=owner),
                    data["document_type"],
                    "document_type",
                    editor=editor,
                )
            if "tags" in data:
                wanted = set(data["tags"])
                tags = list(selectors.tag_list(user=owner).filter(pk__in=wanted))
                if len(tags) != len(wanted):
                    raise OrganizeError(_refusal("tags", editor=editor), field="tags")
                changes["tags"] = tags
            if data.get("custom_fields"):
                fields = {f.pk: f for f in selectors.custom_field_list(user=owner)}
                changes["fields"] = {}
                for entry in data["custom_fields"]:
                    if entry["field"] not in fields:
                        raise OrganizeError(gettext("No such custom field."), field="custom_fields")
                    changes["fields"][fields[entry["field"]]] = entry["value"]
            with metadata_recorded(document, actor=_owner(request)):
                services.document_metadata_update(owner=owner, document_id=document.pk, **changes)
        return self._out(request, pk)


def _refusal(field: str, *, editor: bool) -> str:
    """The 400's words for an id that is none of the owner's: for an editor, why (they may
    have sent one of their own, or meant to make a new one)."""
    if editor:
        return {
            "tags": gettext(
                "Choose among the owner's existing tags (choices.tags): only the owner makes "
                "new ones."
            ),
            "correspondent": gettext(
                "Choose among the owner's existing correspondents (choices.correspondents): "
                "only the owner makes new ones."
            ),
            "document_type": gettext(
                "Choose among the owner's existing document types (choices.document_types): "
                "only the owner makes new ones."
            ),
        }[field]
    return {
        "tags": "No such tag.",
        "correspondent": "No such correspondent.",
        "document_type": "No such document type.",
    }[field]


def _mine(queryset: QuerySet[Any], pk: int | None, field: str, *, editor: bool) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise OrganizeError(_refusal(field, editor=editor), field=field)
    return found


__all__ = [
    "CorrespondentViewSet",
    "CustomFieldViewSet",
    "DocumentMetadataView",
    "DocumentTypeViewSet",
    "NoteViewSet",
    "SavedViewViewSet",
    "SuggestionViewSet",
    "TagViewSet",
]
