"""The document date (the date on the letter or receipt) found in its OCR text. No Django.

An own parser with per-language month tables, chosen over ``dateparser`` by measurement
(``bench/organize.py``; figures in ``docs/organize-suggestions.md``). It reads, in the
document's language (and, for month names, English as well):

- numeric dates ``03.11.2024``, ``3/11/2024``, ``03-11-24`` with the language's day/month order
  (month first for English, day first elsewhere; an unambiguous date elsewhere in the same
  document, such as ``11/25/2024``, decides the order for the whole document);
- ISO and year-first dates ``2024-11-03``, ``2024/11/03``, ``2024.11.03``;
- dates with month names ``3 November 2024``, ``3. November 2024``, ``November 3, 2024``,
  ``3 de noviembre de 2024``, ``1er mars 1954``, ``3-Nov-2024``, ``3 ноября 2024 г.``;
- CJK dates ``2024年11月3日`` and Japanese era dates ``令和6年11月3日``.

OCR noise: a year or a number of a numeric date with one letter ``O``/``o`` read for a zero
or ``l``/``I`` read for a one (``2O24``) is read as the digit; only inside a token of three or
four characters with no other letters, so no word is ever changed.

Ignored as not the document's date: dates after ``today`` plus ``FUTURE_SLACK`` (due dates,
contract ends), before ``MIN_YEAR``, and numbers glued to other digits or letters (an IBAN,
an invoice number ``RE-2024-11-03-0042``, a reference ``12.03.2024.5``).

The document date is the first date in reading order (pages in order) that is not ignored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from archive.organize.matching import fold


@dataclass(frozen=True)
class DateFound:
    """A date suggested as a document's date, with where and why."""

    value: datetime.date
    page: int  # 1-based page number where it was found
    reason: str  # user-facing, e.g. "first full date in the text, page 1"


#: Earliest year taken as a document date.
MIN_YEAR = 1900
#: How far past ``today`` a date may lie and still be the document's (post-dated letters,
#: clocks that differ by a day); later dates are due dates, contract ends and the like.
FUTURE_SLACK = datetime.timedelta(days=31)

# Month names per language (lowercase, any accents: they are folded at import). Each entry is
# a list of 12 tuples of the names and abbreviations of one month.
_MONTHS: dict[str, list[tuple[str, ...]]] = {
    "en": [
        ("january", "jan"),
        ("february", "feb"),
        ("march", "mar"),
        ("april", "apr"),
        ("may",),
        ("june", "jun"),
        ("july", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("october", "oct"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    "de": [
        ("januar", "jan", "jänner", "jaenner"),
        ("februar", "feb", "feber"),
        ("märz", "maerz", "mrz", "mär"),
        ("april", "apr"),
        ("mai",),
        ("juni", "jun"),
        ("juli", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("dezember", "dez"),
    ],
    "fr": [
        ("janvier", "janv", "jan"),
        ("février", "févr", "fév", "fevrier"),
        ("mars",),
        ("avril", "avr"),
        ("mai",),
        ("juin",),
        ("juillet", "juil"),
        ("août", "aout"),
        ("septembre", "sept", "sep"),
        ("octobre", "oct"),
        ("novembre", "nov"),
        ("décembre", "déc", "decembre"),
    ],
    "es": [
        ("enero", "ene"),
        ("febrero", "feb"),
        ("marzo", "mar"),
        ("abril", "abr"),
        ("mayo", "may"),
        ("junio", "jun"),
        ("julio", "jul"),
        ("agosto", "ago"),
        ("septiembre", "setiembre", "sep", "sept", "set"),
        ("octubre", "oct"),
        ("noviembre", "nov"),
        ("diciembre", "dic"),
    ],
    "it": [
        ("gennaio", "gen"),
        ("febbraio", "feb"),
        ("marzo", "mar"),
        ("aprile", "apr"),
        ("maggio", "mag"),
        ("giugno", "giu"),
        ("luglio", "lug"),
        ("agosto", "ago"),
        ("settembre", "set"),
        ("ottobre", "ott"),
        ("novembre", "nov"),
        ("dicembre", "dic"),
    ],
    "pt": [
        ("janeiro", "jan"),
        ("fevereiro", "fev"),
        ("março", "mar"),
        ("abril", "abr"),
        ("maio", "mai"),
        ("junho", "jun"),
        ("julho", "jul"),
        ("agosto", "ago"),
        ("setembro", "set"),
        ("outubro", "out"),
        ("novembro", "nov"),
        ("dezembro", "dez"),
    ],
    "nl": [
        ("januari", "jan"),
        ("februari", "feb"),
        ("maart", "mrt", "mar"),
        ("april", "apr"),
        ("mei",),
        ("juni", "jun"),
        ("juli", "jul"),
        ("augustus", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    "sv": [
        ("januari", "jan"),
        ("februari", "feb"),
        ("mars", "mar"),
        ("april", "apr"),
        ("maj",),
        ("juni", "jun"),
        ("juli", "jul"),
        ("augusti", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    "da": [
        ("januar", "jan"),
        ("februar", "feb"),
        ("marts", "mar"),
        ("april", "apr"),
        ("maj",),
        ("juni", "jun"),
        ("juli", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("december", "dec"),
    ],
    "no": [
        ("januar", "jan"),
        ("februar", "feb"),
        ("mars", "mar"),
        ("april", "apr"),
        ("mai",),
        ("juni", "jun"),
        ("juli", "jul"),
        ("august", "aug"),
        ("september", "sep", "sept"),
        ("oktober", "okt"),
        ("november", "nov"),
        ("desember", "des"),
    ],
    "fi": [
        ("tammikuuta", "tammikuu"),
        ("helmikuuta", "helmikuu"),
        ("maaliskuuta", "maaliskuu"),
        ("huhtikuuta", "huhtikuu"),
        ("toukokuuta", "toukokuu"),
        ("kesäkuuta", "kesäkuu"),
        ("heinäkuuta", "heinäkuu"),
        ("elokuuta", "elokuu"),
        ("syyskuuta", "syyskuu"),
        ("lokakuuta", "lokakuu"),
        ("marraskuuta", "marraskuu"),
        ("joulukuuta", "joulukuu"),
    ],
    "ru": [
        ("января", "январь", "янв"),
        ("февраля", "февраль", "фев"),
        ("марта", "март", "мар"),
        ("апреля", "апрель", "апр"),
        ("мая", "май"),
        ("июня", "июнь", "июн"),
        ("июля", "июль", "июл"),
        ("августа", "август", "авг"),
        ("сентября", "сентябрь", "сен", "сент"),
        ("октября", "октябрь", "окт"),
        ("ноября", "ноябрь", "ноя"),
        ("декабря", "декабрь", "дек"),
    ],
}

#: Languages that write a numeric date month first (``11/03/2024`` is 3 November).
_MONTH_FIRST = frozenset({"en"})


def _month_table(language: str | None) -> dict[str, int]:
    """Folded month name → month number for ``language`` plus English (used in documents of
    every language); for an unknown or missing language, every table (first wins)."""
    codes = [language, "en"] if language in _MONTHS else list(_MONTHS)
    table: dict[str, int] = {}
    for code in codes:
        for number, names in enumerate(_MONTHS[code or "en"], start=1):
            for name in names:
                table.setdefault(fold(name).casefold(), number)
    return table


_TABLES = {code: _month_table(code) for code in [*_MONTHS, None]}

# Digits, or a letter OCR reads for a digit; the fix-up below decides which tokens are numbers.
_OCR_TOKEN = re.compile(r"(?<![^\W\d_])[0-9oli]{3,4}(?![^\W\d_])")  # casefolded text
_OCR_DIGITS = str.maketrans("OolIi", "00111")
_WHITE_SPACE = re.compile(r"\s{2,}")
# A numeric date's shape (casefolded text) with letters OCR reads for digits allowed in it.
_OCR_NUMERIC_DATE = re.compile(
    r"(?<![\w.])[0-9oli]{1,2}([./-])[0-9oli]{1,2}\1[0-9oli]{2,4}(?![\w])(?![./-]\d)"
)

# Not glued to a word character or to a number before/after (IBAN groups, invoice numbers).
_BEFORE = r"(?<![\w])(?<!\d[./-])"
_AFTER = r"(?![\w])(?![./-]\d)"
_WORD = r"(?P<mon>[^\W\d_]{3,})\.?"

_NUMERIC = re.compile(
    _BEFORE + r"(?P<a>\d{1,2})(?P<s>[./-])\s?(?P<b>\d{1,2})(?P=s)\s?(?P<c>\d{4}|\d{2})" + _AFTER
)
_YEAR_FIRST = re.compile(
    _BEFORE + r"(?P<y>\d{4})(?P<s>[./-])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})(?![\d])(?![./-]\d)"
)
_DAY_MONTH_YEAR = re.compile(
    _BEFORE
    + r"(?P<d>\d{1,2})(?:\.|er|st|nd|rd|th|º|°|o)?(?:\s*(?:de\s+|-|/)|\s+|(?=[^\W\d_]))\s*"
    + _WORD
    + r",?(?:\s*(?:de|del)\s+|\s*[-/]\s*|\s+)(?P<y>\d{4})"
    + _AFTER
)
_MONTH_DAY_YEAR = re.compile(
    r"(?<![\w])" + _WORD + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})" + _AFTER
)
_CJK = re.compile(r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})(?!\d)\s*日?")
_ERA = re.compile(
    r"(?P<era>令和|平成|昭和)\s*(?P<y>\d{1,2}|元)\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})"
)
_ERA_START = {"令和": 2018, "平成": 1988, "昭和": 1925}  # year 1 of the era, minus one


@dataclass(frozen=True)
class _Candidate:
    value: datetime.date
    page: int
    offset: int


def find_document_date(
    pages: Sequence[str], language: str | None, *, today: datetime.date
) -> DateFound | None:
    """The date most likely to be the document's own, or None if its text has none.

    ``pages`` are the texts of the pages in order; ``language`` an app language code
    (``archive.languages``) or None when unknown (then the month names of every language are
    read and numeric dates are read day first unless the document shows otherwise).
    """
    ignored = 0
    for candidate in _candidates(pages, language, today):
        if candidate.value.year < MIN_YEAR or candidate.value > today + FUTURE_SLACK:
            ignored += 1
            continue
        where = f"page {candidate.page}"
        if ignored:
            skipped = "1 date" if ignored == 1 else f"{ignored} dates"
            reason = f"first plausible date in the text, {where} ({skipped} before it ignored)"
        else:
            reason = f"first full date in the text, {where}"
        return DateFound(value=candidate.value, page=candidate.page, reason=reason)
    return None


def all_dates(
    pages: Sequence[str], language: str | None, *, today: datetime.date
) -> list[tuple[datetime.date, int]]:
    """Every date read in ``pages`` (with its 1-based page), in reading order, none ignored
    (``today`` places two-digit years)."""
    return [(c.value, c.page) for c in _candidates(pages, language, today)]


def _candidates(
    pages: Sequence[str], language: str | None, today: datetime.date
) -> Iterator[_Candidate]:
    texts = [_prepare(page) for page in pages]
    month_first = _month_first(texts, language)
    months = _TABLES.get(language, _TABLES[None])
    for number, text in enumerate(texts, start=1):
        found: list[_Candidate] = []
        for offset, value in _dates_in(text, months, month_first=month_first, today=today):
            found.append(_Candidate(value, number, offset))
        found.sort(key=lambda c: c.offset)
        yield from found


def _prepare(text: str) -> str:
    """Folded and casefolded (month names compare as in the tables), OCR digit misreads of
    number-like tokens and of numeric dates fixed."""
    # Each run of white space becomes one character: the patterns allow white space in
    # several places, and a long run (layout-preserving OCR) would make them backtrack
    # quadratically.
    text = _WHITE_SPACE.sub(lambda m: "\n" if "\n" in m.group(0) else " ", fold(text).casefold())
    text = _OCR_NUMERIC_DATE.sub(_fix_numeric_date, text)
    return _OCR_TOKEN.sub(_fix_digits, text)


def _fix_numeric_date(match: re.Match[str]) -> str:
    """``o3.11.2024`` → ``03.11.2024``: the shape of a numeric date is specific enough that
    one letter in it, with at least five digits around, is a misread digit."""
    token = match.group(0)
    letters = sum(1 for ch in token if ch in "oli")
    digits = sum(1 for ch in token if ch.isdigit())
    return token.translate(_OCR_DIGITS) if letters == 1 and digits >= 5 else token


def _fix_digits(match: re.Match[str]) -> str:
    token = match.group(0)
    letters = sum(1 for ch in token if not ch.isdigit())
    # One misread at most, and a year-like shape: "2o24" yes; "lol", "ooo", "ill" never.
    if letters == 1 and token[0] in "0123456789li":
        return token.translate(_OCR_DIGITS)
    return token


def _month_first(texts: Sequence[str], language: str | None) -> bool:
    """Whether the document's ambiguous numeric dates read month first: the language's habit,
    unless one of its numeric dates can only be read the other way."""
    day_first_seen = month_first_seen = False
    for text in texts:
        for match in _NUMERIC.finditer(text):
            a, b = int(match["a"]), int(match["b"])
            if a > 12 and 1 <= b <= 12:
                day_first_seen = True
            elif b > 12 and 1 <= a <= 12:
                month_first_seen = True
    if day_first_seen != month_first_seen:
        return month_first_seen
    return language in _MONTH_FIRST


def _dates_in(
    text: str, months: dict[str, int], *, month_first: bool, today: datetime.date
) -> Iterator[tuple[int, datetime.date]]:
    """(offset, date) of every date in one page's prepared text; overlapping readings of the
    same characters give one date (the first pattern that reads them)."""
    taken: list[tuple[int, int]] = []

    def claim(
        match: re.Match[str], value: datetime.date | None
    ) -> Iterator[tuple[int, datetime.date]]:
        span = match.span()
        if value is None or any(s < span[1] and span[0] < e for s, e in taken):
            return
        taken.append(span)
        yield span[0], value

    for match in _ERA.finditer(text):
        era_year = 1 if match["y"] == "元" else int(match["y"])
        year = _ERA_START[match["era"]] + era_year
        yield from claim(match, _date(year, int(match["m"]), int(match["d"])))
    for match in _CJK.finditer(text):
        yield from claim(match, _date(int(match["y"]), int(match["m"]), int(match["d"])))
    for match in _YEAR_FIRST.finditer(text):
        yield from claim(match, _date(int(match["y"]), int(match["m"]), int(match["d"])))
    for match in _DAY_MONTH_YEAR.finditer(text):
        month = months.get(match["mon"])
        if month:
            yield from claim(match, _date(int(match["y"]), month, int(match["d"])))
    for match in _MONTH_DAY_YEAR.finditer(text):
        month = months.get(match["mon"])
        if month:
            yield from claim(match, _date(int(match["y"]), month, int(match["d"])))
    for match in _NUMERIC.finditer(text):
        a, b = int(match["a"]), int(match["b"])
        year = _full_year(match["c"], today)
        # A date that reads only one way is read that way, whatever the document's habit.
        day_first = a > 12 or (not month_first and b <= 12)
        yield from claim(match, _date(year, b, a) if day_first else _date(year, a, b))


def _full_year(digits: str, today: datetime.date) -> int:
    """A two-digit year is the latest year ending so that is not after next year:
    ``24`` → 2024, ``87`` → 1987 (receipts print ``03.11.24``)."""
    if len(digits) == 4:
        return int(digits)
    year = 2000 + int(digits)
    return year if year <= today.year + 1 else year - 100


def _date(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None
