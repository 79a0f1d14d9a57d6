"""Monetary amounts and the total of a receipt or invoice, read from its OCR text. No Django.

An amount is a number with a currency beside it (``€ 12,34``, ``12.34 EUR``, ``$1,234.56``,
``¥1,200``, ``1.200円``, ``CHF 12.50``) or a number with exactly two decimals (``12,34``),
the way prices are printed. Separators follow the document's language where they are
ambiguous: ``1.234`` is 1234 in German and 1.234 in English; a separator followed by exactly
two digits is always the decimal one (no language groups thousands by two), and
``1.234,56``/``1,234.56`` read the same in every language. Numbers glued to other digits or
to letters (dates ``03.11.2024``, invoice numbers, IBANs) are not amounts.

The total is the amount on (or on the line after) a line that names the total in the
document's language or English (``Total``, ``Summe``, ``Gesamtbetrag``, ``Net à payer``,
``合計``), not a subtotal, tax or change line; of several, the largest (a total is at least
any of its parts).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from archive.organize.matching import fold


@dataclass(frozen=True)
class AmountFound:
    """A monetary amount in a document's text, with where and why."""

    value: decimal.Decimal
    currency: str | None  # ISO 4217 code, or None when the text names none
    page: int  # 1-based
    reason: str  # user-facing, e.g. "amount after “Total”, page 1"
    is_total: bool


#: Languages writing ``1.234,56`` (comma decimal); the others write ``1,234.56``.
_COMMA_DECIMAL = frozenset({"de", "fr", "es", "it", "pt", "nl", "sv", "da", "no", "fi", "ru"})

# Currency symbols and codes → ISO 4217. ``kr`` and ``¥`` depend on the language.
_SYMBOLS = {
    "€": "EUR",
    "$": "USD",
    "us$": "USD",
    "£": "GBP",
    "₽": "RUB",
    "руб": "RUB",
    "р": "RUB",
    "円": "JPY",
    "元": "CNY",
    "rmb": "CNY",
    "fr": "CHF",
    "sfr": "CHF",
    "zł": "PLN",
    "kč": "CZK",
    "₹": "INR",
    "₩": "KRW",
}
_CODES = frozenset(
    {"EUR", "USD", "GBP", "CHF", "JPY", "CNY", "SEK", "NOK", "DKK", "RUB", "PLN", "CZK"}
    | {"HUF", "CAD", "AUD", "NZD", "INR", "KRW", "HKD", "SGD", "BRL", "MXN", "ZAR", "TRY"}
)
_KRONA = {"sv": "SEK", "da": "DKK", "no": "NOK"}

_CURRENCY = (
    r"(?P<{g}>[€$£₽¥￥₹₩円元]|us\$|руб\.?|р\.|(?<![A-Za-z])[A-Z]{{3}}(?![A-Za-z])"
    r"|kr\.?|rmb|s?fr\.|zł|kč)"
)
# A number: digit groups joined by separators (. , ' and thin/no-break spaces), or by a plain
# space when groups of three are followed by decimals ("1 234,56", French style).
_NUMBER = (
    r"(?P<num>\d{1,3}(?:(?:[.,'’\u00a0\u202f]| (?=\d{3}[.,]\d{2}(?!\d)))\d{3})*(?:[.,]\d{1,2})?"
    r"|\d+(?:[.,]\d{1,2})?)"
)
_AMOUNT = re.compile(
    r"(?:"
    + _CURRENCY.format(g="pre")
    + r"[ \t\u00a0]{0,20})?"  # receipts align the amount column with spaces
    + r"(?<![\d.,'’])(?(pre)|(?<![^\W\d_]))(?<!\d\s)-?"
    + _NUMBER
    # Not glued to a letter after it (円 and 元 follow the number directly) or to more digits.
    + r"(?![\d_])(?![^\W\d_](?<![円元]))(?![.,'’]\d)"
    + r"(?:[ \t\u00a0]{0,3}(?:"
    + _CURRENCY.format(g="post")
    + r"))?",
    re.IGNORECASE,
)

# Words naming the total, per language (folded, lowercase); matched as whole words.
_TOTAL_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "total",
        "grand total",
        "total due",
        "amount due",
        "balance due",
        "total amount",
        "amount payable",
        "to pay",
    ),
    "de": (
        "summe",
        "gesamt",
        "gesamtbetrag",
        "gesamtsumme",
        "endbetrag",
        "zu zahlen",
        "rechnungsbetrag",
        "zahlbetrag",
        "bruttobetrag",
        "total",
    ),
    "fr": (
        "total",
        "total ttc",
        "montant total",
        "net a payer",
        "a payer",
        "total a payer",
        "montant ttc",
    ),
    "es": ("total", "importe total", "total a pagar", "a pagar"),
    "it": ("totale", "totale complessivo", "importo totale", "da pagare"),
    "pt": ("total", "valor total", "total a pagar", "a pagar"),
    "nl": ("totaal", "te betalen", "totaalbedrag"),
    "sv": ("summa", "totalt", "att betala", "total"),
    "da": ("total", "i alt", "at betale", "totalt"),
    "no": ("totalt", "sum", "a betale", "total"),
    "fi": ("yhteensa", "maksettava", "summa"),
    "ru": ("итого", "всего", "к оплате", "сумма"),
    "zh": ("合计", "总计", "总额", "合計", "總計", "应付", "實付", "实付"),
    "ja": ("合計", "総額", "お支払", "税込合計", "ご請求金額"),
}
# Lines naming a part of the total, not the total itself.
_NOT_TOTAL = (
    "subtotal",
    "sub total",
    "sub-total",
    "zwischensumme",
    "sous-total",
    "sous total",
    "subtotale",
    "subtotaal",
    "tax",
    "vat",
    "mwst",
    "ust",
    "tva",
    "iva",
    "btw",
    "moms",
    "netto",
    "change",
    "cash",
    "tendered",
    "ruckgeld",
    "gegeben",
    "bar",
    "rendu",
    "cambio",
    "wisselgeld",
    "小计",
    "小計",
    "税",
    "找零",
    "お釣",
    "お預",
)


def find_amounts(pages: Sequence[str], language: str | None) -> list[AmountFound]:
    """Every amount in ``pages`` in reading order; ``is_total`` marks the one ``find_total``
    picks (at most one)."""
    amounts, total = _scan(pages, language)
    return [
        AmountFound(a.value, a.currency, a.page, a.reason, is_total=(a is total)) for a in amounts
    ]


def find_total(pages: Sequence[str], language: str | None) -> AmountFound | None:
    """The total of a receipt or invoice, or None when no line names one."""
    _, total = _scan(pages, language)
    return total


def _scan(
    pages: Sequence[str], language: str | None
) -> tuple[list[AmountFound], AmountFound | None]:
    amounts: list[AmountFound] = []
    # (keyword strength, index of the amount in ``amounts``, the keyword)
    totals: list[tuple[int, int, str]] = []
    words = _total_words(language)
    for number, page in enumerate(pages, start=1):
        pending: str | None = None  # a total word on the previous line with no amount
        for line in page.splitlines():
            if not line.strip():
                continue  # blank lines of layout-preserving OCR: cheap, and keep ``pending``
            found = _amounts_in(line, language, number)
            keyword = _total_keyword(line, words)
            first = len(amounts)
            amounts.extend(found)
            if keyword and found:
                best = max(range(len(found)), key=lambda i: found[i].value)
                totals.append((len(keyword), first + best, keyword))
                pending = None
            elif pending and found:
                totals.append((len(pending), first, pending))
                pending = None
            else:
                pending = keyword if keyword and not found else None
    if not totals:
        return amounts, None
    # The largest amount on a total line; the more specific keyword on a tie.
    _, index, keyword = max(totals, key=lambda t: (amounts[t[1]].value, t[0]))
    total = _as_total(amounts[index], keyword)
    currencies = {a.currency for a in amounts if a.currency}
    if total.currency is None and len(currencies) == 1:
        # "SUMME 4,28" on a receipt whose other amounts say EUR is in euros.
        total = replace(total, currency=currencies.pop())
    amounts[index] = total
    return amounts, total


def _as_total(amount: AmountFound, keyword: str) -> AmountFound:
    return AmountFound(
        amount.value,
        amount.currency,
        amount.page,
        f"amount after “{keyword}”, page {amount.page}",
        is_total=True,
    )


def _total_words(language: str | None) -> list[str]:
    codes = [language, "en"] if language in _TOTAL_WORDS else list(_TOTAL_WORDS)
    words = {fold(word) for code in codes for word in _TOTAL_WORDS.get(code or "en", ())}
    return sorted(words, key=len, reverse=True)


def _total_keyword(line: str, words: list[str]) -> str | None:
    """The longest total word on ``line`` (as written there), unless the line names a part of
    the total (subtotal, tax, change)."""
    folded = fold(line).casefold()
    if any(_has_word(folded, word) for word in _NOT_TOTAL):
        return None
    for word in words:
        index = _find_word(folded, word)
        if index >= 0:
            return line[index : index + len(word)] if len(fold(line)) == len(line) else word
    return None


def _find_word(text: str, word: str) -> int:
    if not word.isascii():  # CJK: no spaces around words
        return text.find(word)
    match = re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text)
    return match.start() if match else -1


def _has_word(text: str, word: str) -> bool:
    return _find_word(text, word) >= 0


def _amounts_in(line: str, language: str | None, page: int) -> list[AmountFound]:
    found: list[AmountFound] = []
    for match in _AMOUNT.finditer(line):
        # A prefix may be a word before the number ("Betrag 12,34 €"): the first that is a
        # currency counts.
        symbols = [s for s in (match["pre"], match["post"]) if s]
        currency = next(filter(None, (_currency(s, language) for s in symbols)), None)
        digits = match["num"]
        if currency is None and not re.search(r"[.,]\d{2}$", digits):
            continue  # a bare number without cents is a count or a reference, not money
        value = _parse_number(digits, language)
        if value is None:
            continue
        found.append(
            AmountFound(value, currency, page, f"amount in the text, page {page}", is_total=False)
        )
    return found


def _currency(symbol: str, language: str | None) -> str | None:
    key = symbol.casefold().rstrip(".")
    if symbol.upper() in _CODES and symbol.upper() != "TRY":  # "try" is an English word
        return symbol.upper()
    if key in ("¥", "￥"):
        return "CNY" if language == "zh" else "JPY"
    if key == "kr":
        return _KRONA.get(language or "", "SEK")
    return _SYMBOLS.get(key)


def _parse_number(digits: str, language: str | None) -> decimal.Decimal | None:
    """``digits`` as a number: the last separator is the decimal one if two or fewer digits
    follow it, or if it is the language's decimal separator and the only separator."""
    cleaned = re.sub(r"[\s\u00a0\u202f'’]", "", digits)
    separators = [ch for ch in cleaned if ch in ".,"]
    if not separators:
        return decimal.Decimal(cleaned)
    last = max(cleaned.rfind("."), cleaned.rfind(","))
    tail = cleaned[last + 1 :]
    head = cleaned[:last]
    decimal_sep = "," if language in _COMMA_DECIMAL else "."
    is_decimal = len(tail) <= 2 or (
        len(set(separators)) == 1 and len(separators) == 1 and cleaned[last] == decimal_sep
    )
    if is_decimal:
        if head.count(cleaned[last]) and cleaned[last] in head:
            return None  # "1.234.56": the decimal separator also groups thousands
        return decimal.Decimal(re.sub(r"[.,]", "", head) + "." + tail)
    return decimal.Decimal(re.sub(r"[.,]", "", cleaned))
