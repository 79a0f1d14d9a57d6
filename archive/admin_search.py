"""Admin list searches bounded like the users' search box (issue 15, item 6).

A staff search runs over every owner's documents, so it is the most expensive search there
is. ``BoundedSearchAdmin`` runs a changelist *with a search term* -- every query it makes,
including the count and the page of rows, which Django runs while rendering -- under
``SEARCH_TIMEOUT_MS`` (``archive.search.limits.bounded``), and a search refused for its cost
(too long, too many words) comes back as the list without the search and the plain message
of the user's search box ("Please simplify it ...").
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from archive.search.limits import QueryTooExpensive, bounded


class BoundedSearchAdmin(admin.ModelAdmin[Any]):
    """A ``ModelAdmin`` whose list searches are bounded (see the module docstring)."""

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not request.GET.get(SEARCH_VAR, "").strip():
            return super().changelist_view(request, extra_context)
        try:
            return bounded(self._rendered_changelist)(request, extra_context)
        except QueryTooExpensive as error:
            self.message_user(request, str(error), messages.ERROR)
            rest = request.GET.copy()
            rest.pop(SEARCH_VAR, None)
            query = rest.urlencode()
            return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)

    def _rendered_changelist(
        self, request: HttpRequest, extra_context: dict[str, Any] | None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        # A TemplateResponse runs its queries when rendered: render inside the time limit.
        render = getattr(response, "render", None)
        if callable(render):
            render()
        return response
