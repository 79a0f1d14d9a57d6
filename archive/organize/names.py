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
from dataclasses import dataclass, replace
from html import escape
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from archive.models import Document
from archive.organize.facets import Facets, LibraryFilter, label_owners
from archive.organize.models import Correspondent, CustomField, DocumentTag, DocumentType, Tag
from archive.sharing.access import visible_documents


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


def visible_names(
    user: AbstractBaseUser,
    facets: Facets,
    filt: LibraryFilter | None = None,
    names: OwnerNames | None = None,
) -> OwnerNames:
    """The user's names (``owner_names``) with, for documents shared with them, the names of
    their owners' tags, correspondents and types that the facet panels count or the filter
    holds, each followed by its owner's name: ``Roof (alice)``.

    Only objects a document the user may see carries are named (a tag also when a tag below
    it is carried: its path is part of that tag's name): a count in ``facets`` (counted over
    documents the user may see) shows that, and an id of the filter with no count is looked
    up against the visible documents. Any other id keeps no name (the panels leave it out).
    A user nobody shares with gets ``owner_names`` (no further statement)."""
    own = names or owner_names(user)
    owners = [pk for pk in label_owners(user) if pk != user.pk]
    if not owners:
        return own
    filt = filt or LibraryFilter()
    visible = visible_documents(user).values("pk")
    known_tags = {pk for pk, _path, _name in own.tags}
    wanted_tags = {pk for pk, n in facets.tags.items() if n} | set(filt.tags)
    tags = []
    for pk, path, name, who in Tag.objects.filter(
        pk__in=wanted_tags - known_tags, owner_id__in=owners
    ).values_list("pk", "path", "name", "owner__username"):
        if facets.tags.get(pk) or _tag_seen(pk, path, visible):
            tags.append((pk, path, f"{name} ({who})"))
    columns = []
    for model, column, chosen, attr in (
        (Correspondent, "correspondent", filt.correspondents, "correspondents"),
        (DocumentType, "type", filt.types, "types"),
    ):
        counts = facets.columns.get(column, {})
        known = {pk for pk, _name in getattr(own, attr)}
        wanted = {pk for pk, n in counts.items() if pk is not None and n}
        wanted |= {pk for pk in chosen if pk is not None}
        rows = model.objects.filter(pk__in=wanted - known, owner_id__in=owners)
        if set(chosen) - set(counts):
            # Chosen but not counted: named only if a visible document carries it.
            field_name = "document_type" if column == "type" else column
            seen = Document.objects.filter(pk__in=visible).values(f"{field_name}_id")
            rows = rows.filter(Q(pk__in=list(counts)) | Q(pk__in=seen))
        columns.append(
            [
                (pk, f"{name} ({who})")
                for pk, name, who in rows.values_list("pk", "name", "owner__username")
            ]
        )
    return replace(
        own,
        tags=sorted([*own.tags, *tags], key=lambda tag: tag[1].lower()),
        correspondents=[*own.correspondents, *columns[0]],
        types=[*own.types, *columns[1]],
    )


def _tag_seen(pk: int, path: str, visible: QuerySet[Any]) -> bool:
    """Whether a visible document carries the tag or a tag below it (same owner)."""
    tag = Tag.objects.filter(pk=pk).values_list("owner_id", flat=True)
    below = Tag.objects.filter(owner_id__in=tag, path__istartswith=path + "/").values("pk")
    return DocumentTag.objects.filter(
        Q(tag_id=pk) | Q(tag_id__in=below), document_id__in=visible
    ).exists()


def options_html(choices: Iterable[tuple[object, str]]) -> SafeString:
    """``<option value="id">label</option>`` for each (value, label), escaped (plain string
    formatting: ``format_html`` per option costs more than the query at 500 options)."""
    return mark_safe(
        "".join(
            f'<option value="{escape(str(value))}">{escape(label)}</option>'
            for value, label in choices
        )
    )
