"""Amounts with currencies and separators per language, and the total of receipts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from archive.organize.amounts import find_amounts, find_total


def values(text: str, language: str | None) -> list[tuple[Decimal, str | None]]:
    return [(a.value, a.currency) for a in find_amounts([text], language)]


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("de", "Betrag 1.234,56 €", (Decimal("1234.56"), "EUR")),
        ("de", "EUR 12,30", (Decimal("12.30"), "EUR")),
        ("de", "1.234 EUR", (Decimal("1234"), "EUR")),
        ("en", "1,234 USD", (Decimal("1234"), "USD")),
        ("en", "$1,234.56", (Decimal("1234.56"), "USD")),
        ("en", "£ 9.99", (Decimal("9.99"), "GBP")),
        ("fr", "1 234,56 €", (Decimal("1234.56"), "EUR")),
        ("fr", "12,50 €", (Decimal("12.50"), "EUR")),
        ("it", "€ 7,00", (Decimal("7.00"), "EUR")),
        ("es", "15,95 EUR", (Decimal("15.95"), "EUR")),
        ("nl", "€ 3,45", (Decimal("3.45"), "EUR")),
        ("pt", "R 4,20", (Decimal("4.20"), None)),
        ("sv", "129,00 kr", (Decimal("129.00"), "SEK")),
        ("da", "129,00 kr.", (Decimal("129.00"), "DKK")),
        ("de", "CHF 12.50", (Decimal("12.50"), "CHF")),
        ("ja", "¥1,200", (Decimal("1200"), "JPY")),
        ("ja", "1,200円", (Decimal("1200"), "JPY")),
        ("zh", "¥35.50", (Decimal("35.50"), "CNY")),
        ("zh", "35.50元", (Decimal("35.50"), "CNY")),
        ("ru", "1 500,00 руб.", (Decimal("1500.00"), "RUB")),
        ("en", "12.34", (Decimal("12.34"), None)),
    ],
)
def test_amounts_per_language(
    language: str, text: str, expected: tuple[Decimal, str | None]
) -> None:
    assert values(text, language) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "Datum 03.11.2024",
        "IBAN DE89 3704 0044 0532 0130 00",
        "Rechnung Nr. 2024-0042",
        "Menge 3 Stück",
        "Tel. 030 1234567",
        "Version 1.2.3",
        "Uhrzeit 12:30",
    ],
)
def test_not_amounts(text: str) -> None:
    assert values(text, "de") == []


def test_total_of_a_german_receipt() -> None:
    text = (
        "REWE Markt\nBrot 2,49\nMilch 1,19\nSUMME EUR 3,68\n"
        "Gegeben Bar 10,00\nRückgeld 6,32\nMwSt 19% 0,59"
    )
    total = find_total([text], "de")
    assert total is not None
    assert (total.value, total.currency) == (Decimal("3.68"), "EUR")
    assert total.reason == "amount after “SUMME”, page 1"
    assert [a.value for a in find_amounts([text], "de") if a.is_total] == [Decimal("3.68")]


def test_total_of_an_invoice_prefers_the_grand_total() -> None:
    text = "Subtotal $1,200.00\nTax $96.00\nTotal $1,296.00\nThank you"
    total = find_total([text], "en")
    assert total is not None
    assert total.value == Decimal("1296.00")
    french = "Total HT 100,00 €\nTVA 20 % 20,00 €\nTotal TTC 120,00 €\nNet à payer 120,00 €"
    total = find_total(["Facture", french], "fr")
    assert total is not None
    assert (total.value, total.page) == (Decimal("120.00"), 2)


def test_total_on_the_line_after_its_label() -> None:
    total = find_total(["TOTAL\n12.50\nCASH 20.00\nCHANGE 7.50"], "en")
    assert total is not None
    assert total.value == Decimal("12.50")


def test_cjk_total() -> None:
    total = find_total(["小计 ¥1,000\n消费税 ¥100\n合計 ¥1,100"], "ja")
    assert total is not None
    assert (total.value, total.currency) == (Decimal("1100"), "JPY")


def test_no_total_without_a_total_line() -> None:
    assert find_total(["Brot 2,49\nMilch 1,19"], "de") is None
    assert find_total([], "de") is None


def test_receipt_columns_and_the_currency_of_the_other_amounts() -> None:
    text = "EDEKA\nBrot 2,99 A\nSUMME           EUR       4,28\nGeg. EC-Cash    EUR       4,28"
    total = find_total([text], "de")
    assert total is not None
    assert (total.value, total.currency) == (Decimal("4.28"), "EUR")
    plain = find_total(["Brot 2,99\nSumme 4,28\nMwSt 0,20\nBetrag in EUR: 4,28 EUR"], "de")
    assert plain is not None
    assert (plain.value, plain.currency) == (Decimal("4.28"), "EUR")
    assert find_amounts(["Heur 2,99"], "de")[0].currency is None  # not EUR inside a word


def test_total_a_payer() -> None:
    total = find_total(["TOTAL A PAYER   23,45 EUR\nCB 23,45"], "fr")
    assert total is not None
    assert total.reason == "amount after “TOTAL A PAYER”, page 1"
    assert [a.is_total for a in find_amounts(["TOTAL A PAYER   23,45 EUR\nCB 23,45"], "fr")] == [
        True,
        False,
    ]


def test_long_runs_of_white_space_and_blank_lines() -> None:
    """Layout-preserving OCR text: blank lines are skipped (a label may stand a few blank
    lines above its amount), long gaps between label and amount are one gap."""
    total = find_total(["TOTAL\n\n\n12.50" + "\n" * 200_000], "en")
    assert total is not None
    assert total.value == Decimal("12.50")
    assert find_amounts(["1" + " " * 200_000 + "x"], "de") == []


@pytest.mark.parametrize("language", ["detect", "xx", None])
def test_an_unknown_language_reads_the_unambiguous_forms(language: str | None) -> None:
    assert values("1.234,56 €", language) == [(Decimal("1234.56"), "EUR")]
    assert values("$1,234.56", language) == [(Decimal("1234.56"), "USD")]
    total = find_total(["Summe 4,28 EUR"], language)
    assert total is not None
    assert total.value == Decimal("4.28")
