"""Matching rules as the services use them: checked when saved, safe when run.

``archive.organize.matching`` holds the rule logic (no Django); this module turns its
``RuleError`` into the services' ``OrganizeError`` and makes sure a rule stored before a check
existed (or written around the services) can never raise while documents are matched.
"""

from __future__ import annotations

import logging

from django.utils.translation import gettext

from archive.organize.errors import OrganizeError
from archive.organize.matching import RuleError, rule_matches, validate_rule
from archive.organize.models import MatchAlgorithm, MatchingModel

_logger = logging.getLogger(__name__)


def rule_check(algorithm: str, pattern: str, *, allow_auto: bool = True) -> str:
    """The pattern, stripped, if the rule can be saved; ``OrganizeError`` saying why not."""
    pattern = pattern.strip()
    if algorithm not in MatchAlgorithm.values:
        raise OrganizeError(
            f"Unknown matching algorithm {algorithm!r}: use one of "
            + ", ".join(MatchAlgorithm.values)
            + ".",
            field="match_algorithm",
        )
    if algorithm == MatchAlgorithm.AUTO and not allow_auto:
        raise OrganizeError(
            gettext(
                "Automatic matching learns correspondents, types and tags only: choose a rule."
            ),
            field="match_algorithm",
        )
    try:
        validate_rule(algorithm, pattern)
    except RuleError as error:
        raise OrganizeError(str(error), field="match_pattern") from error
    return pattern


def rule_fires(item: MatchingModel, text: str) -> bool:
    """Does ``item``'s rule match ``text``? ``none`` and ``auto`` never do here (the classifier
    decides ``auto``). A rule that cannot run counts as no match and is logged: matching runs
    in the worker, where an error would cost the document its other suggestions."""
    if item.match_algorithm in (MatchAlgorithm.NONE, MatchAlgorithm.AUTO):
        return False
    try:
        return rule_matches(
            item.match_algorithm,
            item.match_pattern,
            text,
            case_sensitive=item.match_case_sensitive,
        )
    except Exception as error:  # a bad stored rule must not stop the other suggestions
        _logger.warning("rule of %r cannot run: %s", item, error)
        return False


def rule_description(item: MatchingModel) -> str:
    """The rule in words, for a suggestion's reason: ``any of "ikea möbel"``."""
    label = {
        MatchAlgorithm.ANY: "any of",
        MatchAlgorithm.ALL: "all of",
        MatchAlgorithm.EXACT: "the phrase",
        MatchAlgorithm.REGEX: "the pattern",
        MatchAlgorithm.FUZZY: "about",
    }.get(MatchAlgorithm(item.match_algorithm), item.match_algorithm)
    pattern = item.match_pattern if len(item.match_pattern) <= 60 else item.match_pattern[:57] + "…"
    return f'{label} "{pattern}"'
