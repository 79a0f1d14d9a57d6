"""archive.search.index: one set-wise code path writes the vectors of one page or thousands."""

from __future__ import annotations

import pytest
from django.db import connection

from archive.models import Page
from archive.search.index import (
    document_vector_append,
    documents_index,
    page_vector,
    page_vector_write,
    pages_index,
    reindex_documents,
)
from tests.archive.conftest import document_with_pages
from tests.archive.search.test_behaviour import ids

pytestmark = pytest.mark.django_db

TEXTS = [
    "Invoice for garden tools, paid in March.",
    "Die Rechnungen wurden bezahlt, Herr Müller.",
    "本软件将扫描图像转换为文本。OCR report",
]


def _vector(table: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT search_vector::text FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_bulk_writes_the_same_vectors_as_one_page_at_a_time(alice):
    languages = ["en", "de", "zh"]
    one = [
        document_with_pages(alice, f"one {i}", lang, [t])
        for i, (lang, t) in enumerate(zip(languages, TEXTS, strict=True))
    ]
    bulk = [
        document_with_pages(alice, f"bulk {i}", lang, [t])
        for i, (lang, t) in enumerate(zip(languages, TEXTS, strict=True))
    ]
    for document in one:
        page_vector_write(document.pages.get(), document.language)
    pages = [(d.pages.get().pk, d.language, d.pages.get().text) for d in bulk]
    assert pages_index(pages) == 3
    for a, b in zip(one, bulk, strict=True):
        assert _vector("archive_page", a.pages.get().pk) == _vector(
            "archive_page", b.pages.get().pk
        )
    # A page created with its vector (as the worker does) gets the same one.
    created = Page.objects.create(
        document=one[0], number=2, text=TEXTS[0], search_vector=page_vector("en", TEXTS[0])
    )
    assert _vector("archive_page", created.pk) == _vector(
        "archive_page", one[0].pages.get(number=1).pk
    )


def test_document_vector_is_title_then_pages_and_append_matches_rebuild(alice):
    texts = ["First page mentions the harbour.", "Second page mentions the lighthouse."]
    appended = document_with_pages(alice, "Harbour survey", "en", texts)
    rebuilt = document_with_pages(alice, "Harbour survey again", "en", texts)
    rebuilt.title = appended.title
    for document in (appended, rebuilt):
        pages_index((p.pk, "en", p.text) for p in document.pages.all())
    # The worker appends each page as it is saved; a rebuild gives the same vector.
    for page in appended.pages.order_by("number"):
        document_vector_append(appended, page)
    assert documents_index([rebuilt]) == 1
    assert _vector("archive_document", appended.pk) == _vector("archive_document", rebuilt.pk)
    vector = _vector("archive_document", appended.pk)
    assert "'harbour':1A" in vector  # the title, weight A, first
    assert "'lighthous'" in vector
    assert "'lighthouse'" in vector
    assert set(ids(alice, "lighthouse harbour")) == {appended.pk, rebuilt.pk}


def test_reindex_documents_reparses_every_page(alice):
    document = document_with_pages(alice, "Lease", "en", ["Garden lease", "for the allotment"])
    assert ids(alice, "allotment") == []  # never indexed
    assert reindex_documents([document]) == 2
    assert ids(alice, "allotment") == [document.pk]
    assert pages_index([]) == 0
    assert documents_index([]) == 0
