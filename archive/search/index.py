"""Writing the stored search vectors: one code path for one page and for a million.

Vectors are written with the text they index, inside the caller's transaction, so the index can
never drift from the data. Every writer here is set-wise: ``pages_index`` and
``documents_index`` take any number of rows and issue one statement per call (one ``UPDATE …
FROM unnest(…)``), so an upload saving one page, ``manage.py reindex`` and the bulk load of
``bench/search.py`` all run the same SQL.

A page's vector is its text parsed twice, stemmed in the document's language and as exact words
(``simple``), weight B. A document's vector is its title the same way (weight A) followed by its
pages' stored vectors, concatenated in page order by the ``tsvector_agg`` aggregate (migration
0004): page text is parsed once, not once for the page and again for the document.

Every change of a document's vector goes through ``archive.search.terms.vectors_write``, which
keeps the ranking statistics (df, N, document lengths, impact lists) exact in the same
transaction; ``documents_unindex`` is the writer for a document about to lose its vector.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from archive.languages import document_search_configs, search_config
from archive.models import Document, Page
from archive.search.terms import vectors_write
from archive.search.textnorm import index_text


def clean_text(text: str) -> str:
    """Text as stored: NUL and other C0 controls (but tab/newline) removed.

    PostgreSQL text cannot hold NUL, and the snippet markers are control characters.
    """
    return "".join(ch for ch in text if ch >= " " or ch in "\n\t\f")


# Each text goes in twice: stemmed in the document's language, and as exact words ("simple"), so
# "invoices" finds "invoice" in an English document and a French word still matches there. The
# weight of a position says where it came from (``WEIGHTS``): ranking boosts the title's
# (``bm25.tf_sql``), and a lexeme with an exact-reading position is a word as written
# (``SearchTerm.surface``, for autocomplete and close spellings; ``terms``).
WEIGHTS = {"title": ("A", "C"), "text": ("D", "B")}  # part -> (stemmed, as written)


def _vector_sql(config: str, text: str, weight: str) -> str:
    """SQL of the vector of ``text`` read in ``config`` (a ``regconfig`` expression, or with
    ``_many`` a ``regconfig[]`` one: a document in several languages is read in each)."""
    stemmed, written = WEIGHTS["title" if weight == "A" else "text"]
    if config.startswith(_MANY):
        configs = config[len(_MANY) :]
        # Nearly every document has one language: no subquery for it.
        reading = (
            f"CASE WHEN cardinality({configs}) = 1 THEN to_tsvector(({configs})[1], {text}) "
            f"ELSE (SELECT tsvector_agg(to_tsvector(c, {text})) FROM unnest({configs}) c) END"
        )
    else:
        reading = f"to_tsvector({config}, {text})"
    return (
        f"setweight({reading}, '{stemmed}') "
        f"|| setweight(to_tsvector('simple', {text}), '{written}')"
    )


_MANY = "many:"


def _many(configs_sql: str) -> str:
    """Marks a ``regconfig[]`` SQL expression for ``_vector_sql``."""
    return _MANY + configs_sql


# The pages' stored vectors in page order; '' for a document without pages yet.
_PAGES_VECTOR = (
    "coalesce((SELECT tsvector_agg(p.search_vector ORDER BY p.number) FROM archive_page p "
    "WHERE p.document_id = d.id), ''::tsvector)"
)


def page_vector(language: str, text: str) -> RawSQL:
    """The search vector of a page of ``text`` in ``language``, as an expression to store in
    ``Page.search_vector`` when the page is created (``Page(…, search_vector=page_vector(…))``),
    so a new page is written once, already indexed."""
    indexed = index_text(text)
    return RawSQL(
        _vector_sql("%s::regconfig", "%s", "B"), [search_config(language), indexed, indexed]
    )


def pages_index(pages: Iterable[tuple[int, str, str]]) -> int:
    """Set the search vector of each ``(page id, language, text)``; returns the rows written.

    The text is normalised here (accents folded, CJK bigrams, see ``archive.search.textnorm``); the
    parsing runs in PostgreSQL, all pages in one statement.
    """
    return _pages_index((pk, [search_config(language)], text) for pk, language, text in pages)


def _pages_index(pages: Iterable[tuple[int, list[str], str]]) -> int:
    """``pages_index`` for ``(page id, configurations, text)``: read in each configuration."""
    ids: list[int] = []
    configs: list[str] = []
    texts: list[str] = []
    for page_id, page_configs, text in pages:
        ids.append(page_id)
        # Arrays of arrays must be rectangular: the configurations travel as one string.
        configs.append(",".join(page_configs))
        texts.append(index_text(text))
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_page AS pg SET search_vector = "
            + _vector_sql(_many("string_to_array(v.configs, ',')::regconfig[]"), "v.body", "B")
            + " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, configs, body)"
            " WHERE pg.id = v.id",
            [ids, configs, texts],
        )
        written: int = cursor.rowcount
        return written


def documents_index(documents: Iterable[Document]) -> int:
    """Rebuild the vector of each document from its title (A) and its pages' stored vectors;
    returns the rows written. The pages must be indexed first (``pages_index``). The ranking
    statistics follow in the same transaction (``archive.search.terms``)."""
    ids: list[int] = []
    configs: list[str] = []
    titles: list[str] = []
    for document in documents:
        ids.append(document.pk)
        configs.append(",".join(document_search_configs(document)))
        titles.append(index_text(document.title))
    if not ids:
        return 0
    with transaction.atomic():
        return vectors_write(
            "SELECT v.id, "
            + _vector_sql(_many("string_to_array(v.configs, ',')::regconfig[]"), "v.title", "A")
            + f" || {_PAGES_VECTOR} AS vec"
            " FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, configs, title)"
            " JOIN archive_document d ON d.id = v.id",
            [ids, configs, titles],
            ids,
        )


def documents_unindex(ids: Sequence[int]) -> int:
    """Clear the vectors of documents ``ids`` (before they are deleted or their pages dropped),
    so the document counts of their terms go down; returns the rows written."""
    with transaction.atomic():
        return vectors_write(
            "SELECT d.id, NULL::tsvector AS vec FROM archive_document d WHERE d.id = ANY(%s)",
            [list(ids)],
            list(ids),
        )


def page_vector_write(page: Page, language: str) -> None:
    """Set ``page.search_vector`` from its text (weight B)."""
    pages_index([(page.pk, language, page.text)])


def document_vector_append(document: Document, page: Page) -> None:
    """Add one indexed page's stored vector to the document's (title first if still empty), so a
    long document is searchable while it is processed. Call after ``page_vector_write``."""
    title = index_text(document.title)
    with transaction.atomic():
        vectors_write(
            "SELECT d.id, coalesce(d.search_vector, "
            + _vector_sql("%s::regconfig", "%s", "A")
            + ") || coalesce(p.search_vector, ''::tsvector) AS vec"
            " FROM archive_document d JOIN archive_page p ON p.id = %s WHERE d.id = %s",
            [search_config(document.language), title, title, page.pk, document.pk],
            [document.pk],
        )


def document_vector_rebuild(document: Document) -> None:
    """Recompute the document's vector from its title (A) and all its pages' vectors (B)."""
    documents_index([document])


def reindex_documents(documents: Sequence[Document]) -> int:
    """Re-parse every page of ``documents`` and rebuild their vectors (two statements for the
    pages, one for the documents); returns the number of pages written."""
    configs = {document.pk: document_search_configs(document) for document in documents}
    rows = Page.objects.filter(document_id__in=configs).values_list("id", "document_id", "text")
    written = _pages_index((pk, configs[doc], text) for pk, doc, text in rows.iterator())
    documents_index(documents)
    return written
