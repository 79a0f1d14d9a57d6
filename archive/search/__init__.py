"""Full-text search over a user's documents, on PostgreSQL, in the same transaction as the data.

The public surface; other packages import only from here. The modules, in the order a query
meets them:

- ``textnorm``: text as the index sees it (accents folded, CJK bigrams); shared by both sides.
- ``tokens``: its OCR-aware rules (line-end hyphenation, compound tokens, number groups).
- ``fields``: field terms of the search box (``tag:tax``, ``date:2024``), split from the words.
- ``query``: the search-box syntax turned into a ``tsquery``.
- ``planning``: configurations to cover, the ``tsquery`` value, how to reach the matches.
- ``finding``: counts, facets, pages of results.
- ``pairs``: adjacent pairs of common words, where a phrase of common words finds candidates.
- ``bm25``, ``ranking``: the rank function, and the exact top k through the impact lists.
- ``cursors``: keyset "next page" cursors; ``limits``: what one search may cost.
- ``pages``, ``snippets``, ``highlight``: what the hits on screen show (matching pages,
  snippets, boxes on the page image).
- ``index``: the writers of the stored vectors, called in the same transaction as the text;
  ``terms`` keeps the ranking statistics (df, impact lists) and the word pairs exact with
  every vector written.
- ``spelling``, ``typos``: close spellings of a word among the user's words, and the search-box
  text rewritten to find them ("also showing results for …", "did you mean …").
- ``suggest``: autocomplete of the search box's last word from the user's words.
- ``similar``: more like this (documents sharing a document's most distinctive words).
"""

from __future__ import annotations

from archive.search.cursors import BadCursor
from archive.search.fields import FieldQuery, QueryError, split_fields
from archive.search.finding import document_search, search_matches, search_page
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
from archive.search.limits import QueryTooExpensive
from archive.search.planning import build_tsquery, user_configs
from archive.search.ranking import reference_top
from archive.search.results import FACETS, SORTS, SearchFilters, SearchHit, SearchPage
from archive.search.shared import visible_search_matches, visible_search_page
from archive.search.shared_terms import visible_close_terms, visible_completions
from archive.search.similar import Similar, more_like_this
from archive.search.spelling import CloseTerm, close_terms
from archive.search.suggest import Completion, complete
from archive.search.terms import statistics_rebuild
from archive.search.typos import Expansion, expand_typos, typo_tolerance_enabled

__all__ = [
    "FACETS",
    "SORTS",
    "BadCursor",
    "CloseTerm",
    "Completion",
    "Expansion",
    "FieldQuery",
    "QueryError",
    "QueryTooExpensive",
    "SearchFilters",
    "SearchHit",
    "SearchPage",
    "Similar",
    "build_tsquery",
    "clean_text",
    "close_terms",
    "complete",
    "document_search",
    "document_vector_append",
    "document_vector_rebuild",
    "documents_index",
    "documents_unindex",
    "expand_typos",
    "more_like_this",
    "page_highlights",
    "page_vector",
    "page_vector_write",
    "pages_index",
    "reference_top",
    "reindex_documents",
    "search_matches",
    "search_page",
    "split_fields",
    "statistics_rebuild",
    "typo_tolerance_enabled",
    "user_configs",
    "visible_close_terms",
    "visible_completions",
    "visible_search_matches",
    "visible_search_page",
]
