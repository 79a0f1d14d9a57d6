"""The organize bench's generated documents (``bench.organize_corpus``): each letter carries
the date it claims, written as its format says, and traps are what they say."""

from __future__ import annotations

import datetime

import pytest

from bench.organize_corpus import dated_letters, filed_archive, render

TODAY = datetime.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("fmt", "language", "expected"),
    [
        ("dd.mm.yyyy", "de", "03.11.2024"),
        ("d. Month yyyy", "de", "3. November 2024"),
        ("mm/dd/yyyy", "en", "11/03/2024"),
        ("d de Month de yyyy", "es", "3 de noviembre de 2024"),
        ("d Month yyyy г.", "ru", "3 ноября 2024 г."),
        ("yyyy年m月d日", "zh", "2024年11月3日"),
        ("era", "ja", "令和6年11月3日"),
    ],
)
def test_render(fmt: str, language: str, expected: str) -> None:
    assert render(fmt, language, datetime.date(2024, 11, 3)) == expected


def test_dated_letters_carry_their_date(testdata) -> None:
    letters = dated_letters(TODAY, per_format=5)
    assert {letter.language for letter in letters} >= {"en", "de", "fr", "zh", "ja"}
    for letter in letters:
        if letter.date is None:
            assert letter.fmt == "no date"
            continue
        written = render(letter.fmt, letter.language, letter.date)
        text = letter.pages[0]
        year = str(letter.date.year)
        misread = written.replace(year, year.replace("0", "O", 1))  # "2O24", a quarter of them
        assert written in text or misread in text
        assert letter.date <= TODAY


def test_filed_archive_classes(testdata) -> None:
    docs = filed_archive(200, correspondents=5, types=3, tags=4)
    assert {d.correspondent for d in docs} == set(range(1, 6))
    assert {d.document_type for d in docs} == set(range(1, 4))
    assert all(d.tags <= set(range(1, 5)) and len(d.tags) <= 3 for d in docs)
