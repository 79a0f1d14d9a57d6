"""The matching pages of the hits on screen, and a snippet from the best of them."""

from __future__ import annotations

from archive.languages import search_config
from archive.replica.routing import read_connection
from archive.search.planning import MATCH_SQL
from archive.search.results import SearchHit
from archive.search.snippets import headlines

# ts_rank_cd normalisation 1: divide by 1 + log(length), so long documents do not win by size.
RANK_SQL = "ts_rank_cd({table}.search_vector, %s::tsquery, 1)"


def add_pages_and_snippets(hits: list[SearchHit], tsquery: str, query: str) -> None:
    """Fill in each hit's matching page numbers and a snippet from its best-ranked page (the
    first by number among equals), parsed in the document's language; the pages are found by
    document id, for these hits only. Two statements: the matching pages (with the best
    one's text), and the snippets of all the best pages."""
    if not hits:
        return
    by_id = {hit.document.pk: hit for hit in hits}
    rank = RANK_SQL.format(table="p")
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.document_id, p.number, CASE WHEN row_number() OVER ("
            f"PARTITION BY p.document_id ORDER BY {rank} DESC, p.number) = 1 THEN p.text END "
            f"FROM archive_page p WHERE p.document_id = ANY(%s) "
            f"AND {MATCH_SQL.format(table='p')} ORDER BY p.document_id, p.number",
            [tsquery, list(by_id), tsquery],
        )
        rows = cursor.fetchall()
    best: list[tuple[int, str, str]] = []
    page_to_doc: dict[int, int] = {}
    for page_id, document_id, number, text in rows:
        by_id[document_id].pages.append(number)
        if text is not None:
            config = search_config(by_id[document_id].document.language)
            best.append((page_id, config, text))
            page_to_doc[page_id] = document_id
    for page_id, snippet in headlines(best, tsquery, query).items():
        by_id[page_to_doc[page_id]].snippet = snippet
