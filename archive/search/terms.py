"""Ranking statistics written with the document vectors: df per term, N, and impact lists.

``vectors_write`` is the one way a document's stored vector changes (index, re-index, append a
page, clear, delete): it locks the documents, writes the new vectors and their lengths, and in
the same transaction

- records the difference between the old and the new lexeme sets without locking any shared
  row: a term new to the owner is inserted with its count (``ON CONFLICT DO NOTHING``, which
  locks nothing), and a change of an existing term's count is appended as a row of
  ``archive_search_term_delta``. Concurrent writers of the same common words therefore no
  longer queue behind each other's commits. The empty term counts the indexed documents;
- sets ``surface`` on the few existing terms that become words as written (rows locked in
  sorted order, once in a term's life);
- replaces the documents' postings (``archive_search_posting``: one row per lexeme with its
  impact, the rank input scoring reads instead of the vector) and their entries in the
  existing impact lists (``archive_search_impact``, copied from the postings), and their
  pairs of adjacent common words (``archive_search_pair``, ``archive.search.pairs``).

``merge`` (scheduled every minute, ``archive.tasks.merge_search_terms``; also run by the bench
after a load) folds the deltas into ``SearchTerm.documents`` and does the impact lists'
upkeep: a list for each term whose count passed ``SEARCH_IMPACT_THRESHOLD``, a raised floor
for each list whose term's count doubled. Readers sum the pending deltas (``documents_sql``),
so every count they see is exact whether or not the merge has run.

Concurrency: writers hold the owner's lists lock (an advisory lock) shared until they commit;
``merge`` and ``statistics_rebuild`` hold it exclusively. A list is therefore built or
trimmed only when no uncommitted writer of the owner exists, and a writer always sees the
floors as they are when it commits.

Invariants, per owner and term:

- A document's postings are exactly its vector's lexemes, each with impact(t, d) computed
  from the vector and ``Document.search_length`` (``bm25.impact_sql``); no vector, no postings.

- ``SearchTerm.documents`` + the sum of the term's delta rows = the number of the owner's
  documents whose vector holds the term (``documents_sql``). A term some document holds
  always has its ``SearchTerm`` row (deltas are only written for existing rows).
- A term with a ``floor`` (not None) has an impact list: ``archive_search_impact`` holds
  every one of the owner's documents holding the term with impact >= floor, with its impact
  (``archive.search.bm25``), and no other. With ``SEARCH_IMPACT_THRESHOLD`` 0 a term's list
  starts (floor 0, empty) with its row; otherwise ``merge`` builds it (floor 0: every
  document) once its count passes the threshold. Each time its count doubles past 2 x
  ``SEARCH_IMPACT_KEEP``, ``merge`` raises the floor to the KEEP-th best impact and drops the
  entries below it. A new document joins a list if its impact reaches the floor. Deletions
  remove entries, which keeps the list complete above its floor.
- A term without a floor may be held by any number of documents (its list is built at the
  next merge); ranking reads all its documents through the GIN index, which is exact at any
  count and cheap below the threshold.
- ``SearchTerm.surface`` is true once some document held the term as a word as written (a
  position of an exact reading: weight B or C, ``index.WEIGHTS``); it is not cleared when such
  documents go (a term whose count fell to 0 is ignored by its readers).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connection, transaction

from archive.search.bm25 import documents_sql, impact_sql, tf_sql
from archive.search.pairs import pairs_write

__all__ = ["documents_sql", "merge", "merge_all", "statistics_rebuild", "vectors_write"]


def threshold() -> int:
    """df above which a term gets an impact list (``SEARCH_IMPACT_THRESHOLD``); 0: every term
    has one from its first document."""
    return max(0, int(getattr(settings, "SEARCH_IMPACT_THRESHOLD", 100)))


def keep() -> int:
    """Entries an impact list keeps when trimmed (``SEARCH_IMPACT_KEEP``)."""
    return max(1, int(getattr(settings, "SEARCH_IMPACT_KEEP", 1000)))


# The advisory lock of an owner's impact lists: (this class, owner id). Writers hold it shared,
# list upkeep exclusively (see the module note).
_LISTS_LOCK = 0x5E4C


# True for a row ``u`` of ``unnest(vector)`` with a position of an exact reading.
_SURFACE = "('B' = ANY(u.weights) OR 'C' = ANY(u.weights))"

# Lists built at once above this many terms read all the owner's documents instead of the GIN
# index (a tsquery OR-ing thousands of terms is slow to test against each document).
_FEW_TERMS = 64

# work_mem of the writer's statements (at least; a larger setting is kept).
_WORK_MEM = "64MB"


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
        # The owners' lists locks, shared (other writers go on; list upkeep waits for our
        # commit), then the documents in id order: concurrent writers of the same documents
        # wait here rather than each subtracting the same old vector.
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s, o.owner_id) FROM (SELECT DISTINCT owner_id "
            "FROM archive_document WHERE id = ANY(%s) ORDER BY owner_id) o",
            [_LISTS_LOCK, ids],
        )
        cursor.execute(
            "SELECT id FROM archive_document WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids]
        )
        # The term deltas of a batch are a hash aggregate and a sort of every lexeme of its
        # vectors: at the default 4 MB they spill to disk from a few hundred pages on. Raised
        # for these statements only (restored below; a failed transaction drops it anyway).
        cursor.execute(
            "SELECT current_setting('work_mem'), set_config('work_mem', CASE WHEN "
            "pg_size_bytes(current_setting('work_mem')) < pg_size_bytes(%s) THEN %s "
            "ELSE current_setting('work_mem') END, true)",
            [_WORK_MEM, _WORK_MEM],
        )
        work_mem = cursor.fetchone()[0]
        # The old postings go first: the statement below writes the new ones from the
        # vectors it builds (a document with no vector before has none: nothing is deleted).
        cursor.execute("DELETE FROM archive_search_posting WHERE document_id = ANY(%s)", [ids])
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
            -- Each new vector unnested once, for its postings and the term deltas both.
            lexemes AS MATERIALIZED (
                SELECT cur.id, cur.owner_id, u.lexeme,
                       {impact_sql(tf_sql("u"), "cur.length")} AS impact,
                       {_SURFACE} AS surface
                FROM cur, unnest(cur.vec) u
            ),
            posted AS (
                -- In the primary key's order (document, term): appends to the index.
                INSERT INTO archive_search_posting (document_id, term, impact)
                SELECT id, lexeme, impact FROM lexemes ORDER BY id, lexeme
            ),
            delta AS MATERIALIZED (
                SELECT owner_id, term, sum(change)::int AS change, bool_or(surface) AS surface
                FROM (
                    SELECT owner_id, lexeme AS term, 1 AS change, surface FROM lexemes
                    UNION ALL
                    SELECT owner_id, t.term, -1, false
                    FROM cur, unnest(tsvector_to_array(cur.old)) t(term)
                    UNION ALL
                    SELECT owner_id, '', (vec IS NOT NULL)::int - (old IS NOT NULL)::int, false
                    FROM cur
                ) changes GROUP BY owner_id, term
            ),
            added AS (
                -- A term new to the owner: its row, exact at once. A row inserted by a
                -- concurrent writer makes this one wait for its commit, then conflict.
                INSERT INTO archive_searchterm (owner_id, term, documents, surface, floor)
                SELECT owner_id, term, change, surface,
                       -- With no threshold a new term's list starts here, empty and complete.
                       CASE WHEN %s AND term <> '' THEN 0.0 END
                FROM delta WHERE change > 0 ORDER BY owner_id, term
                ON CONFLICT (owner_id, term) DO NOTHING
                RETURNING owner_id, term
            ),
            surfacing AS (
                -- Existing terms that become words as written: locked in order, once ever.
                SELECT s.owner_id, s.term FROM archive_searchterm s
                JOIN delta ON s.owner_id = delta.owner_id AND s.term = delta.term
                WHERE delta.surface AND NOT s.surface
                ORDER BY s.owner_id, s.term FOR UPDATE OF s
            ),
            surfaced AS (
                UPDATE archive_searchterm s SET surface = true FROM surfacing
                WHERE s.owner_id = surfacing.owner_id AND s.term = surfacing.term
            )
            INSERT INTO archive_search_term_delta (owner_id, term, change)
            SELECT owner_id, term,
                   CASE WHEN added.term IS NULL THEN change ELSE 0 END
            FROM delta LEFT JOIN added USING (owner_id, term)
            -- A change of an existing term; or a new term already past the threshold (a
            -- bulk write): a 0 row that makes the next merge build its list.
            WHERE (added.term IS NULL AND change <> 0)
               OR (added.term IS NOT NULL AND term <> '' AND %s > 0 AND change > %s)
            """,
            [*params, threshold() == 0, threshold(), threshold()],
        )
        written = len(ids)
        # The documents' entries in the existing lists, from their postings (visible now;
        # the floors cannot change before we commit: the lists lock), and their pairs. The
        # list entries copy the postings' impacts: the same float8 values.
        cursor.execute("DELETE FROM archive_search_impact WHERE document_id = ANY(%s)", [ids])
        pairs_write("d.id = ANY(%s)", [ids], cursor)
        cursor.execute(
            """
            INSERT INTO archive_search_impact (owner_id, term, impact, document_id)
            SELECT s.owner_id, p.term, p.impact, p.document_id
            FROM archive_search_posting p
            JOIN archive_document d ON d.id = p.document_id
            JOIN archive_searchterm s ON s.owner_id = d.owner_id AND s.term = p.term
            WHERE p.document_id = ANY(%s) AND s.floor IS NOT NULL AND p.impact >= s.floor
            """,
            [ids],
        )
        cursor.execute("SELECT set_config('work_mem', %s, true)", [work_mem])
    return written


def _postings_write(where: str, params: list[Any], cursor: Any) -> None:
    """Insert the postings of the documents ``d`` satisfying ``where`` from their stored
    vectors (their old postings must be gone)."""
    cursor.execute(
        f"INSERT INTO archive_search_posting (document_id, term, impact) "
        f"SELECT d.id, u.lexeme, {_impact()} FROM archive_document d, unnest(d.search_vector) u "
        f"WHERE {where}",
        params,
    )


def pending_owners() -> list[int]:
    """Owners with deltas not yet merged."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT owner_id FROM archive_search_term_delta ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def merge_all() -> int:
    """``merge`` every owner with pending deltas (the scheduled task); returns the owners
    merged (an owner with a writer in flight is left for the next run)."""
    return sum(merge(owner) for owner in pending_owners())


def merge(owner_id: int, *, wait: bool = False) -> bool:
    """Fold the owner's deltas into ``SearchTerm.documents`` and bring its impact lists up to
    date (new lists past the threshold, raised floors), in one transaction; False (nothing
    done) if a writer of the owner has not committed yet, unless ``wait``.

    Counts read by ``documents_sql`` are the same before, during and after (the deltas are
    deleted and added in one statement)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LISTS_LOCK, owner_id])
        else:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [_LISTS_LOCK, owner_id])
            if not cursor.fetchone()[0]:
                return False
        cursor.execute(
            """
            WITH gone AS (
                DELETE FROM archive_search_term_delta WHERE owner_id = %s
                RETURNING term, change
            ),
            summed AS (
                SELECT term, sum(change)::int AS change FROM gone GROUP BY term
            ),
            merged AS (
                UPDATE archive_searchterm s SET documents = s.documents + summed.change
                FROM summed WHERE s.owner_id = %s AND s.term = summed.term
                RETURNING s.term, s.documents, s.floor, summed.change
            )
            SELECT term, floor IS NULL FROM merged
            WHERE term <> '' AND (
                (floor IS NULL AND documents > %s)
                -- Trimmed each time df doubles past 2 x keep: by then about as many documents
                -- again have qualified (each new one with odds of about keep / df).
                OR (floor IS NOT NULL AND documents >= 2 * %s
                    AND floor(ln(documents::float8 / %s) / ln(2.0))
                        <> floor(ln(greatest(documents - change, 1)::float8 / %s) / ln(2.0))))
            ORDER BY term
            """,
            [owner_id, owner_id, threshold(), keep(), keep(), keep()],
        )
        due = cursor.fetchall()
        new = [term for term, is_new in due if is_new]
        if new:
            _lists_build([(owner_id, term) for term in new])
        # A new list starts trimmed too: fewer of the next documents then qualify for it.
        _lists_trim([(owner_id, term) for term, _is_new in due])
    return True


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
        # The lists lock first, as writers take it before their documents (no deadlock).
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LISTS_LOCK, owner_id])
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
        # The lengths may have changed, and with them every impact.
        cursor.execute(
            "DELETE FROM archive_search_posting p USING archive_document d "
            "WHERE d.id = p.document_id AND d.owner_id = %s",
            [owner_id],
        )
        _postings_write("d.owner_id = %s", [owner_id], cursor)
        pairs_write("d.owner_id = %s", [owner_id], cursor)
        cursor.execute("DELETE FROM archive_search_impact WHERE owner_id = %s", [owner_id])
        cursor.execute("DELETE FROM archive_searchterm WHERE owner_id = %s", [owner_id])
        cursor.execute("DELETE FROM archive_search_term_delta WHERE owner_id = %s", [owner_id])
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
