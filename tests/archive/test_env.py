"""archive.env.env_float: the reader of REVIEW_CONFIDENCE_THRESHOLD."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from archive.env import env_float


def test_unset_or_blank_gives_the_default(monkeypatch):
    monkeypatch.delenv("SOME_RATIO", raising=False)
    assert env_float("SOME_RATIO", 0.8) == 0.8
    monkeypatch.setenv("SOME_RATIO", " ")
    assert env_float("SOME_RATIO", 0.8) == 0.8


def test_a_number_in_range_is_read(monkeypatch):
    monkeypatch.setenv("SOME_RATIO", " 0.65 ")
    assert env_float("SOME_RATIO", 0.8, minimum=0.0, maximum=1.0) == 0.65


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("high", "is not a number"),
        ("nan", "is not a number"),
        ("1.5", "above the maximum of 1.0"),
        ("-0.1", "below the minimum of 0.0"),
    ],
)
def test_bad_values_name_the_variable(monkeypatch, raw, message):
    monkeypatch.setenv("SOME_RATIO", raw)
    with pytest.raises(ImproperlyConfigured, match=message) as error:
        env_float("SOME_RATIO", 0.8, minimum=0.0, maximum=1.0)
    assert "SOME_RATIO" in str(error.value)
