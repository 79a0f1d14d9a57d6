"""The OCR service's endpoints: read a file without storing it, synchronously or as a job.

``POST /api/ocr/`` checks the file as an upload is checked and queues it for the workers; a
file of at most ``OCR_SYNC_MAX_PAGES`` pages is answered in the same request when the workers
finish within ``OCR_SYNC_WAIT_SECONDS`` (``200`` with the result), else, or with ``?async=1``,
the answer is ``202`` with the job to poll at ``GET /api/ocr/{id}/``. Jobs are visible to their
creator only (another user's id answers 404, as one that does not exist).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status as http
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from archive.api.ocr_serializers import (
    OcrJobSerializer,
    OcrQuerySerializer,
    OcrRequestSerializer,
    OcrSubmitQuerySerializer,
)
from archive.api.serializers import DetailSerializer
from archive.downloads import ocr_file_response
from archive.models import OcrJob
from archive.ocr_service import (
    OcrRequestRejected,
    job_file,
    job_json,
    ocr_job_get,
    ocr_job_submit,
    ocr_job_wait,
)
from archive.quotas import RETRY_AFTER_SECONDS

_FILES = {
    (200, "application/alto+xml"): OpenApiTypes.BINARY,
    (200, "text/vnd.hocr+html"): OpenApiTypes.BINARY,
    (200, "text/plain"): OpenApiTypes.STR,
}


def _detail(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=DetailSerializer, description=description)


@extend_schema(tags=["ocr"])
class OcrView(APIView):
    """Read a file with OCR without adding it to the archive."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Read a file (OCR) without storing it",
        description=(
            "The file gets an upload's checks (type by content, MAX_UPLOAD_MB, MAX_PAGES, "
            "page size). Small files (at most OCR_SYNC_MAX_PAGES pages) are answered at once "
            "(200) when the workers finish within OCR_SYNC_WAIT_SECONDS; otherwise, or with "
            "?async=1, the answer is 202 with a job to poll (its `url`, also in `Location`). "
            "?output= gives a finished result as text, hOCR or ALTO instead of JSON."
        ),
        request={"multipart/form-data": OcrRequestSerializer},
        parameters=[OcrSubmitQuerySerializer],
        responses={
            (200, "application/json"): OcrJobSerializer,
            **_FILES,
            202: OpenApiResponse(OcrJobSerializer, description="Queued: poll `url`."),
            413: _detail("The file is larger than MAX_UPLOAD_MB."),
            422: OpenApiResponse(OcrJobSerializer, description="Read, and failed: `error`."),
            429: _detail(
                "Too many of your jobs or pages are waiting (OCR_JOBS_PER_USER, "
                "OCR_QUEUED_PAGES_PER_USER); Retry-After says when to look again."
            ),
            507: _detail("The file could not be stored for reading: try again later."),
        },
    )
    def post(self, request: Request) -> Response | HttpResponse:
        query = OcrSubmitQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        form = OcrRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        try:
            job = ocr_job_submit(
                owner=request.user,  # type: ignore[arg-type]
                upload=upload,
                name=upload.name or "",
                engine=form.validated_data.get("engine", ""),
                language=form.validated_data.get("language", ""),
            )
        except OcrRequestRejected as error:
            headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if error.status == 429 else {}
            return Response({"detail": str(error)}, status=error.status, headers=headers)
        url = reverse("api:ocr-job", args=[job.pk], request=request)
        if not query.validated_data["async"] and job.page_count <= settings.OCR_SYNC_MAX_PAGES:
            job = ocr_job_wait(job, seconds=settings.OCR_SYNC_WAIT_SECONDS)
            if job.status == OcrJob.Status.DONE:
                return _answer(job, url, query.validated_data["output"])
            if job.status == OcrJob.Status.FAILED:
                return Response(job_json(job, url), status=http.HTTP_422_UNPROCESSABLE_ENTITY)
        return Response(
            job_json(job, url), status=http.HTTP_202_ACCEPTED, headers={"Location": url}
        )


@extend_schema(tags=["ocr"])
class OcrJobView(APIView):
    """One OCR job of the user's."""

    @extend_schema(
        summary="An OCR job: status, progress and result",
        description=(
            "Visible to its creator only, until `expires_at` (OCR_JOB_KEEP_SECONDS after it "
            "was sent). ?output= gives a done job's result as text, hOCR or ALTO (409 before)."
        ),
        parameters=[OcrQuerySerializer],
        responses={
            (200, "application/json"): OcrJobSerializer,
            **_FILES,
            409: _detail("?output= asked of a job that is not done."),
        },
    )
    def get(self, request: Request, job: uuid.UUID) -> Response | HttpResponse:
        found = ocr_job_get(user=request.user, job_id=job)
        query = OcrQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        url = reverse("api:ocr-job", args=[found.pk], request=request)
        output = query.validated_data["output"]
        if output != "json" and found.status != OcrJob.Status.DONE:
            return Response(
                {"detail": f"The job is {found.get_status_display().lower()}: no result yet."},
                status=http.HTTP_409_CONFLICT,
            )
        return _answer(found, url, output)


def _answer(job: OcrJob, url: str, output: str) -> Response | HttpResponse:
    if output == "json":
        return Response(job_json(job, url))
    return ocr_file_response(job_file(job, output))
