"""The two searchers the relevance benchmark compares, over the same OCR texts.

- ``AppSearch``: the product. Documents are written as the worker writes them
  (``archive.processing.saving.save_page``: each page created with ``page_vector``, then
  ``document_vector_append``), for one user, each document filed under its language; queries
  go through ``archive.search.document_search``.
- ``TantivySearch``: the BM25 baseline, Tantivy through its official Python bindings, in RAM:
  one Tantivy document per document (its pages joined), one text field, the default query
  parser with AND between terms (``conjunction_by_default``), phrases in quotes.

Every document gets a neutral title (``relbench 0007``) so that only the text is measured.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from typing import Any

from bench.relevance_corpus import Doc

USER = "relbench"
#: Tantivy analyzers: ``fold`` (simple tokenizer, lower case, ASCII folding: accents
#: ignored), ``en_stem`` (Tantivy's English stemmer, accents kept), ``default`` (lower case).
ANALYZERS = ("fold", "en_stem", "default")


def title(number: int) -> str:
    return f"relbench {number:04d}"


class AppSearch:
    def __init__(self, docs: Sequence[Doc]) -> None:
        from django.contrib.auth.models import User
        from django.db import transaction

        from archive.models import Document, Page
        from archive.search import document_vector_append, document_vector_rebuild, page_vector

        # A new user each run: whatever the writers store per user (vectors, vocabulary)
        # goes with the old one, so a run with a feature switched off starts clean.
        User.objects.filter(username=USER).delete()
        self.user = User.objects.create_user(USER)
        self.index_of: dict[int, int] = {}
        for number, doc in enumerate(docs):
            with transaction.atomic():
                document = Document.objects.create(
                    owner=self.user,
                    title=title(number),
                    original=f"relbench/{doc.source.path}",
                    original_name=doc.source.path.rsplit("/", 1)[-1],
                    sha256=f"{number:064d}",
                    mime_type=mimetypes.guess_type(doc.source.path)[0] or "image/tiff",
                    size=1,
                    language=doc.source.language,
                    status=Document.Status.DONE,
                    page_count=len(doc.pages),
                )
                for page_number, (text, words) in enumerate(
                    zip(doc.pages, doc.words, strict=True), 1
                ):
                    page = Page.objects.create(
                        document=document,
                        number=page_number,
                        text=text,
                        words=list(words),
                        engine=doc.engines[page_number - 1],
                        search_vector=page_vector(document.language, text),
                    )
                    document_vector_append(document, page)
                if not doc.pages:
                    document_vector_rebuild(document)
            self.index_of[document.pk] = number

    def search(self, query: str) -> list[int]:
        from archive.search import document_search, expand_typos

        # As the search page does: rare or unknown words also find their close spellings.
        expanded = expand_typos(self.user.pk, query)
        hits = document_search(
            user=self.user,
            query=expanded.query_text,
            demote=expanded.alternatives,
            limit=10,
        )
        return [self.index_of[hit.pk] for hit in hits]


class TantivySearch:
    def __init__(self, docs: Sequence[Doc], analyzer: str = "fold") -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_unsigned_field("number", stored=True)
        tokenizer = "fold" if analyzer == "fold" else analyzer
        builder.add_text_field("body", stored=False, tokenizer_name=tokenizer)
        self.index = tantivy.Index(builder.build())
        if analyzer == "fold":
            self.index.register_tokenizer(
                "fold",
                tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.remove_long(40))
                .filter(tantivy.Filter.lowercase())
                .filter(tantivy.Filter.ascii_fold())
                .build(),
            )
        writer = self.index.writer(heap_size=50_000_000, num_threads=1)
        for number, doc in enumerate(docs):
            writer.add_document(tantivy.Document(number=number, body=doc.text))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, query: str) -> list[int]:
        parsed: Any
        try:
            parsed = self.index.parse_query(query, ["body"], conjunction_by_default=True)
        except ValueError:  # syntax Tantivy refuses (a stray quote or colon): read leniently
            parsed, _errors = self.index.parse_query_lenient(
                query, ["body"], conjunction_by_default=True
            )
        hits = self.searcher.search(parsed, limit=10).hits
        return [self.searcher.doc(address)["number"][0] for _score, address in hits]
