"""Checks every organize service makes: names, ownership, rules."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.translation import gettext

from archive.organize.errors import OrganizeError
from archive.organize.models import MatchingModel
from archive.organize.rules import rule_check

NAME_MAX = 128
M = TypeVar("M", bound=MatchingModel)


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise OrganizeError(gettext("A name cannot be empty."), field="name")
    if len(name) > NAME_MAX:
        raise OrganizeError(
            gettext("A name has at most %(name_max)s characters.") % {"name_max": NAME_MAX},
            field="name",
        )
    return name


def check_owner(owner: AbstractBaseUser, item: MatchingModel | None) -> None:
    if item is not None and item.owner_id != owner.pk:
        # Not "forbidden": another user's objects do not exist for this one.
        raise OrganizeError(gettext("No such item."), field="")


def check_unique_name(
    model: type[M], owner: AbstractBaseUser, name: str, exclude: int | None
) -> None:
    clash = model._default_manager.filter(owner_id=owner.pk, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise OrganizeError(
            gettext("You already have one named “%(name)s”.") % {"name": name}, field="name"
        )


def apply_rule(item: MatchingModel, changes: dict[str, Any], *, allow_auto: bool = True) -> None:
    algorithm = changes.get("match_algorithm", item.match_algorithm)
    pattern = changes.get("match_pattern", item.match_pattern)
    item.match_algorithm = algorithm
    item.match_pattern = rule_check(algorithm, pattern, allow_auto=allow_auto)
    if "match_case_sensitive" in changes:
        item.match_case_sensitive = bool(changes["match_case_sensitive"])
