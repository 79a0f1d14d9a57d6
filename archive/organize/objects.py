"""Writes of a user's correspondents, document types and tags.

Every function takes the acting ``owner`` and refuses objects of anyone else (the views and API
look objects up through ``archive.organize.selectors`` first, so this is the second lock on the
door). Names are unique per owner without regard to case; a tag's name is unique among its
siblings, and its ``path`` (``Tax/2024``) is kept here whenever a tag is renamed or moved.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext

from archive.organize.common import M, apply_rule, check_owner, check_unique_name, clean_name
from archive.organize.errors import OrganizeError
from archive.organize.models import (
    COLOUR,
    TAG_SEPARATOR,
    Correspondent,
    DocumentType,
    MatchAlgorithm,
    Tag,
)
from archive.organize.training import classifier_mark_dirty


def _matching_create(model: type[M], owner: AbstractBaseUser, name: str, rule: dict[str, Any]) -> M:
    name = clean_name(name)
    check_unique_name(model, owner, name, None)
    item = model(owner_id=owner.pk, name=name)
    apply_rule(item, rule)
    item.save()
    return item


def _matching_update(owner: AbstractBaseUser, item: M, changes: dict[str, Any]) -> M:
    check_owner(owner, item)
    if "name" in changes:
        item.name = clean_name(changes["name"])
        check_unique_name(type(item), owner, item.name, item.pk)
    apply_rule(item, changes)
    item.save()
    return item


def correspondent_create(*, owner: AbstractBaseUser, name: str, **rule: Any) -> Correspondent:
    """A new correspondent; ``rule`` may hold ``match_algorithm``, ``match_pattern``,
    ``match_case_sensitive`` (checked: ``OrganizeError`` for a bad one)."""
    return _matching_create(Correspondent, owner, name, rule)


def correspondent_update(
    *, owner: AbstractBaseUser, correspondent: Correspondent, **changes: Any
) -> Correspondent:
    """Rename a correspondent and/or change its rule."""
    return _matching_update(owner, correspondent, changes)


def correspondent_delete(*, owner: AbstractBaseUser, correspondent: Correspondent) -> None:
    """Delete a correspondent; its documents keep everything else (their correspondent is
    emptied), and the classifier forgets it at its next training."""
    check_owner(owner, correspondent)
    with transaction.atomic():
        correspondent.delete()
        classifier_mark_dirty(owner.pk)


def document_type_create(*, owner: AbstractBaseUser, name: str, **rule: Any) -> DocumentType:
    """A new document type (see ``correspondent_create``)."""
    return _matching_create(DocumentType, owner, name, rule)


def document_type_update(
    *, owner: AbstractBaseUser, document_type: DocumentType, **changes: Any
) -> DocumentType:
    """Rename a document type and/or change its rule."""
    return _matching_update(owner, document_type, changes)


def document_type_delete(*, owner: AbstractBaseUser, document_type: DocumentType) -> None:
    """Delete a document type; its documents lose only their type."""
    check_owner(owner, document_type)
    with transaction.atomic():
        document_type.delete()
        classifier_mark_dirty(owner.pk)


# Tags ------------------------------------------------------------------------------------


def _tag_name(name: str) -> str:
    name = clean_name(name)
    if TAG_SEPARATOR in name:
        raise OrganizeError(
            gettext(
                "A tag's name cannot hold “%(tag_separator)s”: it separates a tag from its parent "
                "(choose the parent instead)."
            )
            % {"tag_separator": TAG_SEPARATOR},
            field="name",
        )
    return name


def _colour(colour: str) -> str:
    try:
        COLOUR(colour)
    except Exception as error:
        raise OrganizeError(
            gettext("A colour is written #rrggbb, e.g. #1f78b4."), field="colour"
        ) from error
    return colour.lower()


def _tag_path(owner: AbstractBaseUser, parent: Tag | None, name: str, exclude: int | None) -> str:
    path = f"{parent.path}{TAG_SEPARATOR}{name}" if parent is not None else name
    clash = Tag.objects.filter(owner_id=owner.pk, path__iexact=path)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise OrganizeError(
            gettext("You already have a tag “%(path)s”.") % {"path": path}, field="name"
        )
    return path


def tag_create(
    *,
    owner: AbstractBaseUser,
    name: str,
    parent: Tag | None = None,
    colour: str | None = None,
    **rule: Any,
) -> Tag:
    """A new tag under ``parent`` (one of the owner's tags, or none)."""
    check_owner(owner, parent)
    name = _tag_name(name)
    tag = Tag(
        owner_id=owner.pk, name=name, parent=parent, path=_tag_path(owner, parent, name, None)
    )
    if colour is not None:
        tag.colour = _colour(colour)
    apply_rule(tag, rule)
    tag.save()
    return tag


def tag_for_path(*, owner: AbstractBaseUser, path: str, colour: str | None = None) -> Tag:
    """The owner's tag with full name ``path`` (``Tax/2024``), made with any missing ancestors;
    new tags match automatically, like tags made one by one."""
    names = [part.strip() for part in path.split(TAG_SEPARATOR)]
    if not path.strip() or not all(names):
        raise OrganizeError(gettext("“%(path)s” is not a tag name.") % {"path": path}, field="name")
    with transaction.atomic():
        parent: Tag | None = None
        for index, name in enumerate(names):
            full = TAG_SEPARATOR.join(names[: index + 1])
            found = Tag.objects.filter(owner_id=owner.pk, path__iexact=full).first()
            if found is None:
                last = index == len(names) - 1
                found = tag_create(
                    owner=owner, name=name, parent=parent, colour=colour if last else None
                )
            parent = found
        assert parent is not None
        return parent


def tag_update(
    *,
    owner: AbstractBaseUser,
    tag: Tag,
    **changes: Any,
) -> Tag:
    """Rename, move (``parent``: a tag, or None for the top level), recolour a tag, or change
    its rule. Moving a tag under itself or one of its descendants is refused. The paths of the
    tag and all its descendants follow in the same transaction."""
    check_owner(owner, tag)
    name = _tag_name(changes["name"]) if "name" in changes else tag.name
    parent: Tag | None = changes.get("parent", tag.parent)
    check_owner(owner, parent)
    if parent is not None and (
        parent.pk == tag.pk or parent.path.lower().startswith(tag.path.lower() + TAG_SEPARATOR)
    ):
        raise OrganizeError(
            gettext("A tag cannot be put under itself or one of its tags."), field="parent"
        )
    with transaction.atomic():
        old_path = tag.path
        tag.name = name
        tag.parent = parent
        tag.path = _tag_path(owner, parent, name, tag.pk)
        if "colour" in changes:
            tag.colour = _colour(changes["colour"])
        apply_rule(tag, changes)
        tag.save()
        if tag.path != old_path:
            # Descendants keep their relative path: replace the old prefix with the new one.
            Tag.objects.filter(owner_id=owner.pk, path__startswith=old_path + TAG_SEPARATOR).update(
                path=Concat(Value(tag.path), Substr("path", len(old_path) + 1))
            )
    return tag


def tag_delete(*, owner: AbstractBaseUser, tag: Tag) -> int:
    """Delete a tag and the tags under it; documents keep everything else. Returns how many
    tags were deleted."""
    check_owner(owner, tag)
    with transaction.atomic():
        doomed = Tag.objects.filter(owner_id=owner.pk, path__startswith=tag.path + TAG_SEPARATOR)
        count = doomed.count() + 1
        tag.delete()  # the parent link cascades to the descendants
        classifier_mark_dirty(owner.pk)
    return count


__all__ = [
    "MatchAlgorithm",
    "correspondent_create",
    "correspondent_delete",
    "correspondent_update",
    "document_type_create",
    "document_type_delete",
    "document_type_update",
    "tag_create",
    "tag_delete",
    "tag_for_path",
    "tag_update",
]
