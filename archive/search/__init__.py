"""Full-text search over a user's documents, on PostgreSQL, in the same transaction as the data.

The public surface; other packages import only from here. The modules, in the order a query
meets them:

- ``textnorm``: text as the index sees it (accents folded, CJK bigrams); shared by both sides.
- ``query``: the search-box syntax turned into a ``tsquery``.
- ``planning``: configurations to cover, the ``tsquery`` value, how to reach the matches.
- ``finding``: counts, facets, pages of results.
- ``bm25``, ``ranking``: the rank function, and the exact top k through the impact lists.
- ``cursors``: keyset "next page" cursors.
- ``pages``, ``snippets``, ``highlight``: what the hits on screen show (matching pages,
  snippets, boxes on the page image).
- ``index``: the writers of the stored vectors, called in the same transaction as the text;
  ``terms`` keeps the ranking statistics (df, impact lists) exact with every vector written.
"""

from __future__ import annotations

from archive.search.cursors import BadCursor
from archive.search.finding import document_search, search_page
from archive.search.highlight import page_highlights
from archive.search.index import (
    clean_text,
    document_vector_append,
    document_vector_rebuild,
    documents_index,
    documents_unindex,
    page_vector,
    page_vector_write,
    pages_index,
    reindex_documents,
)
from archive.search.planning import build_tsquery, user_configs
from archive.search.ranking import reference_top
from archive.search.results import FACETS, SORTS, SearchFilters, SearchHit, SearchPage
from archive.search.terms import statistics_rebuild

__all__ = [
    "FACETS",
    "SORTS",
    "BadCursor",
    "SearchFilters",
    "SearchHit",
    "SearchPage",
    "build_tsquery",
    "clean_text",
    "document_search",
    "document_vector_append",
    "document_vector_rebuild",
    "documents_index",
    "documents_unindex",
    "page_highlights",
    "page_vector",
    "page_vector_write",
    "pages_index",
    "reference_top",
    "reindex_documents",
    "search_page",
    "statistics_rebuild",
    "user_configs",
]
