"""Choices offered both by the web UI's forms and by the REST API, kept below both so that
neither imports the other: how the library can be ordered, and which OCR engines staff may pick.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.db.models import F, OrderBy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from ocr.engines import available_engines

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
