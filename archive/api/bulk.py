"""REST API of bulk edit: ``POST /api/bulk-edits/`` starts one, ``GET /api/bulk-edits/{id}/``
tells how far it has got (``archive.organize.bulk_edit``)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, QueryDict
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework import status as http
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.downloads import zip_response
from archive.models import BulkEdit, Document
from archive.organize.bulk_download import FILES, bulk_download_plan, max_documents, zip_stream
from archive.organize.bulk_edit import MAX_DOCUMENTS, bulk_edit_create, bulk_edit_start
from archive.organize.errors import OrganizeError
from archive.organize.facets import FilterError, filter_from_params


class BulkEditRequestSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=BulkEdit.Action.choices)
    documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=MAX_DOCUMENTS,
        help_text="Ids of the documents to edit (or give `filter`).",
    )
    filter = serializers.DictField(
        required=False,
        help_text="Every document matching these library filter parameters (as for "
        'GET /api/documents/: {"tag": [3], "year": "2024"}); the matches when the edit starts.',
    )
    value = serializers.DictField(
        required=False,
        help_text='The action\'s value: {"tags": [ids]}, {"correspondent": id|null}, '
        '{"document_type": id|null}, {"date": "YYYY-MM-DD"|null}, {"field": id, "value": …}.',
    )
    confirm = serializers.BooleanField(
        default=False, help_text="Must be true to delete: deleting cannot be undone."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("documents" in attrs) == ("filter" in attrs):
            raise ValidationError(gettext("Give either `documents` or `filter`."))
        if attrs["action"] == BulkEdit.Action.DELETE and not attrs["confirm"]:
            raise ValidationError(
                {"confirm": [gettext("Deleting cannot be undone: send confirm=true.")]}
            )
        return attrs


class BulkEditSerializer(serializers.ModelSerializer[BulkEdit]):
    total = serializers.IntegerField(read_only=True)

    class Meta:
        model = BulkEdit
        fields = [
            "id",
            "action",
            "params",
            "status",
            "total",
            "done",
            "changed",
            "summary",
            "error",
            "created",
            "finished",
        ]


def _filter_ids(request: Request, params: dict[str, Any]) -> list[int]:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            query.appendlist(str(key), str(item))
    try:
        filt = filter_from_params(query)
        matching = filt.apply(request.user, Document.objects.filter(owner_id=request.user.pk))  # type: ignore[arg-type]
    except FilterError as error:
        raise ValidationError({"filter": [str(error)]}) from error
    return list(matching.order_by("pk").values_list("pk", flat=True))


def _selection(
    request: Request, serializer_class: type[serializers.Serializer[Any]]
) -> tuple[dict[str, Any], list[int]]:
    """Validate the request body with ``serializer_class`` (400 if it does not fit) and return
    its data with the ids it selects: ``documents`` as given, else the user's own documents
    matching ``filter`` now (``_filter_ids``). The serializer's ``validate`` makes sure exactly
    one of the two is given."""
    given = serializer_class(data=request.data)
    given.is_valid(raise_exception=True)
    data = dict(given.validated_data)
    ids = data["documents"] if "documents" in data else _filter_ids(request, data["filter"])
    return data, ids


class BulkEditsView(APIView):
    """Start a bulk edit of the user's documents."""

    @extend_schema(
        tags=["documents"],
        summary="Edit many documents",
        request=BulkEditRequestSerializer,
        responses={202: BulkEditSerializer},
        description="Small selections are applied before the answer; larger ones in the "
        "background, one transaction per batch: poll the edit until `status` is done or "
        "failed (`error` says at which batch; nothing of that batch is applied).",
    )
    def post(self, request: Request) -> Response:
        data, ids = _selection(request, BulkEditRequestSerializer)
        try:
            edit = bulk_edit_create(
                owner=request.user,  # type: ignore[arg-type]
                action=data["action"],
                documents=ids,
                value=data.get("value") or {},
            )
        except OrganizeError as error:
            raise ValidationError({error.field or "value": [str(error)]}) from error
        bulk_edit_start(edit)
        edit.refresh_from_db()
        return Response(BulkEditSerializer(edit).data, status=http.HTTP_202_ACCEPTED)


class BulkEditView(APIView):
    """One of the user's bulk edits; another user's answers 404."""

    @extend_schema(
        tags=["documents"], summary="A bulk edit's progress", responses=BulkEditSerializer
    )
    def get(self, request: Request, pk: int) -> Response:
        edit = BulkEdit.objects.filter(pk=pk, owner_id=request.user.pk).first()
        if edit is None:
            raise Http404("No such bulk edit.")
        return Response(BulkEditSerializer(edit).data)


class BulkDownloadRequestSerializer(serializers.Serializer[Any]):
    documents = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Ids of the documents to download (or give `filter`).",
    )
    filter = serializers.DictField(
        required=False,
        help_text="Every document matching these library filter parameters (as for "
        'GET /api/documents/: {"tag": [3], "year": "2024"}).',
    )
    files = serializers.ChoiceField(
        choices=FILES,
        default="originals",
        help_text="`originals`; `searchable` (the searchable PDF where built, else the "
        "original); `both` (folders `originals/` and `searchable/`).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("documents" in attrs) == ("filter" in attrs):
            raise ValidationError(gettext("Give either `documents` or `filter`."))
        return attrs


class BulkDownloadView(APIView):
    """Many of the user's documents as one zip."""

    @extend_schema(
        tags=["documents"],
        summary="Download many documents as a zip",
        request=BulkDownloadRequestSerializer,
        responses={(200, "application/zip"): bytes},
        description="The zip is streamed as it is written. Only your documents: an id that is "
        "not one of yours (or no longer exists) refuses the whole download (400). At most "
        f"{max_documents():,} documents and BULK_DOWNLOAD_MAX_BYTES of files (default 2 GiB) "
        "per zip; more answers 400 with the limit and the size chosen. A `README.txt` in the "
        "zip names documents without a searchable PDF and files missing from storage.",
    )
    def post(self, request: Request) -> Any:
        data, ids = _selection(request, BulkDownloadRequestSerializer)
        try:
            plan = bulk_download_plan(
                owner=request.user,  # type: ignore[arg-type]
                documents=ids,
                files=data["files"],
            )
        except OrganizeError as error:
            raise ValidationError({error.field or "documents": [str(error)]}) from error
        return zip_response(zip_stream(plan), len(plan.entries))
