"""Planning a search: which configurations a query covers, its ``tsquery``, and how PostgreSQL
should find the matches (in table order when they are dense, through the GIN index otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from archive.languages import search_config
from archive.models import Document
from archive.replica.routing import read_connection
from archive.search.index import clean_text
from archive.search.pairs import pairs_filter, phrase_pairs
from archive.search.query import parse_query
from archive.search.readings import ReadQuery, read_query
from archive.search.results import SearchFilters

User = AbstractBaseUser | AnonymousUser

MATCH_SQL = "{table}.search_vector @@ %s::tsquery"


def candidate_cap() -> int:
    """How many matching documents are ranked and counted at most (``SEARCH_CANDIDATES``)."""
    return max(1, int(getattr(settings, "SEARCH_CANDIDATES", 1000)))


def owners_configs(owner_ids: list[int]) -> dict[int, set[str]]:
    """``user_configs`` of several owners (by id), in the order given: one statement, the
    same skip scan per owner (``LATERAL``), the mixed-language documents of all at once."""
    found: dict[int, set[str]] = {owner: {"simple"} for owner in owner_ids}
    if not owner_ids:
        return found
    with read_connection().cursor() as cursor:
        cursor.execute(
            """
            SELECT o.owner, l.language FROM unnest(%s::bigint[]) o(owner) CROSS JOIN LATERAL (
                WITH RECURSIVE languages(language) AS (
                    (SELECT language FROM archive_document WHERE owner_id = o.owner
                     ORDER BY language LIMIT 1)
                    UNION ALL
                    SELECT (SELECT d.language FROM archive_document d
                            WHERE d.owner_id = o.owner AND d.language > languages.language
                            ORDER BY d.language LIMIT 1)
                    FROM languages WHERE languages.language IS NOT NULL
                )
                SELECT language FROM languages WHERE language IS NOT NULL
            ) l
            UNION
            -- The predicate of the partial index document_owner_mixed, as Django wrote it
            -- (``cardinality(...) > 1`` is not matched to it: every document of the owner read).
            SELECT DISTINCT owner_id, unnest(languages) FROM archive_document
            WHERE owner_id = ANY(%s::bigint[]) AND CASE WHEN languages IS NULL THEN NULL
                     ELSE coalesce(array_length(languages, 1), 0) END > 1
            """,
            [list(owner_ids), list(owner_ids)],
        )
        for owner, language in cursor.fetchall():
            found[owner].add(search_config(language))
    return found


def user_configs(user: User) -> set[str]:
    """The text search configurations of the user's documents, plus ``simple``
    (``search_context``)."""
    return search_context(user)[0]


def search_context(user: User) -> tuple[set[str], float]:
    """(the text search configurations of the user's documents plus ``simple``, the planner's
    count of rows in the documents table): what a search needs before it reads the query, in
    one statement.

    The configurations come from a skip scan over the (owner, language) index: one index probe
    per distinct language, so the cost does not grow with the number of documents; then the
    other languages of the few documents in several (``Document.languages``, through their
    partial index). The row count (``estimate``) rides along on every row.
    """
    with read_connection().cursor() as cursor:
        cursor.execute(
            """
            WITH RECURSIVE languages(language) AS (
                (SELECT language FROM archive_document WHERE owner_id = %s
                 ORDER BY language LIMIT 1)
                UNION ALL
                SELECT (SELECT d.language FROM archive_document d
                        WHERE d.owner_id = %s AND d.language > languages.language
                        ORDER BY d.language LIMIT 1)
                FROM languages WHERE languages.language IS NOT NULL
            ), found AS (
                SELECT language FROM languages WHERE language IS NOT NULL
                UNION
                -- The predicate of the partial index document_owner_mixed (see owners_configs).
                SELECT DISTINCT unnest(languages) FROM archive_document
                WHERE owner_id = %s AND CASE WHEN languages IS NULL THEN NULL
                         ELSE coalesce(array_length(languages, 1), 0) END > 1
            )
            SELECT f.language, c.reltuples
            FROM (SELECT reltuples FROM pg_class
                  WHERE oid = 'archive_document'::regclass) c
            LEFT JOIN found f ON true
            """,
            [user.pk, user.pk, user.pk],
        )
        rows = cursor.fetchall()
    configs = {search_config(row[0]) for row in rows if row[0] is not None} | {"simple"}
    return configs, float(rows[0][1]) if rows else 0.0


def build_query(text: str, configs: set[str]) -> ReadQuery | None:
    """The search-box ``text`` parsed (``archive.search.query``) and read in each of
    ``configs`` (``archive.search.readings``); None for a query with nothing to search for."""
    query = parse_query(clean_text(text))
    return None if query is None else read_query(query, configs)


def build_tsquery(text: str, configs: set[str]) -> str | None:
    """The search-box ``text`` as one ``tsquery`` value (its text form), or None: see
    ``build_query``."""
    read = build_query(text, configs)
    return None if read is None else read.tsquery


def matching_documents(
    user: User,
    tsquery: str,
    filters: SearchFilters | None,
    read: ReadQuery | None = None,
) -> QuerySet[Document]:
    """The user's documents whose vector matches ``tsquery`` under ``filters``. With ``read``
    (the query ``tsquery`` was built from), a phrase of common words also requires its word
    pairs (``archive.search.pairs``): the same documents, less those where the phrase only
    straddles two parts (which the phrase check drops anyway), found without intersecting two
    long lists of the GIN index."""
    documents = Document.objects.filter(owner_id=user.pk).filter(
        RawSQL(MATCH_SQL.format(table="archive_document"), [tsquery], output_field=BooleanField())
    )
    if read is not None:
        for condition in pairs_filter(int(user.pk or 0), phrase_pairs(read)):
            documents = documents.filter(condition)
    return (filters or SearchFilters()).apply(documents)


# Above this estimated share of all documents matching, a scan in table order that stops at the
# cap is faster than building the index's bitmap of every match (measured at 1,000,000 pages:
# 10 ms against 87 ms for a word on 88 % of them; about even at 30 %).
DENSE_SHARE = 0.3


def estimate(matching: QuerySet[Document], total: float | None = None) -> tuple[float, float]:
    """(the planner's estimate of the matches, the documents in the table) for ``matching``;
    ``total``: the table's row count when the caller has it (``search_context``), saving a
    statement."""
    sql, params = matching.order_by().values("id").query.sql_with_params()
    with read_connection().cursor() as cursor:
        if total is None:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = 'archive_document'::regclass", []
            )
            total = float(cursor.fetchone()[0])
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return float(plan[0]["Plan"]["Plan Rows"]), total


def dense(matching: QuerySet[Document]) -> bool:
    """True if the planner estimates that at least ``DENSE_SHARE`` of all documents match."""
    rows, total = estimate(matching)
    return total > 0 and rows / total >= DENSE_SHARE


def count_limit() -> int:
    """Matches are counted exactly up to this many (``SEARCH_COUNT_LIMIT``)."""
    return max(1, int(getattr(settings, "SEARCH_COUNT_LIMIT", 10_000)))


@contextmanager
def through_the_index() -> Iterator[None]:
    """Run the candidate query as a bitmap scan of the GIN index, whatever the estimates.

    With a ``LIMIT`` and an estimate of many matches the planner likes a sequential scan that
    stops early; when the estimate is wrong (two words that rarely meet, a phrase) that scan
    reads and decompresses every vector of the archive. The index scan's cost is bounded by
    the matches. A larger ``work_mem`` keeps the bitmap exact (no lossy pages to recheck).
    The settings are local to the transaction and restored afterwards.
    """
    # No JIT: a disabled plan node costs 10^10, far past ``jit_above_cost``, and compiling
    # then took 0.7 s of a 0.1 s count (the grants subquery of a user with many grants).
    with planner_settings(
        {"enable_seqscan": "off", "enable_indexscan": "off", "work_mem": "64MB", "jit": "off"}
    ):
        yield


@contextmanager
def planner_settings(wanted: dict[str, str]) -> Iterator[CursorWrapper]:
    """A cursor whose statements run with the settings ``wanted``, local to a savepoint, and the
    settings as they were afterwards.

    Restored by hand on success (in the caller's transaction a released savepoint keeps them;
    in our own, COMMIT drops them). On an error, such as a search cancelled by its time limit,
    the savepoint's rollback restores them: a statement in the aborted transaction would fail
    and hide the error.
    """
    names = list(wanted)
    # Reads the old values and sets the new ones in one statement (left to right).
    swap = "SELECT " + ", ".join(
        ["current_setting(%s)" for _ in names] + ["set_config(%s, %s, true)" for _ in names]
    )
    restore = "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in names)
    # On the connection reads go to now: the replica's in a replica block (archive.replica).
    connection = read_connection()
    outer = connection.in_atomic_block
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(swap, [*names, *(part for item in wanted.items() for part in item)])
        before = dict(zip(names, cursor.fetchone()[: len(names)], strict=True))
        yield cursor
        if outer:
            cursor.execute(restore, [part for item in before.items() for part in item])
