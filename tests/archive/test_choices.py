"""``archive.choices``: the library orderings and engine choices, shared by the web forms and
the REST API from below both (the API does not import the web UI's forms)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django import forms

import archive.api
from archive.choices import (
    LIBRARY_SORT_LABELS,
    LIBRARY_SORTS,
    engine_choices,
    language_refusal,
    library_ordering,
    unreadable_languages,
    unreadable_languages_note,
    upload_language_choices,
)
from archive.forms import LibraryForm, RerunForm, UploadForm
from archive.languages import DETECT, LANGUAGES
from ocr.engines import readable_languages
from tests.tessdata import tessdata_with


def test_every_ordering_has_a_label_and_ends_in_the_id() -> None:
    assert [key for key, _label in LIBRARY_SORT_LABELS] == list(LIBRARY_SORTS)
    for fields in LIBRARY_SORTS.values():
        assert str(fields[-1]).lstrip("-") == "id"


def test_an_unknown_ordering_is_newest_first() -> None:
    assert library_ordering("") == library_ordering("nonsense") == LIBRARY_SORTS["newest"]
    assert LibraryForm({"sort": "title"}).ordering() == LIBRARY_SORTS["title"]


def test_engine_choices_start_with_the_default() -> None:
    assert engine_choices()[0][0] == ""


def test_the_api_does_not_import_the_web_layer() -> None:
    """Shared choices (``archive.choices``) and file responses (``archive.downloads``) live below
    both layers: nothing in ``archive.api`` imports the web forms or views."""
    for path in Path(archive.api.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        }
        web = {m for m in imported if m and (m == "archive.forms" or m.startswith("archive.views"))}
        assert not web, path
        # ``from archive import views`` names the package in an alias, not in the module.
        from_archive = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "archive"
            for alias in node.names
        }
        assert not from_archive & {"forms", "views"}, path


def test_the_default_engine_is_offered_once(settings) -> None:
    """Issue 17: the list showed both "Default (auto)" and "auto"."""
    values = [value for value, _label in engine_choices()]
    assert settings.OCR_ENGINE not in values
    assert len(values) == len(set(values))
    assert settings.OCR_ENGINE in engine_choices()[0][1]


def test_the_upload_form_offers_only_languages_whose_ocr_data_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Issue 19: the form offered Russian although no engine here could read it, and the
    document then failed "cannot read ru". With Tesseract holding only English and French
    data, Russian (no RapidOCR model) is not offered and the form says why; Spanish (read by
    RapidOCR's bundled model) and French are."""
    settings.OCR_ENGINE = "auto"
    monkeypatch.setenv("TESSDATA_PREFIX", str(tessdata_with(tmp_path / "tessdata", "eng", "fra")))
    for form in (UploadForm(), RerunForm()):
        field = form.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        codes = [code for code, _label in upload_language_choices()]
        assert field.choices == upload_language_choices()
        assert codes[0] == DETECT
        assert {"en", "fr", "es", "de", "zh"} <= set(codes)
        assert "ru" not in codes
        assert "Russian" in str(field.help_text)
        assert "tesseract-ocr-rus" in str(field.help_text)
    assert not UploadForm({"language": "ru"}).is_valid()
    assert unreadable_languages() == ["ru"]


def test_every_archive_language_is_offered_when_its_data_is_there(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.OCR_ENGINE = "auto"
    readable = readable_languages("auto")
    codes = [code for code, _label in upload_language_choices()]
    assert codes == [DETECT, *(code for code in LANGUAGES if code in readable)]


def test_a_language_the_default_engine_cannot_read_is_refused_with_the_command(
    without_russian: Path, settings: Any
) -> None:
    """Issue 19: the REST API's refusal names the language and the form note's command."""
    settings.OCR_ENGINE = "auto"
    refusal = language_refusal("ru")
    assert refusal is not None
    assert "Russian (ru)" in refusal
    assert "apt-get install tesseract-ocr-rus" in refusal
    assert "apt-get install tesseract-ocr-rus" in unreadable_languages_note()
    assert language_refusal("fr") is None
    assert language_refusal(DETECT) is None
    assert language_refusal("") is None
    # An engine named by the request is the one asked: RapidOCR has no French model data.
    assert language_refusal("fr", "rapidocr") is not None
