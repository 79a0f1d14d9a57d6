"""More like this: the owner's documents that share a document's most distinctive words.

A word's weight in the document is tf-idf: how often it occurs there (positions in the stored
``search_vector``) times ``log(N / df)``, with ``df`` its document count among the owner's
documents (``SearchTerm.documents``) and ``N`` the owner's document count. Only words as written
(``surface`` terms) count, so a word and its stem are not counted twice; a word held by no other
document (df 1) cannot be shared and is skipped, and so are a word in most documents and the
stop words of the document's language (the exact-word reading keeps them).

The best words are taken while the documents holding them add up to at most
``MAX_CANDIDATES``, so the candidates are few whatever the archive's size; each candidate scores
the sum of the weights of the chosen words it holds. Every read is limited to the document's
owner.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from archive.languages import search_config
from archive.models import Document
from archive.replica.routing import read_connection
from archive.search.bm25 import documents_sql

#: How many of the document's words are used at most, and how many candidate documents.
MAX_TERMS = 25
MAX_CANDIDATES = 2000


class Similar(NamedTuple):
    document: Document
    score: float
    shared: list[str]  # the chosen words it holds, best first


def distinctive_terms(document: Document, limit: int = MAX_TERMS) -> list[tuple[str, float]]:
    """The document's most distinctive words shared with other documents of its owner, as
    ``(term, tf-idf weight)``, best first, holding at most ``MAX_CANDIDATES`` documents in all."""
    total = Document.objects.filter(owner_id=document.owner_id).count()
    if total < 2:
        return []
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"""
            SELECT v.lexeme, coalesce(cardinality(v.positions), 1), {documents_sql("t")}
            FROM archive_document d
            CROSS JOIN LATERAL unnest(d.search_vector) AS v(lexeme, positions, weights)
            JOIN archive_searchterm t ON t.owner_id = d.owner_id AND t.term = v.lexeme
            WHERE d.id = %s AND t.surface AND {documents_sql("t")} BETWEEN 2 AND %s
              AND to_tsvector(%s::regconfig, v.lexeme) <> ''::tsvector
            """,
            [document.pk, max(2, total // 2), search_config(document.language)],
        )
        rows: list[tuple[str, int, int]] = cursor.fetchall()
    weighted = sorted(
        ((term, (1 + math.log(tf)) * math.log(total / df), df) for term, tf, df in rows),
        key=lambda row: (-row[1], row[0]),
    )
    chosen: list[tuple[str, float]] = []
    held = 0
    for term, weight, df in weighted:
        if len(chosen) >= limit:
            break
        if held + df - 1 > MAX_CANDIDATES:
            continue
        held += df - 1
        chosen.append((term, weight))
    return chosen


def more_like_this(document: Document, limit: int = 10) -> list[Similar]:
    """Up to ``limit`` other documents of the same owner sharing the most of ``document``'s
    distinctive words (by weight), best first."""
    terms = distinctive_terms(document)
    if not terms or limit <= 0:
        return []
    weights = dict(terms)
    with read_connection().cursor() as cursor:
        cursor.execute(
            """
            SELECT d.id, sum(t.weight) AS score, array_agg(t.term ORDER BY t.weight DESC)
            FROM archive_document d
            CROSS JOIN LATERAL unnest(%s::text[], %s::float8[]) AS t(term, weight)
            WHERE d.owner_id = %s AND d.id <> %s
              AND d.search_vector @@ %s::tsquery
              AND d.search_vector @@ t.term::tsquery
            GROUP BY d.id
            ORDER BY score DESC, d.id
            LIMIT %s
            """,
            [
                [_quote(term) for term in weights],
                list(weights.values()),
                document.owner_id,
                document.pk,
                " | ".join(_quote(term) for term in weights),
                limit,
            ],
        )
        rows: list[tuple[int, float, list[str]]] = cursor.fetchall()
    documents = Document.objects.filter(owner_id=document.owner_id).in_bulk([r[0] for r in rows])
    return [
        Similar(documents[pk], round(score, 3), [_unquote(term) for term in shared])
        for pk, score, shared in rows
        if pk in documents
    ]


def _quote(term: str) -> str:
    """``term`` as a ``tsquery`` operand of its exact lexeme (nothing in it is an operator)."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def _unquote(operand: str) -> str:
    return operand[1:-1].replace("''", "'").replace("\\\\", "\\")
