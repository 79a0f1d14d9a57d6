"""The search page: hits with thumbnail, matching pages and a marked snippet; filters and facet
counts beside; "Next page" by cursor (keyset), never by offset. Rare or unknown words also find
their close spellings ("also showing results for …", ``?exact=1`` to turn it off), and a search
that finds nothing offers a corrected query ("did you mean …"). Autocomplete for the header's
search box (``search_suggest``)."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_stubs_ext import StrOrPromise

from archive import selectors
from archive.forms import SearchForm
from archive.languages import LANGUAGES
from archive.models import Document
from archive.organize.facets import FilterError, facet_counts, filter_from_params
from archive.replica.requests import replica_reads
from archive.search import (
    BadCursor,
    Expansion,
    QueryError,
    QueryTooExpensive,
    SearchPage,
    expand_typos,
    split_fields,
    visible_completions,
    visible_search_matches,
    visible_search_page,
)
from archive.views.facet_links import facet_panels
from ocr.formats import SUPPORTED_TYPES

_PER_PAGE = 20
_FILTERS = ("uploaded_from", "uploaded_to", "language", "status", "mime_type")
_FACET_TITLES = {
    "language": gettext_lazy("Language"),
    "status": gettext_lazy("Status"),
    "mime_type": gettext_lazy("File type"),
}
_FACET_LABELS: dict[str, dict[str, StrOrPromise]] = {
    "language": {code: label for code, (label, _config) in LANGUAGES.items()},
    "status": dict(Document.Status.choices),
    "mime_type": dict(SUPPORTED_TYPES),
}


@login_required
@require_GET
@replica_reads
def search(request: HttpRequest) -> HttpResponse:
    """Search the user's documents; 20 hits a page, best first unless sorted otherwise."""
    form = SearchForm(request.GET)
    valid = form.is_valid()
    query = form.cleaned_data.get("q", "").strip() if valid else ""
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    notice = ""
    result = SearchPage(hits=[], total=0, estimated=False, facets={}, next_cursor=None)
    exact = request.GET.get("exact") == "1"
    expansion = Expansion(query)
    organize: list[Any] = []
    chips: list[Any] = []
    facets_estimated = False
    if query:
        try:
            # Field terms (tag:tax) narrow; only the words get close spellings. The library's
            # facet parameters (tag=3&year=2024) narrow too, and are counted beside the hits.
            split = split_fields(query)
            expansion = expand_typos(
                request.user.pk, split.text, expand=not exact, viewer=request.user
            )
            params = request.GET.copy()
            params.pop("q", None)
            filt = filter_from_params(params)
            filters = replace(
                form.filters(),
                fields=split.groups,
                where=filt.condition(request.user),  # type: ignore[arg-type]
            )
            run = functools.partial(
                # Every document the user may see: their own and those shared with them.
                visible_search_page,
                user=request.user,
                query=expansion.query_text,
                demote=expansion.alternatives,
                limit=_PER_PAGE,
                filters=filters,
                sort=form.cleaned_data.get("sort") or "relevance",
            )
            try:
                result = run(cursor=request.GET.get("after") or None)
            except BadCursor as error:
                notice, page_number = str(error), 1
                result = run()
            # The facet panels count every visible match, shared documents included.
            matches = visible_search_matches(
                user=request.user, query=expansion.query_text, filters=filters
            )
            if matches is not None and result.hits:
                counted = facet_counts(request.user, matches)  # type: ignore[arg-type]
                facets_estimated = counted.estimated
                organize, chips = facet_panels(request.user, counted, filt, request.GET)  # type: ignore[arg-type]
        except (QueryTooExpensive, QueryError, FilterError) as error:
            notice = str(error)
    hits = result.hits
    covers = selectors.cover_pages([hit.document.pk for hit in hits])
    params = request.GET.copy()
    for name in ("page", "after"):
        params.pop(name, None)
    exact_params = params.copy()
    exact_params["exact"] = "1"
    suggestion_params = params.copy()
    suggestion_params.pop("exact", None)
    suggestion_params["q"] = expansion.suggestion or ""
    next_params = params.copy()
    if result.next_cursor:
        next_params["after"] = result.next_cursor
        next_params["page"] = str(page_number + 1)
    context = {
        "form": form,
        "query": query,
        # What was searched (with the close spellings): hits link with it, so the page image
        # boxes a misread word too.
        "search_query": expansion.query_text,
        "expansions": expansion.expansions,
        "exact_params": exact_params.urlencode(),
        "suggestion": expansion.suggestion if not result.hits else None,
        "suggestion_params": suggestion_params.urlencode(),
        "notice": notice,
        "results": [(hit, covers.get(hit.document.pk)) for hit in hits],
        "total": result.total,
        "estimated": result.estimated,
        "facets": _facet_links(result, params),
        "organize": organize,
        "chips": chips,
        "facets_estimated": facets_estimated,
        "page_number": page_number,
        "first_rank": (page_number - 1) * _PER_PAGE + 1,
        "next_params": next_params.urlencode() if result.next_cursor else "",
        "first_params": params.urlencode() if page_number > 1 else "",
        "exact": exact,
        "filtered": any(request.GET.get(name) for name in _FILTERS),
    }
    return render(request, "archive/search.html", context)


def _facet_links(result: SearchPage, params: QueryDict) -> list[dict[str, Any]]:
    """Each facet with a title and its values as (label, count, link narrowing to it)."""
    facets = []
    for name, counts in result.facets.items():
        if not counts:
            continue
        values: list[dict[str, Any]] = []
        for value, count in counts:
            narrowed = params.copy()
            narrowed[name] = value
            label = _FACET_LABELS[name].get(value, value)
            values.append({"label": label, "count": count, "params": narrowed.urlencode()})
        facets.append({"title": _FACET_TITLES[name], "values": values})
    return facets


@login_required
@require_GET
@replica_reads
def search_suggest(request: HttpRequest) -> HttpResponse:
    """Completions of the last word in the search box from the user's own words, most frequent
    first: ``<option>`` elements for the box's ``<datalist>`` when htmx asks, JSON otherwise."""
    text = request.GET.get("q", "")[:500]
    completions = visible_completions(request.user, text)
    if getattr(request, "htmx", False) or request.GET.get("format") == "html":
        return render(request, "archive/_suggestions.html", {"completions": completions})
    return JsonResponse(
        {
            "q": text,
            "suggestions": [
                {"term": c.term, "documents": c.documents, "text": c.text} for c in completions
            ],
        }
    )
