"""archive.filenames: any name an uploader sends becomes a safe, non-empty label."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.filenames import (
    FALLBACK_NAME,
    FALLBACK_TITLE,
    MAX_LENGTH,
    clean_filename,
    clean_title,
    title_from_filename,
)


@pytest.mark.parametrize(
    ("name", "cleaned", "title"),
    [
        ("../../etc/passwd.png", "passwd.png", "passwd"),
        ("a\x00b\r\n.png", "ab.png", "ab"),
        ("C:\\scans\\x.png", "x.png", "x"),
        ("   .png", "upload.png", FALLBACK_TITLE),
        ("", FALLBACK_NAME, FALLBACK_TITLE),
        ("..", FALLBACK_NAME, FALLBACK_TITLE),
        ("scans/2024/", "2024", "2024"),
        ("/tmp/../", "tmp", "tmp"),
        (".notes.png", "upload.notes.png", "notes"),
        ("Tax_return  2024\t(final).PDF", "Tax_return 2024 (final).PDF", "Tax return 2024 (final)"),
        ("report.", "report", "report"),
        ("exe\u202egnp.jpg", "exegnp.jpg", "exegnp"),  # a right-to-left override hid "exe"
        ("\ud800x.png", "x.png", "x"),  # an unpaired surrogate cannot be stored
        ("Cafe\u0301.png", "Caf\u00e9.png", "Caf\u00e9"),  # decomposed accent (macOS)
        ("\u6587\u66f8 \u30b9\u30ad\u30e3\u30f3.tif", "文書 スキャン.tif", "文書 スキャン"),
    ],
)
def test_names_are_cleaned(name: str, cleaned: str, title: str) -> None:
    assert clean_filename(name) == cleaned
    assert title_from_filename(name) == title


def test_long_names_are_cut_keeping_the_extension() -> None:
    name = "x" * 300 + ".png"
    assert clean_filename(name) == "x" * (MAX_LENGTH - 4) + ".png"
    assert len(title_from_filename(name)) == MAX_LENGTH
    odd = "y" * 300 + "." + "z" * 40  # not a real extension: cut like the rest
    assert clean_filename(odd) == odd[:MAX_LENGTH]


def test_titles_given_are_cleaned() -> None:
    assert clean_title("  Invoice\x00 March\n2024 ") == "Invoice March 2024"
    assert clean_title("\x01\x02") == ""
    assert len(clean_title("t" * 400)) == MAX_LENGTH


@given(st.text())
def test_any_name_gives_a_safe_label(name: str) -> None:
    for label in (clean_filename(name), title_from_filename(name)):
        assert label
        assert label == label.strip()
        assert len(label) <= MAX_LENGTH
        assert not any(char in label for char in "/\\\x00\r\n\t")
        label.encode("utf-8")  # no unpaired surrogates: PostgreSQL can store it
    assert not clean_filename(name).startswith(".")
