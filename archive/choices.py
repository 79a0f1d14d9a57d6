"""Choices offered both by the web UI's forms and by the REST API, kept below both so that
neither imports the other: how the library can be ordered, which OCR engines staff may pick,
and which languages an upload may be read in.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db.models import F, OrderBy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from archive.languages import DETECT, LANGUAGES, language_label
from ocr.engines import available_engines, readable_languages
from ocr.engines.tesseract_languages import install_command

#: Library orderings: key (the web form's ``sort``, the API's ``ordering``) -> ``order_by``
#: fields, each ending in the id so that equal values keep one stable order.
LIBRARY_SORTS: dict[str, tuple[str | OrderBy, ...]] = {
    "newest": ("-created", "-id"),
    "oldest": ("created", "id"),
    "title": ("title", "id"),
    "pages": ("-page_count", "-id"),
    # By the date on the document (issue 14), undated documents last either way.
    "date": (OrderBy(F("document_date"), descending=True, nulls_last=True), "-id"),
    "date_oldest": (OrderBy(F("document_date"), nulls_last=True), "id"),
}
LIBRARY_SORT_LABELS: list[tuple[str, StrOrPromise]] = [
    ("newest", _("Newest")),
    ("oldest", _("Oldest")),
    ("title", _("Title")),
    ("pages", _("Most pages")),
    ("date", _("Document date, newest")),
    ("date_oldest", _("Document date, oldest")),
]


def library_ordering(sort: str) -> tuple[str | OrderBy, ...]:
    """The ``order_by`` fields for ``sort``; an unknown or empty key orders newest first."""
    return LIBRARY_SORTS.get(sort or "newest", LIBRARY_SORTS["newest"])


@functools.cache
def _engine_names() -> tuple[str, ...]:
    # Probing engines can start a helper process (Aspose): once per web process is enough.
    return tuple(available_engines())


def engine_choices() -> list[tuple[str, str]]:
    """("", default) and every other engine that can run here: the default engine is offered
    once, as the default (a second entry of the same name would read the same way)."""
    default = ("", gettext("Default (%(engine)s)") % {"engine": settings.OCR_ENGINE})
    return [default, *((name, name) for name in _engine_names() if name != settings.OCR_ENGINE)]


def engine_names() -> tuple[str, ...]:
    """Every engine that can run here, the default included (what the API accepts by name)."""
    return _engine_names()


def upload_language_choices() -> list[tuple[str, str]]:
    """The languages an upload or a re-run may choose: "detect", then every archive language
    the default engine (``OCR_ENGINE``) can read with what is installed here. Asked each time
    (listing data files takes milliseconds), so data installed later is offered at once."""
    readable = set(readable_languages(settings.OCR_ENGINE))
    languages = [
        (code, str(label)) for code, (label, _config) in LANGUAGES.items() if code in readable
    ]
    return [(DETECT, gettext("Detect from the text")), *languages]


def unreadable_languages() -> list[str]:
    """The archive's languages the default engine cannot read here (their OCR data is not
    installed), in the archive's order."""
    readable = set(readable_languages(settings.OCR_ENGINE))
    return [code for code in LANGUAGES if code not in readable]


def unreadable_languages_note() -> str:
    """A sentence for the language field naming the languages not offered and the command
    that adds each (Tesseract's Debian package), or "" when every language is offered."""
    missing = unreadable_languages()
    if not missing:
        return ""
    command = install_command(missing)
    packages = ""
    if command:
        packages = " " + gettext("To add them: %(command)s, then restart the workers.") % {
            "command": command
        }
    labels = ", ".join(language_label(code) for code in missing)
    note = gettext("Not offered, because no OCR data for them is installed here: %(languages)s.")
    return note % {"languages": labels} + packages


def language_refusal(language: str, engine: str = "") -> str | None:
    """Why ``language`` cannot be asked for with ``engine`` (blank: the default engine,
    ``OCR_ENGINE``), or None when it can: "detect", a blank, or a language that engine reads
    here. The REST API's 400 for a language the web form would not offer; the command it
    names is the form note's (``ocr.engines.tesseract_languages.install_command``)."""
    if not language or language == DETECT:
        return None
    engine = engine or settings.OCR_ENGINE
    if language in readable_languages(engine):
        return None
    refusal = (
        f"{language_label(language)} ({language}) cannot be read here: the OCR engine "
        f"{engine!r} has no data for it installed."
    )
    command = install_command([language])
    if command:
        refusal += f" To add it: {command}, then restart the workers."
    return refusal
