"""Forms of the web UI."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from archive.languages import LANGUAGE_CHOICES
from archive.models import Document
from archive.search import SearchFilters
from ocr.formats import SUPPORTED_TYPES


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files from one ``<input multiple>``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    # Empty files pass the form so that ``document_create`` refuses each by name; otherwise
    # one empty file would make the form, and so every other file sent with it, invalid.
    scans = MultipleFileField(
        label="Scans",
        help_text="PNG, JPEG, TIFF (also multi-page), HEIC, PDF.",
        allow_empty_file=True,
    )
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    password = forms.CharField(
        required=False,
        max_length=255,
        strip=False,  # spaces can be part of a password
        label="PDF password",
        help_text="Only for password-protected PDFs; other files ignore it.",
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = settings.OCR_LANGUAGES[0]


class PdfPasswordForm(forms.Form):
    """The password of a PDF stored without it (its document's status is needs_password)."""

    password = forms.CharField(max_length=255, strip=False)


class RenameForm(forms.Form):
    title = forms.CharField(max_length=255)


class SearchForm(forms.Form):
    """The search box and the filters beside the results (all optional)."""

    q = forms.CharField(required=False, max_length=500, label="Search")
    sort = forms.ChoiceField(
        required=False,
        choices=[("relevance", "Best match"), ("newest", "Newest"), ("oldest", "Oldest")],
    )
    uploaded_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    uploaded_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(required=False, choices=[("", "Any language"), *LANGUAGE_CHOICES])
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Document.Status.choices]
    )
    mime_type = forms.ChoiceField(
        required=False,
        label="File type",
        choices=[("", "Any type"), *sorted(SUPPORTED_TYPES.items(), key=lambda kv: kv[1])],
    )

    def filters(self) -> SearchFilters:
        """The filters of a valid form (call ``is_valid()`` first)."""
        data = self.cleaned_data
        return SearchFilters(
            uploaded_from=data.get("uploaded_from"),
            uploaded_to=data.get("uploaded_to"),
            language=data.get("language") or "",
            status=data.get("status") or "",
            mime_type=data.get("mime_type") or "",
        )
