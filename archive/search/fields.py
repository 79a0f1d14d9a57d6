"""Field terms of the search box: ``tag:``, ``correspondent:``, ``type:``, ``date:``,
``added:``, ``field:`` and ``note:``, split from the words before the words are searched.

``split_fields(text)`` returns the words left for full-text search (``archive.search.query``)
and the field terms as groups: every group must match, a group matches when any of its terms
does (``tag:a OR tag:b``), and ``-tag:a`` excludes. A query of field terms alone lists the
documents they match (``archive.search.finding``).

What each term matches (case ignored everywhere):

- ``tag:tax``, ``tag:"Tax/2024"``: a document carrying a tag whose name or full path (or a
  trailing part of its path) is the value, or any tag below such a tag;
- ``correspondent:ikea``, ``type:invoice``: the correspondent's or type's name contains it;
- ``date:2024``, ``date:2024-03``, ``date:2024-03-05``: the document date is in that year,
  month or day; ``date:2023-01..2023-06`` (inclusive; ``2023..`` and ``..2023`` open) a range;
  ``date:>2024-01-01`` (also ``>=``, ``<``, ``<=``) after it;
- ``added:`` the same forms, on the upload date;
- ``field:amount>100``, ``field:amount=paid``, ``field:"due date"<2024-06``: a custom field
  (by name) whose value compares so; a number compares numbers, a date dates, yes/no
  booleans, anything else the text (``=`` all of it, ``:`` a part); ``field:amount``: the
  field has a value;
- ``note:warranty``: a note on the document contains it.

Field names are read in any case. Malformed terms (``tag:`` without a value, ``date:2024-13``,
a quote never closed, ``OR`` between a word and a field) raise ``QueryError`` with a message for
the user; nothing here reaches the database. Every condition is an ``EXISTS`` against rows
reached from the document itself (its tags, its correspondent, its notes), so a term cannot see
another user's metadata whatever its value.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext, gettext_lazy

# A field term: optional "-", a known name, ":", then a value of quoted runs and other
# non-space characters; a quote left open is captured by the last group.
FIELD_NAMES = ("tag", "correspondent", "type", "date", "added", "field", "note")
_TERM = re.compile(
    r"(?P<neg>-?)(?P<name>(?i:" + "|".join(FIELD_NAMES) + r")):"
    r'(?P<value>(?:"[^"]*"|[^\s"])*)(?P<open>"[^"]*)?'
)
# The tokens of the search box (as archive.search.query reads them), field terms first.
_TOKEN = re.compile(r"(?:^|(?<=\s))" + _TERM.pattern + r'|(-?)"([^"]*)"?|(\S+)')

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_COMPARE = re.compile(r"^(>=|<=|>|<|=)?(.*)$", re.S)
_FIELD = re.compile(
    r'^(?:"(?P<quoted>[^"]*)"|(?P<bare>[^<>=:"]+))(?:(?P<op>>=|<=|>|<|=|:)(?P<value>.*))?$', re.S
)
_YES = {"yes", "true", "1", "ja", "oui", "si", "sí"}
_NO = {"no", "false", "0", "nein", "non"}
_HINT_DATE = gettext_lazy(
    "write a date as 2024, 2024-03 or 2024-03-05, a range as 2023-01..2023-06, or >2024-01-01"
)


class QueryError(ValueError):
    """A search box that cannot be read; ``str()`` is a message for the user."""


@dataclass(frozen=True)
class FieldTerm:
    """One field term: ``name`` (lowercase, one of ``FIELD_NAMES``), its condition ``where``
    on documents, and whether it excludes."""

    name: str
    text: str
    where: Q
    negated: bool = False

    def condition(self) -> Q:
        """The term's condition on documents, negated if it excludes."""
        return ~self.where if self.negated else self.where


@dataclass(frozen=True)
class FieldQuery:
    """The search box split: ``text`` (words, phrases and ``OR`` for full-text search, as
    typed) and ``groups`` of field terms (AND of ORs)."""

    text: str
    groups: tuple[tuple[FieldTerm, ...], ...] = ()

    def condition(self) -> Q:
        """Every group's condition AND-ed (an empty ``Q`` when there are no field terms)."""
        where = Q()
        for group in self.groups:
            either = Q()
            for term in group:
                either |= term.condition()
            where &= either
        return where


def split_fields(text: str) -> FieldQuery:
    """``text`` split into words and field terms (see the module docstring); ``QueryError``
    for a malformed field term or an ``OR`` between a word and a field term."""
    # Each item: a field term, the text of a word/phrase token, or "OR".
    items: list[FieldTerm | str] = []
    for match in _TOKEN.finditer(text):
        if match.group("name") is not None:
            items.append(_term(match))
        else:
            items.append(match.group(0))
    words: list[str] = []
    groups: list[list[FieldTerm]] = []
    for index, item in enumerate(items):
        if item == "OR":
            before = items[index - 1] if index > 0 else None
            after = items[index + 1] if index + 1 < len(items) else None
            fields = [isinstance(side, FieldTerm) for side in (before, after) if side is not None]
            if any(fields) and not all(fields):
                raise QueryError(
                    gettext(
                        "OR joins two words or two field terms, not a word and a field term: "
                        "“%(before)s OR %(after)s”."
                    )
                    % {"before": _shown(before), "after": _shown(after)}
                )
            if not any(fields):
                words.append(item)
            continue
        if isinstance(item, FieldTerm):
            joined = (
                index >= 2 and items[index - 1] == "OR" and isinstance(items[index - 2], FieldTerm)
            )
            # As for words, an excluded term is a group of its own (never OR-ed).
            if joined and not item.negated and groups and not groups[-1][-1].negated:
                groups[-1].append(item)
            else:
                groups.append([item])
        else:
            words.append(item)
    return FieldQuery(text=" ".join(words), groups=tuple(tuple(group) for group in groups))


def _shown(item: FieldTerm | str | None) -> str:
    if isinstance(item, FieldTerm):
        return item.text
    return item or ""


def _term(match: re.Match[str]) -> FieldTerm:
    name = match.group("name").lower()
    shown = match.group(0).lstrip("-")
    if match.group("open") is not None:
        raise QueryError(
            gettext("“%(shown)s”: a quote is opened but never closed.") % {"shown": shown}
        )
    raw = match.group("value")
    value = _unquote(raw).strip()
    if not value:
        raise QueryError(
            gettext("“%(shown)s” needs a value, e.g. %(example)s.")
            % {"shown": shown, "example": f"{name}:{_EXAMPLES[name]}"}
        )
    where = _BUILDERS[name](value, shown, raw)
    return FieldTerm(name=name, text=shown, where=where, negated=match.group("neg") == "-")


def _unquote(raw: str) -> str:
    return raw.replace('"', "")


_EXAMPLES = {
    "tag": '"Tax/2024"',
    "correspondent": "ikea",
    "type": "invoice",
    "date": "2024-03",
    "added": ">2024-01-01",
    "field": "amount>100",
    "note": "warranty",
}


def _tag(value: str, shown: str, raw: str) -> Q:
    from archive.organize.models import TAG_SEPARATOR, DocumentTag

    path = TAG_SEPARATOR.join(part.strip() for part in value.split(TAG_SEPARATOR))
    if not all(path.split(TAG_SEPARATOR)):
        raise QueryError(
            gettext("“%(shown)s”: “%(value)s” is not a tag name.")
            % {"shown": shown, "value": value}
        )
    sep = TAG_SEPARATOR
    # The tag itself (by full path, by a trailing part of its path, by name) or one below it.
    named = (
        Q(tag__path__iexact=path)
        | Q(tag__path__istartswith=path + sep)
        | Q(tag__path__iendswith=sep + path)
        | Q(tag__path__icontains=sep + path + sep)
    )
    return Q(Exists(DocumentTag.objects.filter(named, document_id=OuterRef("pk"))))


def _correspondent(value: str, shown: str, raw: str) -> Q:
    from archive.organize.models import Correspondent

    return Q(
        Exists(Correspondent.objects.filter(pk=OuterRef("correspondent_id"), name__icontains=value))
    )


def _type(value: str, shown: str, raw: str) -> Q:
    from archive.organize.models import DocumentType

    return Q(
        Exists(DocumentType.objects.filter(pk=OuterRef("document_type_id"), name__icontains=value))
    )


def _note(value: str, shown: str, raw: str) -> Q:
    from archive.organize.models import Note

    return Q(Exists(Note.objects.filter(document_id=OuterRef("pk"), text__icontains=value)))


def parse_day_range(text: str, shown: str) -> tuple[date, date] | None:
    """The first and last day of ``2024``, ``2024-03`` or ``2024-03-05``; None if ``text`` is
    not in one of those forms; ``QueryError`` if it is but names no real day (month 13)."""
    found = _DATE.match(text.strip())
    if found is None:
        return None
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else None
    day = int(found.group(3)) if found.group(3) else None
    if year < 1:
        raise QueryError(
            gettext("“%(shown)s”: %(year)s is not a year.") % {"shown": shown, "year": year}
        )
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if not 1 <= month <= 12:
        raise QueryError(
            gettext("“%(shown)s”: %(month)s is not a month (1 to 12).")
            % {"shown": shown, "month": month}
        )
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return date(year, month, 1), date(year, month, last)
    if not 1 <= day <= last:
        raise QueryError(
            gettext("“%(shown)s”: %(year)s-%(month)02d has no day %(day)s.")
            % {"shown": shown, "year": year, "month": month, "day": day}
        )
    return date(year, month, day), date(year, month, day)


def date_bounds(value: str, shown: str) -> tuple[date | None, date | None]:
    """The inclusive (first, last) days a ``date:``/``added:`` value covers, an end None when
    open; ``QueryError`` for anything else."""
    if ".." in value:
        start_text, _, end_text = value.partition("..")
        start = _day_range(start_text, shown) if start_text.strip() else None
        end = _day_range(end_text, shown) if end_text.strip() else None
        if start is None and end is None:
            raise QueryError(
                gettext("“%(shown)s”: a range needs at least one end; %(hint_date)s.")
                % {"shown": shown, "hint_date": _HINT_DATE}
            )
        first = start[0] if start else None
        last = end[1] if end else None
        if first and last and first > last:
            raise QueryError(
                gettext("“%(shown)s”: the range ends before it starts.") % {"shown": shown}
            )
        return first, last
    found = _COMPARE.match(value)
    assert found is not None
    op, rest = found.group(1) or "=", found.group(2)
    days = _day_range(rest, shown)
    first, last = days
    if op == "=":
        return first, last
    if op == ">":
        return _next_day(last, shown), None
    if op == ">=":
        return first, None
    if op == "<":
        return None, _previous_day(first, shown)
    return None, last  # "<="


def _day_range(text: str, shown: str) -> tuple[date, date]:
    days = parse_day_range(text, shown)
    if days is None:
        raise QueryError(
            gettext("“%(shown)s” is not a date: %(hint_date)s.")
            % {"shown": shown, "hint_date": _HINT_DATE}
        )
    return days


def _next_day(day: date, shown: str) -> date:
    if day == date.max:
        raise QueryError(gettext("“%(shown)s”: no day comes after it.") % {"shown": shown})
    return date.fromordinal(day.toordinal() + 1)


def _previous_day(day: date, shown: str) -> date:
    if day == date.min:
        raise QueryError(gettext("“%(shown)s”: no day comes before it.") % {"shown": shown})
    return date.fromordinal(day.toordinal() - 1)


def _date(value: str, shown: str, raw: str) -> Q:
    first, last = date_bounds(value, shown)
    where = Q(document_date__isnull=False)
    if first:
        where &= Q(document_date__gte=first)
    if last:
        where &= Q(document_date__lte=last)
    return where


def _added(value: str, shown: str, raw: str) -> Q:
    first, last = date_bounds(value, shown)
    where = Q()
    if first:
        where &= Q(created__date__gte=first)
    if last:
        where &= Q(created__date__lte=last)
    return where


def _field(value: str, shown: str, raw: str) -> Q:
    from archive.organize.models import CustomField, CustomFieldValue

    found = _FIELD.match(raw.strip())
    if found is None:
        raise QueryError(
            gettext(
                "“%(shown)s”: write field:NAME, field:NAME=VALUE or field:NAME>NUMBER (a name "
                'with spaces in quotes: field:"due date"<2024-06).'
            )
            % {"shown": shown}
        )
    name = found.group("quoted") if found.group("quoted") is not None else found.group("bare")
    name = name.strip()
    if not name:
        raise QueryError(
            gettext("“%(shown)s” needs a field name, e.g. field:amount>100.") % {"shown": shown}
        )
    op = found.group("op")
    values = CustomFieldValue.objects.filter(document_id=OuterRef("pk"), field__name__iexact=name)
    if op is None:
        # Any value at all; an empty text is no value.
        has = (
            Q(value_text__gt="")
            | Q(value_int__isnull=False)
            | Q(value_number__isnull=False)
            | Q(value_date__isnull=False)
            | Q(value_bool__isnull=False)
            | Q(value_document__isnull=False)
        )
        return Q(Exists(values.filter(has)))
    wanted = _unquote(found.group("value") or "").strip()
    if not wanted:
        raise QueryError(
            gettext("“%(shown)s” needs a value after “%(op)s”, e.g. field:%(name)s%(op)s100.")
            % {"shown": shown, "op": op, "name": name}
        )
    types = CustomField.DataType
    either = Q(pk__in=[])
    number = _number(wanted)
    if number is not None:
        lookup = _LOOKUPS.get(op, "exact")
        either |= Q(field__data_type=types.INTEGER, **{f"value_int__{lookup}": number}) | Q(
            field__data_type__in=[types.NUMBER, types.MONETARY],
            **{f"value_number__{lookup}": number},
        )
    days = parse_day_range(wanted, shown) if number is None or _DATE.match(wanted) else None
    if days is not None:
        first, last = date_bounds(wanted if op in (":", "=") else op + wanted, shown)
        span = Q(field__data_type=types.DATE, value_date__isnull=False)
        if first:
            span &= Q(value_date__gte=first)
        if last:
            span &= Q(value_date__lte=last)
        either |= span
    if op in (":", "="):
        lowered = wanted.lower()
        if lowered in _YES or lowered in _NO:
            either |= Q(field__data_type=types.BOOLEAN, value_bool=lowered in _YES)
        text = Q(value_text__iexact=wanted) if op == "=" else Q(value_text__icontains=wanted)
        either |= Q(field__data_type__in=[types.TEXT, types.URL, types.SELECT]) & text
    elif number is None and days is None:
        raise QueryError(
            gettext("“%(shown)s”: “%(op)s” compares a number or a date, not “%(wanted)s”.")
            % {"shown": shown, "op": op, "wanted": wanted}
        )
    return Q(Exists(values.filter(either)))


_LOOKUPS = {">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "=": "exact", ":": "exact"}


def _number(text: str) -> Decimal | None:
    """``text`` as a number (``1234.5``, ``1,234.50``, ``-3``), or None."""
    cleaned = text.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text) else text
    if not re.fullmatch(r"-?\d+(\.\d+)?", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


_BUILDERS = {
    "tag": _tag,
    "correspondent": _correspondent,
    "type": _type,
    "date": _date,
    "added": _added,
    "field": _field,
    "note": _note,
}
