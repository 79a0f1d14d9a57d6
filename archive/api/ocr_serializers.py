"""Request and response shapes of the OCR service (``POST /api/ocr/``, ``GET /api/ocr/{id}/``).

The responses are built as plain dicts (``archive.ocr_service.results``); these serializers
validate the request and describe the responses in the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from archive.api.serializers import refuse_unreadable_language
from archive.languages import UPLOAD_LANGUAGE_CHOICES
from archive.models import OcrJob
from archive.ocr_service import OUTPUTS
from ocr.engines import available_engines


class OcrRequestSerializer(serializers.Serializer[Any]):
    """A multipart request: the file, and optionally the engine and the language."""

    file = serializers.FileField(
        allow_empty_file=True,  # refused by the service, with the upload's message
        use_url=False,
        help_text="PNG, JPEG, TIFF (also multi-page), WebP, BMP, GIF, HEIC, PDF.",
    )
    engine = serializers.ChoiceField(
        choices=[],
        required=False,
        allow_blank=True,
        help_text='An OCR engine that runs here, or "auto" (the default: the best measured '
        "for the language).",
    )
    language = serializers.ChoiceField(
        choices=UPLOAD_LANGUAGE_CHOICES,
        required=False,
        allow_blank=True,
        help_text='The text\'s language; "detect" (the default) finds it from the text.',
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engine = self.fields["engine"]
        assert isinstance(engine, serializers.ChoiceField)
        engine.choices = ["auto", *available_engines()]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return refuse_unreadable_language(attrs)


class OcrQuerySerializer(serializers.Serializer[Any]):
    output = serializers.ChoiceField(
        choices=list(OUTPUTS),
        required=False,
        default="json",
        help_text="The result as JSON (default), plain text, hOCR or ALTO XML 4.",
    )


class OcrSubmitQuerySerializer(OcrQuerySerializer):
    # The query parameter is "async", a Python keyword: set in the class namespace by name.
    locals()["async"] = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Answer at once with the job to poll, whatever the file's size.",
    )


class OcrWordSerializer(serializers.Serializer[Any]):
    text = serializers.CharField()
    box = serializers.ListField(
        child=serializers.IntegerField(), min_length=4, max_length=4, help_text="x0, y0, x1, y1"
    )
    confidence = serializers.FloatField()


class OcrPageSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    confidence = serializers.FloatField()
    engine = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    origin = serializers.ChoiceField(choices=["ocr", "text", "mixed"])
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    seconds = serializers.FloatField(help_text="The engine's time for this page.")
    evaluation = serializers.BooleanField()
    words = OcrWordSerializer(many=True)


class OcrTimingsSerializer(serializers.Serializer[Any]):
    engine_seconds = serializers.FloatField()
    waited_seconds = serializers.FloatField(
        allow_null=True, help_text="From the request to a worker starting on it."
    )
    total_seconds = serializers.FloatField(allow_null=True)


class OcrResultSerializer(serializers.Serializer[Any]):
    engine = serializers.CharField()
    language = serializers.CharField(help_text="As asked, or as detected from the text.")
    text = serializers.CharField(allow_blank=True, help_text="Pages joined by a form feed line.")
    pages = OcrPageSerializer(many=True)
    timings = OcrTimingsSerializer()


class OcrProgressSerializer(serializers.Serializer[Any]):
    pages_done = serializers.IntegerField()
    page_count = serializers.IntegerField()


class OcrJobSerializer(serializers.Serializer[Any]):
    """An OCR job: its state, and its result once done."""

    id = serializers.UUIDField()
    url = serializers.URLField(help_text="Where to poll it.")
    status = serializers.ChoiceField(choices=OcrJob.Status.choices)
    name = serializers.CharField()
    progress = OcrProgressSerializer()
    engine = serializers.CharField()
    language = serializers.CharField()
    error = serializers.CharField(allow_null=True)
    created = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(help_text="The job is gone (404) after this.")
    result = OcrResultSerializer(allow_null=True)
