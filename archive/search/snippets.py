"""Snippets of search hits: ``ts_headline`` for the pages on screen only, escaped, matches marked.

``ts_headline`` returns the page text with sentinel control characters around matches, so the
text itself can be HTML-escaped (OCR text is user data) before the markers become ``<mark>``.
PostgreSQL's parser reads ``<script>``-like text as an HTML tag and ``ts_headline`` drops tags;
``<`` is therefore swapped for another control character before and swapped back after, so OCR'd
markup is shown as text, escaped.
"""

from __future__ import annotations

import re

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.search.textnorm import CJK_RUN

# Control characters never occur in OCR text we store (clean_text strips them).
_START, _STOP, _LT = "\x02", "\x03", "\x04"
_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, "
    'FragmentDelimiter=" … "'
)


def headlines(page_ids: list[int], tsquery: str, config: str, query: str) -> dict[int, SafeString]:
    """Page id -> escaped HTML snippet with ``<mark>`` around the matches of ``tsquery`` (parsed
    in ``config``), for the given pages only. ``query`` is the search-box text: CJK runs of it
    are marked by hand where PostgreSQL cannot (it reads a CJK run as one word)."""
    if not page_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, text, ts_headline(%s::regconfig, replace(text, '<', %s), %s::tsquery, %s) "
            "FROM archive_page WHERE id = ANY(%s)",
            [config, _LT, tsquery, _OPTIONS, page_ids],
        )
        rows = cursor.fetchall()
    cjk_runs = [run for run in CJK_RUN.findall(query) if run]
    snippets = {}
    for page_id, text, headline in rows:
        snippet = render_snippet(headline)
        if cjk_runs and "<mark>" not in snippet:
            snippet = cjk_snippet(text, cjk_runs) or snippet
        snippets[page_id] = snippet
    return snippets


def render_snippet(headline: str) -> SafeString:
    """Escape a ts_headline result and turn its sentinel markers into ``<mark>`` elements."""
    escaped = escape(" ".join(headline.split())).replace(_LT, "&lt;")
    return mark_safe(escaped.replace(_START, "<mark>").replace(_STOP, "</mark>"))


def cjk_snippet(text: str, runs: list[str], *, context: int = 30) -> SafeString | None:
    """An escaped snippet around the first occurrence of any of ``runs`` in ``text``, with the
    occurrences marked; None if none occurs."""
    positions = [(text.find(run), run) for run in runs if run in text]
    if not positions:
        return None
    start, _run = min(positions)
    window = text[max(0, start - context) : start + context * 2]
    pattern = re.compile("|".join(re.escape(run) for run in sorted(runs, key=len, reverse=True)))
    marked = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", window)
    prefix = "… " if start > context else ""
    return mark_safe(prefix + str(render_snippet(marked)))
