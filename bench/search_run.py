"""Running the search bench's queries on the app and on Tantivy, checking the app's answers, and
printing the tables. Uses only ``archive.search``'s public names (and, when it exists,
``archive.search.ranking.reference_top``)."""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import search_tantivy
from bench.search_queries import Query

TANTIVY_FLOOR_MS = (
    5.0  # a database round trip and snippets cost a few ms an in-process index does not
)


def reference_ids(user: Any, query: str, k: int, filters: Any = None) -> list[int]:
    """Ids of the exact top ``k`` documents under the app's rank function: the app's own
    ``archive.search.ranking.reference_top`` when it exists, else every match ranked in SQL
    with the current rank expression (``ts_rank_cd(search_vector, tsquery, 1)``, then id)."""
    try:
        ranking = importlib.import_module("archive.search.ranking")
    except ModuleNotFoundError:
        ranking = None
    reference_top: Callable[..., list[int]] | None = getattr(ranking, "reference_top", None)
    if reference_top is not None:
        return list(reference_top(user, query, k, filters=filters))
    from django.db.models import FloatField

    matching = _matching(user, query, filters)
    if matching is None:
        return []
    tsquery = matching[1]
    rank = _raw("ts_rank_cd(archive_document.search_vector, %s::tsquery, 1)", tsquery)
    ranked = matching[0].annotate(rank=rank(FloatField())).order_by("-rank", "-id")
    return list(ranked.values_list("id", flat=True)[:k])


def newest_ids(user: Any, query: str, k: int) -> list[int]:
    """Ids of the ``k`` newest matching documents, exactly (every match considered)."""
    matching = _matching(user, query, None)
    if matching is None:
        return []
    return list(matching[0].order_by("-created", "-id").values_list("id", flat=True)[:k])


def _raw(sql: str, tsquery: str) -> Callable[[Any], Any]:
    from django.db.models.expressions import RawSQL

    return lambda output: RawSQL(sql, [tsquery], output_field=output)


def _matching(user: Any, query: str, filters: Any) -> tuple[Any, str] | None:
    from django.db.models import BooleanField

    from archive.models import Document
    from archive.search import SearchFilters, build_tsquery, user_configs

    tsquery = build_tsquery(query, user_configs(user))
    if tsquery is None:
        return None
    match = _raw("archive_document.search_vector @@ %s::tsquery", tsquery)
    documents = Document.objects.filter(owner_id=user.pk).filter(match(BooleanField()))
    return (filters or SearchFilters()).apply(documents), tsquery


@dataclass
class Row:
    name: str
    queries: list[Query]
    app_ms: list[float] = field(default_factory=list)
    tantivy_ms: list[float] = field(default_factory=list)
    app_counts: list[str] = field(default_factory=list)
    tantivy_counts: list[int] = field(default_factory=list)
    overlaps: list[float] = field(default_factory=list)


def run_classes(owner: Any, index: Any, classes: dict[str, list[Query]], repeat: int) -> list[Row]:
    """Every query of every class, app and Tantivy alternated, ``repeat`` timed runs each after
    one warm-up; prints a line per query as it goes."""
    from archive.models import Document
    from archive.search import SearchFilters, search_page

    # Tantivy stores the corpus's document numbers; the app has ids: same order, one map.
    numbers = dict(
        Document.objects.filter(owner=owner).values_list("id", "original_name").iterator()
    )
    number_of = {pk: int(name.split(".")[0]) for pk, name in numbers.items()}
    print("| class | query | app matches | tantivy matches | overlap@20 | app p50 | tantivy p50 |")
    print("|---|---|---|---|---|---|---|")
    rows = []
    for name, queries in classes.items():
        row = Row(name, queries)
        for query in queries:
            filters = SearchFilters(language=query.language) if query.language else None
            base = {"user": owner, "query": query.text, "filters": filters, "sort": query.sort}
            first = search_page(**base)
            cursor = first.next_cursor
            kwargs = {**base, "cursor": cursor} if query.page == 2 else base
            peer = search_tantivy.tantivy_query(index, query.text, query.language)
            newest, offset = query.sort == "newest", 20 * (query.page - 1)
            if query.page == 2 and cursor is None:
                page = first
                page.hits = []
            else:
                page = search_page(**kwargs)  # warm
            _top, count = search_tantivy.search(index, peer, newest=newest, offset=offset)
            app_times, peer_times = [], []
            for _ in range(repeat):
                started = time.perf_counter()
                search_page(**kwargs)
                app_times.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                search_tantivy.search(index, peer, newest=newest, offset=offset)
                peer_times.append((time.perf_counter() - started) * 1000)
            got = [number_of[hit.pk] for hit in page.hits]
            if query.sort == "newest":
                exact = newest_ids(owner, query.text, 20)
            else:
                exact = reference_ids(owner, query.text, 20 * query.page, filters)
                exact = exact[20 * (query.page - 1) :]
            exact_numbers = {number_of[pk] for pk in exact}
            overlap = len(exact_numbers & set(got)) / min(20, len(exact)) if exact else 1.0
            counted = f"{'>' if first.capped else ''}{first.total}"
            row.app_ms += app_times
            row.tantivy_ms += peer_times
            row.app_counts.append(counted)
            row.tantivy_counts.append(count)
            row.overlaps.append(overlap)
            print(
                f"| {name} | `{query.text}`{f' [{query.language}]' if query.language else ''} | "
                f"{counted} | {count} | {overlap:.2f} | {statistics.median(app_times):.1f} | "
                f"{statistics.median(peer_times):.2f} |",
                flush=True,
            )
        rows.append(row)
    return rows


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def index_sizes(pages: int) -> list[str]:
    """Sizes of the search-bearing tables with their indexes and TOAST, per page."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE archive_document")
        cursor.execute("VACUUM ANALYZE archive_page")
        # As autovacuum would: the merged deltas leave dead rows (their pages are freed).
        cursor.execute("VACUUM ANALYZE archive_search_term_delta")
        cursor.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' AND "
            "(relname IN ('archive_document', 'archive_page') OR relname LIKE 'archive\\_search%%')"
            " ORDER BY relname"
        )
        tables = cursor.fetchall()
        cursor.execute("SELECT pg_relation_size('document_search_gin')")
        gin = cursor.fetchone()[0]
    total = sum(size for _name, size in tables)
    parts = ", ".join(f"{name} {size / 2**20:.0f} MB" for name, size in tables)
    return [
        f"index size: {total / 2**20:.0f} MB = {total / pages:.0f} B/page "
        f"(tables with indexes and TOAST: {parts}; document GIN {gin / 2**20:.0f} MB "
        f"= {gin / pages:.0f} B/page)"
    ]


def report(rows: list[Row], lines: list[str]) -> None:
    print()
    print(
        "| class | queries | matches app / tantivy | app p50 | app p95 | app max | tantivy p50 "
        "| tantivy p95 | ratio | overlap@20 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    worst_p95 = worst_ratio = 0.0
    worst_overlap = 1.0
    for row in rows:
        app95, peer95 = p95(row.app_ms), p95(row.tantivy_ms)
        ratio = app95 / max(peer95, TANTIVY_FLOOR_MS)
        overlap = min(row.overlaps)
        worst_p95, worst_ratio = max(worst_p95, app95), max(worst_ratio, ratio)
        worst_overlap = min(worst_overlap, overlap)
        counts = sorted(row.tantivy_counts)
        print(
            f"| {row.name} | {len(row.queries)} | {'/'.join(row.app_counts)} ; "
            f"{counts[0]}–{counts[-1]} | {statistics.median(row.app_ms):.1f} | {app95:.1f} | "
            f"{max(row.app_ms):.1f} | {statistics.median(row.tantivy_ms):.2f} | {peer95:.2f} | "
            f"{ratio:.1f} | {overlap:.2f} |"
        )
    print()
    for line in lines:
        print(line)
    print(f"p95_ms={worst_p95:.1f}")
    print(f"tantivy_ratio_max={worst_ratio:.2f}")
    print(f"overlap20_min={worst_overlap:.2f}")
