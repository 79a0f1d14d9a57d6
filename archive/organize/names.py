"""A user's metadata names, read once per request: the tags, correspondents, types and custom
fields that the library's facet panels label counts with and its bulk toolbar offers.

The library page needs each list twice (the panels and the toolbar); reading them once and
rendering the toolbar's ``<option>`` lists in Python (``options_html``) instead of template
loops is most of what the page spends beside its counts at 500 correspondents and 200 tags.
Nothing is kept between requests, so a renamed tag shows at once and another user's names
are never at hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.safestring import SafeString, mark_safe

from archive.organize.models import Correspondent, CustomField, DocumentType, Tag


@dataclass(frozen=True)
class OwnerNames:
    """``tags``: (id, path, name) by path; ``correspondents``, ``types``: (id, name) by name;
    ``fields``: the custom fields by name."""

    tags: list[tuple[int, str, str]]
    correspondents: list[tuple[int, str]]
    types: list[tuple[int, str]]
    fields: list[CustomField]


def owner_names(owner: AbstractBaseUser) -> OwnerNames:
    """The owner's names (four small statements)."""
    return OwnerNames(
        tags=list(
            Tag.objects.filter(owner_id=owner.pk).order_by("path").values_list("pk", "path", "name")
        ),
        correspondents=list(
            Correspondent.objects.filter(owner_id=owner.pk).values_list("pk", "name")
        ),
        types=list(DocumentType.objects.filter(owner_id=owner.pk).values_list("pk", "name")),
        fields=list(CustomField.objects.filter(owner_id=owner.pk)),
    )


def options_html(choices: Iterable[tuple[object, str]]) -> SafeString:
    """``<option value="id">label</option>`` for each (value, label), escaped (plain string
    formatting: ``format_html`` per option costs more than the query at 500 options)."""
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}">{escape(label)}</option>'
            for value, label in choices
        )
    )
