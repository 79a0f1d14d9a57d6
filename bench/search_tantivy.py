"""The peer in the search bench: the same documents in Tantivy (official Python bindings).

One Tantivy document per app document: its title and pages, each put through the app's own
``archive.search.textnorm.index_text`` first (accents folded, CJK runs as overlapping bigrams),
so both engines see the same tokens. The analyzer then mirrors the app's two readings:

- ``text``: simple tokenizer + lowercase + ASCII folding (the app's ``simple`` configuration);
- ``stem_<lang>``: the same + the Snowball stemmer of the document's language (en, de, fr, es;
  the app's language configuration). Only the document's own language field is filled.

No stop words are removed (the app's exact reading keeps them). A query searches all five
fields, terms AND-ed; see ``tantivy_query`` for the translation of the search-box syntax.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

STEMMERS = {"en": "english", "de": "german", "fr": "french", "es": "spanish"}
FIELDS = ["text", *(f"stem_{language}" for language in STEMMERS)]
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("language", tokenizer_name="raw")
    builder.add_text_field("text", tokenizer_name="fold")
    for language in STEMMERS:
        builder.add_text_field(f"stem_{language}", tokenizer_name=f"stem_{language}")
    return builder.build()


def analyzer(language: str = "") -> tantivy.TextAnalyzer:
    """Simple tokenizer, lowercase, ASCII folding, and the stemmer of ``language`` if given."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    builder = builder.filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
    if language:
        builder = builder.filter(tantivy.Filter.stemmer(STEMMERS[language]))
    return builder.build()


def _register(index: tantivy.Index) -> None:
    index.register_tokenizer("fold", analyzer())
    for language in STEMMERS:
        index.register_tokenizer(f"stem_{language}", analyzer(language))


def open_or_build(
    path: Path, documents: Iterable[tuple[int, str, str]] | None, threads: int
) -> tuple[tantivy.Index, float | None]:
    """The index at ``path``; built from ``documents`` (id, language, text as the user wrote it)
    when absent (``documents`` must then be given). Returns the index and the build seconds
    (None when opened)."""
    done = path / "complete"
    if done.exists():
        index = tantivy.Index(_schema(), path=str(path), reuse=True)
        _register(index)
        return index, None
    if documents is None:
        raise ValueError(f"no Tantivy index at {path} and no documents to build it from")
    from archive.search.textnorm import index_text

    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    started = time.perf_counter()
    index = tantivy.Index(_schema(), path=str(path))
    _register(index)
    writer = index.writer(heap_size=256_000_000, num_threads=max(1, threads))
    for number, language, text in documents:
        document = tantivy.Document()
        body = index_text(text)
        document.add_unsigned("id", number)
        document.add_text("language", language)
        document.add_text("text", body)
        if language in STEMMERS:
            document.add_text(f"stem_{language}", body)
        writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    done.touch()
    return index, time.perf_counter() - started


def tantivy_query(index: tantivy.Index, query: str, language: str = "") -> tantivy.Query:
    """The search-box ``query`` in Tantivy's terms: every word and "phrase" must occur (terms go
    through the app's ``query_words``, so a CJK run becomes a phrase of its bigrams), ``a OR b``
    is a should-group, ``-word`` must not occur, ``inv*`` is a regex on the exact field;
    ``language`` filters like the app's language filter."""
    from archive.search.textnorm import query_words

    schema = index.schema
    groups: list[list[str]] = []  # AND of OR-groups of query-parser clauses
    negated_groups: list[str] = []
    extra: list[tuple[Any, tantivy.Query]] = []
    pending_or = False
    for match in _TOKEN.finditer(query):
        negated_phrase, phrase, bare = match.groups()
        if bare == "OR":
            pending_or = bool(groups)
            continue
        negated = bool(negated_phrase) or (bare is not None and len(bare) > 1 and bare[0] == "-")
        text = phrase if phrase is not None else bare[1:] if negated else bare
        if phrase is None and text.endswith("*"):
            stem = "".join(query_words(text.rstrip("*"))).lower()
            regex = tantivy.Query.regex_query(schema, "text", re.escape(stem) + ".*")
            extra.append((tantivy.Occur.MustNot if negated else tantivy.Occur.Must, regex))
            pending_or = False
            continue
        words = query_words(text)
        if not words:
            continue
        clause = '"' + " ".join(words) + '"'
        if negated:
            negated_groups.append(clause)
        elif pending_or:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        pending_or = False
    parts = [f"+({' '.join(group)})" for group in groups]
    parts += [f"-{clause}" for clause in negated_groups]
    if language:
        parts.append(f"+language:{language}")
    queries: list[tuple[Any, tantivy.Query]] = []
    if parts:
        parsed = index.parse_query(" ".join(parts), FIELDS)
        queries.append((tantivy.Occur.Must, parsed))
    queries.extend(extra)
    if len(queries) == 1 and queries[0][0] == tantivy.Occur.Must:
        return queries[0][1]
    return tantivy.Query.boolean_query(queries)


def search(
    index: tantivy.Index, query: tantivy.Query, *, newest: bool = False, offset: int = 0
) -> tuple[list[int], int]:
    """Top 20 document numbers (by score, or newest first: highest number) and the hit count."""
    searcher = index.searcher()
    if newest:
        result = searcher.search(query, 20, count=True, order_by_field="id", offset=offset)
    else:
        result = searcher.search(query, 20, count=True, offset=offset)
    numbers = [int(searcher.doc(address)["id"][0]) for _score, address in result.hits]
    return numbers, int(getattr(result, "count", 0) or 0)
