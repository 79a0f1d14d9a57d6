"""A user's custom fields: their definitions, and reading a typed value from user input.

``field_value_parse`` turns what a form or the API sends into the columns of a
``CustomFieldValue`` (``OrganizeError`` with a plain message for anything else), and
``field_value_show`` turns the columns back into the text a user reads (also the canonical form
a suggestion's ``value`` is compared in).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext

from archive.organize.common import apply_rule, check_owner, check_unique_name, clean_name
from archive.organize.errors import OrganizeError
from archive.organize.models import CustomField, CustomFieldValue

DataType = CustomField.DataType
#: Columns of a value; every parse returns all of them (the others None), so an upsert
#: clears a column a previous value of another shape left behind.
VALUE_COLUMNS = (
    "value_text",
    "value_int",
    "value_number",
    "value_currency",
    "value_date",
    "value_bool",
    "value_document_id",
)
TEXT_MAX = 10_000
_INT_RANGE = (-(2**63), 2**63 - 1)
_NUMBER_LIMIT = Decimal(10) ** 18  # 24 digits, 6 after the point
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_MONEY = re.compile(r"^\s*([A-Za-z]{3})?\s*([-+]?[0-9][0-9.,' ]*)\s*([A-Za-z]{3})?\s*$")
_TRUE = {"true", "yes", "1", "on", "y"}
_FALSE = {"false", "no", "0", "off", "n"}


def _currency(code: str, *, field: str = "currency") -> str:
    code = code.strip().upper()
    if code and not _CURRENCY.match(code):
        raise OrganizeError(
            gettext("A currency is a three-letter ISO 4217 code, e.g. EUR or USD."), field=field
        )
    return code


def _options(options: Any) -> list[str]:
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise OrganizeError(gettext("Options are a list of texts."), field="select_options")
    cleaned = [" ".join(o.split()) for o in options]
    if any(not o for o in cleaned):
        raise OrganizeError(gettext("An option cannot be empty."), field="select_options")
    if len({o.casefold() for o in cleaned}) != len(cleaned):
        raise OrganizeError(gettext("Each option may appear once."), field="select_options")
    return cleaned


def _suggest(field: CustomField, changes: dict[str, Any]) -> None:
    suggest = changes.get("suggest", field.suggest) or ""
    if suggest not in CustomField.Suggest.values:
        raise OrganizeError(
            gettext("Unknown suggestion %(suggest)r.") % {"suggest": suggest}, field="suggest"
        )
    if suggest and field.data_type not in (DataType.MONETARY, DataType.NUMBER):
        raise OrganizeError(
            gettext("Only number and monetary fields can be suggested from amounts in the text."),
            field="suggest",
        )
    field.suggest = suggest


def custom_field_create(
    *,
    owner: AbstractBaseUser,
    name: str,
    data_type: str,
    currency: str = "",
    select_options: list[str] | None = None,
    **rule: Any,
) -> CustomField:
    """A new field of ``data_type``. ``rule`` may also hold ``suggest`` (``total``/``amount``)
    with the matching rule that says which documents get the suggestion."""
    if data_type not in DataType.values:
        raise OrganizeError(
            gettext("Unknown field type %(data_type)r: use one of %(choices)s.")
            % {"data_type": data_type, "choices": ", ".join(DataType.values)},
            field="data_type",
        )
    name = clean_name(name)
    check_unique_name(CustomField, owner, name, None)
    field = CustomField(owner_id=owner.pk, name=name, data_type=data_type)
    field.currency = _currency(currency)
    field.select_options = _options(select_options or [])
    if data_type == DataType.SELECT and not field.select_options:
        raise OrganizeError(
            gettext("A select field needs at least one option."), field="select_options"
        )
    _suggest(field, rule)
    rule.pop("suggest", None)
    apply_rule(field, rule, allow_auto=False)
    field.save()
    return field


def custom_field_update(
    *,
    owner: AbstractBaseUser,
    field: CustomField,
    rename_options: dict[str, str] | None = None,
    **changes: Any,
) -> CustomField:
    """Change a field's name, currency, options or suggestion rule.

    The type of a field that holds values cannot change (they would be lost). Options that
    documents use cannot be dropped; rename them with ``rename_options`` ({old: new}), which
    renames the documents' values too, in the same transaction.
    """
    check_owner(owner, field)
    if "data_type" in changes and changes["data_type"] != field.data_type:
        if field.values.exists():
            raise OrganizeError(
                gettext("Documents hold values of this field: its type cannot change."),
                field="data_type",
            )
        if changes["data_type"] not in DataType.values:
            raise OrganizeError(
                gettext("Unknown field type %(data_type)r.") % {"data_type": changes["data_type"]},
                field="data_type",
            )
        field.data_type = changes["data_type"]
    if "name" in changes:
        field.name = clean_name(changes["name"])
        check_unique_name(CustomField, owner, field.name, field.pk)
    if "currency" in changes:
        field.currency = _currency(changes["currency"])
    renames = dict(rename_options or {})
    with transaction.atomic():
        if "select_options" in changes or renames:
            options = _options(changes.get("select_options", field.select_options))
            options = [renames.get(o, o) for o in options]
            _options(options)  # renames may collide
            for old, new in renames.items():
                field.values.filter(value_text=old).update(value_text=new)
            used = {
                text
                for text in field.values.exclude(value_text__in=options).values_list(
                    "value_text", flat=True
                )
                if text is not None
            }
            if used:
                raise OrganizeError(
                    "Documents still use "
                    + ", ".join(f"“{u}”" for u in sorted(used))
                    + ": keep or rename these options.",
                    field="select_options",
                )
            field.select_options = options
        _suggest(field, changes)
        apply_rule(field, changes, allow_auto=False)
        field.save()
    return field


def custom_field_delete(*, owner: AbstractBaseUser, field: CustomField) -> None:
    """Delete a field and every document's value of it."""
    check_owner(owner, field)
    field.delete()


def field_value_parse(
    field: CustomField, raw: Any, *, owner_id: int | None = None
) -> dict[str, Any] | None:
    """The value columns for ``raw`` in ``field``'s type, or None for an empty value (clear).

    Accepted: text and URL as text; integer/number as numbers or their text; monetary as a
    number, ``"12.50"`` (the field's currency), ``"EUR 12.50"`` / ``"12.50 EUR"`` or
    ``{"amount": ..., "currency": ...}``; date as ``YYYY-MM-DD``; boolean as true/false/yes/no;
    select as one of the options; document as the id of one of ``owner_id``'s documents.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    columns: dict[str, Any] = dict.fromkeys(VALUE_COLUMNS)
    columns["value_currency"] = ""
    kind = field.data_type
    name = field.name
    if kind in (DataType.TEXT, DataType.URL, DataType.SELECT):
        text = str(raw).strip()
        if len(text) > TEXT_MAX:
            raise OrganizeError(
                gettext("%(name)s: at most %(text_max)s characters.")
                % {"name": name, "text_max": TEXT_MAX},
                field="value",
            )
        if kind == DataType.URL:
            try:
                URLValidator(schemes=["http", "https", "ftp", "ftps", "mailto"])(text)
            except ValidationError as error:
                raise OrganizeError(
                    gettext("%(name)s: “%(text)s” is not a web address.")
                    % {"name": name, "text": text},
                    field="value",
                ) from error
        if kind == DataType.SELECT:
            match = [o for o in field.select_options if o.casefold() == text.casefold()]
            if not match:
                raise OrganizeError(
                    f"{name}: choose one of " + ", ".join(field.select_options) + ".",
                    field="value",
                )
            text = match[0]
        columns["value_text"] = text
    elif kind == DataType.INTEGER:
        try:
            number = int(str(raw).strip()) if not isinstance(raw, bool) else None
        except ValueError:
            number = None
        if number is None or not _INT_RANGE[0] <= number <= _INT_RANGE[1]:
            raise OrganizeError(
                gettext("%(name)s: “%(raw)s” is not a whole number.") % {"name": name, "raw": raw},
                field="value",
            )
        columns["value_int"] = number
    elif kind in (DataType.NUMBER, DataType.MONETARY):
        amount, currency = _amount(field, raw)
        columns["value_number"] = amount
        if kind == DataType.MONETARY:
            columns["value_currency"] = currency or field.currency
    elif kind == DataType.DATE:
        try:
            columns["value_date"] = (
                raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
            )
        except ValueError as error:
            raise OrganizeError(
                gettext("%(name)s: a date is written YYYY-MM-DD.") % {"name": name}, field="value"
            ) from error
    elif kind == DataType.BOOLEAN:
        word = str(raw).strip().casefold()
        if isinstance(raw, bool):
            columns["value_bool"] = raw
        elif word in _TRUE or word in _FALSE:
            columns["value_bool"] = word in _TRUE
        else:
            raise OrganizeError(
                gettext("%(name)s: answer yes or no.") % {"name": name}, field="value"
            )
    elif kind == DataType.DOCUMENT:
        from archive.models import Document

        try:
            pk = int(str(raw).strip())
        except ValueError:
            pk = 0
        if not 0 < pk < 2**63 or not Document.objects.filter(pk=pk, owner_id=owner_id).exists():
            raise OrganizeError(
                gettext("%(name)s: no such document.") % {"name": name}, field="value"
            )
        columns["value_document_id"] = pk
    return columns


def _amount(field: CustomField, raw: Any) -> tuple[Decimal, str]:
    currency = ""
    if isinstance(raw, dict):
        currency = _currency(str(raw.get("currency") or ""), field="value")
        raw = raw.get("amount")
    if isinstance(raw, bool) or raw is None:
        raise OrganizeError(
            gettext("%(name)s: “%(raw)s” is not a number.") % {"name": field.name, "raw": raw},
            field="value",
        )
    text = str(raw).strip()
    found = _MONEY.match(text)
    if found is None:
        raise OrganizeError(
            gettext("%(name)s: “%(raw)s” is not a number.") % {"name": field.name, "raw": raw},
            field="value",
        )
    before, digits, after = found.groups()
    if before and after:
        raise OrganizeError(
            gettext("%(name)s: one currency, please.") % {"name": field.name}, field="value"
        )
    if before or after:
        currency = _currency(before or after, field="value")
    digits = digits.replace(" ", "").replace("'", "")
    # "1.234,56" and "1,234.56": the last separator is the decimal point.
    if "," in digits and "." in digits:
        point = "," if digits.rfind(",") > digits.rfind(".") else "."
        digits = digits.replace("." if point == "," else ",", "").replace(point, ".")
    elif "," in digits:
        digits = digits.replace(",", ".") if digits.count(",") == 1 else digits.replace(",", "")
    try:
        amount = Decimal(digits)
    except InvalidOperation as error:
        raise OrganizeError(
            gettext("%(name)s: “%(raw)s” is not a number.") % {"name": field.name, "raw": raw},
            field="value",
        ) from error
    if not amount.is_finite() or abs(amount) >= _NUMBER_LIMIT:
        raise OrganizeError(
            gettext("%(name)s: “%(raw)s” is out of range.") % {"name": field.name, "raw": raw},
            field="value",
        )
    if field.data_type == DataType.NUMBER and currency:
        raise OrganizeError(
            gettext("%(name)s: a number has no currency.") % {"name": field.name}, field="value"
        )
    return amount.quantize(Decimal("0.000001")).normalize(), currency


def field_value_show(field: CustomField, value: CustomFieldValue | dict[str, Any]) -> str:
    """A value as a user reads it (and as suggestions are compared): ``12.50 EUR``, ``yes``."""
    get = value.get if isinstance(value, dict) else lambda name: getattr(value, name)
    kind = field.data_type
    if kind in (DataType.TEXT, DataType.URL, DataType.SELECT):
        return str(get("value_text") or "")
    if kind == DataType.INTEGER:
        return str(get("value_int"))
    if kind in (DataType.NUMBER, DataType.MONETARY):
        number = get("value_number")
        if number is None:
            return ""
        amount = Decimal(number).normalize()
        if kind == DataType.MONETARY and amount.as_tuple().exponent > -2:  # type: ignore[operator]
            amount = amount.quantize(Decimal("0.01"))  # money has cents: 12.50, not 12.5
        shown = f"{amount:f}"
        currency = get("value_currency") or ""
        return f"{shown} {currency}".strip()
    if kind == DataType.DATE:
        day = get("value_date")
        return day.isoformat() if day else ""
    if kind == DataType.BOOLEAN:
        flag = get("value_bool")
        return "" if flag is None else ("yes" if flag else "no")
    if kind == DataType.DOCUMENT:
        pk = get("value_document_id")
        return f"#{pk}" if pk else ""
    return ""
