"""Scale-out: search on a streaming replica against the primary while a bulk import writes.

Issue 18 asks for pages/min with 1-3 worker namespaces, the S3 and Redis overhead and the
replica figures; this bench holds the **replica part** (the worker part, pages/min with 1-3
worker hosts in network namespaces, is ``bench/scale_out_workers.py``):

1. A database made for the bench (``scan_archive_bench_replica``, dropped and made afresh) gets
   ``--pages`` pages of the search bench's Zipfian corpus (``bench.search_corpus``), loaded
   through the writers uploads use, the search statistics merged.
2. A streaming replica of the local PostgreSQL is made with ``pg_basebackup -R`` into a
   temporary folder and started on its own port (``tests/pg_replica.py``, as the tests do;
   the primary must allow replication from 127.0.0.1: ``scripts/allow-replication``).
3. **Idle**: each query (``--queries`` of them, 1-2 words drawn from the corpus) runs
   ``--repeat`` times on the primary and on the replica, alternating (``search_page``: the
   first page with its count, facets and snippets).
4. **During an import**: a loader process bulk-imports more of the corpus on the primary
   (``--import-pages``) while the same queries run on both again; the replica's lag is
   sampled meanwhile (``archive.replica.freshness``: replay delay and WAL bytes behind).
5. **Check**: once the import is done and replayed, every query's top 20 on the replica must
   equal the primary's (and the idle phase's answers must have been equal too).

    .venv/bin/python -m bench.scale_out --pages 2000 --import-pages 3000 --repeat 3

The two databases share this machine's 2 cores (and other work): the figures show what reads
cost on the replica while the primary writes, not the relief a second machine brings.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DB = "scan_archive_bench_replica"
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
SEED = 18


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _import(owner_id: int, first_chunk: int, total: int, done: Any) -> None:
    """The bulk import: the corpus's chunks from ``first_chunk`` on (of a ``total``-page
    corpus), one transaction each, on the primary."""
    from django.db import connection

    from bench.search import load_chunk
    from bench.search_corpus import CHUNK

    connection.close()  # a forked child opens its own
    loaded = 0
    for chunk in range(first_chunk, -(-total // CHUNK)):
        count, _cpu = load_chunk((owner_id, SEED, chunk, total))
        loaded += count
        done.value = loaded


def _queries(owner: Any, count: int) -> list[str]:
    """``count`` queries of 1-2 words the owner's documents hold, mid-frequency (df 5-500)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT surface_term FROM (SELECT term AS surface_term, documents FROM "
            "archive_searchterm WHERE owner_id = %s AND surface AND documents BETWEEN 5 AND 500 "
            "AND term ~ '^[a-z]{4,}$') t ORDER BY surface_term",
            [owner.pk],
        )
        words = [row[0] for row in cursor.fetchall()]
    pick = random.Random(SEED)
    singles = pick.sample(words, count - count // 2)
    pairs = [" ".join(pick.sample(words, 2)) for _ in range(count // 2)]
    return singles + pairs


def _timed(owner: Any, alias: str, query: str) -> tuple[float, list[int]]:
    from archive.replica.routing import reading_from
    from archive.search import search_page

    with reading_from(alias):
        started = time.perf_counter()
        page = search_page(user=owner, query=query)
        return (time.perf_counter() - started) * 1000, [hit.pk for hit in page.hits]


def _round(owner: Any, queries: list[str], repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"default": [], "replica": []}
    for _ in range(repeat):
        for query in queries:
            for alias in ("default", "replica"):
                times[alias].append(_timed(owner, alias, query)[0])
    return times


def _lag_sample() -> tuple[float, int]:
    """(replay delay in seconds as the router sees it, WAL bytes the replica is behind)."""
    from django.db import connections

    from archive.replica.freshness import primary_lsn, replica_status

    status = replica_status()
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT pg_wal_lsn_diff(%s::pg_lsn, %s::pg_lsn)", [primary_lsn(), status.replay_lsn]
        )
        behind = int(cursor.fetchone()[0])
    return status.lag_seconds, max(0, behind)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--pages", type=int, default=2000, help="loaded first, in whole chunks of 1000 (2000)"
    )
    parser.add_argument("--import-pages", type=int, default=3000, help="imported during (3000)")
    parser.add_argument("--queries", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import psycopg

    admin = os.environ.get("DATABASE_URL", ADMIN_URL).rsplit("/", 1)[0]
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = f"{admin}/{BENCH_DB}"
    os.environ.setdefault("SECRET_KEY", "bench-scale-out")
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connections

    from archive.replica.config import REPLICA
    from archive.search.terms import merge
    from bench.search import load_chunk
    from bench.search_corpus import CHUNK
    from tests.pg_replica import StreamingReplica

    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("bench")
    started = time.perf_counter()
    # The corpus's first chunks now, the next ones during the import (whole chunks: the first
    # part of a corpus is the same whatever its total).
    chunks = -(-args.pages // CHUNK)
    total = chunks * CHUNK + args.import_pages
    for chunk in range(chunks):
        load_chunk((owner.pk, SEED, chunk, chunks * CHUNK))
    merge(owner.pk, wait=True)
    seconds = time.perf_counter() - started
    print(f"loaded {chunks * CHUNK} pages in {seconds:.0f} s", file=sys.stderr)

    default = connections["default"].settings_dict
    replica = StreamingReplica(
        host=default["HOST"] or "127.0.0.1",
        port=int(default["PORT"] or 5432),
        user=default["USER"],
        bindir=Path("/usr/lib/postgresql/15/bin"),
    )
    started = time.perf_counter()
    replica.start()
    print(f"replica made and started in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    try:
        from django.db.backends.postgresql.base import DatabaseWrapper

        connections[REPLICA] = DatabaseWrapper(
            {**default, "HOST": "127.0.0.1", "PORT": str(replica.port)}, REPLICA
        )
        queries = _queries(owner, args.queries)
        for query in queries:  # warm both caches, untimed
            _timed(owner, "default", query)
            _timed(owner, "replica", query)
        idle_same = sum(
            _timed(owner, "default", q)[1] == _timed(owner, "replica", q)[1] for q in queries
        )
        load_before = Path("/proc/loadavg").read_text().split()[0]
        idle = _round(owner, queries, args.repeat)

        # The loader is forked: it must not share (and close) this process's connections.
        connections["default"].close()
        connections[REPLICA].close()
        done = multiprocessing.get_context("fork").Value("i", 0)
        loader = multiprocessing.get_context("fork").Process(
            target=_import, args=(owner.pk, chunks, total, done)
        )
        import_started = time.perf_counter()
        loader.start()
        busy: dict[str, list[float]] = {"default": [], "replica": []}
        lags: list[float] = []
        behind: list[int] = []
        loads: list[float] = []
        while loader.is_alive():
            times = _round(owner, queries, 1)
            for alias in busy:
                busy[alias].extend(times[alias])
            lag, lsn_behind = _lag_sample()
            lags.append(lag)
            behind.append(lsn_behind)
            loads.append(float(Path("/proc/loadavg").read_text().split()[0]))
        loader.join()
        import_seconds = time.perf_counter() - import_started
        imported = done.value
        replica.wait_replayed(replica.primary_lsn(), timeout=300)
        merge(owner.pk, wait=True)
        replica.wait_replayed(replica.primary_lsn(), timeout=300)
        after_same = sum(
            _timed(owner, "default", q)[1] == _timed(owner, "replica", q)[1] for q in queries
        )
    finally:
        with contextlib.suppress(Exception):  # not made yet, or already gone
            connections[REPLICA].close()
        replica.stop()

    print()
    print(
        f"corpus {chunks * CHUNK} pages before the import, {len(queries)} queries (1-2 words) "
        f"x {args.repeat}"
    )
    print("| phase | reads from | searches | p50 ms | p95 ms | max ms | check |")
    print("|---|---|---:|---:|---:|---:|---|")
    for phase, times, check in (
        ("idle", idle, f"same top 20 as the primary: {idle_same}/{len(queries)}"),
        ("bulk import on the primary", busy, f"after replay: {after_same}/{len(queries)} same"),
    ):
        for alias, label in (("default", "primary"), ("replica", "replica")):
            values = times[alias]
            print(
                f"| {phase} | {label} | {len(values)} | {statistics.median(values):.0f} | "
                f"{_percentile(values, 0.95):.0f} | {max(values):.0f} | {check} |"
            )
    print()
    print(
        f"import: {imported} pages in {import_seconds:.0f} s = {imported / import_seconds:.1f} "
        f"pages/s on the primary during the searches"
    )
    if lags:
        print(
            f"replica lag during the import ({len(lags)} samples): replay delay median "
            f"{statistics.median(lags):.2f} s, max {max(lags):.2f} s; WAL behind median "
            f"{statistics.median(behind) / 1024:.0f} kB, max {max(behind) / 1024:.0f} kB"
        )
    print(
        f"load average: {load_before} before the import, "
        f"{min(loads, default=0):.1f}-{max(loads, default=0):.1f} during it (2 cores, shared)"
    )
    ok = idle_same == len(queries) and after_same == len(queries)
    print(f"answers_equal={'yes' if ok else 'NO'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
