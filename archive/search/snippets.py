"""Snippets of search hits: ``ts_headline`` for the pages on screen only, escaped, matches marked.

``ts_headline`` runs on the page's flow (``textnorm.flow_with_offsets``: accents folded,
line-end hyphenations joined, compound tokens split), the text the index and the folded query
terms agree on; the chosen fragments and their marks are then mapped back by character offsets
onto the original text, so the snippet shows the page as written (``préalable``, ``Straße``,
``weath- ered``, ``duck/goose``) with the matched words marked.

``ts_headline`` returns the page text with sentinel control characters around matches, so the
text itself can be HTML-escaped (OCR text is user data) before the markers become ``<mark>``.
PostgreSQL's parser reads ``<script>``-like text as an HTML tag and ``ts_headline`` drops tags;
``<`` is therefore swapped for another control character before and swapped back after, so OCR'd
markup is shown as text, escaped.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.replica.routing import read_connection
from archive.search.textnorm import CJK_RUN, flow_with_offsets

# Control characters never occur in OCR text we store (clean_text strips them).
_START, _STOP, _LT = "\x02", "\x03", "\x04"
# The fold turns "…" into "...", so the delimiter never occurs inside a flow's fragment.
_DELIMITER = " … "
_OPTIONS = (
    f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12, MaxFragments=2, "
    f'FragmentDelimiter="{_DELIMITER}"'
)
_MARKER = re.compile(f"([{_START}{_STOP}])")


def headlines(pages: list[tuple[int, str, str]], tsquery: str, query: str) -> dict[int, SafeString]:
    """Page id -> escaped HTML snippet with ``<mark>`` around the matches of ``tsquery``, for
    each ``(page id, configuration, page text)`` of ``pages`` (the text parsed in its
    configuration), in one statement. ``query`` is the search-box text: CJK runs of it are
    marked by hand where PostgreSQL cannot (it reads a CJK run as one word)."""
    if not pages:
        return {}
    flows = [flow_with_offsets(text) for _pk, _config, text in pages]
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT ts_headline(c::regconfig, replace(t, '<', %s), %s::tsquery, %s) "
            "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS u(c, t, n) ORDER BY n",
            [
                _LT,
                tsquery,
                _OPTIONS,
                [config for _pk, config, _text in pages],
                [flow for flow, _ in flows],
            ],
        )
        marked = [row[0] for row in cursor.fetchall()]
    cjk_runs = [run for run in CJK_RUN.findall(query) if run]
    snippets = {}
    for (page_id, _config, text), (flow, offsets), headline in zip(
        pages, flows, marked, strict=True
    ):
        snippet = render_snippet(original_headline(headline, flow, offsets, text))
        if cjk_runs and "<mark>" not in snippet:
            snippet = cjk_snippet(text, cjk_runs) or snippet
        snippets[page_id] = snippet
    return snippets


def original_headline(headline: str, flow: str, offsets: list[int], text: str) -> str:
    """``headline`` (``ts_headline`` of ``flow`` with ``<`` swapped for ``_LT``) rewritten in
    the original ``text``: each fragment located in the flow, its marks kept, its characters
    replaced by the original characters they come from (``offsets``, see
    ``textnorm.flow_with_offsets``). If a fragment cannot be located (``ts_headline`` changed
    it), the headline is returned as it is: folded, but still marked and safe to render."""
    swapped = flow.replace("<", _LT)
    fragments: list[str] = []
    cursor = 0
    for fragment in headline.split(_DELIMITER):
        plain = fragment.replace(_START, "").replace(_STOP, "")
        start = swapped.find(plain, cursor)
        if start < 0:
            start = swapped.find(plain)
        if start < 0:
            return headline
        position = start
        pieces: list[str] = []
        for piece in _MARKER.split(fragment):
            if piece in (_START, _STOP):
                pieces.append(piece)
                continue
            end = position + len(piece)
            pieces.append(text[offsets[position] : offsets[end]])
            position = end
        fragments.append("".join(pieces))
        cursor = position
    return _DELIMITER.join(fragments)


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
