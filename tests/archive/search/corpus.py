"""A random archive for ranking tests, built quickly through the bulk writers, and checks of
the ranking statistics' invariants against the stored vectors."""

from __future__ import annotations

import random
from typing import Any

from django.db import connection, transaction

from archive.models import Document, Page
from archive.search import documents_index, page_vector
from archive.search.bm25 import documents_sql, impact_sql, tf_sql

# English words with inflected forms (so stems and exact words differ), frequent ones first.
WORDS = [
    "invoice",
    "invoices",
    "garden",
    "gardens",
    "tool",
    "tools",
    "harbour",
    "harbours",
    "letter",
    "letters",
    "payment",
    "paid",
    "paying",
    "account",
    "accounts",
    "report",
    "reports",
    "meeting",
    "meetings",
    "river",
    "rivers",
    "station",
    "stations",
    "contract",
    "contracts",
    "winter",
    "summer",
    "market",
    "markets",
    "bridge",
    "bridges",
    "signal",
    "signals",
    "copper",
    "lantern",
    "lanterns",
    "orchard",
    "orchards",
    "quarry",
    "walnut",
    "zephyr",
]


# Common words (``archive.search.pairs``), two languages: texts of these have word pairs.
COMMON = ["the", "of", "and", "to", "in", "is", "und", "der", "die", "nicht", "was", "there"]


def build(
    owner: Any,
    count: int,
    *,
    seed: int = 7,
    batch: int = 100,
    start: int = 0,
    words: list[str] | None = None,
) -> list[Document]:
    """``count`` one-page documents of Zipf-distributed ``words`` (default ``WORDS``), indexed
    ``batch`` per statement as the bulk load does (``page_vector`` with each page, then
    ``documents_index``); numbered from ``start`` (another ``start`` adds documents to an
    owner's archive)."""
    rng = random.Random(seed)
    vocabulary = words or WORDS
    weights = [1.0 / (rank + 1) for rank in range(len(vocabulary))]
    made: list[Document] = []
    for first in range(0, count, batch):
        numbers = range(start + first, start + min(first + batch, count))
        with transaction.atomic():
            documents = Document.objects.bulk_create(
                Document(
                    owner=owner,
                    title=" ".join(rng.choices(vocabulary, weights=weights, k=rng.randint(1, 3))),
                    original=f"t/{owner.pk}/{number}",
                    original_name=f"{number}.png",
                    sha256=f"{owner.pk:032d}{number:032d}",
                    mime_type=rng.choice(["image/png", "application/pdf"]),
                    size=1,
                    language="en",
                    status=Document.Status.DONE,
                    page_count=1,
                )
                for number in numbers
            )
            texts = [
                " ".join(rng.choices(vocabulary, weights=weights, k=rng.randint(3, 40)))
                for _ in documents
            ]
            Page.objects.bulk_create(
                Page(document=document, number=1, text=text, search_vector=page_vector("en", text))
                for document, text in zip(documents, texts, strict=True)
            )
            documents_index(documents)
        made.extend(documents)
    return made


def true_df(owner_id: int) -> dict[str, int]:
    """df of every term from the stored vectors, and '' = indexed documents (non-zero only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.term, count(*) FROM archive_document d, "
            "unnest(tsvector_to_array(d.search_vector)) t(term) WHERE d.owner_id = %s "
            "GROUP BY t.term UNION ALL SELECT '', count(*) FROM archive_document "
            "WHERE owner_id = %s AND search_vector IS NOT NULL",
            [owner_id, owner_id],
        )
        return {term: n for term, n in cursor.fetchall() if n}


def stored_df(owner_id: int) -> dict[str, int]:
    """Each term's count as readers see it (merged count plus pending deltas; non-zero only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.term, {documents_sql('s')} FROM archive_searchterm s WHERE s.owner_id = %s",
            [owner_id],
        )
        return {term: n for term, n in cursor.fetchall() if n}


def merged_df(owner_id: int) -> dict[str, int]:
    """Each term's merged count alone (``SearchTerm.documents``; non-zero only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, documents FROM archive_searchterm WHERE owner_id = %s AND documents <> 0",
            [owner_id],
        )
        return dict(cursor.fetchall())


def pending(owner_id: int) -> int:
    """The owner's delta rows not yet merged."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM archive_search_term_delta WHERE owner_id = %s", [owner_id]
        )
        return int(cursor.fetchone()[0])


def list_errors(owner_id: int) -> list[str]:
    """Violations of the impact-list invariant: for each term with a floor, the list holds
    exactly the documents with impact >= floor, with their impacts."""
    impact = impact_sql(tf_sql("u"), "d.search_length")
    errors: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT term, floor FROM archive_searchterm WHERE owner_id = %s AND floor IS NOT NULL",
            [owner_id],
        )
        for term, floor in cursor.fetchall():
            cursor.execute(
                f"SELECT d.id, {impact} FROM archive_document d, unnest(d.search_vector) u "
                f"WHERE d.owner_id = %s AND u.lexeme = %s AND {impact} >= %s",
                [owner_id, term, floor],
            )
            want = dict(cursor.fetchall())
            cursor.execute(
                "SELECT document_id, impact FROM archive_search_impact "
                "WHERE owner_id = %s AND term = %s",
                [owner_id, term],
            )
            have = dict(cursor.fetchall())
            if want != have:
                errors.append(f"{term}: {len(want)} wanted, {len(have)} listed")
    return errors


def posting_errors(owner_id: int) -> list[str]:
    """Violations of the postings invariant: each of the owner's documents has exactly one
    posting per lexeme of its vector, with the impact recounted from the vector."""
    impact = impact_sql(tf_sql("u"), "d.search_length")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.id, u.lexeme, {impact} FROM archive_document d, unnest(d.search_vector) u "
            "WHERE d.owner_id = %s",
            [owner_id],
        )
        want = {(pk, term): value for pk, term, value in cursor.fetchall()}
        cursor.execute(
            "SELECT p.document_id, p.term, p.impact FROM archive_search_posting p "
            "JOIN archive_document d ON d.id = p.document_id WHERE d.owner_id = %s",
            [owner_id],
        )
        have = {(pk, term): value for pk, term, value in cursor.fetchall()}
    missing = sorted(set(want) - set(have))[:5]
    extra = sorted(set(have) - set(want))[:5]
    wrong = sorted(key for key in set(want) & set(have) if want[key] != have[key])[:5]
    return (
        [f"missing {key}" for key in missing]
        + [f"extra {key}" for key in extra]
        + [f"impact of {key}: {have[key]} != {want[key]}" for key in wrong]
    )


def pair_errors(owner_id: int) -> list[str]:
    """Violations of the word-pair invariant (``archive.search.pairs``): each of the owner's
    indexed documents holds exactly the pairs of adjacent common words of its title and of
    each page, recounted from the text (parsed again, not read from the stored vectors)."""
    from archive.search.pairs import common_words
    from archive.search.textnorm import index_text

    common = common_words()
    want: set[tuple[int, str]] = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.title FROM archive_document d WHERE d.owner_id = %s "
            "AND d.search_vector IS NOT NULL UNION ALL SELECT d.id, p.text FROM archive_page p "
            "JOIN archive_document d ON d.id = p.document_id WHERE d.owner_id = %s "
            "AND d.search_vector IS NOT NULL",
            [owner_id, owner_id],
        )
        parts = cursor.fetchall()
        for pk, text in parts:
            cursor.execute(
                "SELECT u.lexeme, o.pos FROM unnest(to_tsvector('simple', %s)) u, "
                "unnest(u.positions) o(pos)",
                [index_text(text)],
            )
            at = {pos: lexeme for lexeme, pos in cursor.fetchall()}
            want |= {
                (pk, f"{at[pos]} {at[pos + 1]}")
                for pos in at
                if pos + 1 in at and at[pos] in common and at[pos + 1] in common
            }
        cursor.execute(
            "SELECT document_id, pair FROM archive_search_pair WHERE owner_id = %s", [owner_id]
        )
        have = set(cursor.fetchall())
    return [f"missing {key}" for key in sorted(want - have)[:5]] + [
        f"extra {key}" for key in sorted(have - want)[:5]
    ]
