"""Scoring rules of the benchmark (``ocr.scoring``), on cases worked out by hand."""

from __future__ import annotations

import pytest

from ocr.scoring import (
    bag_of_words_f1,
    cer,
    levenshtein,
    normalise,
    strip_unreadable,
    words,
)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("abc", "", 3),
        ("", "abc", 3),
        ("kitten", "sitting", 3),  # k->s, e->i, +g
        ("flaw", "lawn", 2),  # -f, +n
        ("abc", "abc", 0),
        ("été", "ete", 2),  # accents are characters like any other
        ("ab", "ba", 2),  # no transpositions in plain Levenshtein
    ],
)
def test_levenshtein(a: str, b: str, distance: int) -> None:
    assert levenshtein(a, b) == distance
    assert levenshtein(b, a) == distance


def test_levenshtein_matches_the_textbook_recurrence_on_longer_text() -> None:
    def textbook(a: str, b: str) -> int:
        previous = list(range(len(b) + 1))
        for i, char_a in enumerate(a, start=1):
            current = [i]
            for j, char_b in enumerate(b, start=1):
                current.append(
                    min(previous[j - 1] + (char_a != char_b), previous[j] + 1, current[-1] + 1)
                )
            previous = current
        return previous[-1]

    a = "The quick brown fox jumps over the lazy dog, twice."
    b = "Tha quick brwn foxx jumps ovr the lazy dog twice!!"
    assert levenshtein(a, b) == textbook(a, b)


def test_normalise_applies_nfkc_collapses_space_and_joins_cjk() -> None:
    assert normalise("  ﬁne\u00a0 day\n\tout ") == "fine day out"  # ligature, nbsp, tabs
    assert normalise("ſtadt") == "stadt"  # long s folds to s under NFKC
    assert normalise("中 文 字\nabc  中") == "中文字 abc 中"  # spaces kept next to Latin


def test_cer_is_distance_over_reference_length_after_normalising() -> None:
    assert cer("hello world", "hello world") == 0.0
    assert cer("hello  world\n", "hello world") == 0.0  # white space is normalised
    assert cer("helo world", "hello world") == pytest.approx(1 / 11)
    assert cer("", "abcd") == 1.0
    assert cer("abcdefgh", "abcd") == 1.0  # 4 insertions over 4 reference characters
    assert cer("中 文", "中文") == 0.0


def test_cer_of_an_empty_reference() -> None:
    assert cer("", "  ") == 0.0
    assert cer("x", "") == 1.0


def test_words_split_cjk_into_characters() -> None:
    assert words("Hello, 世界 x") == ["Hello,", "世", "界", "x"]


def test_bag_of_words_f1_ignores_order_and_counts_repeats() -> None:
    assert bag_of_words_f1("b a", "a b") == 1.0
    # hypothesis {a, a, c}, reference {a, b}: common 1, precision 1/3, recall 1/2 -> F1 0.4
    assert bag_of_words_f1("a a c", "a b") == pytest.approx(0.4)
    assert bag_of_words_f1("", "") == 1.0
    assert bag_of_words_f1("", "a") == 0.0
    assert bag_of_words_f1("x", "a") == 0.0


def test_handwritten_markers_are_dropped_from_the_reference() -> None:
    reference = strip_unreadable("Paris, le ~~~ mars ~~~")
    assert normalise(reference) == "Paris, le mars"
    assert cer("Paris, le mars", reference) == 0.0
    assert bag_of_words_f1("Paris, le mars", reference) == 1.0
