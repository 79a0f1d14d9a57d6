"""The admin's review screens: the "Needs review" list, the page review screen, and the
re-run form of the document list's action.

These are thin views: reads come from ``archive.selectors`` (staff section), writes from
``archive.review``. They are mounted by ``archive.admin`` inside the admin site
(``AdminSite.admin_view``: active staff only, others are sent to the admin login), and each
checks the model permission it needs (view to look, change to correct).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext

from archive import selectors
from archive.choices import engine_choices
from archive.languages import UPLOAD_LANGUAGE_CHOICES
from archive.models import Document, Page
from archive.review import documents_rerun, page_correct, page_revert

#: Rows per screen of the "Needs review" list.
PAGES_PER_SCREEN = 50


class AdminRerunForm(forms.Form):
    """Engine and language for reading the selected documents again (blank keeps each own)."""

    engine = forms.ChoiceField(required=False, label="OCR engine")
    language = forms.ChoiceField(
        required=False,
        choices=[("", "Keep each document's language"), *UPLOAD_LANGUAGE_CHOICES],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["engine"]
        assert isinstance(field, forms.ChoiceField)
        # Every engine that can run here, "auto" among them; probed once per process.
        field.choices = [("", "Keep each document's engine"), *engine_choices()[1:]]


class PageTextForm(forms.Form):
    """The page's text as corrected, and the version it was edited from (to catch two
    reviewers editing the same page at once)."""

    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "review-text", "spellcheck": "true"}),
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def rerun_action(
    model_admin: admin.ModelAdmin[Document], request: HttpRequest, queryset: QuerySet[Document]
) -> TemplateResponse | None:
    """The "Re-run OCR" action: first a form for engine and language, then the re-run."""
    if "apply" in request.POST:
        form = AdminRerunForm(request.POST)
        if form.is_valid():
            count = documents_rerun(
                queryset,
                engine=form.cleaned_data["engine"] or None,
                language=form.cleaned_data["language"] or None,
            )
            model_admin.message_user(
                request, f"{count} document(s) queued to be read again.", messages.SUCCESS
            )
            return None
    else:
        form = AdminRerunForm()
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Re-run OCR",
        "opts": Document._meta,
        "documents": queryset.select_related("owner"),
        "form": form,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action": request.POST.get("action", "rerun_ocr"),
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, "admin/archive/document/rerun.html", context)


def needs_review_view(site: admin.AdminSite, request: HttpRequest) -> HttpResponse:
    """Failed documents, then pages below ``REVIEW_CONFIDENCE_THRESHOLD``, worst first."""
    if not request.user.has_perm("archive.view_document"):
        raise PermissionDenied
    threshold = settings.REVIEW_CONFIDENCE_THRESHOLD
    paginator = Paginator(selectors.low_confidence_pages(threshold=threshold), PAGES_PER_SCREEN)
    screen = paginator.get_page(request.GET.get("p"))
    failed = selectors.failed_documents()
    context = {
        **site.each_context(request),
        "title": "Needs review",
        "opts": Document._meta,
        "threshold": threshold,
        "failed": failed[:PAGES_PER_SCREEN],
        "failed_count": failed.count(),
        "screen": screen,
    }
    return TemplateResponse(request, "admin/archive/needs_review.html", context)


def page_review_view(site: admin.AdminSite, request: HttpRequest, pk: int) -> HttpResponse:
    """The page image with its low-confidence words boxed, beside its editable text and the
    history of its corrections (each version can be restored)."""
    page = selectors.staff_page_get(user=request.user, pk=pk)
    can_change = request.user.has_perm("archive.change_page")
    versions = selectors.page_versions(page)
    form = PageTextForm(initial={"text": page.text, "based_on": len(versions) - 1})
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if "revert" in request.POST:
            return _revert(request, page, versions)
        form = PageTextForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["based_on"] != len(versions) - 1:
                messages.error(
                    request,
                    gettext(
                        "Someone changed this page while you were editing it. Their version is "
                        "shown in the history; your text is still in the box: check it and save "
                        "again."
                    ),
                )
                form = PageTextForm(
                    initial={"text": form.cleaned_data["text"], "based_on": len(versions) - 1}
                )
            else:
                saved = page_correct(page, user=reviewer(request), text=form.cleaned_data["text"])
                if saved is None:
                    messages.info(request, gettext("The text is unchanged; nothing was saved."))
                else:
                    messages.success(request, gettext("Correction saved; search finds it already."))
                return HttpResponseRedirect(_review_url(page))
    return TemplateResponse(
        request,
        "admin/archive/page/review.html",
        _review_context(site, request, page, versions, form, can_change=can_change),
    )


def _revert(
    request: HttpRequest, page: Page, versions: list[selectors.PageVersion]
) -> HttpResponse:
    try:
        number = int(request.POST["revert"])
        version = versions[number]
    except (ValueError, IndexError):
        messages.error(
            request, gettext("That version does not exist (any more); nothing was changed.")
        )
        return HttpResponseRedirect(_review_url(page))
    if page_revert(page, user=reviewer(request), to=version.correction) is None:
        messages.info(
            request,
            gettext("The page already has the text of version %(number)s.") % {"number": number},
        )
    else:
        messages.success(
            request,
            gettext("Version %(number)s restored; search finds it already.") % {"number": number},
        )
    return HttpResponseRedirect(_review_url(page))


def reviewer(request: HttpRequest) -> AbstractBaseUser:
    """The logged-in user of an admin request (``admin_view`` lets no one else in)."""
    user = request.user
    if isinstance(user, AnonymousUser):
        raise PermissionDenied
    return user


def _review_url(page: Page) -> str:
    return reverse("admin:archive_page_review", args=[page.pk])


def _review_context(
    site: admin.AdminSite,
    request: HttpRequest,
    page: Page,
    versions: list[selectors.PageVersion],
    form: PageTextForm,
    *,
    can_change: bool,
) -> dict[str, Any]:
    threshold = settings.REVIEW_CONFIDENCE_THRESHOLD
    document = page.document
    neighbours = dict(document.pages.values_list("number", "pk"))
    return {
        **site.each_context(request),
        "title": f"Review {document.title}, page {page.number}",
        "opts": Page._meta,
        "page": page,
        "document": document,
        "threshold": threshold,
        "low_words": selectors.low_confidence_words(page, threshold=threshold),
        "image_url": reverse("admin:archive_page_image", args=[page.pk]) + f"?v={page.pk}",
        "form": form,
        "versions": list(reversed(versions)),
        "can_change": can_change,
        "previous_pk": neighbours.get(page.number - 1),
        "next_pk": neighbours.get(page.number + 1),
        "page_total": len(neighbours),
    }
