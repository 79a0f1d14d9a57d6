"""The API's documents, pages and search: thin views over the selectors and the services.

Every document and page is read through ``archive.selectors``, which answers 404 for anything
the asking user may not see (``archive.sharing.access``), so another user's ids look exactly
like ids that do not exist; a change the user may not make to a document shared with them
answers 403. Writes go through the same services the web UI calls (``archive.uploads`` /
``archive.ingest``, ``archive.documents``); files through the responses the web UI also
serves them with (``archive.downloads``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive import selectors
from archive.api import serializers as s
from archive.api.document_ocr_files import OcrFileActions
from archive.api.facets import FILTER_PARAMETERS, filtered_documents
from archive.api.negotiation import FirstRenderer
from archive.api.replica import ReplicaReads
from archive.choices import library_ordering
from archive.documents import (
    document_delete,
    document_rename,
    document_rerun,
    document_set_password,
)
from archive.downloads import (
    PREPARING_REFRESH,
    original_response,
    page_file_response,
    searchable_pdf_response,
    thumbnail_name,
)
from archive.errors import UserError
from archive.exports import ExportPending, ExportUnavailable
from archive.models import Document, Page, storage_name
from archive.quotas import RETRY_AFTER_SECONDS, QueueFull
from archive.replica.requests import pin_user_to_primary
from archive.search import (
    QueryError,
    QueryTooExpensive,
    expand_typos,
    more_like_this,
    split_fields,
    visible_completions,
    visible_search_page,
)
from archive.sharing.access import Access
from archive.uploads import upload_headers, upload_status, uploads_take
from ocr.formats import SUPPORTED_TYPES

_WEBP = {(200, "image/webp"): OpenApiTypes.BINARY}


@extend_schema(tags=["documents"])
class DocumentViewSet(OcrFileActions, ReplicaReads, viewsets.GenericViewSet[Any]):
    """The user's documents. ``{id}`` of a document that is not the user's answers 404.
    The listing reads from the read replica, if there is one (``archive.api.replica``)."""

    replica_actions = frozenset({"list"})

    serializer_class = s.DocumentSerializer
    # Path converters (the router has use_regex_path=False): ids are integers in the schema.
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> Any:
        return selectors.document_list(user=self.request.user)

    def get_object(self, need: Access = Access.VIEW) -> Document:
        return selectors.document_get(user=self.request.user, pk=self.kwargs["pk"], need=need)

    def _page(self, number: int) -> Page:
        return selectors.page_get(
            user=self.request.user, document_pk=self.kwargs["pk"], number=number
        )

    def _document_response(self, document: Document, code: int = http.HTTP_200_OK) -> Response:
        # Re-read through the selector: the response shows the state after the change.
        fresh = selectors.document_get(user=self.request.user, pk=document.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="List documents",
        parameters=[s.DocumentListQuerySerializer, *FILTER_PARAMETERS],
        responses=s.DocumentSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        query = s.DocumentListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        documents = query.filters().apply(filtered_documents(request, self.get_queryset()))
        documents = documents.order_by(*library_ordering(query.validated_data["ordering"]))
        page = self.paginate_queryset(documents)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Upload one or many files",
        request={"multipart/form-data": s.UploadSerializer},
        responses={
            201: s.UploadResultSerializer,
            200: s.UploadResultSerializer,
            400: s.UploadResultSerializer,
            413: s.UploadResultSerializer,
            429: s.UploadResultSerializer,
            507: s.UploadResultSerializer,
        },
        description=(
            "Each file becomes a queued document, is found to be a duplicate of one the user "
            "has (that document is returned), is stored waiting for its PDF password, or is "
            "refused with a message. 201 when at least one new document was made, 200 when "
            "the files taken were all already there, 400 when every file was refused, 413 "
            "when every file was refused for its size (MAX_UPLOAD_MB), 429 (with Retry-After) "
            "when every file was refused by a per-user limit (OCR_QUEUED_PAGES_PER_USER: "
            "send it again once earlier documents are read), 507 when the archive's "
            "storage could not take any of them (full or unwritable: try again later)."
        ),
    )
    def create(self, request: Request) -> Response:
        upload = s.UploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        outcomes = uploads_take(
            owner=request.user,  # type: ignore[arg-type]
            scans=data["files"],
            ocr_files=data.get("ocr_file", []),
            language=data.get("language", ""),
            engine=data.get("engine", ""),
            password=data.get("password", ""),
        )
        code = upload_status(outcomes)
        if any(o.outcome.is_new for o in outcomes):
            code = http.HTTP_201_CREATED
        result = s.UploadResultSerializer(
            {"files": outcomes}, context=self.get_serializer_context()
        )
        return Response(result.data, status=code, headers=upload_headers(code))

    @extend_schema(summary="A document and its pages read so far")
    def retrieve(self, request: Request, pk: int) -> Response:
        detail = s.DocumentDetailSerializer(
            self.get_object(), context=self.get_serializer_context()
        )
        return Response(detail.data)

    @extend_schema(summary="Rename", request=s.RenameSerializer, responses=s.DocumentSerializer)
    def partial_update(self, request: Request, pk: int) -> Response:
        document = self.get_object(Access.EDIT)
        rename = s.RenameSerializer(data=request.data)
        rename.is_valid(raise_exception=True)
        document_rename(document, rename.validated_data["title"], actor=request.user)  # type: ignore[arg-type]
        return self._document_response(document)

    @extend_schema(summary="Delete the document and its files", responses={204: None})
    def destroy(self, request: Request, pk: int) -> Response:
        document_delete(self.get_object(Access.OWNER), actor=request.user)  # type: ignore[arg-type]
        return Response(status=http.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Status and pages read (for polling)", responses=s.DocumentStatusSerializer
    )
    @action(detail=True, methods=["get"])
    def status(self, request: Request, pk: int) -> Response:
        document = self.get_object()
        if document.is_finished:
            # The client now knows the text is there: its user's next search and listing
            # read from the primary until a lagging read replica has it too.
            pin_user_to_primary(request.user)
        return Response(s.DocumentStatusSerializer(document).data)

    @extend_schema(
        summary="Queue OCR again",
        description=(
            "429 (with Retry-After) when the pages to read would pass the user's limit of "
            "pages waiting for OCR (OCR_QUEUED_PAGES_PER_USER); nothing is changed then."
        ),
        request=s.RerunSerializer,
        responses={202: s.DocumentSerializer, 429: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def rerun(self, request: Request, pk: int) -> Response:
        document = self.get_object(Access.EDIT)
        options = s.RerunSerializer(data=request.data, context=self.get_serializer_context())
        options.is_valid(raise_exception=True)
        data = options.validated_data
        try:
            document_rerun(
                document,
                from_scratch=data["from_scratch"],
                language=data.get("language") or None,
                engine=data.get("engine") or None,
                force_ocr=data.get("force_ocr"),
                actor=request.user,  # type: ignore[arg-type]
            )
        except QueueFull as refusal:
            return _queue_full(refusal)
        return self._document_response(document, http.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Give the password of a protected PDF",
        description=(
            "400 when the password does not open the PDF; 429 (with Retry-After) when its "
            "pages would pass the user's limit of pages waiting for OCR (the password is not "
            "kept then: give it again later)."
        ),
        request=s.PasswordSerializer,
        responses={202: s.DocumentSerializer, 429: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def password(self, request: Request, pk: int) -> Response:
        document = self.get_object(Access.EDIT)
        given = s.PasswordSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            document_set_password(document, given.validated_data["password"])
        except QueueFull as refusal:
            return _queue_full(refusal)
        except UserError as error:
            return Response({"detail": str(error)}, status=http.HTTP_400_BAD_REQUEST)
        return self._document_response(document, http.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download the original file",
        responses={(200, mime): OpenApiTypes.BINARY for mime in sorted(SUPPORTED_TYPES)},
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FirstRenderer)
    def original(self, request: Request, pk: int) -> HttpResponseBase:
        return original_response(self.get_object())

    @extend_schema(
        summary="Download the searchable PDF",
        description=(
            "The scan with its recognised text as an invisible layer, built by the worker on "
            "the first request and then kept until the text changes. 202 with the progress "
            "(and Retry-After) while it is being prepared; 409 while the document is not done "
            "or when the PDF cannot be made."
        ),
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (202, "application/json"): OpenApiResponse(
                response=s.ExportPendingSerializer, description="Being prepared: ask again."
            ),
            (409, "application/json"): OpenApiResponse(
                response=s.DetailSerializer, description="Not done yet: no PDF to give."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="searchable-pdf",
        content_negotiation_class=FirstRenderer,
    )
    def searchable_pdf(self, request: Request, pk: int) -> HttpResponseBase:
        try:
            return searchable_pdf_response(self.get_object())
        except ExportPending as pending:
            return Response(
                {
                    "detail": str(pending),
                    "pages_done": pending.pages_done,
                    "pages": pending.pages,
                },
                status=http.HTTP_202_ACCEPTED,
                headers={"Retry-After": str(PREPARING_REFRESH)},
            )
        except ExportUnavailable as error:
            return Response({"detail": str(error)}, status=http.HTTP_409_CONFLICT)

    @extend_schema(
        summary="More like this",
        description=(
            "Up to 10 of the user's other documents sharing this one's most distinctive words "
            "(tf-idf), best first."
        ),
        responses=s.SimilarDocumentSerializer(many=True),
    )
    # A short list, not a page of results: no pagination (in the schema either).
    @action(detail=True, methods=["get"], pagination_class=None)
    def similar(self, request: Request, pk: int) -> Response:
        # Only those the user may see: a shared document does not open its owner's others.
        found = selectors.visible_only(request.user, more_like_this(self.get_object(), limit=10))
        context = self.get_serializer_context()
        return Response(s.SimilarDocumentSerializer(found, many=True, context=context).data)

    @extend_schema(
        summary="Pages with text, words and confidences", responses=s.PageSerializer(many=True)
    )
    @action(detail=True, methods=["get"])
    def pages(self, request: Request, pk: int) -> Response:
        pages = selectors.document_pages(self.get_object()).defer("search_vector")
        page = self.paginate_queryset(pages)
        context = self.get_serializer_context()
        return self.get_paginated_response(s.PageSerializer(page, many=True, context=context).data)

    @extend_schema(summary="One page", responses=s.PageSerializer)
    @action(detail=True, methods=["get"], url_path="pages/<int:number>", url_name="page")
    def page(self, request: Request, pk: int, number: int) -> Response:
        context = self.get_serializer_context()
        return Response(s.PageSerializer(self._page(number), context=context).data)

    @extend_schema(summary="A page's image (WebP)", responses=_WEBP)
    @action(
        detail=True,
        methods=["get"],
        url_path="pages/<int:number>/image",
        url_name="page-image",
        content_negotiation_class=FirstRenderer,
    )
    def page_image(self, request: Request, pk: int, number: int) -> HttpResponseBase:
        page = self._page(number)
        return page_file_response(request, page, storage_name(page.image))

    @extend_schema(summary="A page's thumbnail (WebP)", responses=_WEBP)
    @action(
        detail=True,
        methods=["get"],
        url_path="pages/<int:number>/thumbnail",
        url_name="page-thumbnail",
        content_negotiation_class=FirstRenderer,
    )
    def page_thumbnail(self, request: Request, pk: int, number: int) -> HttpResponseBase:
        page = self._page(number)
        return page_file_response(request, page, thumbnail_name(page))


class SearchView(ReplicaReads, APIView):
    """Search the user's documents with the web UI's syntax, filters and snippets (on the
    read replica, if there is one: ``archive.api.replica``)."""

    @extend_schema(
        tags=["search"],
        summary="Search",
        parameters=[s.SearchQuerySerializer],
        responses=s.SearchResultsSerializer,
    )
    def get(self, request: Request) -> Response:
        query = s.SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        number, size = data["page"], data["page_size"]
        try:
            # Field terms (tag:tax) narrow; rare or unknown words also find their close
            # spellings (unless exact=true).
            split = split_fields(data["q"])
            expansion = expand_typos(
                request.user.pk, split.text, expand=not data["exact"], viewer=request.user
            )
            # One more than a page tells whether there is a next page without counting all.
            # Every document the user may see: their own and those shared with them.
            results_page = visible_search_page(
                user=request.user,
                query=expansion.query_text,
                demote=expansion.alternatives,
                limit=size + 1,
                offset=(number - 1) * size,
                filters=replace(query.filters(), fields=split.groups),
                sort=data["sort"],
            )
        except (QueryTooExpensive, QueryError) as error:
            raise ValidationError({"q": [str(error)]}) from error
        hits = results_page.hits
        has_next = len(hits) > size and number < s.MAX_SEARCH_PAGE
        results = s.SearchResultsSerializer(
            {
                "count": results_page.total,
                "count_estimated": results_page.estimated,
                "page": number,
                "next": _page_link(request, number + 1) if has_next else None,
                "previous": _page_link(request, number - 1) if number > 1 else None,
                "results": hits[:size],
                "expansions": [
                    {"typed": typed, "found": found} for typed, found in expansion.expansions
                ],
                "suggestion": expansion.suggestion if not hits else None,
            },
            context={"request": request},
        )
        return Response(results.data)


class SuggestView(ReplicaReads, APIView):
    """Autocomplete: the user's own words completing the last word of the query (on the read
    replica, if there is one)."""

    @extend_schema(
        tags=["search"],
        summary="Complete the last word of a query",
        parameters=[s.SuggestQuerySerializer],
        responses=s.CompletionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = s.SuggestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        completions = visible_completions(request.user, query.validated_data["q"])
        return Response(s.CompletionSerializer(completions, many=True).data)


def _page_link(request: Request, number: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _queue_full(refusal: QueueFull) -> Response:
    """429 with ``Retry-After`` for work refused by the user's queue limit (``archive.quotas``),
    as for an upload refused so."""
    return Response(
        {"detail": str(refusal)},
        status=http.HTTP_429_TOO_MANY_REQUESTS,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )
