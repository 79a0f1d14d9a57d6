"""Pagination of API lists: ``?page=N`` (from 1) and ``?page_size=`` up to 100."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class PageNumbers(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; a page past the end answers 404."""

    page_size_query_param = "page_size"
    # Pages carry their word boxes: a bounded page keeps one response's size bounded.
    max_page_size = 100
