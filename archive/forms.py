"""Forms of the web UI."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import OrderBy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from archive.choices import (
    LIBRARY_SORT_LABELS,
    engine_choices,
    library_ordering,
    unreadable_languages_note,
    upload_language_choices,
)
from archive.languages import DETECT, LANGUAGE_CHOICES, UPLOAD_LANGUAGE_CHOICES
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
        label=_("Scans"),
        # "JPEG, PNG, TIFF (also multi-page), …": the format names stay, the rest is translated.
        help_text=format_lazy(
            ", ".join(
                "TIFF {0}" if label == "TIFF" else label for label in SUPPORTED_TYPES.values()
            )
            + ".",
            _("(also multi-page)"),
        ),
        allow_empty_file=True,
    )
    ocr_file = MultipleFileField(
        label=_("OCR files"),
        required=False,
        allow_empty_file=True,
        help_text=_(
            "Optional: the scans' own ALTO XML or hOCR, named like their scans; their "
            "text is kept instead of running OCR."
        ),
    )
    language = forms.ChoiceField(choices=UPLOAD_LANGUAGE_CHOICES, required=False)
    password = forms.CharField(
        required=False,
        max_length=255,
        strip=False,  # spaces can be part of a password
        label=_("PDF password"),
        help_text=_("Only for password-protected PDFs; other files ignore it."),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )

    engine = forms.ChoiceField(
        required=False,
        label=_("OCR engine"),
        help_text=_("Staff only; the default picks the best measured engine per language."),
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        """``staff`` users may choose the engine; for others the field does not exist."""
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = DETECT
        _language_field(self)
        _engine_field(self, staff=staff)


def _language_field(form: forms.Form) -> None:
    """Offer only the languages the OCR can read here, and say which are missing and why."""
    field = form.fields["language"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = upload_language_choices()
    field.help_text = unreadable_languages_note()


def _engine_field(form: forms.Form, *, staff: bool) -> None:
    """Offer the engines that can run here to staff; drop the field for everyone else."""
    if staff:
        field = form.fields["engine"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = engine_choices()
    else:
        del form.fields["engine"]


class RerunForm(forms.Form):
    """Re-run OCR: only the missing pages, or everything (another language or engine, or
    forcing OCR of pages that have a text layer, reads every page again)."""

    language = forms.ChoiceField(choices=UPLOAD_LANGUAGE_CHOICES, required=False)
    engine = forms.ChoiceField(required=False, label=_("OCR engine"))
    force_ocr = forms.BooleanField(
        required=False, label=_("OCR pages that already have text (PDF text layer)")
    )
    from_scratch = forms.BooleanField(required=False, label=_("Read every page again"))

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _language_field(self)
        _engine_field(self, staff=staff)


class LibraryForm(forms.Form):
    """Sorting and narrowing of the library (all optional)."""

    sort = forms.ChoiceField(required=False, choices=LIBRARY_SORT_LABELS)
    status = forms.ChoiceField(
        required=False, choices=[("", _("Any status")), *Document.Status.choices]
    )
    language = forms.ChoiceField(
        required=False, choices=[("", _("Any language")), *LANGUAGE_CHOICES]
    )

    def ordering(self) -> tuple[str | OrderBy, ...]:
        sort = self.cleaned_data.get("sort") if self.is_valid() else ""
        return library_ordering(sort or "")


class PdfPasswordForm(forms.Form):
    """The password of a PDF stored without it (its document's status is needs_password)."""

    password = forms.CharField(max_length=255, strip=False)


class RenameForm(forms.Form):
    title = forms.CharField(max_length=255)


class SearchForm(forms.Form):
    """The search box and the filters beside the results (all optional)."""

    q = forms.CharField(required=False, max_length=500, label=_("Search"))
    sort = forms.ChoiceField(
        required=False,
        choices=[("relevance", _("Best match")), ("newest", _("Newest")), ("oldest", _("Oldest"))],
    )
    uploaded_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    uploaded_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    language = forms.ChoiceField(
        required=False, choices=[("", _("Any language")), *LANGUAGE_CHOICES]
    )
    status = forms.ChoiceField(
        required=False, choices=[("", _("Any status")), *Document.Status.choices]
    )
    mime_type = forms.ChoiceField(
        required=False,
        label=_("File type"),
        choices=[("", _("Any type")), *sorted(SUPPORTED_TYPES.items(), key=lambda kv: kv[1])],
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
