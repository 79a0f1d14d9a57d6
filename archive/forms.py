"""Forms of the web UI."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from archive.languages import LANGUAGE_CHOICES


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
    scans = MultipleFileField(label="Scans", help_text="PNG, JPEG, TIFF (also multi-page), PDF.")
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = settings.OCR_LANGUAGES[0]


class RenameForm(forms.Form):
    title = forms.CharField(max_length=255)
