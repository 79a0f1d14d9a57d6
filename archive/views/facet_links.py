"""Facet counts (``archive.organize.facets``) as the library and search pages show them: panels
of values with a count and a link that narrows to the value, and the active filters as chips
with a link that removes each."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from html import escape
from urllib.parse import urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.http import QueryDict
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from archive.languages import LANGUAGES
from archive.models import Document
from archive.organize.facets import Facets, LibraryFilter
from archive.organize.names import OwnerNames, visible_names

_MONTHS = list(MONTHS.values())  # translated when shown
_STATUS = dict(Document.Status.choices)
# A panel shows its most frequent values first, this many at most.
_MOST = 30


@dataclass
class Value:
    """One facet value: its label, count, the link that narrows to it, and whether it is on."""

    label: str
    count: int
    params: str
    active: bool = False
    depth: int = 0


@dataclass
class Panel:
    name: str
    title: str
    values: list[Value] = field(default_factory=list)
    #: The values as ``<li>`` items, when rendered by ``panel_items``.
    items_html: str = ""


def panel_items(panel: Panel, *, estimated: bool) -> SafeString:
    """The panel's values as ``<li>`` items (a link that narrows, or the active value in bold,
    and its count, marked "≈" when ``estimated``), built here with plain string formatting
    (every text escaped): the library's tag tree alone has hundreds of values, which a
    template loop, or ``format_html`` per value, renders many times slower."""
    mark = "≈" if estimated else ""
    items = []
    for value in panel.values:
        depth = f' class="depth-{int(value.depth)}"' if value.depth else ""
        label = escape(value.label)
        shown = (
            f"<strong>{label}</strong>"
            if value.active
            else f'<a href="?{escape(value.params)}">{label}</a>'
        )
        items.append(f'<li{depth}>{shown} <span class="count">{mark}{int(value.count)}</span></li>')
    return mark_safe("".join(items))


@dataclass
class Chip:
    """An applied filter and the link that removes it."""

    label: str
    params: str


def _id_text(value: int | None) -> str:
    return "none" if value is None else str(value)


def _field_text(item: tuple[int, str | None]) -> str:
    return f"{item[0]}:{item[1]}" if item[1] is not None else str(item[0])


class _Links:
    """The query strings of links that change the filter: the filter's parameters encoded once
    per facet (``LibraryFilter.param_groups``) and the page's other parameters (``keep``: not
    its page, a narrower filter starts at the first page) once, so the ~300 links of a page
    re-encode only the facet they change (``urlencode`` and a new filter per link took a
    fifth of the library page's time)."""

    def __init__(self, filt: LibraryFilter, keep: QueryDict) -> None:
        groups = filt.param_groups()
        self.pairs = dict(groups)
        self._encoded = {group: urlencode(pairs) for group, pairs in groups}
        # ``keep`` holds none of the filter's own parameters (``facet_panels`` removes them).
        self._keep = urlencode(
            [
                (key, value)
                for key in keep
                if key not in ("page", "after")
                for value in keep.getlist(key)
            ]
        )

    def changed(self, parts: dict[str, list[tuple[str, str]]] | None = None) -> str:
        """The query string of the filter with ``parts`` (group: its new parameters) replaced,
        followed by the kept parameters; the same string as ``urlencode`` of the changed
        filter's ``to_params`` and the kept ones."""
        parts = parts or {}
        encoded = [
            urlencode(parts[group]) if group in parts else text
            for group, text in self._encoded.items()
        ]
        return "&".join(text for text in (*encoded, self._keep) if text)

    def of(self, filt: LibraryFilter) -> str:
        """The query string of another filter (rare links: dates)."""
        return self.changed(dict(filt.param_groups()))


def facet_panels(
    owner: AbstractBaseUser,
    facets: Facets,
    filt: LibraryFilter,
    keep: QueryDict,
    names: OwnerNames | None = None,
) -> tuple[list[Panel], list[Chip]]:
    """The panels to show and the chips of the active filters. ``keep``: other parameters of
    the page (``sort``, the search's ``q``) carried into every link; ``names``: the names
    to label values with if read already (``archive.organize.names.visible_names``: the
    user's, and those of documents shared with them)."""
    names = names or visible_names(owner, facets, filt)
    keep = keep.copy()
    for key in ("tag", "correspondent", "type", "year", "month", "language", "status", "field"):
        keep.pop(key, None)
    if "q" in keep and filt.q:
        keep.pop("q")
    links = _Links(filt, keep)
    panels: list[Panel] = []
    chips: list[Chip] = []
    tag_pairs = links.pairs["tag"]
    tag_panel = Panel("tag", gettext("Tags"))
    tag_names = {pk: path for pk, path, _name in names.tags}
    for pk, path, name in names.tags:
        count = facets.tags.get(pk, 0)
        active = pk in filt.tags
        if not count and not active:
            continue
        added = {} if active else {"tag": [*tag_pairs, ("tag", str(pk))]}
        tag_panel.values.append(
            Value(
                name,
                count,
                links.changed(added),
                active,
                # Indented by CSS classes depth-1 … depth-4 (no inline styles under the CSP).
                depth=min(path.count("/"), 4),
            )
        )
    for tag_id in filt.tags:
        others = [("tag", str(t)) for t in filt.tags if t != tag_id]
        chips.append(
            Chip(
                gettext("tag: %(name)s") % {"name": tag_names.get(tag_id, "?")},
                links.changed({"tag": others}),
            )
        )
    panels.append(tag_panel)
    for name, title, named, attr in (
        ("correspondent", gettext("Correspondent"), dict(names.correspondents), "correspondents"),
        ("type", gettext("Document type"), dict(names.types), "types"),
    ):
        counts = facets.columns.get(name, {})
        panel = Panel(name, title)
        chosen = getattr(filt, attr)
        for pk, count in sorted(counts.items(), key=lambda kv: (-kv[1], named.get(kv[0], "")))[
            :_MOST
        ]:
            label = gettext("(none)") if pk is None else named.get(pk, "?")
            only = {name: [(name, _id_text(pk))]}
            panel.values.append(Value(label, count, links.changed(only), pk in chosen))
        for pk in chosen:
            label = gettext("(none)") if pk is None else named.get(pk, "?")
            rest = {name: [(name, _id_text(p)) for p in chosen if p != pk]}
            chips.append(Chip(f"{title.lower()}: {label}", links.changed(rest)))
        panels.append(panel)
    date_panel = Panel("year", gettext("Document date"))
    if filt.year:
        for (year, month), count in sorted(facets.columns.get("month", {}).items()):
            if year == filt.year and month:
                date_panel.values.append(
                    Value(
                        f"{_MONTHS[month - 1]} {year}",
                        count,
                        links.of(replace(filt, month=month)),
                        month == filt.month,
                    )
                )
        label = f"{_MONTHS[filt.month - 1]} {filt.year}" if filt.month else str(filt.year)
        chips.append(
            Chip(
                gettext("date: %(when)s") % {"when": label},
                links.of(replace(filt, year=None, month=None)),
            )
        )
    else:
        for year, count in sorted(
            facets.columns.get("year", {}).items(), key=lambda kv: (kv[0] is None, -(kv[0] or 0))
        ):
            narrowed = replace(filt, no_date=True) if year is None else replace(filt, year=year)
            date_panel.values.append(
                Value(
                    gettext("(no date)") if year is None else str(year),
                    count,
                    links.of(narrowed),
                    year is None and filt.no_date,
                )
            )
        if filt.no_date:
            chips.append(Chip(gettext("date: none"), links.of(replace(filt, no_date=False))))
    panels.append(date_panel)
    fields = {f.pk: f for f in names.fields}
    field_panel = Panel("field", gettext("Custom fields"))
    for (field_id, value), count in sorted(
        facets.fields.items(),
        key=lambda kv: (fields[kv[0][0]].name if kv[0][0] in fields else "", kv[0][1] or ""),
    ):
        custom = fields.get(field_id)
        if custom is None:
            continue
        shown = (
            gettext("has a value")
            if value is None
            else {"true": gettext("yes"), "false": gettext("no")}.get(value, value)
        )
        item = (field_id, value)
        field_panel.values.append(
            Value(
                f"{custom.name}: {shown}",
                count,
                links.changed({"field": [*links.pairs["field"], ("field", _field_text(item))]}),
                item in filt.fields,
            )
        )
    for item in filt.fields:
        custom = fields.get(item[0])
        label = custom.name if custom else "?"
        kept = {"field": [("field", _field_text(f)) for f in filt.fields if f != item]}
        chips.append(
            Chip(
                f"{label}: {item[1]}"
                if item[1] is not None
                else gettext("%(field)s: any") % {"field": label},
                links.changed(kept),
            )
        )
    panels.append(field_panel)
    for name, title, labels in (
        (
            "language",
            gettext("Language"),
            {code: str(label) for code, (label, _c) in LANGUAGES.items()},
        ),
        ("status", gettext("Status"), _STATUS),
    ):
        panel = Panel(name, title)
        for value, count in sorted(facets.columns.get(name, {}).items(), key=lambda kv: -kv[1]):
            panel.values.append(
                Value(
                    labels.get(value, value),
                    count,
                    links.changed({name: [(name, value)] if value else []}),
                    getattr(filt, name) == value,
                )
            )
        if getattr(filt, name):
            chips.append(
                Chip(
                    f"{title.lower()}: {labels.get(getattr(filt, name), getattr(filt, name))}",
                    links.changed({name: []}),
                )
            )
        panels.append(panel)
    if filt.q:
        chips.append(Chip(filt.q, links.changed({"q": []})))
    return [panel for panel in panels if panel.values], chips
