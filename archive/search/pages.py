"""The matching pages of the hits on screen, and a snippet from the best of them."""

from __future__ import annotations

from collections import defaultdict

from archive.languages import search_config
from archive.replica.routing import read_connection
from archive.search.planning import MATCH_SQL
from archive.search.results import SearchHit
from archive.search.snippets import headlines

# ts_rank_cd normalisation 1: divide by 1 + log(length), so long documents do not win by size.
RANK_SQL = "ts_rank_cd({table}.search_vector, %s::tsquery, 1)"


def add_pages_and_snippets(hits: list[SearchHit], tsquery: str, query: str) -> None:
    """Fill in each hit's matching page numbers and a snippet from its best-ranked page, parsed
    in the document's language; the pages are found by document id, for these hits only."""
    if not hits:
        return
    by_id = {hit.document.pk: hit for hit in hits}
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT p.id, p.document_id, p.number, {RANK_SQL.format(table='p')} "
            f"FROM archive_page p WHERE p.document_id = ANY(%s) "
            f"AND {MATCH_SQL.format(table='p')} ORDER BY p.document_id, p.number",
            [tsquery, list(by_id), tsquery],
        )
        rows = cursor.fetchall()
    best: dict[int, tuple[float, int]] = {}
    for page_id, document_id, number, rank in rows:
        by_id[document_id].pages.append(number)
        if document_id not in best or rank > best[document_id][0]:
            best[document_id] = (rank, page_id)
    by_config: dict[str, dict[int, int]] = defaultdict(dict)
    for document_id, (_rank, page_id) in best.items():
        config = search_config(by_id[document_id].document.language)
        by_config[config][page_id] = document_id
    for config, page_to_doc in by_config.items():
        for page_id, snippet in headlines(list(page_to_doc), tsquery, config, query).items():
            by_id[page_to_doc[page_id]].snippet = snippet
