"""The OCR file downloads of a document and of one page (hOCR, ALTO), as ``DocumentViewSet``
actions: ``/api/documents/{id}/ocr/{fmt}/`` and ``/api/documents/{id}/pages/{n}/ocr/{fmt}/``.

Access goes through the view set's ``get_object``/``_page`` (``archive.selectors``): another
user's ids answer 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from archive.api import serializers as s
from archive.api.negotiation import FirstRenderer
from archive.downloads import ocr_file_response
from archive.exports import ExportUnavailable
from archive.models import Document, Page
from archive.ocr_files import OCR_FILE_FORMATS, document_ocr_file, page_ocr_file

#: The ``{fmt}`` of the OCR file downloads, and what they answer.
_FMT = OpenApiParameter(
    "fmt",
    str,
    OpenApiParameter.PATH,
    enum=list(OCR_FILE_FORMATS),
    description="hocr (hOCR 1.2, XHTML) or alto (ALTO XML 4.4)",
)
_OCR_FILES = {
    (200, "application/alto+xml"): OpenApiTypes.BINARY,
    (200, "text/vnd.hocr+html"): OpenApiTypes.BINARY,
}


class OcrFileActions:
    """Mixed into ``DocumentViewSet``, which provides the access-checked lookups below."""

    def get_object(self) -> Document:
        raise NotImplementedError

    def _page(self, number: int) -> Page:
        raise NotImplementedError

    @extend_schema(
        summary="Download the text as hOCR or ALTO",
        description=(
            "Every page's words with their boxes (pixels of the page images) and confidences, "
            "in reading order, with the corrections made in review. 409 while the document is "
            "not done."
        ),
        parameters=[_FMT],
        responses={
            **_OCR_FILES,
            (409, "application/json"): OpenApiResponse(
                response=s.DetailSerializer, description="Not done yet: no file to give."
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="ocr/<str:fmt>",
        url_name="ocr-file",
        content_negotiation_class=FirstRenderer,
    )
    def ocr_file(self, request: Request, pk: int, fmt: str) -> HttpResponse | Response:
        document = self.get_object()
        if fmt not in OCR_FILE_FORMATS:
            raise NotFound("No such format.")
        try:
            return ocr_file_response(document_ocr_file(document, fmt))
        except ExportUnavailable as error:
            return Response({"detail": str(error)}, status=http.HTTP_409_CONFLICT)

    @extend_schema(
        summary="Download one page's text as hOCR or ALTO",
        parameters=[_FMT],
        responses=_OCR_FILES,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="pages/<int:number>/ocr/<str:fmt>",
        url_name="page-ocr-file",
        content_negotiation_class=FirstRenderer,
    )
    def page_ocr_file(self, request: Request, pk: int, number: int, fmt: str) -> HttpResponse:
        page = self._page(number)
        if fmt not in OCR_FILE_FORMATS:
            raise NotFound("No such format.")
        return ocr_file_response(page_ocr_file(page, fmt))
