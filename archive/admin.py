"""Django admin for staff: documents, pages and their OCR results.

django-q2 registers its own admin for queued, successful and failed tasks.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Avg, QuerySet
from django.http import HttpRequest

from archive.documents import document_rerun, page_text_update
from archive.models import Document, Page


class PageInline(admin.TabularInline):
    model = Page
    extra = 0
    can_delete = False
    fields = ("number", "confidence", "engine", "seconds", "text")
    readonly_fields = ("number", "confidence", "engine", "seconds", "text")
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "owner",
        "status",
        "page_count",
        "language",
        "engine",
        "mean_confidence",
        "created",
    )
    list_filter = ("status", "engine", "language", "mime_type")
    search_fields = ("title", "original_name", "sha256", "owner__username")
    list_select_related = ("owner",)
    readonly_fields = (
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
        "created",
        "updated",
    )
    inlines = [PageInline]
    actions = ["rerun_ocr"]
    date_hierarchy = "created"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        return super().get_queryset(request).annotate(mean_confidence=Avg("pages__confidence"))

    @admin.display(description="Mean confidence", ordering="mean_confidence")
    def mean_confidence(self, obj: Document) -> str:
        value = getattr(obj, "mean_confidence", None)
        return "–" if value is None else f"{value:.2f}"

    @admin.action(description="Re-run OCR on the selected documents (all pages)")
    def rerun_ocr(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        count = 0
        for document in queryset:
            document_rerun(document, from_scratch=True)
            count += 1
        self.message_user(request, f"{count} document(s) queued for OCR.", messages.SUCCESS)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ("document", "number", "confidence", "engine", "seconds")
    list_filter = ("engine",)
    search_fields = ("document__title",)
    list_select_related = ("document",)
    readonly_fields = (
        "document",
        "number",
        "image",
        "width",
        "height",
        "words",
        "engine",
        "seconds",
        "confidence",
    )
    fields = (
        "document",
        "number",
        "image",
        "width",
        "height",
        "confidence",
        "engine",
        "seconds",
        "text",
        "words",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # pages come from OCR only

    def save_model(self, request: HttpRequest, obj: Page, form: object, change: bool) -> None:
        # Through the service, so the correction and the search vectors change together.
        page_text_update(obj, obj.text)
