"""REST API of browsing: the library's filter parameters (``archive.organize.facets``) on the
document list, and the facet counts under a filter (``GET /api/documents/facets/``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.replica import ReplicaReads
from archive.organize.facets import FilterError, LibraryFilter, facet_counts, filter_from_params
from archive.sharing.access import SCOPES, scoped_documents, visible_documents

#: The filter parameters, for the OpenAPI schema of every endpoint that takes them.
FILTER_PARAMETERS = [
    OpenApiParameter(
        "whose",
        str,
        enum=["mine", "shared"],
        description="`mine`: the user's own documents only; `shared`: only those others "
        "share with the user (or a group of theirs). Default: both.",
    ),
    OpenApiParameter(
        "tag",
        int,
        many=True,
        description="A tag's id (repeatable: all must be on the document; a tag counts its "
        "descendants).",
    ),
    OpenApiParameter(
        "correspondent",
        str,
        many=True,
        description="A correspondent's id, or `none` (repeatable: any of them).",
    ),
    OpenApiParameter(
        "type", str, many=True, description="A document type's id, or `none` (repeatable)."
    ),
    OpenApiParameter("year", str, description="Year of the document date, or `none` (no date)."),
    OpenApiParameter("month", int, description="Month (1-12) of the document date; with year."),
    OpenApiParameter(
        "field",
        str,
        many=True,
        description="`<field id>` (has a value) or `<field id>:<value>` (repeatable: all).",
    ),
    OpenApiParameter(
        "q", str, description="Search-box field terms, e.g. `tag:tax date:2023-01..2023-06`."
    ),
]


def library_filter(request: Request) -> LibraryFilter:
    """The filter in the request's query parameters; a 400 with the message if malformed."""
    try:
        return filter_from_params(request.query_params)
    except FilterError as error:
        raise ValidationError({"filter": [str(error)]}) from error


def filtered_documents(request: Request, documents: Any) -> Any:
    """``documents`` (the user's) narrowed by the request's filter parameters."""
    whose = request.query_params.get("whose", "")
    if whose in SCOPES and whose:
        documents = documents.filter(pk__in=scoped_documents(request.user, whose).values("pk"))
    try:
        return library_filter(request).apply(request.user, documents)  # type: ignore[arg-type]
    except FilterError as error:
        raise ValidationError({"filter": [str(error)]}) from error


class FacetCountSerializer(serializers.Serializer[Any]):
    value = serializers.CharField(allow_null=True, help_text="The value; null: none set.")
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField(help_text="Documents matching the filter (exact).")
    estimated = serializers.BooleanField(
        help_text="True: the counts are scaled from an even sample (more matches than "
        "FACET_COUNT_LIMIT); show them as approximate."
    )
    correspondent = FacetCountSerializer(many=True)
    type = FacetCountSerializer(many=True)
    year = FacetCountSerializer(many=True)
    month = FacetCountSerializer(many=True, help_text="Values are YYYY-MM.")
    language = FacetCountSerializer(many=True)
    status = FacetCountSerializer(many=True)
    tag = FacetCountSerializer(many=True, help_text="Values are tag ids.")
    field = FacetCountSerializer(many=True, help_text="Values are `<id>` or `<id>:<value>`.")


def _rows(counts: dict[Any, int], show: Any = str) -> list[dict[str, Any]]:
    return [
        {"value": None if value is None else show(value), "count": count}
        for value, count in sorted(counts.items(), key=lambda kv: -kv[1])
    ]


class FacetsView(ReplicaReads, APIView):
    """Facet counts of the user's documents under a filter (on the read replica, if there is
    one: ``archive.api.replica``)."""

    @extend_schema(
        tags=["documents"],
        summary="Facet counts under a filter",
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("language", str),
            OpenApiParameter("status", str),
        ],
        responses=FacetsSerializer,
    )
    def get(self, request: Request) -> Response:
        matching = filtered_documents(request, visible_documents(request.user))
        facets = facet_counts(request.user, matching)  # type: ignore[arg-type]
        columns = facets.columns
        months = {
            (f"{y:04d}-{m:02d}" if y is not None else None): count
            for (y, m), count in columns["month"].items()
        }
        data = {
            "total": facets.total,
            "estimated": facets.estimated,
            "correspondent": _rows(columns["correspondent"]),
            "type": _rows(columns["type"]),
            "year": _rows(columns["year"]),
            "month": _rows(months),
            "language": _rows(columns["language"]),
            "status": _rows(columns["status"]),
            "tag": _rows(facets.tags),
            "field": _rows(
                {(f if v is None else f"{f}:{v}"): c for (f, v), c in facets.fields.items()}
            ),
        }
        return Response(FacetsSerializer(data).data)
