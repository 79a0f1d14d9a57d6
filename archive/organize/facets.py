"""Browsing the library by its metadata: the filter a URL holds, and facet counts under it.

``LibraryFilter`` is the library's state as URL parameters (the same names in the web page and
the REST API), so a link, a bookmark or a saved view opens the same list:

- ``tag=<id>`` (repeatable; every tag must be on the document, a tag counting for its
  descendants too), ``correspondent=<id>`` and ``type=<id>`` (repeatable: any of them;
  ``none`` for documents without one), ``year=2024`` and ``month=3`` (of the document date;
  ``year=none``: no date), ``language=de``, ``status=failed``,
  ``field=<id>`` (has a value) or ``field=<id>:<value>`` (repeatable; all must hold),
  ``q=`` search-box field terms (``archive.search.fields``: ``tag:tax date:2024``).

``facet_counts`` counts, for each facet value, the documents that match the filter *and* that
value, so a count is exactly what the list shows after clicking it. Counting is bounded: up to
``FACET_COUNT_LIMIT`` matching documents (default 2,000) every count is exact; above, they
are counted on an even sample of the matches (every n-th id) and scaled, and ``estimated`` is
True so the page says "≈". One statement reads the counted documents once and counts the
document's own columns for all facets (``GROUPING SETS``), the tags (through the tag tree)
and the custom fields over them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext

from archive.models import FIRST_RANDOM_ID, LAST_RANDOM_ID
from archive.organize.models import CustomFieldValue, DocumentTag, Tag
from archive.replica.routing import read_connection
from archive.search.fields import QueryError, split_fields
from archive.sharing.access import sharing_owners

NONE = "none"


class FilterError(ValueError):
    """A filter parameter that cannot be read; ``str()`` is a message for the user."""


@dataclass(frozen=True)
class LibraryFilter:
    """The library's filter (see the module docstring); empty narrows nothing."""

    tags: tuple[int, ...] = ()
    correspondents: tuple[int | None, ...] = ()
    types: tuple[int | None, ...] = ()
    year: int | None = None
    no_date: bool = False
    month: int | None = None
    language: str = ""
    status: str = ""
    fields: tuple[tuple[int, str | None], ...] = ()
    q: str = ""

    @property
    def active(self) -> int:
        """How many facet values are applied (the bench's "facets applied")."""
        return (
            len(self.tags)
            + bool(self.correspondents)
            + bool(self.types)
            + bool(self.year or self.no_date)
            + bool(self.month)
            + bool(self.language)
            + bool(self.status)
            + len(self.fields)
            + bool(self.q)
        )

    def apply(self, owner: AbstractBaseUser, documents: QuerySet[Any]) -> QuerySet[Any]:
        """``documents`` (already ``owner``'s) narrowed to this filter; ``FilterError`` for
        malformed search-box terms in ``q``."""
        return documents.filter(self.condition(owner))

    def condition(self, owner: AbstractBaseUser) -> Q:
        """The filter as a condition on ``owner``'s documents (see ``apply``)."""
        where = Q()
        for tag in self.tags:
            where &= _tagged(owner, tag)
        if self.correspondents:
            where &= _either("correspondent_id", self.correspondents)
        if self.types:
            where &= _either("document_type_id", self.types)
        if self.no_date:
            where &= Q(document_date__isnull=True)
        elif self.year:
            where &= Q(document_date__year=self.year)
            if self.month:
                where &= Q(document_date__month=self.month)
        if self.language:
            where &= Q(language=self.language)
        if self.status:
            where &= Q(status=self.status)
        for field_id, value in self.fields:
            where &= Q(Exists(_field_values(field_id, value)))
        if self.q:
            try:
                split = split_fields(self.q)
            except QueryError as error:
                raise FilterError(str(error)) from error
            where &= split.condition()
        return where

    def to_params(self) -> list[tuple[str, str]]:
        """The filter as URL parameters (``from_params`` reads them back)."""
        return [pair for _group, pairs in self.param_groups() for pair in pairs]

    def param_groups(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """``to_params`` by facet, in its order: (group, parameters) for ``tag``,
        ``correspondent``, ``type``, ``date`` (year and month), ``language``, ``status``,
        ``field`` and ``q``, so links changing one facet re-encode only that one."""
        date: list[tuple[str, str]] = []
        if self.no_date:
            date.append(("year", NONE))
        elif self.year:
            date.append(("year", str(self.year)))
            if self.month:
                date.append(("month", str(self.month)))
        return [
            ("tag", [("tag", str(t)) for t in self.tags]),
            ("correspondent", [("correspondent", _id_text(c)) for c in self.correspondents]),
            ("type", [("type", _id_text(t)) for t in self.types]),
            ("date", date),
            ("language", [("language", self.language)] if self.language else []),
            ("status", [("status", self.status)] if self.status else []),
            ("field", [("field", f"{f}:{v}" if v is not None else str(f)) for f, v in self.fields]),
            ("q", [("q", self.q)] if self.q else []),
        ]


def _id_text(value: int | None) -> str:
    return NONE if value is None else str(value)


def _tagged(owner: AbstractBaseUser, tag_id: int) -> Q:
    """Documents carrying tag ``tag_id`` or a tag below it, when it is the user's tag or a tag
    of someone who shares documents with them (``label_owners``); nothing otherwise: another
    user's tag matches nothing and reveals nothing. (The caller narrows to the documents the
    user may see, so another owner's tag only finds documents shared with the user.)

    The tag and its descendants are looked up first, so the planner sees a plain
    ``tag_id IN (…)`` with its statistics: with a join on the tag's path it could not tell a
    rare tag from a common one and walked every document in date order for a rare one.
    """
    found = (
        Tag.objects.filter(pk=tag_id, owner_id__in=label_owners(owner))
        .values_list("path", "owner_id")
        .first()
    )
    if found is None:
        return Q(pk__in=[])
    path, tag_owner = found
    below = Tag.objects.filter(owner_id=tag_owner, path__istartswith=path + "/")
    ids = [tag_id, *below.values_list("pk", flat=True)]
    return Q(pk__in=DocumentTag.objects.filter(tag_id__in=ids).values("document_id"))


def label_owners(user: AbstractBaseUser) -> list[int]:
    """Whose tags, correspondents and types may label the user's facets: theirs, and those of
    the owners of documents shared with them (only what those documents carry is ever named:
    ``archive.organize.names.visible_names``). One statement for a user with shares."""
    return [int(user.pk), *sharing_owners(user)]


def _either(column: str, values: tuple[int | None, ...]) -> Q:
    ids = [v for v in values if v is not None]
    where = Q(**{f"{column}__in": ids}) if ids else Q(pk__in=[])
    if None in values:
        where |= Q(**{f"{column}__isnull": True})
    return where


def _field_values(field_id: int, value: str | None) -> QuerySet[CustomFieldValue]:
    values = CustomFieldValue.objects.filter(document_id=OuterRef("pk"), field_id=field_id)
    if value is None:
        return values
    if value.lower() in ("true", "false"):
        return values.filter(Q(value_bool=value.lower() == "true") | Q(value_text=value))
    return values.filter(value_text=value)


def _ints(values: list[str], name: str, *, none: bool) -> tuple[int | None, ...]:
    out: list[int | None] = []
    for raw in values:
        raw = raw.strip()
        if not raw:
            continue
        if none and raw == NONE:
            out.append(None)
            continue
        if not raw.isdigit() or len(raw) > 18:
            raise FilterError(
                gettext("%(name)s=%(raw)r: expected the id of one of yours (a number).")
                % {"name": name, "raw": raw}
            )
        out.append(int(raw))
    return tuple(dict.fromkeys(out))


def filter_from_params(params: Mapping[str, Any]) -> LibraryFilter:
    """The filter in URL parameters (a ``QueryDict``); ``FilterError`` with a message for a
    malformed value. Ids of other users' objects are not refused here: they match nothing
    (every condition goes through the document's own rows)."""

    def getlist(key: str) -> list[str]:
        if hasattr(params, "getlist"):
            return list(params.getlist(key))
        return [str(params[key])] if key in params else []

    tags = tuple(t for t in _ints(getlist("tag"), "tag", none=False) if t is not None)
    year_text = (params.get("year") or "").strip()
    month_text = (params.get("month") or "").strip()
    year = month = None
    no_date = year_text == NONE
    if year_text and not no_date:
        if not year_text.isdigit() or not 1 <= int(year_text) <= 9999:
            raise FilterError(
                gettext("year=%(year_text)r: expected a year such as 2024.")
                % {"year_text": year_text}
            )
        year = int(year_text)
    if month_text:
        if not month_text.isdigit() or not 1 <= int(month_text) <= 12:
            raise FilterError(
                gettext("month=%(month_text)r: expected a month from 1 to 12.")
                % {"month_text": month_text}
            )
        if year is None:
            raise FilterError(gettext("month= needs a year= too."))
        month = int(month_text)
    fields: list[tuple[int, str | None]] = []
    for raw in getlist("field"):
        head, colon, value = raw.partition(":")
        if not head.strip().isdigit() or len(head.strip()) > 18:
            raise FilterError(
                gettext("field=%(raw)r: expected a field id, or id:value.") % {"raw": raw}
            )
        fields.append((int(head), value if colon else None))
    q = (params.get("q") or "").strip()
    if q:
        try:
            split = split_fields(q)
        except QueryError as error:
            raise FilterError(str(error)) from error
        if split.text.strip():
            raise FilterError(
                gettext(
                    "The library filters by field terms only (tag:, date:, …); search for words "
                    "on the search page."
                )
            )
    return LibraryFilter(
        tags=tags,
        correspondents=_ints(getlist("correspondent"), "correspondent", none=True),
        types=_ints(getlist("type"), "type", none=True),
        year=year,
        no_date=no_date,
        month=month,
        language=(params.get("language") or "").strip()[:8],
        status=(params.get("status") or "").strip()[:16],
        fields=tuple(dict.fromkeys(fields)),
        q=q[:500],
    )


@dataclass
class Facets:
    """Counts per facet value, each the documents matching the filter and that value.

    ``columns`` maps ``correspondent``, ``type``, ``year``, ``month``, ``language`` and
    ``status`` to {value: count} (value None: documents without one); ``tags`` maps tag id to
    count (a tag counts its descendants' documents too); ``fields`` maps (field id, value or
    None for "has a value") to count. ``total`` is the number of matching documents (exact).
    ``estimated``: the counts are scaled from a sample (``sample_every`` > 1).
    """

    total: int
    estimated: bool
    sample_every: int
    columns: dict[str, dict[Any, int]] = field(default_factory=dict)
    tags: dict[int, int] = field(default_factory=dict)
    fields: dict[tuple[int, str | None], int] = field(default_factory=dict)


def _closure(owner: AbstractBaseUser) -> tuple[list[int], list[int]]:
    """(tag ids, ancestor ids): every pair of a tag and itself or a tag above it (by path,
    case ignored as tag paths are unique without regard to case, within one owner's tags),
    for the tags of ``label_owners``: a document shared with the user counts under its
    owner's tags."""
    paths: dict[int, dict[int, str]] = {}
    for pk, path, tag_owner in Tag.objects.filter(owner_id__in=label_owners(owner)).values_list(
        "pk", "path", "owner_id"
    ):
        paths.setdefault(tag_owner, {})[pk] = path.lower()
    tags: list[int] = []
    ancestors: list[int] = []
    for own in paths.values():
        by_path = {path: pk for pk, path in own.items()}
        for pk, path in own.items():
            parts = path.split("/")
            for depth in range(1, len(parts) + 1):
                above = by_path.get("/".join(parts[:depth]))
                if above is not None:
                    tags.append(pk)
                    ancestors.append(above)
    return tags, ancestors


def count_limit() -> int:
    """Facets are counted exactly up to this many matching documents (``FACET_COUNT_LIMIT``)."""
    return max(1, int(getattr(settings, "FACET_COUNT_LIMIT", 2_000)))


_COLUMNS = ("correspondent", "type", "year", "month", "language", "status")


def _sample_sql(matching: QuerySet[Any], total: int, old: int) -> tuple[str, list[Any], float]:
    """(SQL, params, rate): the documents to count, as rows (id, correspondent, type, date,
    language, status, weight), each sampled document's weight being how many matching
    documents it stands for; ``rate`` is the share sampled (1: all, exact counts).

    Past ``count_limit()`` matches, about that many are sampled at the same rate from two
    strata, each an index range of ``document_owner_id_facets`` read on its own:

    - ids from the random range (``archive.models.random_document_id``: every document since
      random ids): the ids in one slice of the range, as wide as the rate, so the database
      reads about ``count_limit()`` index entries instead of every match. Random ids say
      nothing of a document, so any fixed slice is an unbiased sample (the same slice every
      time: reloading the page shows the same estimates). Weight: the stratum's matches
      (exact, counted beside the total) divided by how many the slice holds;
    - ids from the counter used before (below ``FIRST_RANDOM_ID``): in order of upload, so a
      slice would be one period's documents; every n-th id instead (n = 1 / rate), weight n.
    """
    columns = ("id", "correspondent_id", "document_type_id", "document_date", "language", "status")
    limit = count_limit()
    if total <= limit:
        sql, params = matching.values_list(*columns).query.sql_with_params()
        return f"SELECT *, 1.0::float8 FROM ({sql}) a", list(params), 1.0
    rate = limit / total
    every = math.ceil(total / limit)
    span = LAST_RANDOM_ID - FIRST_RANDOM_ID
    slice_end = FIRST_RANDOM_ID + math.ceil(span * rate)
    old_part = matching.filter(pk__lt=FIRST_RANDOM_ID).extra(
        # An integer modulo: Django's ``Mod`` casts to numeric, several times slower.
        where=['"archive_document"."id" %% %s = 0'],
        params=[every],
    )
    new_part = matching.filter(pk__gte=FIRST_RANDOM_ID, pk__lt=slice_end)
    old_sql, old_params = old_part.values_list(*columns).query.sql_with_params()
    new_sql, new_params = new_part.values_list(*columns).query.sql_with_params()
    sql = f"""
        SELECT *, %s::float8 FROM ({old_sql}) a
        UNION ALL
        SELECT b.*, %s::float8 / count(*) OVER () FROM ({new_sql}) b
    """
    return sql, [every, *old_params, total - old, *new_params], rate


def facet_counts(owner: AbstractBaseUser, matching: QuerySet[Any]) -> Facets:
    """The facet counts over ``matching`` (the owner's documents under the current filter):
    exact up to ``count_limit()`` documents, estimated from a weighted sample beyond
    (``_sample_sql``).

    Two statements (three past the limit: how many matches have ids from before random ids),
    the total, then one that reads the counted documents once (their ids and own columns: an
    index-only scan of the covering index ``document_owner_id_facets``) into a CTE and
    returns every facet's counts over it as JSON (each count the sum of the counted
    documents' weights, rounded), so no list of ids travels between Python and the
    database."""
    matching = matching.order_by()
    total = matching.count()
    limit = count_limit()
    every = max(1, math.ceil(total / limit)) if total > limit else 1
    facets = Facets(
        total=total,
        estimated=every > 1,
        sample_every=every,
        columns={name: {} for name in _COLUMNS},
    )
    if total == 0:
        return facets
    # Past the limit: how many matches have ids from before random ids (an index range,
    # empty on an archive that never had them), to weigh the two strata of the sample.
    old = matching.filter(pk__lt=FIRST_RANDOM_ID).count() if every > 1 else 0
    sample_sql, sample_params, _rate = _sample_sql(matching, total, old)
    # Each tag with itself and its ancestors (a tag counts the documents of the tags below
    # it), worked out here from the owner's few hundred paths.
    tags, ancestors = _closure(owner)
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"""
            WITH s(id, c, t, dd, l, st, w) AS MATERIALIZED ({sample_sql})
            SELECT
              (SELECT coalesce(json_agg(json_build_array(g, c, t, y, m, l, st, n)), '[]')
               FROM (
                 SELECT GROUPING(c, t, y, m, l, st) g, c, t, y, m, l, st,
                        round(sum(w))::bigint n
                 FROM (SELECT c, t, extract(year FROM dd)::int y,
                              extract(month FROM dd)::int m, l, st, w FROM s) x
                 GROUP BY GROUPING SETS ((c), (t), (y), (y, m), (l), (st))
               ) q),
              (SELECT coalesce(json_agg(json_build_array(a, n)), '[]')
               FROM (
                 SELECT a, round(sum(w))::bigint n
                 FROM (
                   -- A document once per tag above its tags (it may hold two below one).
                   SELECT DISTINCT c.ancestor_id a, s.id, s.w
                   FROM s
                   JOIN archive_document_tag dt ON dt.document_id = s.id
                   JOIN unnest(%s::bigint[], %s::bigint[]) AS c(tag_id, ancestor_id)
                     ON c.tag_id = dt.tag_id
                 ) x
                 GROUP BY a
               ) q),
              (SELECT coalesce(json_agg(json_build_array(field_id, val, whole, n)), '[]')
               FROM (
                 SELECT field_id, val, GROUPING(val) whole, round(sum(w))::bigint n
                 FROM (
                   SELECT v.field_id,
                          CASE WHEN f.data_type = 'select' THEN v.value_text
                               WHEN f.data_type = 'boolean' THEN lower(v.value_bool::text)
                          END val,
                          s.w
                   FROM s
                   -- Each counted document's values through the index (OFFSET 0 keeps the
                   -- planner from hashing the whole table of every user's values instead).
                   CROSS JOIN LATERAL (
                     SELECT * FROM archive_customfieldvalue v0
                     WHERE v0.document_id = s.id
                       AND (v0.value_text IS NULL OR v0.value_text <> '')
                     OFFSET 0
                   ) v
                   JOIN archive_customfield f ON f.id = v.field_id
                   WHERE f.owner_id = %s
                 ) x
                 GROUP BY GROUPING SETS ((field_id), (field_id, val))
               ) q)
            """,
            [*sample_params, tags, ancestors, owner.pk],
        )
        column_rows, tag_rows, field_rows = cursor.fetchone()
    columns: dict[str, dict[Any, int]] = {name: {} for name in _COLUMNS}
    for grouping, c, t, y, m, lang, status, count in _json(column_rows):
        # GROUPING() has one bit per argument, 1 when the argument is not grouped.
        grouped = {
            name
            for bit, name in enumerate(reversed(("c", "t", "y", "m", "l", "s")))
            if not grouping & (1 << bit)
        }
        if grouped == {"c"}:
            columns["correspondent"][c] = count
        elif grouped == {"t"}:
            columns["type"][t] = count
        elif grouped == {"y"}:
            columns["year"][y] = count
        elif grouped == {"y", "m"}:
            columns["month"][(y, m)] = count
        elif grouped == {"l"}:
            columns["language"][lang] = count
        elif grouped == {"s"}:
            columns["status"][status] = count
    facets.columns = columns
    facets.tags = {tag: count for tag, count in _json(tag_rows)}
    fields: dict[tuple[int, str | None], int] = {}
    for field_id, value, whole, count in _json(field_rows):
        if whole:
            fields[(field_id, None)] = count
        elif value is not None:
            fields[(field_id, value)] = count
    facets.fields = fields
    return facets


def _json(value: Any) -> list[Any]:
    """A ``json`` column as Python (psycopg parses ``json``; a driver that does not, gives
    text)."""
    return json.loads(value) if isinstance(value, str) else list(value)
