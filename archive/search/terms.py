"""Ranking statistics written with the document vectors: df per term, N, and impact lists.

``vectors_write`` is the one way a document's stored vector changes (index, re-index, append a
page, clear, delete): it locks the documents, writes the new vectors and their lengths, and in
the same transaction

- adds the difference between the old and the new lexeme sets to ``SearchTerm.documents``
  (one upsert per distinct term of either set per call, in sorted order, so concurrent writers
  lock shared terms in the same order and cannot deadlock); the empty term counts the indexed
  documents;
- then, holding those locks, replaces the documents' entries in the impact lists
  (``archive_search_impact``). Entries of a term are only ever written under its lock.

Invariants, per owner and term:

- ``SearchTerm.documents`` = the number of the owner's documents whose vector holds the term.
- A term with a ``floor`` (not None) has an impact list: ``archive_search_impact`` holds
  every one of the owner's documents holding the term with impact >= floor, with its impact
  (``archive.search.bm25``), and no other. A term gets its list (floor
  0: every document) when its df passes ``SEARCH_IMPACT_THRESHOLD`` (with the default 0, at
  its first document); each time its df doubles past 2 x ``SEARCH_IMPACT_KEEP`` the floor is
  raised to the KEEP-th best impact and the entries below it are dropped. A new document
  joins a list if its impact reaches the floor. Deletions remove entries, which keeps the
  list complete above its floor.
- A term without a floor has df <= the threshold (at the time it was last written), so all its
  documents can be read to rank it.

- ``SearchTerm.surface`` is true once some document held the term as a word as written (a
  position of an exact reading: weight B or C, ``index.WEIGHTS``); it is not cleared when such
  documents go (a term whose ``documents`` fell to 0 is ignored by its readers).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection

from archive.search.bm25 import impact_sql, tf_sql


def threshold() -> int:
    """df above which a term gets an impact list (``SEARCH_IMPACT_THRESHOLD``); 0: every term
    has one from its first document."""
    return max(0, int(getattr(settings, "SEARCH_IMPACT_THRESHOLD", 0)))


def keep() -> int:
    """Entries an impact list keeps when trimmed (``SEARCH_IMPACT_KEEP``)."""
    return max(1, int(getattr(settings, "SEARCH_IMPACT_KEEP", 1000)))


# True for a row ``u`` of ``unnest(vector)`` with a position of an exact reading.
_SURFACE = "('B' = ANY(u.weights) OR 'C' = ANY(u.weights))"

# Lists built at once above this many terms read all the owner's documents instead of the GIN
# index (a tsquery OR-ing thousands of terms is slow to test against each document).
_FEW_TERMS = 64


def _impact() -> str:
    """impact(t, d) of a row ``u`` of ``unnest(d.search_vector)`` (settings read now)."""
    return impact_sql(tf_sql("u"), "d.search_length")


def vectors_write(new_vectors_sql: str, params: list[Any], ids: list[int]) -> int:
    """Set the vectors of documents ``ids`` to what ``new_vectors_sql`` gives and keep the
    statistics exact; returns the documents written.

    ``new_vectors_sql`` is a query of ``(id, vec)`` rows that may join ``archive_document d``
    (the rows before the write); a document it gives no row for keeps its vector. Must run
    inside a transaction (the writers' callers open one).
    """
    if not ids:
        return 0
    with connection.cursor() as cursor:
        # Lock first, in id order: concurrent writers of the same documents wait here rather than
        # each subtracting the same old vector.
        cursor.execute(
            "SELECT id FROM archive_document WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids]
        )
        cursor.execute(
            f"""
            WITH new AS MATERIALIZED ({new_vectors_sql}),
            cur AS MATERIALIZED (
                SELECT d.id, d.owner_id, d.search_vector AS old, new.vec,
                       (SELECT coalesce(sum(cardinality(u.positions)), 0)
                        FROM unnest(new.vec) u) AS length
                FROM archive_document d JOIN new ON new.id = d.id
            ),
            written AS (
                UPDATE archive_document d SET search_vector = cur.vec, search_length = cur.length
                FROM cur WHERE d.id = cur.id RETURNING d.id
            ),
            delta AS (
                SELECT owner_id, term, sum(change)::int AS change, bool_or(surface) AS surface
                FROM (
                    SELECT owner_id, u.lexeme AS term, 1 AS change, {_SURFACE} AS surface
                    FROM cur, unnest(cur.vec) u
                    UNION ALL
                    SELECT owner_id, t.term, -1, false
                    FROM cur, unnest(tsvector_to_array(cur.old)) t(term)
                    UNION ALL
                    SELECT owner_id, '', (vec IS NOT NULL)::int - (old IS NOT NULL)::int, false
                    FROM cur
                ) changes GROUP BY owner_id, term
            ),
            counted AS (
                INSERT INTO archive_searchterm (owner_id, term, documents, surface, floor)
                SELECT owner_id, term, change, surface,
                       -- With no threshold a new term's list starts here, empty and complete.
                       CASE WHEN %s AND term <> '' THEN 0.0 END
                FROM delta ORDER BY owner_id, term
                ON CONFLICT (owner_id, term) DO UPDATE
                SET documents = archive_searchterm.documents + excluded.documents,
                    surface = archive_searchterm.surface OR excluded.surface
                RETURNING owner_id, term, documents, floor
            )
            SELECT c.owner_id, c.term, c.floor IS NULL
            FROM counted c JOIN delta USING (owner_id, term)
            WHERE c.term <> '' AND (
                (c.floor IS NULL AND c.documents > %s)
                -- Trimmed each time df doubles past 2 x keep: by then about as many documents
                -- again have qualified (each new one with odds of about keep / df).
                OR (c.floor IS NOT NULL AND c.documents >= 2 * %s
                    AND floor(ln(c.documents::float8 / %s) / ln(2.0))
                        <> floor(ln(greatest(c.documents - delta.change, 1)::float8 / %s)
                                 / ln(2.0))))
            """,
            [*params, threshold() == 0, threshold(), keep(), keep(), keep()],
        )
        due = cursor.fetchall()
        written = len(ids)
        # Only now, holding the locks of every term of the old and new vectors (the upsert
        # above, sorted): a list's entries change only under its term's lock, so this cannot
        # deadlock with another writer trimming or filling the same lists.
        cursor.execute("DELETE FROM archive_search_impact WHERE document_id = ANY(%s)", [ids])
        # The documents' entries in the existing lists (new vectors are visible now).
        cursor.execute(
            f"""
            INSERT INTO archive_search_impact (owner_id, term, impact, document_id)
            SELECT d.owner_id, u.lexeme, {_impact()}, d.id
            FROM archive_document d, unnest(d.search_vector) u, archive_searchterm s
            WHERE d.id = ANY(%s) AND s.owner_id = d.owner_id AND s.term = u.lexeme
              AND s.floor IS NOT NULL AND {_impact()} >= s.floor
            """,
            [ids],
        )
    new_lists = [(owner, term) for owner, term, is_new in due if is_new]
    if new_lists:
        _lists_build(new_lists)
    # A new list starts trimmed too: fewer of the next documents then qualify for it.
    _lists_trim(sorted((owner, term) for owner, term, _is_new in due))
    return written


def _lists_build(terms: list[tuple[int, str]]) -> None:
    """Give each (owner, term) an impact list holding all its documents (floor 0): one pass
    per owner over the documents holding any of its terms (GIN)."""
    by_owner: dict[int, list[str]] = {}
    for owner, term in sorted(terms):
        by_owner.setdefault(owner, []).append(term)
    with connection.cursor() as cursor:
        for owner, names in by_owner.items():
            # A few terms: their documents through the GIN index; many (a rebuild): every
            # document of the owner, the terms hash-joined.
            holding = (
                "AND d.search_vector @@ array_to_string(ARRAY(SELECT quote_literal(t) "
                "FROM unnest(%s::text[]) t), ' | ')::tsquery"
                if len(names) <= _FEW_TERMS
                else "AND %s::text[] IS NOT NULL"
            )
            cursor.execute(
                f"""
                INSERT INTO archive_search_impact (owner_id, term, impact, document_id)
                SELECT d.owner_id, u.lexeme, {_impact()}, d.id
                FROM archive_document d, unnest(d.search_vector) u,
                     unnest(%s::text[]) t(term)
                WHERE d.owner_id = %s AND u.lexeme = t.term {holding}
                """,
                [names, owner, names],
            )
            cursor.execute(
                "UPDATE archive_searchterm SET floor = 0 WHERE owner_id = %s AND term = ANY(%s)",
                [owner, names],
            )


def _lists_trim(terms: list[tuple[int, str]]) -> None:
    """Raise the floor of each (owner, term)'s list to its ``keep()``-th best impact and drop
    the entries below it (one statement per owner; the terms are locked by the caller)."""
    by_owner: dict[int, list[str]] = {}
    for owner, term in terms:
        by_owner.setdefault(owner, []).append(term)
    with connection.cursor() as cursor:
        for owner, names in by_owner.items():
            cursor.execute(
                """
                WITH cut AS (
                    SELECT t.term, (SELECT i.impact FROM archive_search_impact i
                                    WHERE i.owner_id = %s AND i.term = t.term
                                    ORDER BY i.impact DESC, i.document_id DESC
                                    OFFSET %s LIMIT 1) AS floor
                    FROM unnest(%s::text[]) t(term)
                ),
                raised AS (
                    UPDATE archive_searchterm s SET floor = cut.floor FROM cut
                    WHERE s.owner_id = %s AND s.term = cut.term AND cut.floor > s.floor
                    RETURNING s.term, s.floor
                )
                DELETE FROM archive_search_impact i USING raised
                WHERE i.owner_id = %s AND i.term = raised.term AND i.impact < raised.floor
                """,
                [owner, keep() - 1, names, owner, owner],
            )


def statistics_rebuild(owner_id: int) -> None:
    """Recompute the owner's document lengths, df counts and impact lists from the stored
    vectors (``manage.py reindex`` ends with it: after an upgrade to these statistics, or a
    change of the BM25 settings, they cannot be patched by differences)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM archive_document WHERE owner_id = %s ORDER BY id FOR UPDATE",
            [owner_id],
        )
        cursor.execute(
            "UPDATE archive_document d SET search_length = (SELECT coalesce("
            "sum(cardinality(u.positions)), 0) FROM unnest(d.search_vector) u) "
            "WHERE d.owner_id = %s",
            [owner_id],
        )
        cursor.execute("DELETE FROM archive_search_impact WHERE owner_id = %s", [owner_id])
        cursor.execute("DELETE FROM archive_searchterm WHERE owner_id = %s", [owner_id])
        cursor.execute(
            f"""
            INSERT INTO archive_searchterm (owner_id, term, documents, surface)
            SELECT %s, u.lexeme, count(*), bool_or({_SURFACE})
            FROM archive_document d, unnest(d.search_vector) u
            WHERE d.owner_id = %s GROUP BY u.lexeme
            UNION ALL
            SELECT %s, '', count(*), false FROM archive_document d
            WHERE d.owner_id = %s AND d.search_vector IS NOT NULL
            """,
            [owner_id, owner_id, owner_id, owner_id],
        )
        cursor.execute(
            "SELECT term FROM archive_searchterm WHERE owner_id = %s AND term <> '' "
            "AND documents > %s ORDER BY term",
            [owner_id, threshold()],
        )
        frequent = [row[0] for row in cursor.fetchall()]
    _lists_build([(owner_id, term) for term in frequent])
    _lists_trim([(owner_id, term) for term in frequent])
