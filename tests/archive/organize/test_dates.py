"""Document dates per language, day/month order, and the dates that are ignored."""

from __future__ import annotations

import datetime

import pytest

from archive.organize.dates import all_dates, find_document_date

TODAY = datetime.date(2026, 12, 4)
NOV3 = datetime.date(2024, 11, 3)


def found(text: str | list[str], language: str | None) -> datetime.date | None:
    pages = [text] if isinstance(text, str) else text
    result = find_document_date(pages, language, today=TODAY)
    return result.value if result else None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Invoice date: 3 November 2024"),
        ("en", "November 3, 2024"),
        ("en", "Nov. 3rd, 2024"),
        ("en", "3rd Nov 2024"),
        ("en", "11/03/2024"),
        ("en", "2024-11-03"),
        ("de", "Berlin, den 3. November 2024"),
        ("de", "Datum: 03.11.2024"),
        ("de", "03. 11. 2024"),
        ("de", "3/11/2024"),
        ("de", "03.11.24"),
        ("fr", "Paris, le 3 novembre 2024"),
        ("fr", "03/11/2024"),
        ("es", "Madrid, 3 de noviembre de 2024"),
        ("es", "03/11/2024"),
        ("it", "Roma, 3 novembre 2024"),
        ("it", "03/11/2024"),
        ("pt", "Lisboa, 3 de novembro de 2024"),
        ("pt", "03/11/2024"),
        ("nl", "Amsterdam, 3 november 2024"),
        ("nl", "03-11-2024"),
        ("sv", "3 november 2024"),
        ("da", "3. november 2024"),
        ("no", "3. november 2024"),
        ("fi", "3. marraskuuta 2024"),
        ("ru", "3 ноября 2024 г."),
        ("zh", "日期：2024年11月3日"),
        ("zh", "2024 年 11 月 3 日"),
        ("zh", "2024/11/03"),
        ("ja", "発行日 2024年11月3日"),
        ("ja", "令和6年11月3日"),
        ("ja", "２０２４年１１月３日"),
        (None, "3 novembre 2024"),
    ],
)
def test_formats_per_language(language: str | None, text: str) -> None:
    assert found(text, language) == NOV3


def test_ambiguous_numeric_dates_follow_the_language() -> None:
    assert found("05/04/2024", "en") == datetime.date(2024, 5, 4)
    assert found("05/04/2024", "de") == datetime.date(2024, 4, 5)
    assert found("05/04/2024", "fr") == datetime.date(2024, 4, 5)


def test_an_unambiguous_date_decides_the_order_of_the_document() -> None:
    # 25/12 can only be day first, so 05/04 in the same British letter is 5 April.
    assert found("Dated 05/04/2024. Delivered 25/12/2023.", "en") == datetime.date(2024, 4, 5)
    # 12/25 can only be month first, so 05/04 in this German text is 4 May.
    assert found("05/04/2024 und 12/25/2023", "de") == datetime.date(2024, 5, 4)


def test_a_date_that_reads_one_way_only_is_read_that_way() -> None:
    assert found("25/12/2023", "en") == datetime.date(2023, 12, 25)
    assert found("12/25/2023", "fr") == datetime.date(2023, 12, 25)


def test_ocr_misread_digit_in_the_year() -> None:
    assert found("Datum 03.11.2O24", "de") == NOV3
    assert found("3 November 2O24", "en") == NOV3
    # "2l24" reads as 2124: a date in the far future, so ignored rather than guessed.
    assert found("03.11.2l24", "de") is None
    assert all_dates(["PARIS, 13 Avril I858."], "fr", today=TODAY) == [
        (datetime.date(1858, 4, 13), 1)
    ]
    # In the shape of a numeric date, one misread letter among five digits or more.
    assert found("Datum: O3.11.2024", "de") == NOV3
    assert found("Date: 11/O3/2024", "en") == NOV3
    assert found("Datum: O3.lI.2024", "de") is None  # two letters: not a date
    # A word is never changed into a number: "lo" and "Il" stay words.
    assert found("Il 03 lo 2024", "it") is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Valid until 3 November 2099"),  # far future
        ("de", "Gründung 03.11.1850"),  # before 1900
        ("de", "IBAN DE89 3704 0044 0532 0130 00"),
        ("de", "Rechnung RE-2024-11-03-0042"),  # inside an invoice number
        ("de", "Referenz 12.03.2024.5"),
        ("de", "Vertrag 1203.11.2024"),
        ("en", "Order AB03.11.2024"),
        ("en", "32/13/2024"),  # no such day or month
        ("en", "Version 1.2.3"),
        ("fr", "Téléphone 01.23.45.67.89"),
        ("en", "November 2024"),  # not a full date
        ("es", "Válido hasta el 3 de noviembre de 2099"),
        ("it", "Scadenza 03/11/2099"),
        ("pt", "Fundada em 3 de novembro de 1850"),
        ("nl", "Geldig tot 03-11-2099"),
        ("ru", "Действует до 01.01.2099"),
        ("zh", "有效期至2099年12月31日"),
        ("ja", "有効期限 2099年12月31日"),
        ("ja", "注文番号 12024年11月3日"),  # the year is glued to another digit
        ("sv", "Kontonummer 1234-11-03-5678"),
    ],
)
def test_ignored(language: str, text: str) -> None:
    assert found(text, language) is None


def test_the_first_plausible_date_wins_and_the_reason_says_where() -> None:
    pages = ["Kein Datum hier", "Fällig am 03.11.2099\nBerlin, 01.10.2024\nLieferung 05.10.2024"]
    result = find_document_date(pages, "de", today=TODAY)
    assert result is not None
    assert result.value == datetime.date(2024, 10, 1)
    assert result.page == 2
    assert "page 2" in result.reason
    assert "ignored" in result.reason
    plain = find_document_date(["Datum 03.11.2024"], "de", today=TODAY)
    assert plain is not None
    assert plain.reason == "first full date in the text, page 1"


def test_no_text_no_date() -> None:
    assert find_document_date([], "en", today=TODAY) is None
    assert find_document_date(["", "   "], None, today=TODAY) is None


def test_long_runs_of_white_space_are_read_in_linear_time() -> None:
    """Layout-preserving OCR text has long runs of spaces and blank lines. Before white space
    was collapsed, a digit before 5,000 spaces cost 2 s (quadratic backtracking); this input
    would take hours."""
    gap = " " * 100_000 + "\n" * 100_000
    assert find_document_date([f"1{gap}x 3 November 2024"], "en", today=TODAY) == (
        find_document_date(["3 November 2024"], "en", today=TODAY)
    )


@pytest.mark.parametrize("language", ["detect", "xx", "", None])
def test_an_unknown_language_reads_every_table_day_first(language: str | None) -> None:
    """A document still waiting for language detection ("detect") or of a language without
    tables: month names of every language, numeric dates day first."""
    assert found("3 ноября 2024", language) == NOV3
    assert found("3. marraskuuta 2024", language) == NOV3
    assert found("03/11/2024", language) == NOV3
