"""Helpers for tests of the user's vocabulary (``SearchTerm``): typo tolerance, autocomplete,
more like this.

Until the index writers maintain ``SearchTerm`` (another branch), end-to-end tests call
``backfill_terms`` after indexing: it writes the rows the writers would, from the stored
vectors, and does nothing for rows that exist (``ON CONFLICT DO NOTHING``), so the same tests
pass once the writers keep the table themselves. ``require_maintained_terms`` skips a test
until then: those tests check the writers and this branch together.
"""

from __future__ import annotations

import pytest
from django.db import connection

from archive.models import Document, SearchTerm
from archive.search.textnorm import index_text


def terms(owner, *words: str, documents: int = 1, surface: bool = True) -> None:
    SearchTerm.objects.bulk_create(
        SearchTerm(owner=owner, term=word, documents=documents, surface=surface) for word in words
    )


def backfill_terms(owner) -> None:
    """``SearchTerm`` rows for the owner's indexed documents, as the writers keep them: every
    lexeme of the documents' vectors with its document count; ``surface`` for the words as
    written (the ``simple`` reading of title and text)."""
    surface: set[str] = set()
    with connection.cursor() as cursor:
        for document in Document.objects.filter(owner=owner).prefetch_related("pages"):
            text = " ".join([document.title, *(page.text for page in document.pages.all())])
            cursor.execute(
                "SELECT tsvector_to_array(to_tsvector('simple', %s))", [index_text(text)]
            )
            surface.update(cursor.fetchone()[0])
        cursor.execute(
            """
            INSERT INTO archive_searchterm (owner_id, term, documents, surface)
            SELECT d.owner_id, l.lexeme, count(*), l.lexeme = ANY(%s::text[])
            FROM archive_document d
            CROSS JOIN LATERAL unnest(tsvector_to_array(d.search_vector)) AS l(lexeme)
            WHERE d.owner_id = %s
            GROUP BY d.owner_id, l.lexeme
            ON CONFLICT (owner_id, term) DO NOTHING
            """,
            [sorted(surface), owner.pk],
        )


def require_maintained_terms(owner) -> None:
    """Skip unless the index writers have written the owner's ``SearchTerm`` rows."""
    if not SearchTerm.objects.filter(owner=owner).exists():
        pytest.skip("SearchTerm is not maintained by the index writers yet (their branch)")
