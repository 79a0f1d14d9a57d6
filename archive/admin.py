"""Django admin for staff: documents, pages, their OCR results and the review of them.

The review screens themselves ("Needs review", the page review screen, the re-run form) live in
``archive.admin_review``; this module registers the models and mounts those views inside the
admin site. django-q2 registers its own admin for queued, successful and failed tasks (failed
tasks show their error and have a "Resubmit selected tasks to queue" action).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from archive import admin_review, selectors
from archive.admin_search import BoundedSearchAdmin
from archive.documents import document_delete
from archive.models import Document, Page, PageCorrection
from archive.organize import admin as organize_admin  # noqa: F401  (registers its models)
from archive.review import documents_mark_reviewed
from archive.sharing import admin as sharing_admin  # noqa: F401  (registers its models)
from archive.views.media import staff_page_image

admin.site.site_header = "Scan Archive administration"
admin.site.site_title = "Scan Archive admin"


def _review_link(page: Page) -> str:
    url = reverse("admin:archive_page_review", args=[page.pk])
    return format_html('<a href="{}">Review page {}</a>', url, page.number)


class ConfidenceBandFilter(admin.SimpleListFilter):
    title = "mean confidence"
    parameter_name = "confidence"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        threshold = settings.REVIEW_CONFIDENCE_THRESHOLD
        bands = dict(selectors.CONFIDENCE_BANDS)
        if threshold >= 0.95:
            del bands["fair"]  # empty: the threshold is at or above the high band
        return [(key, label.format(t=threshold)) for key, label in bands.items()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.value():
            return queryset
        return selectors.documents_in_confidence_band(
            queryset, self.value() or "", threshold=settings.REVIEW_CONFIDENCE_THRESHOLD
        )


class ReviewedFilter(admin.SimpleListFilter):
    title = "reviewed"
    parameter_name = "reviewed"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Reviewed"), ("no", "Not reviewed")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in ("yes", "no"):
            return queryset.filter(reviewed_at__isnull=self.value() == "no")
        return queryset


class PageInline(admin.TabularInline[Page, Document]):
    model = Page
    extra = 0
    can_delete = False
    fields = ("number", "confidence", "engine", "seconds", "review", "text")
    readonly_fields = ("number", "confidence", "engine", "seconds", "review", "text")

    def has_add_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False

    @admin.display(description="Review")
    def review(self, obj: Page) -> str:
        return _review_link(obj)


@admin.register(Document)
class DocumentAdmin(BoundedSearchAdmin):
    list_display = (
        "title",
        "owner",
        "status",
        "page_count",
        "language_shown",
        "engine",
        "mean_confidence",
        "reviewed",
        "created",
    )
    list_filter = (
        "status",
        "engine",
        "language",
        "language_detected",
        ConfidenceBandFilter,
        ReviewedFilter,
    )
    # Searched by ``get_search_results``: title, file name, owner, sha256, and the OCR text
    # through the full-text index (the admin's own search would scan every page's text).
    search_fields = ("title",)
    search_help_text = (
        "Title or file name (contains), owner's user name or sha256 (exact), or words of the "
        'text (as in the search box: words, "phrases", OR, -exclude, prefix*).'
    )
    list_select_related = ("owner", "reviewed_by")
    # The PDF password is the owner's secret: never on a form, in a list or a read-only display
    # (a view-only user sees every field read-only), only whether one is set. It is set by its
    # owner (``documents.document_set_password``), which also queues the document again; the admin
    # offers no way to set or clear it.
    exclude = ("pdf_password",)
    readonly_fields = (
        "owner",  # a document belongs to who uploaded it; staff do not move it to someone else
        "pdf_password_state",
        "original",
        "original_name",
        "sha256",
        "mime_type",
        "size",
        "page_count",
        "status",
        "error",
        "queued_at",
        "started_at",
        "finished_at",
        "ocr_seconds",
        "language_detected",
        "language_confidence",
        "languages",
        "reviewed_at",
        "reviewed_by",
        "created",
        "updated",
        # The owner sets these in the app (archive.organize): a form here would offer every
        # owner's correspondents and types, and bypass the suggestion bookkeeping.
        "document_date",
        "correspondent",
        "document_type",
    )
    inlines = [PageInline]
    actions = ["rerun_ocr", "mark_reviewed"]
    date_hierarchy = "created"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return selectors.with_mean_confidence(super().get_queryset(request))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Document], search_term: str
    ) -> tuple[QuerySet[Document], bool]:
        return selectors.staff_document_search(queryset, search_term), False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "needs-review/",
                view(self._needs_review),
                name="archive_document_needs_review",
            ),
            *super().get_urls(),
        ]

    def _needs_review(self, request: HttpRequest) -> HttpResponse:
        return admin_review.needs_review_view(self.admin_site, request)

    @admin.display(description="PDF password")
    def pdf_password_state(self, obj: Document) -> str:
        """Whether a password is stored, never the password itself."""
        return "set" if obj.pdf_password else "not set"

    @admin.display(description="Language", ordering="language")
    def language_shown(self, obj: Document) -> str:
        return obj.language_display

    @admin.display(description="Mean confidence", ordering="mean_confidence")
    def mean_confidence(self, obj: Document) -> str:
        value = getattr(obj, "mean_confidence", None)
        return "–" if value is None else f"{value:.2f}"

    @admin.display(description="Reviewed", boolean=True, ordering="reviewed_at")
    def reviewed(self, obj: Document) -> bool:
        return obj.reviewed_at is not None

    @admin.action(description="Re-run OCR (choose engine and language)…", permissions=["change"])
    def rerun_ocr(
        self, request: HttpRequest, queryset: QuerySet[Document]
    ) -> TemplateResponse | None:
        return admin_review.rerun_action(self, request, queryset)

    @admin.action(description="Mark reviewed", permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        count = documents_mark_reviewed(queryset, user=admin_review.reviewer(request))
        self.message_user(request, f"{count} document(s) marked reviewed.", messages.SUCCESS)

    # Deleting goes through the service, as in the library: the files go after the commit and
    # the owner's search statistics (term document counts) stay exact.
    def delete_model(self, request: HttpRequest, obj: Document) -> None:
        document_delete(obj, actor=request.user)  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        for document in queryset:
            document_delete(document, actor=request.user)  # type: ignore[arg-type]


@admin.register(Page)
class PageAdmin(BoundedSearchAdmin):
    list_display = ("document", "number", "confidence", "engine", "source", "corrections", "review")
    list_filter = ("engine", "source")
    search_fields = ("document__title",)
    list_select_related = ("document",)
    # The text is corrected on the review screen only, so every change is in the history.
    readonly_fields = (
        "document",
        "number",
        "review",
        "image",
        "width",
        "height",
        "source",
        "words",
        "engine",
        "seconds",
        "confidence",
        "text",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Page]:
        pages: QuerySet[Page] = super().get_queryset(request)
        return pages.annotate(correction_count=Count("corrections"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/review/", view(self._review), name="archive_page_review"),
            path("<int:pk>/image/", view(staff_page_image), name="archive_page_image"),
            *super().get_urls(),
        ]

    def _review(self, request: HttpRequest, pk: int) -> HttpResponse:
        return admin_review.page_review_view(self.admin_site, request, pk)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # pages come from OCR only

    @admin.display(description="Corrections", ordering="correction_count")
    def corrections(self, obj: Page) -> int:
        return int(getattr(obj, "correction_count", 0))

    @admin.display(description="Review")
    def review(self, obj: Page) -> str:
        return _review_link(obj)


@admin.register(PageCorrection)
class PageCorrectionAdmin(BoundedSearchAdmin):
    """The history of corrections, read-only: it is written by the review screen only."""

    list_display = ("page", "action", "user", "created")
    list_filter = ("action", "user")
    list_select_related = ("page", "page__document", "user")
    search_fields = ("page__document__title", "user__username")
    date_hierarchy = "created"
    fields = ("page", "user", "created", "action", "reverted_to", "text_before", "text_after")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
