"""Search latency and answer quality at scale, side by side with Tantivy.

Usage (needs the ``bench`` extra: ``pip install -e '.[bench]'``)::

    python -m bench.search --pages N [--repeat R] [--rebuild] [--database NAME] [--jobs J]
                           [--seed S] [--per-class Q]

1. **Corpus** (``bench.search_corpus``): N pages of Zipfian text with a real vocabulary per
   language (``wordfreq``), en/de/fr/es/zh, page lengths like real scans, multi-page documents,
   titles, and the real ground-truth pages of ``../shared/testdata`` mixed in. It is loaded into
   its own database (default ``benchdev_search_<N>``) through the writers uploads use
   (``page_vector`` with each page, ``documents_index`` per chunk; the GIN index dropped for the
   load and built once at the end) and kept between runs: the database is rebuilt only when it
   holds another corpus (or with ``--rebuild``).
2. **The peer** (``bench.search_tantivy``): the same documents in Tantivy, built in the same run
   when absent and kept in ``var/bench/search-<corpus key>/``.
3. **Queries** (``bench.search_queries``): classes drawn by document frequency from the
   generator's own counts; ``--per-class`` queries each, every one run ``--repeat`` times,
   alternating the app (``search_page``: first page of 20 with its count, facets and snippets)
   and Tantivy (top 20 with a hit count) in this process.
4. **Answer check**: the app's page against the exact top 20 under its own rank function
   (``reference_ids``); overlap@20 = |app ∩ exact| / min(20, |exact|).

Output: a line per query, the table per class (p50/p95/max ms, ratio = app p95 / max(Tantivy p95,
5 ms), overlap@20 = the worst query of the class), load rate and index size, and last three
lines ``p95_ms=``, ``tantivy_ratio_max=``, ``overlap20_min=`` (worst over all classes).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import search_corpus as corpus

ROOT = Path(__file__).resolve().parents[1]


def database_state(admin_url: str, name: str, owner: str, pages: int, rebuild: bool) -> bool:
    """Create the database if needed; True if it already holds this corpus, complete. A database
    holding anything else (another corpus, a load cut short) is dropped and created afresh."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    ready, stale = False, rebuild
    if exists and not rebuild:
        with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/" + name) as conn:
            if conn.execute("SELECT to_regclass('archive_page')").fetchone() != (None,):
                rows = conn.execute(
                    "SELECT u.username, count(p.id) FROM archive_document d JOIN auth_user u "
                    "ON u.id = d.owner_id LEFT JOIN archive_page p ON p.document_id = d.id "
                    "GROUP BY u.username"
                ).fetchall()
                ready = rows == [(owner, pages)]
                stale = bool(rows) and not ready
    if exists and stale:
        print(f"database {name} holds another corpus: rebuilt", file=sys.stderr)
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        exists = None
    if not exists:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    return ready


def _backend_cpu(connection: Any) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (a local server), so the
    load can be reported per CPU-second as well: the machine is shared."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_chunk(spec: tuple[int, int, int, int]) -> tuple[int, float]:
    """Generate chunk ``chunk`` of the corpus and store it for the owner through the writers
    uploads use, in one transaction; returns the pages created and the CPU seconds spent (this
    process and its database backend)."""
    owner_id, seed, chunk, pages = spec
    from django.db import connection, transaction

    from archive.models import Document, Page
    from archive.search import documents_index, page_vector

    cpu = time.process_time() + _backend_cpu(connection)
    generated, _ids = corpus.generate_chunk(seed, chunk, pages)
    with transaction.atomic():
        documents = Document.objects.bulk_create(
            Document(
                owner_id=owner_id,
                title=doc.title,
                original=f"bench/{doc.number}",
                original_name=f"{doc.number}.pdf",
                sha256=f"{doc.number:064d}",
                mime_type=doc.mime_type,
                size=1,
                language=doc.language,
                status=Document.Status.DONE,
                page_count=len(doc.pages),
            )
            for doc in generated
        )
        # As the worker indexes an uploaded page: the vector is written with the page
        # (page_vector), then the documents' vectors in one statement.
        Page.objects.bulk_create(
            Page(
                document=document,
                number=number,
                text=text,
                search_vector=page_vector(doc.language, text),
            )
            for document, doc in zip(documents, generated, strict=True)
            for number, text in enumerate(doc.pages, start=1)
        )
        documents_index(documents)
    count = sum(len(doc.pages) for doc in generated)
    return count, time.process_time() + _backend_cpu(connection) - cpu


def load(owner_id: int, seed: int, pages: int, jobs: int) -> tuple[float, float, float]:
    """Load the corpus; returns (seconds, CPU seconds of loaders and backends including the GIN
    build, seconds of the GIN build)."""
    from django.db import connection

    from archive.models import Document
    from archive.search.terms import merge

    started = time.perf_counter()
    gin = next(index for index in Document._meta.indexes if index.name == "document_search_gin")
    # A bulk load builds the GIN index once at the end (sorted, in memory) instead of merging
    # every batch into it: measured 5x faster at 100k documents. Its time counts.
    with connection.schema_editor() as editor:
        editor.remove_index(Document, gin)
    connection.close()  # each loader process opens its own
    chunks = [(owner_id, seed, chunk, pages) for chunk in range(-(-pages // corpus.CHUNK))]
    done, cpu = 0, 0.0
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for loaded, seconds in pool.imap_unordered(load_chunk, chunks):
            done, cpu = done + loaded, cpu + seconds
            if done % 10_000 < corpus.CHUNK or done == pages:
                rate = done / (time.perf_counter() - started)
                print(f"loaded {done} pages ({rate:.0f} pages/s)", file=sys.stderr, flush=True)
    index_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
    index_cpu = _backend_cpu(connection)
    with connection.schema_editor() as editor:
        editor.add_index(Document, gin)
    cpu += _backend_cpu(connection) - index_cpu
    gin_seconds = time.perf_counter() - index_started
    print(f"GIN built in {gin_seconds:.0f} s", file=sys.stderr)
    # The deltas folded in and the impact lists built, as the scheduled merge would (its time
    # counts as load: part of what indexing costs).
    merge_started = time.perf_counter()
    merge_cpu = _backend_cpu(connection)
    merge(owner_id, wait=True)
    cpu += _backend_cpu(connection) - merge_cpu
    print(f"merged in {time.perf_counter() - merge_started:.0f} s", file=sys.stderr)
    return time.perf_counter() - started, cpu, gin_seconds


def corpus_pass(seed: int, pages: int, stats_path: Path, tantivy_path: Path, jobs: int):
    """Stats (when ``stats_path`` is absent) and the Tantivy index (when absent) in one pass of
    the generator; returns (stats, pair counts, Tantivy index, build seconds, generation rate)."""
    from bench import search_tantivy

    need_stats = not stats_path.exists()
    stats = corpus.Stats()
    # Text generation alone, in this process, on up to 5 chunks.
    started, cpu = time.perf_counter(), time.process_time()
    sample = range(min(5, -(-pages // corpus.CHUNK)))
    generated = sum(
        len(doc.pages) for c in sample for doc in corpus.generate_chunk(seed, c, pages)[0]
    )
    rate = (generated / (time.perf_counter() - started), generated / (time.process_time() - cpu))

    def documents():
        for chunk in range(-(-pages // corpus.CHUNK)):
            generated, ids = corpus.generate_chunk(seed, chunk, pages)
            if need_stats:
                stats.add(generated, ids)
            for doc in generated:
                yield doc.number, doc.language, "\n".join([doc.title, *doc.pages])

    built = (tantivy_path / "complete").exists()
    index, seconds = search_tantivy.open_or_build(
        tantivy_path, None if built else documents(), jobs
    )
    if need_stats:
        if built:  # the index exists: run the generator for the counts alone
            for _document in documents():
                pass
        stats.save(stats_path)
    stats, pair_counts = corpus.Stats.load(stats_path)
    return stats, pair_counts, index, seconds, rate


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10, help="runs of each query (10)")
    parser.add_argument("--rebuild", action="store_true", help="reload the database")
    parser.add_argument("--jobs", type=int, default=2, help="loader processes (2)")
    parser.add_argument("--database", help="database name (benchdev_search_<pages>)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-class", type=int, default=5, help="queries per class (5)")
    args = parser.parse_args()
    name = args.database or f"benchdev_search_{args.pages}"
    key = f"v{corpus.VERSION}-s{args.seed}-p{args.pages}"
    owner_name = f"bench-{key}"

    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    ready = database_state(admin_url, name, owner_name, args.pages, args.rebuild)
    os.environ["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + name
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from bench.search_queries import query_classes
    from bench.search_run import index_sizes, report, run_classes

    call_command("migrate", verbosity=0)
    owner, _ = User.objects.get_or_create(username=owner_name)
    vocab = corpus.vocabulary()  # loaded once, before the loaders fork
    loaded = load(owner.pk, args.seed, args.pages, args.jobs) if not ready else None
    var = ROOT / "var" / "bench" / f"search-{key}"
    stats, pair_counts, index, tantivy_seconds, generation_rate = corpus_pass(
        args.seed,
        args.pages,
        var / f"stats-v{corpus.STATS_VERSION}.npz",
        var / "tantivy",
        args.jobs,
    )
    classes = query_classes(vocab, stats, pair_counts, args.seed, args.pages, args.per_class)
    rows = run_classes(owner, index, classes, args.repeat)
    lines = [f"pages: {args.pages}; documents: {stats.documents}; database {name}"]
    if loaded:
        seconds, cpu, gin = loaded
        lines.append(
            f"load: {args.pages} pages in {seconds:.0f} s = {args.pages / seconds:.0f} pages/s "
            f"({args.pages / cpu:.0f} pages per CPU-second of loaders and backends; {args.jobs} "
            f"loaders; GIN build and merge included: {gin:.0f} s GIN, without it "
            f"{args.pages / (seconds - gin):.0f} pages/s)"
        )
    else:
        lines.append("load: corpus already in the database (--rebuild to time the load)")
    if generation_rate:
        lines.append(
            f"text generation: {generation_rate[0]:.0f} pages/s, {generation_rate[1]:.0f} pages "
            "per CPU-second (one process, 5 chunks)"
        )
    lines += index_sizes(args.pages)
    tantivy_bytes = sum(f.stat().st_size for f in (var / "tantivy").iterdir() if f.is_file())
    built = f"built in {tantivy_seconds:.0f} s, " if tantivy_seconds else ""
    lines.append(
        f"tantivy: {built}{tantivy_bytes / 2**20:.0f} MB = {tantivy_bytes / args.pages:.0f} B/page"
        " (text through archive.search.textnorm.index_text, positions, 5 text fields)"
    )
    report(rows, lines)


if __name__ == "__main__":
    main()
