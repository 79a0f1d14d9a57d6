"""Matching rules of every algorithm, case and accent handling, bad and slow expressions."""

from __future__ import annotations

import pytest

from archive.organize.matching import Algorithm, RuleError, fold, rule_matches, validate_rule

TEXT = "Stadtwerke München GmbH\nRechnung Nr. 4711 für Strom\nKundennummer 12345"


@pytest.mark.parametrize(
    ("algorithm", "pattern", "expected"),
    [
        ("any", "gas strom", True),
        ("any", "gas wasser", False),
        ("any", "stadt", False),  # whole words only
        ("any", '"für strom" heizung', True),
        ("all", "strom rechnung", True),
        ("all", "strom gas", False),
        ("exact", "stadtwerke münchen", True),
        ("exact", "Stadtwerke Munchen GmbH Rechnung", True),  # line break read as a space
        ("exact", "münchen stadtwerke", False),
        ("exact", "werke münchen", False),
        ("regex", r"Nr\. \d{4}", True),
        ("regex", r"Nr\. \d{5}", False),
        ("regex", r"m[uü]nchen", True),
        ("regex", r"Munchen", True),  # also tried on the folded text
        ("fuzzy", "Stadtwerke Mvnchen", True),
        ("fuzzy", "Stadtwerke Hamburg", False),
        ("none", "strom", False),
        ("auto", "strom", False),
    ],
)
def test_each_algorithm(algorithm: str, pattern: str, expected: bool) -> None:
    validate_rule(algorithm, pattern) if algorithm not in ("none", "auto") else None
    assert rule_matches(algorithm, pattern, TEXT) is expected


def test_accents_and_case_are_ignored_unless_asked() -> None:
    assert rule_matches("any", "MUNCHEN", TEXT)
    assert rule_matches("exact", "Straße", "Bahnhofstrasse 1, Haupt strasse")
    assert not rule_matches("any", "münchen", TEXT, case_sensitive=True)
    assert rule_matches("any", "München", TEXT, case_sensitive=True)
    assert not rule_matches("regex", "münchen", TEXT, case_sensitive=True)


def test_cjk_words_match_inside_runs() -> None:
    assert rule_matches("any", "東京電力", "請求書 東京電力株式会社 2024年")
    assert rule_matches("exact", "電力株式", "請求書 東京電力株式会社")
    assert not rule_matches("any", "大阪", "請求書 東京電力株式会社")


def test_fold_agrees_with_the_search_index() -> None:
    from archive.search.textnorm import fold as search_fold

    samples = ["Müller Straße", "ﬁnance œuvre", "２０２４年 東京", "Ærø Łódź", "naïve café", "Ğü"]
    for sample in samples:
        assert fold(sample) == search_fold(sample)


@pytest.mark.parametrize(
    ("algorithm", "pattern", "message"),
    [
        ("regex", "(unclosed", "not valid"),
        ("regex", "[a-", "not valid"),
        ("regex", "a*", "empty text"),
        ("regex", "", "empty"),
        ("any", "   ", "empty"),
        ("all", '""', "no words"),
        ("exact", "", "empty"),
        ("fuzzy", "ab", "at least"),
        ("bogus", "x", "Unknown matching algorithm"),
        ("any", "x" * 1001, "too long"),
    ],
)
def test_bad_rules_are_refused_with_a_message(algorithm: str, pattern: str, message: str) -> None:
    with pytest.raises(RuleError, match=message):
        validate_rule(algorithm, pattern)


def test_none_and_auto_accept_any_pattern() -> None:
    validate_rule(Algorithm.NONE, "")
    validate_rule(Algorithm.AUTO, "")


def test_an_invalid_rule_never_raises_at_match_time() -> None:
    assert rule_matches("regex", "(unclosed", TEXT) is False
    assert rule_matches("bogus", "x", TEXT) is False


def test_catastrophic_backtracking_counts_as_no_match() -> None:
    pattern = r"(a+)+$"
    validate_rule("regex", pattern)
    text = "a" * 40 + "!"
    # Without the time limit this search takes longer than the age of the universe.
    assert rule_matches("regex", pattern, text) is False
