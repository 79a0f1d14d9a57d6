"""Which words of a page the search query matched, to mark them as boxes on the page image.

A word is marked when it matches one of the query's terms the way search matches it: stemmed in
the document's language or as the exact word, accents folded, prefixes (``invo*``) included. So
the boxes show exactly why the page was found. PostgreSQL does the stemming, for every distinct
word of the page in one query. CJK text, stored one character per word, is matched in Python:
a character is marked when it starts or ends a searched bigram, or is a searched character.
"""

from __future__ import annotations

from django.db import connection

from archive.languages import search_config
from archive.models import Page
from archive.search.query import highlight_terms
from archive.search.textnorm import index_text, is_cjk

Box = tuple[int, int, int, int]


def page_highlights(page: Page, query: str, language: str) -> list[Box]:
    """Boxes (in ``page``'s image pixels) of the page's words that ``query`` matches."""
    terms = highlight_terms(query)
    if not terms or not page.words:
        return []
    texts = [str(word.get("text", "")) for word in page.words]
    marked = _cjk_matches(texts, terms) | _word_matches(texts, terms, language)
    return [_box(page.words[index]["box"]) for index in sorted(marked)]


def _word_matches(texts: list[str], terms: list[str], language: str) -> set[int]:
    words = [term for term in terms if not is_cjk(term.strip("'"))]
    distinct = sorted({index_text(text) for text in texts if text and not is_cjk(text)})
    if not words or not distinct:
        return set()
    tsquery = " | ".join(words)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t FROM unnest(%s::text[]) AS t WHERE "
            "(to_tsvector(%s::regconfig, t) || to_tsvector('simple', t)) "
            "@@ (to_tsquery(%s::regconfig, %s) || to_tsquery('simple', %s))",
            [distinct, search_config(language), search_config(language), tsquery, tsquery],
        )
        found = {row[0] for row in cursor.fetchall()}
    return {i for i, text in enumerate(texts) if text and index_text(text) in found}


def _cjk_matches(texts: list[str], terms: list[str]) -> set[int]:
    grams = {term.strip("'") for term in terms if is_cjk(term.strip("'"))}
    if not grams:
        return set()
    marked: set[int] = set()
    for index, text in enumerate(texts):
        if not is_cjk(text):
            continue
        after = texts[index + 1] if index + 1 < len(texts) else ""
        before = texts[index - 1] if index else ""
        if text in grams or text + after in grams or before + text in grams:
            marked.add(index)
    return marked


def _box(raw: object) -> Box:
    x0, y0, x1, y1 = (int(v) for v in raw)  # type: ignore[attr-defined]
    return (x0, y0, x1, y1)
