"""What the API reads and writes: documents, pages, uploads, search hits, and their options.

Output serializers describe model rows; input serializers validate request data and hand plain
values to the services (``archive.ingest``, ``archive.documents``). Messages a person reads are
the web UI's where the UI has one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from archive.choices import LIBRARY_SORTS, engine_choices, engine_names, language_refusal
from archive.languages import LANGUAGE_CHOICES, UPLOAD_LANGUAGE_CHOICES
from archive.models import Document, Page
from archive.outcomes import Outcome
from archive.search import SORTS as SEARCH_SORTS
from archive.search import SearchFilters
from ocr.formats import SUPPORTED_TYPES

_STAFF_ONLY_ENGINE = "Only staff can choose the OCR engine."


def _url(context: Mapping[str, Any], name: str, *args: object) -> str:
    """Absolute URL of the API route ``name`` when the request is known, else its path."""
    path = reverse(f"api:{name}", args=args)
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# --- output -------------------------------------------------------------------------------------


class WordSerializer(serializers.Serializer[Any]):
    """One recognised word: its text, its box in the page image's pixels, its confidence."""

    text = serializers.CharField()
    box = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=4,
        max_length=4,
        help_text="[x0, y0, x1, y1] in the pixels of the page image (width × height).",
    )
    confidence = serializers.FloatField(help_text="0 to 1.")


@extend_schema_field(WordSerializer(many=True))
class WordsField(serializers.ReadOnlyField):
    """``Page.words`` as stored: already the documented shape, so it is passed through rather
    than re-serialised word by word (a page has hundreds of words)."""


class DocumentLinksSerializer(serializers.Serializer[Any]):
    self = serializers.URLField()
    status = serializers.URLField()
    pages = serializers.URLField()
    original = serializers.URLField()
    web = serializers.URLField(help_text="The document's page in the web UI.")


class DocumentSerializer(serializers.ModelSerializer[Document]):
    """A document as lists show it; ``pdf_password`` is never returned."""

    pages_done = serializers.SerializerMethodField(help_text="Pages read so far.")
    finished = serializers.SerializerMethodField(
        help_text="True once no worker will change the document (done, failed, needs password)."
    )
    links = serializers.SerializerMethodField()
    owner = serializers.CharField(
        source="owner.get_username",
        read_only=True,
        help_text="The owner's user name: who shared it, for a document shared with you.",
    )
    shared_with_me = serializers.SerializerMethodField(
        help_text="True for a document another user shared with you (or your group)."
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "owner",
            "shared_with_me",
            "status",
            "error",
            "finished",
            "page_count",
            "pages_done",
            "original_name",
            "mime_type",
            "size",
            "sha256",
            "language",
            "language_detected",
            "language_confidence",
            "languages",
            "engine",
            "force_ocr",
            "ocr_seconds",
            "created",
            "updated",
            "queued_at",
            "started_at",
            "finished_at",
            "links",
        ]
        read_only_fields = fields

    def get_shared_with_me(self, document: Document) -> bool:
        request = self.context.get("request")
        return request is not None and document.owner_id != request.user.pk

    def get_pages_done(self, document: Document) -> int:
        return document.progress()[0]

    def get_finished(self, document: Document) -> bool:
        return document.is_finished

    @extend_schema_field(DocumentLinksSerializer)
    def get_links(self, document: Document) -> dict[str, str]:
        return {
            "self": _url(self.context, "document-detail", document.pk),
            "status": _url(self.context, "document-status", document.pk),
            "pages": _url(self.context, "document-pages", document.pk),
            "original": _url(self.context, "document-original", document.pk),
            "web": self._absolute(document.get_absolute_url()),
        }

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PageLinksSerializer(serializers.Serializer[Any]):
    self = serializers.URLField()
    image = serializers.URLField(help_text="The page image (WebP) the word boxes refer to.")
    thumbnail = serializers.URLField(help_text="A small WebP preview.")


class PageSummarySerializer(serializers.ModelSerializer[Page]):
    """A page without its text: what a progress display needs."""

    links = serializers.SerializerMethodField()

    class Meta:
        model = Page
        fields = ["number", "source", "width", "height", "confidence", "engine", "seconds"]
        fields += ["created", "links"]
        read_only_fields = fields

    @extend_schema_field(PageLinksSerializer)
    def get_links(self, page: Page) -> dict[str, str]:
        args = (page.document_id, page.number)
        return {
            "self": _url(self.context, "document-page", *args),
            "image": _url(self.context, "document-page-image", *args),
            "thumbnail": _url(self.context, "document-page-thumbnail", *args),
        }


class PageSerializer(PageSummarySerializer):
    """A page with its text, its words (boxes and confidences) and its mean confidence."""

    words = WordsField()

    class Meta(PageSummarySerializer.Meta):
        fields = [*PageSummarySerializer.Meta.fields, "text", "words"]
        read_only_fields = fields


class DocumentDetailSerializer(DocumentSerializer):
    """A document with a summary of every page read so far (the per-page progress)."""

    pages = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "pages"]
        read_only_fields = fields

    @extend_schema_field(PageSummarySerializer(many=True))
    def get_pages(self, document: Document) -> Any:
        pages = document.pages.order_by("number").defer("text", "words", "search_vector")
        return PageSummarySerializer(pages, many=True, context=self.context).data


class DocumentStatusSerializer(serializers.Serializer[Any]):
    """Small enough to poll: the status and which pages are read."""

    id = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=Document.Status.choices)
    error = serializers.CharField(help_text="Why processing failed, in plain words.")
    finished = serializers.BooleanField(source="is_finished")
    page_count = serializers.IntegerField(
        allow_null=True, help_text="Known once a worker has opened the file."
    )
    pages_done = serializers.SerializerMethodField()
    pages_read = serializers.SerializerMethodField(help_text="Numbers of the pages read so far.")

    def get_pages_done(self, document: Document) -> int:
        return document.progress()[0]

    def get_pages_read(self, document: Document) -> list[int]:
        return list(document.pages.order_by("number").values_list("number", flat=True))


class UploadOutcomeSerializer(serializers.Serializer[Any]):
    """One file of an upload: a new document, the existing one it duplicates, or a refusal."""

    name = serializers.CharField(help_text="The file name as stored.")
    outcome = serializers.ChoiceField(choices=[outcome.value for outcome in Outcome])
    message = serializers.CharField(help_text="What happened, in plain words.")
    document = DocumentSerializer(allow_null=True)


class UploadResultSerializer(serializers.Serializer[Any]):
    files = UploadOutcomeSerializer(many=True)


class SearchHitSerializer(serializers.Serializer[Any]):
    document = DocumentSerializer()
    rank = serializers.FloatField()
    pages = serializers.ListField(
        child=serializers.IntegerField(), help_text="Numbers of the pages that match."
    )
    snippet = serializers.CharField(
        help_text="HTML: the text escaped, the matching words in <mark>…</mark>."
    )


class TypoExpansionSerializer(serializers.Serializer[Any]):
    typed = serializers.CharField(help_text="A word of the query held by few or no documents.")
    found = serializers.ListField(
        child=serializers.CharField(),
        help_text="Close spellings in the user's documents that were searched for as well.",
    )


class SearchResultsSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField(
        help_text="Documents matching: exact unless count_estimated (then more than the "
        "server's SEARCH_COUNT_LIMIT, and this is an estimate), as on the web page."
    )
    count_estimated = serializers.BooleanField()
    page = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchHitSerializer(many=True)
    expansions = TypoExpansionSerializer(
        many=True,
        help_text='Words also searched in close spellings ("also showing results for …"); '
        "empty with exact=true.",
    )
    suggestion = serializers.CharField(
        allow_null=True,
        help_text='A corrected query when a word matches no document ("did you mean …").',
    )


class SimilarDocumentSerializer(serializers.Serializer[Any]):
    document = DocumentSerializer()
    score = serializers.FloatField(help_text="Sum of the tf-idf weights of the words shared.")
    shared = serializers.ListField(
        child=serializers.CharField(), help_text="The distinctive words it shares, best first."
    )


class CompletionSerializer(serializers.Serializer[Any]):
    term = serializers.CharField(help_text="One of the user's words.")
    documents = serializers.IntegerField(help_text="How many of the user's documents hold it.")
    text = serializers.CharField(help_text="The query with its last word completed.")


class SuggestQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(
        max_length=500,
        trim_whitespace=False,
        help_text="The search box; its last word is completed.",
    )


class DetailSerializer(serializers.Serializer[Any]):
    """An error or refusal about the request as a whole, in plain words."""

    detail = serializers.CharField()


class ExportPendingSerializer(DetailSerializer):
    """A searchable PDF being prepared: how far its build is."""

    pages_done = serializers.IntegerField(help_text="Pages done so far (0 while queued).")
    pages = serializers.IntegerField(help_text="Pages of the document.")


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')


# --- input --------------------------------------------------------------------------------------


def refuse_unreadable_language(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a request's validated fields) unchanged, or a 400 on ``language`` when the
    engine that would read it (``engine``, else ``OCR_ENGINE``) cannot read that language here,
    naming the command that adds it: the web form does not offer such a language at all."""
    refusal = language_refusal(data.get("language", ""), data.get("engine", ""))
    if refusal is not None:
        raise serializers.ValidationError({"language": [refusal]})
    return data


class _EngineChoice(serializers.ChoiceField):
    """An OCR engine that can run here; staff only (as in the web UI's forms)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[], required=False, allow_blank=True, **kwargs)
        # Probing engines is cached per process, and only done when a serializer is built.
        # The default engine is accepted by its name too (a client may name it explicitly).
        default, *_others = engine_choices()
        self.choices = [default, *((name, name) for name in engine_names())]

    def to_internal_value(self, data: Any) -> str:
        value = str(super().to_internal_value(data))
        request = self.context.get("request")
        if value and not (request is not None and request.user.is_staff):
            raise serializers.ValidationError(_STAFF_ONLY_ENGINE)
        return value


class UploadSerializer(serializers.Serializer[Any]):
    """A multipart upload of one or many files (repeat the ``files`` part)."""

    # Empty files pass here so that ``document_create`` refuses each by name (as in the UI).
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="PNG, JPEG, TIFF (also multi-page), WebP, BMP, GIF, HEIC, PDF.",
    )
    ocr_file = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        help_text="The scans' own OCR, ALTO XML or hOCR (repeat the part for several): its "
        "text and word boxes are kept instead of running OCR. One scan with one OCR file pair "
        "whatever their names; else by base name (scan.tif with scan.xml or scan.hocr).",
    )
    language = serializers.ChoiceField(
        choices=UPLOAD_LANGUAGE_CHOICES,
        required=False,
        allow_blank=True,
        help_text='The documents\' language; "detect" (the default) finds it from the text.',
    )
    engine = _EngineChoice(help_text="Staff only; the default picks the best engine measured.")
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=255,
        trim_whitespace=False,  # spaces can be part of a password
        help_text="Only for password-protected PDFs; other files ignore it.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return refuse_unreadable_language(attrs)


class RenameSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(
        max_length=255, error_messages={"blank": "A title cannot be empty."}
    )


class RerunSerializer(serializers.Serializer[Any]):
    """Options of a re-run; a changed language, engine or ``force_ocr`` reads every page again."""

    from_scratch = serializers.BooleanField(
        default=False, help_text="Read every page again (default: only the missing pages)."
    )
    language = serializers.ChoiceField(choices=UPLOAD_LANGUAGE_CHOICES, required=False)
    engine = _EngineChoice()
    force_ocr = serializers.BooleanField(
        required=False, help_text="OCR pages that already have text (PDF text layer)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return refuse_unreadable_language(attrs)


class PasswordSerializer(serializers.Serializer[Any]):
    password = serializers.CharField(
        max_length=255,
        trim_whitespace=False,
        error_messages={
            "blank": "Enter the PDF's password.",
            "required": "Enter the PDF's password.",
        },
    )


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=10,
        required=False,
        default="",
        allow_blank=True,
        help_text="The code from the authenticator app, for accounts with two-factor login.",
    )


class DocumentFilterSerializer(serializers.Serializer[Any]):
    """Narrowing shared by the document list and search (all optional; dates inclusive)."""

    status = serializers.ChoiceField(choices=Document.Status.choices, required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    mime_type = serializers.ChoiceField(choices=sorted(SUPPORTED_TYPES), required=False)
    uploaded_from = serializers.DateField(required=False, help_text="Uploaded on or after.")
    uploaded_to = serializers.DateField(required=False, help_text="Uploaded on or before.")

    def filters(self) -> SearchFilters:
        """The filters of valid data (call ``is_valid()`` first)."""
        data = self.validated_data
        return SearchFilters(
            uploaded_from=data.get("uploaded_from"),
            uploaded_to=data.get("uploaded_to"),
            language=data.get("language", ""),
            status=data.get("status", ""),
            mime_type=data.get("mime_type", ""),
        )


class DocumentListQuerySerializer(DocumentFilterSerializer):
    ordering = serializers.ChoiceField(
        choices=list(LIBRARY_SORTS), default="newest", help_text="Order of the list."
    )


#: Search pages go no deeper: past this, narrow the query (the offset grows the work).
MAX_SEARCH_PAGE = 500


class SearchQuerySerializer(DocumentFilterSerializer):
    q = serializers.CharField(
        max_length=500,
        help_text='Words (all must occur), "exact phrases", OR, -exclude, prefix*.',
        error_messages={"blank": "Enter something to search for."},
    )
    sort = serializers.ChoiceField(choices=list(SEARCH_SORTS), default="relevance")
    exact = serializers.BooleanField(
        default=False, help_text="Only the words as typed: no close spellings of rare words."
    )
    page = serializers.IntegerField(min_value=1, max_value=MAX_SEARCH_PAGE, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, default=20)
