"""Where bulk indexing spends its time: each statement of the writers, timed on a load.

Usage::

    python -m bench.index_profile --pages 2000 [--database NAME] [--keep-gin] [--seed S]

Loads ``--pages`` pages of the search bench's corpus (``bench.search_corpus``) into a fresh
database (default ``benchdev_index_profile``) in one process, through the same writers as
``bench.search`` (``load_chunk``: pages with ``page_vector``, then ``documents_index``), the
GIN index dropped for the load and built at the end unless ``--keep-gin``, then the merge.
Every statement is timed at the client (``connection.execute_wrapper``; no
``pg_stat_statements`` here) and labelled by what it writes; the table gives seconds and the
share of each label, then pages/s, pages per CPU-second (this process and its backend) and
index bytes per page.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# First match wins: (label, pattern on the statement text).
_LABELS = [
    ("pages insert (page vectors built)", r"^INSERT INTO \"archive_page\""),
    ("documents insert", r"^INSERT INTO \"archive_document\""),
    ("locks", r"pg_advisory_xact_lock_shared|FOR UPDATE\s*$"),
    ("vector build + lengths + term deltas", r"WITH new AS MATERIALIZED"),
    ("delete postings", r"^DELETE FROM archive_search_posting"),
    ("delete impact entries", r"^DELETE FROM archive_search_impact"),
    ("delete pairs", r"^DELETE FROM archive_search_pair"),
    ("postings insert", r"^INSERT INTO archive_search_posting"),
    ("pairs insert", r"INSERT INTO archive_search_pair"),
    (
        "impact entries insert",
        r"INSERT INTO archive_search_impact \(owner_id, term, impact, "
        r"document_id\)\s*SELECT s\.owner_id",
    ),
    ("GIN build", r"CREATE INDEX"),
    (
        "merge",
        r"archive_search_term_delta WHERE owner_id|archive_search_impact i|"
        r"INSERT INTO archive_search_impact|UPDATE archive_searchterm SET floor",
    ),
]

_EXPLAINED = {
    "vector build + lengths + term deltas",
    "postings insert",
    "pairs insert",
    "impact entries insert",
}


class Timer:
    """An ``execute_wrapper`` adding each statement's wall time to its label."""

    def __init__(self, explain: bool = False) -> None:
        self.explain = explain
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        text = sql.strip()
        label = next((name for name, pat in _LABELS if re.search(pat, text, re.S)), "other")
        started = time.perf_counter()
        try:
            if self.explain and label in _EXPLAINED and not many:
                # The statement runs (its rows are written) and its plan is printed.
                execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params, many, context)
                plan = "\n".join(row[0] for row in context["cursor"].fetchall())
                print(f"--- {label}\n{plan}", file=sys.stderr)
                return None
            return execute(sql, params, many, context)
        finally:
            self.seconds[label] += time.perf_counter() - started
            self.calls[label] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--database", default="benchdev_index_profile")
    parser.add_argument("--keep-gin", action="store_true", help="load with the GIN index")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--explain", action="store_true", help="print the writers' plans")
    args = parser.parse_args()

    import psycopg

    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    os.environ["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + args.database
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from archive.models import Document
    from archive.search.terms import merge
    from bench import search_corpus as corpus
    from bench.search import _backend_cpu, load_chunk
    from bench.search_run import index_sizes

    call_command("migrate", verbosity=0)
    owner = User.objects.create(username="bench-profile")
    corpus.vocabulary()
    gin = next(index for index in Document._meta.indexes if index.name == "document_search_gin")
    if not args.keep_gin:
        with connection.schema_editor() as editor:
            editor.remove_index(Document, gin)
    timer = Timer(args.explain)
    started, cpu = time.perf_counter(), time.process_time() + _backend_cpu(connection)
    with connection.execute_wrapper(timer):
        for chunk in range(-(-args.pages // corpus.CHUNK)):
            load_chunk((owner.pk, args.seed, chunk, args.pages))
        if not args.keep_gin:
            with connection.cursor() as cursor:
                cursor.execute("SET maintenance_work_mem = '1GB'")
            with connection.schema_editor() as editor:
                editor.add_index(Document, gin)
        merge(owner.pk, wait=True)
    seconds = time.perf_counter() - started
    cpu = time.process_time() + _backend_cpu(connection) - cpu
    total = sum(timer.seconds.values())
    print(f"{'statement':45} {'calls':>6} {'s':>8} {'share':>6}")
    for label, spent in sorted(timer.seconds.items(), key=lambda item: -item[1]):
        print(f"{label:45} {timer.calls[label]:6d} {spent:8.2f} {spent / total:6.1%}")
    print(f"{'all statements':45} {'':6} {total:8.2f}")
    print(
        f"load: {args.pages} pages in {seconds:.1f} s = {args.pages / seconds:.0f} pages/s, "
        f"{args.pages / cpu:.0f} pages per CPU-second (this process and its backend; "
        "text generation included)"
    )
    for line in index_sizes(args.pages):
        print(line)
    print(os.popen("uptime").read().strip())


if __name__ == "__main__":
    main()
