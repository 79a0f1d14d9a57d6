"""Which words of a page the search query matched, to mark them as boxes on the page image.

A word is marked when it matches one of the query's terms the way search matches it: stemmed in
the document's language or as the exact word, accents folded, prefixes (``invo*``) included. So
the boxes show exactly why the page was found. PostgreSQL does the stemming, for every distinct
word of the page in one query. CJK text, stored one character per word, is matched in Python:
a character is marked when it starts or ends a searched bigram, or is a searched character.

Each word is read as the index reads text (``textnorm.index_text``), so ``duck`` boxes
``duck/goose``; a word ending in a hyphen followed by a word on the next line (its box starts
left of it) is also read joined, the way the index joins a line-end hyphenation, and a match of
the joined word boxes both halves (``weath-`` and ``ered`` for ``weathered``).
"""

from __future__ import annotations

from collections.abc import Sequence

from archive.languages import search_config
from archive.models import Page
from archive.replica.routing import read_connection
from archive.search.query import highlight_terms, query_phrases
from archive.search.textnorm import flow_text, index_text, is_cjk

Box = tuple[int, int, int, int]
# The hyphens ``tokens.join_line_hyphens`` joins a line-end hyphenation at.
_HYPHENS = "-\u00ad\u2010\u2011\u00ac"


def page_highlights(
    page: Page, query: str, language: str, phrases: Sequence[Sequence[str]] | None = None
) -> list[Box]:
    """Boxes (in ``page``'s image pixels) of the page's words that ``query`` matches.

    ``phrases``: the query's quoted phrases, each as its terms (quoted ``to_tsquery`` operands,
    as ``highlight_terms`` gives them). A term that only occurs in phrases boxes a word only
    where the whole phrase occurs on consecutive words; without ``phrases`` every term boxes
    every word it matches. By default they are the quoted phrases of ``query``.
    """
    if phrases is None:
        phrases = query_phrases(query)
    terms = highlight_terms(query)
    if not terms or not page.words:
        return []
    texts = [str(word.get("text", "")) for word in page.words]
    matches = _word_terms(texts, _line_starts(page.words), terms, language)
    # With the phrases known, a term boxes every word it matches only if typed outside them.
    alone = set(highlight_terms(_without_phrases(query))) if phrases else set(terms)
    marked = {index for index, found in enumerate(matches) if found & alone}
    marked |= phrase_positions(matches, phrases) | _cjk_matches(texts, terms)
    return [_box(page.words[index]["box"]) for index in sorted(marked)]


def phrase_positions(matches: Sequence[set[str]], phrases: Sequence[Sequence[str]]) -> set[int]:
    """Indexes of the words covered by an occurrence of a phrase: ``matches[i]`` holds the
    terms word ``i`` matches; a phrase occurs at ``i`` when word ``i + k`` matches its
    ``k``-th term for every ``k``."""
    marked: set[int] = set()
    for phrase in phrases:
        width = len(phrase)
        if not width:
            continue
        for start in range(len(matches) - width + 1):
            if all(phrase[k] in matches[start + k] for k in range(width)):
                marked.update(range(start, start + width))
    return marked


def _without_phrases(query: str) -> str:
    return " ".join(part for i, part in enumerate(query.split('"')) if i % 2 == 0)


def _line_starts(words: Sequence[dict[str, object]]) -> set[int]:
    """Indexes of the words that start a new line: their box starts left of the previous."""
    starts: set[int] = set()
    for index in range(1, len(words)):
        try:
            if float(words[index]["box"][0]) < float(words[index - 1]["box"][0]):  # type: ignore[index]
                starts.add(index)
        except (KeyError, TypeError, ValueError, IndexError):
            continue
    return starts


def _word_terms(
    texts: list[str], line_starts: set[int], terms: list[str], language: str
) -> list[set[str]]:
    """For each word, the (non-CJK) terms it matches, alone or joined to the next word across
    a line-end hyphenation (then both words get the term)."""
    words = [term for term in terms if not is_cjk(term.strip("'"))]
    readings: dict[int, list[str]] = {}  # word index -> texts whose match boxes it
    for index, text in enumerate(texts):
        if text and not is_cjk(text):
            readings.setdefault(index, []).append(index_text(text))
        if index + 1 in line_starts and text[-1:] in _HYPHENS:
            joined = flow_text(f"{text}\n{texts[index + 1]}")
            if len(joined.split()) == 1:  # joined as the index joins it (not Ost-⏎Berlin)
                readings.setdefault(index, []).append(joined)
                readings.setdefault(index + 1, []).append(joined)
    matches: list[set[str]] = [set() for _ in texts]
    distinct = sorted({reading for found in readings.values() for reading in found})
    if not words or not distinct:
        return matches
    with read_connection().cursor() as cursor:
        cursor.execute(
            "WITH v AS (SELECT t, to_tsvector(%s::regconfig, t) || to_tsvector('simple', t) AS v "
            "FROM unnest(%s::text[]) AS t), "
            "q AS (SELECT q, to_tsquery(%s::regconfig, q) || to_tsquery('simple', q) AS q_ "
            "FROM unnest(%s::text[]) AS q) "
            "SELECT t, q FROM v, q WHERE v @@ q_",
            [search_config(language), distinct, search_config(language), words],
        )
        found: dict[str, set[str]] = {}
        for text, term in cursor.fetchall():
            found.setdefault(text, set()).add(term)
    for index, texts_of in readings.items():
        for reading in texts_of:
            matches[index] |= found.get(reading, set())
    return matches


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
