"""The suggestion step: fill in a document's metadata from its text when OCR finishes.

Called once by the worker after the last page of a run is saved (``document_suggest``), and
again on every re-run. Values are applied to the document at once (search and facets see them)
and each gets a ``Suggestion`` row in state *suggested* with its reason.

What the user set is never overwritten. For each place (the date, the correspondent, the type,
one tag, one custom field) the step writes only if

- no ``Suggestion`` row exists for it, and the place is empty (a value without a row is the
  user's), or
- the row is still *suggested*: then the old suggestion is withdrawn first (its value removed,
  if the document still holds it) and the new one applied.

A *confirmed* or *rejected* row (the user kept, changed or cleared the value) is left alone,
and so is a suggested value the user changed around the services (the row is then marked
rejected).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from archive.organize.amounts import AmountFound, find_amounts, find_total
from archive.organize.dates import find_document_date
from archive.organize.fields import field_value_show
from archive.organize.models import (
    Correspondent,
    CustomField,
    CustomFieldValue,
    DocumentTag,
    DocumentType,
    MatchAlgorithm,
    Suggestion,
    Tag,
)
from archive.organize.rules import rule_description, rule_fires
from archive.organize.training import classifier_for

_logger = logging.getLogger(__name__)
Kind = Suggestion.Kind
State = Suggestion.State


@dataclass
class Candidate:
    """One value the step would suggest, before it is checked against what the user set."""

    key: str
    kind: str
    reason: str
    confidence: float | None = None
    value_date: date | None = None
    correspondent_id: int | None = None
    document_type_id: int | None = None
    tag_id: int | None = None
    field: CustomField | None = None
    columns: dict[str, Any] = dataclass_field(default_factory=dict)
    shown: str = ""


def document_suggest(document_id: int) -> list[str]:
    """Suggest metadata for the document and apply it where the user has set nothing; returns
    the keys applied. Never raises: a problem is logged and the document keeps what it had
    (suggestions are a help, and a done document must stay done)."""
    from archive.models import Document

    try:
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            return []
        pages = list(document.pages.order_by("number").values_list("text", flat=True))
        candidates = suggestions_compute(document, pages)
        return _apply(document_id, candidates)
    except Exception:  # logged with the document; the pipeline goes on
        _logger.exception("document %s: suggestions failed", document_id)
        return []


def suggestions_compute(document: Any, pages: list[str]) -> dict[str, Candidate]:
    """Every suggestion for ``document`` with page texts ``pages``, by key (pure reads)."""
    owner_id = document.owner_id
    language = document.language if len(document.language) == 2 else None
    text = "\n".join([document.title, *pages])
    found: dict[str, Candidate] = {}

    day = find_document_date(pages, language, today=timezone.localdate())
    if day is not None:
        found[Kind.DATE] = Candidate(
            Kind.DATE, Kind.DATE, day.reason, value_date=day.value, shown=day.value.isoformat()
        )

    prediction = None
    classifier = classifier_for(owner_id)
    if classifier is not None:
        prediction = classifier.predict(text)

    correspondents = list(Correspondent.objects.filter(owner_id=owner_id))
    predicted = prediction.correspondent if prediction is not None else None
    chosen = _chosen(correspondents, text, predicted, owner_id, "correspondent_id")
    if chosen is not None:
        item, reason, confidence = chosen
        found[Kind.CORRESPONDENT] = Candidate(
            Kind.CORRESPONDENT,
            Kind.CORRESPONDENT,
            reason,
            confidence=confidence,
            correspondent_id=item.pk,
            shown=item.name,
        )

    types = list(DocumentType.objects.filter(owner_id=owner_id))
    predicted = prediction.document_type if prediction is not None else None
    chosen = _chosen(types, text, predicted, owner_id, "document_type_id")
    if chosen is not None:
        item, reason, confidence = chosen
        found[Kind.TYPE] = Candidate(
            Kind.TYPE,
            Kind.TYPE,
            reason,
            confidence=confidence,
            document_type_id=item.pk,
            shown=item.name,
        )

    tags = list(Tag.objects.filter(owner_id=owner_id))
    for tag in tags:
        if rule_fires(tag, text):
            key = f"tag:{tag.pk}"
            found[key] = Candidate(
                key,
                Kind.TAG,
                f"your rule matched: {rule_description(tag)}",
                tag_id=tag.pk,
                shown=tag.path,
            )
    if prediction is not None:
        for tag_id, confidence in prediction.tags:
            learned = _learned(tags, tag_id, confidence)
            key = f"tag:{tag_id}"
            if learned is not None and key not in found:
                item = learned[0]
                found[key] = Candidate(
                    key,
                    Kind.TAG,
                    _learned_reason(owner_id, "tags", item.pk),
                    confidence=confidence,
                    tag_id=item.pk,
                    shown=item.path,
                )

    fields = CustomField.objects.filter(owner_id=owner_id).exclude(suggest="")
    for custom in fields:
        candidate = _field_candidate(custom, pages, language, text)
        if candidate is not None:
            found[candidate.key] = candidate
    return found


def _by_rule(items: list[Any], text: str) -> Any:
    """The object whose rule matches ``text``; of several, an exact kind of rule before a fuzzy
    one (``Shop047`` is close to ``Shop470``, which another rule names exactly), then the
    longest pattern (the most specific rule), then by name."""
    matches = [item for item in items if rule_fires(item, text)]
    if not matches:
        return None
    return min(
        matches,
        key=lambda item: (
            item.match_algorithm == MatchAlgorithm.FUZZY,
            -len(item.match_pattern),
            item.name.casefold(),
        ),
    )


def _chosen(
    items: list[Any],
    text: str,
    predicted: tuple[int, float] | None,
    owner_id: int,
    field: str,
) -> tuple[Any, str, float | None] | None:
    """The correspondent or type to suggest, with its reason and confidence: the one whose
    rule matches ``text``, else the classifier's ``predicted`` one (``field`` names the
    document column its "learned from N documents" count reads); None for neither."""
    pick = _by_rule(items, text)
    if pick is not None:
        return pick, f"your rule matched: {rule_description(pick)}", None
    if predicted is None:
        return None
    learned = _learned(items, *predicted)
    if learned is None:
        return None
    item, confidence = learned
    return item, _learned_reason(owner_id, field, item.pk), confidence


def _learned(items: list[Any], pk: int, confidence: float) -> tuple[Any, float] | None:
    """The predicted object if it is still the user's and still learns automatically."""
    for item in items:
        if item.pk == pk and item.match_algorithm == MatchAlgorithm.AUTO:
            return item, confidence
    return None


def _learned_reason(owner_id: int, column: str, pk: int) -> str:
    from archive.models import Document

    filed = Document.objects.filter(owner_id=owner_id, **{column: pk}).count()
    return f"learned from {filed} document{'s' if filed != 1 else ''} you filed"


def _field_candidate(
    custom: CustomField, pages: list[str], language: str | None, text: str
) -> Candidate | None:
    if custom.data_type not in (CustomField.DataType.MONETARY, CustomField.DataType.NUMBER):
        return None
    if not rule_fires(custom, text):
        return None
    amount: AmountFound | None
    if custom.suggest == CustomField.Suggest.TOTAL:
        amount = find_total(pages, language)
    else:
        amounts = find_amounts(pages, language)
        amount = max(amounts, key=lambda a: a.value) if amounts else None
    if amount is None:
        return None
    columns: dict[str, Any] = {
        "value_text": None,
        "value_int": None,
        "value_number": amount.value,
        "value_currency": "",
        "value_date": None,
        "value_bool": None,
        "value_document_id": None,
    }
    if custom.data_type == CustomField.DataType.MONETARY:
        columns["value_currency"] = (amount.currency or custom.currency or "").upper()[:3]
    key = f"field:{custom.pk}"
    return Candidate(
        key,
        Kind.FIELD,
        f"{amount.reason} (your rule matched: {rule_description(custom)})",
        field=custom,
        columns=columns,
        shown=field_value_show(custom, columns),
    )


@dataclass
class _Place:
    """What the document holds now, for the checks."""

    document: Any
    tags: set[int]
    values: dict[int, CustomFieldValue]
    dirty: set[str] = dataclass_field(default_factory=set)


def _holds(place: _Place, row: Suggestion) -> bool:
    """Does the document still hold what ``row`` suggested?"""
    document = place.document
    if row.kind == Kind.DATE:
        return bool(document.document_date == row.value_date)
    if row.kind == Kind.CORRESPONDENT:
        return bool(document.correspondent_id == row.correspondent_id)
    if row.kind == Kind.TYPE:
        return bool(document.document_type_id == row.document_type_id)
    if row.kind == Kind.TAG:
        return row.tag_id in place.tags
    held = place.values.get(row.field_id or 0)
    return (
        held is not None
        and row.field is not None
        and field_value_show(row.field, held) == row.value
    )


def _is_free(place: _Place, candidate: Candidate) -> bool:
    """Is the place empty (a value there without a row is the user's)?"""
    document = place.document
    if candidate.kind == Kind.DATE:
        return document.document_date is None
    if candidate.kind == Kind.CORRESPONDENT:
        return document.correspondent_id is None
    if candidate.kind == Kind.TYPE:
        return document.document_type_id is None
    if candidate.kind == Kind.TAG:
        return candidate.tag_id not in place.tags
    assert candidate.field is not None
    return candidate.field.pk not in place.values


def _withdraw(place: _Place, row: Suggestion) -> None:
    document = place.document
    if row.kind == Kind.DATE:
        document.document_date = None
        place.dirty.add("document_date")
    elif row.kind == Kind.CORRESPONDENT:
        document.correspondent_id = None
        place.dirty.add("correspondent")
    elif row.kind == Kind.TYPE:
        document.document_type_id = None
        place.dirty.add("document_type")
    elif row.kind == Kind.TAG:
        DocumentTag.objects.filter(document_id=document.pk, tag_id=row.tag_id or 0).delete()
        place.tags.discard(row.tag_id or 0)
    else:
        held = place.values.pop(row.field_id or 0)
        held.delete()


def _put(place: _Place, candidate: Candidate) -> None:
    document = place.document
    if candidate.kind == Kind.DATE:
        document.document_date = candidate.value_date
        place.dirty.add("document_date")
    elif candidate.kind == Kind.CORRESPONDENT:
        document.correspondent_id = candidate.correspondent_id
        place.dirty.add("correspondent")
    elif candidate.kind == Kind.TYPE:
        document.document_type_id = candidate.document_type_id
        place.dirty.add("document_type")
    elif candidate.kind == Kind.TAG:
        DocumentTag.objects.create(document_id=document.pk, tag_id=candidate.tag_id or 0)
        place.tags.add(candidate.tag_id or 0)
    else:
        assert candidate.field is not None
        place.values[candidate.field.pk] = CustomFieldValue.objects.create(
            document_id=document.pk, field=candidate.field, **candidate.columns
        )


def _same(row: Suggestion, candidate: Candidate) -> bool:
    return (
        row.value_date == candidate.value_date
        and row.correspondent_id == candidate.correspondent_id
        and row.document_type_id == candidate.document_type_id
        and row.tag_id == candidate.tag_id
        and row.value == (candidate.shown if candidate.kind == Kind.FIELD else row.value)
    )


def _apply(document_id: int, candidates: dict[str, Candidate]) -> list[str]:
    from archive.models import Document

    applied: list[str] = []
    counts: Counter[str] = Counter()
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None:
            return []
        place = _Place(
            document,
            set(
                DocumentTag.objects.filter(document_id=document_id).values_list("tag_id", flat=True)
            ),
            {v.field_id: v for v in CustomFieldValue.objects.filter(document_id=document_id)},
        )
        rows = {
            row.key: row
            for row in Suggestion.objects.select_related("field").filter(document_id=document_id)
        }
        for key, row in list(rows.items()):
            if row.state != State.SUGGESTED:
                continue
            candidate = candidates.get(key)
            held = _holds(place, row)
            if held and candidate is not None and _same(row, candidate):
                row.reason, row.confidence = candidate.reason, candidate.confidence
                row.save(update_fields=["reason", "confidence"])
                candidates.pop(key)
                counts["kept"] += 1
                continue
            if not held:
                # Changed by the user around the services: theirs now.
                row.state, row.decided = State.REJECTED, timezone.now()
                row.save(update_fields=["state", "decided"])
                continue
            _withdraw(place, row)
            row.delete()
            del rows[key]
            counts["withdrawn"] += 1
        for key, candidate in candidates.items():
            if key in rows or not _is_free(place, candidate):
                continue
            _put(place, candidate)
            Suggestion.objects.create(
                owner_id=document.owner_id,
                document_id=document_id,
                key=key,
                kind=candidate.kind,
                value_date=candidate.value_date,
                correspondent_id=candidate.correspondent_id,
                document_type_id=candidate.document_type_id,
                tag_id=candidate.tag_id,
                field=candidate.field,
                value=candidate.shown,
                reason=candidate.reason,
                confidence=candidate.confidence,
            )
            applied.append(key)
        if place.dirty:
            document.save(update_fields=[*sorted(place.dirty), "updated"])
    _logger.info(
        "document %s: %d suggestions applied, %d kept, %d withdrawn",
        document_id,
        len(applied),
        counts["kept"],
        counts["withdrawn"],
    )
    return applied
