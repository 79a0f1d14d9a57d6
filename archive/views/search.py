"""The search page: hits with thumbnail, matching pages and a marked snippet; filters beside."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from archive import selectors
from archive.forms import SearchForm
from archive.search import document_search

_PER_PAGE = 20
_FILTERS = ("uploaded_from", "uploaded_to", "language", "status", "mime_type")


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search the user's documents; 20 hits a page, best first unless sorted otherwise."""
    form = SearchForm(request.GET)
    valid = form.is_valid()
    query = form.cleaned_data.get("q", "").strip() if valid else ""
    try:
        page_number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page_number = 1
    hits = (
        document_search(
            user=request.user,
            query=query,
            limit=_PER_PAGE + 1,
            offset=(page_number - 1) * _PER_PAGE,
            filters=form.filters(),
            sort=form.cleaned_data.get("sort") or "relevance",
        )
        if query
        else []
    )
    has_next = len(hits) > _PER_PAGE
    hits = hits[:_PER_PAGE]
    covers = selectors.cover_pages([hit.document.pk for hit in hits])
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "query": query,
        "results": [(hit, covers.get(hit.document.pk)) for hit in hits],
        "page_number": page_number,
        "first_rank": (page_number - 1) * _PER_PAGE + 1,
        "has_next": has_next,
        "filtered": any(request.GET.get(name) for name in _FILTERS),
        "params": params.urlencode(),
    }
    return render(request, "archive/search.html", context)
