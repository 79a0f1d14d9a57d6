"""Search latency at scale: ``python -m bench.search --pages N``.

Builds a corpus of N one-page documents of synthetic text drawn from the real ground-truth
texts in ``../shared/testdata`` (word frequencies kept, so common words are common; 5% of
the pages Chinese), indexes it through the same functions that index uploads
(``archive.search.index``: ``page_vector`` with each page, ``documents_index`` per batch; the
GIN index is built once at the end of a bulk load), then runs a fixed query mix through
``search_page`` (bounded ranking, capped count, facets, matching pages and snippets; first
page of 20, then the second page by its cursor) and prints p50/p95/max per query type. The
last line is ``p95_ms=<worst p95>``.

Runs against ``DATABASE_URL``'s server in a database of its own (``--database``, default
``scan_archive_bench``), created and kept between runs so a large corpus is built once;
``--rebuild`` starts over.
"""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"
BENCH_DB = "scan_archive_bench"
# Common Chinese characters, for the Chinese pages.
CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所"
    "民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
    "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处理府研质"
)


def corpus_words(testdata: Path) -> tuple[list[str], list[int]]:
    counts: Counter[str] = Counter()
    for path in testdata.rglob("*.gt.txt"):
        counts.update(w.lower() for w in re.findall(r"[^\W\d_]{2,}", path.read_text("utf-8")))
    words, weights = zip(*counts.most_common(), strict=True)
    return list(words), list(weights)


def page_text(rng: random.Random, words: list[str], weights: list[int], number: int) -> str:
    """One page: 5% Chinese, the rest words drawn with their real frequencies; every page ends
    with a reference number of its own (a word that occurs once in the corpus)."""
    reference = f"\nRef. {_reference(number)}"
    if rng.random() < 0.05:
        return "".join(rng.choice(CJK) for _ in range(400)) + reference
    chosen = rng.choices(words, weights=weights, k=rng.randint(150, 450))
    lines = [" ".join(chosen[i : i + 12]) for i in range(0, len(chosen), 12)]
    return "\n".join(lines) + reference


def _reference(number: int) -> str:
    return f"R{number * 7919 % 10_000_019:08d}"


_CHUNK = 10_000  # pages one loader process creates before it reports


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
    """Create and index documents ``start`` to ``stop`` (one page each) for the owner, ``batch``
    pages per transaction, through the writers uploads use; returns the pages created and the
    CPU seconds spent (this process and its database backend)."""
    owner_id, start, stop, batch = spec
    from django.db import connection, transaction

    from archive.models import Document, Page
    from archive.search import documents_index, page_vector

    cpu = time.process_time() + _backend_cpu(connection)
    rng = random.Random(start)  # the corpus does not depend on how many processes load it
    words, weights = corpus_words(TESTDATA)
    for first in range(start, stop, batch):
        numbers = range(first, min(first + batch, stop))
        texts = [page_text(rng, words, weights, number) for number in numbers]
        with transaction.atomic():
            documents = Document.objects.bulk_create(
                Document(
                    owner_id=owner_id,
                    title=" ".join(rng.choices(words[:2000], k=4)).title(),
                    original=f"bench/{number}",
                    original_name=f"{number}.png",
                    sha256=f"{number:064d}",
                    mime_type=rng.choice(["image/png", "image/tiff", "application/pdf"]),
                    size=1,
                    language="zh" if text[0] in CJK else "en",
                    status=Document.Status.DONE,
                    page_count=1,
                )
                for number, text in zip(numbers, texts, strict=True)
            )
            # Indexed as the worker indexes an uploaded page: the vector is written with the
            # page (page_vector), then the documents' vectors in one statement.
            Page.objects.bulk_create(
                Page(
                    document=document,
                    number=1,
                    text=text,
                    search_vector=page_vector(document.language, text),
                )
                for document, text in zip(documents, texts, strict=True)
            )
            documents_index(documents)
    return stop - start, time.process_time() + _backend_cpu(connection) - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each query")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--batch", type=int, default=1000, help="pages per load statement")
    parser.add_argument(
        "--keep-index", action="store_true", help="load into the GIN index instead of rebuilding"
    )
    parser.add_argument("--jobs", type=int, default=2, help="loader processes (default 2)")
    parser.add_argument("--database", default=BENCH_DB, help=f"database name ({BENCH_DB})")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    admin_url = base
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + args.database
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.database]
        ).fetchone()
        if exists and args.rebuild:
            conn.execute(f"DROP DATABASE {args.database}")
            exists = None
        if not exists:
            conn.execute(f"CREATE DATABASE {args.database}")

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from archive.models import Document
    from archive.search import SearchFilters, search_page
    from archive.search.planning import candidate_cap

    call_command("migrate", verbosity=0)
    owner, _ = User.objects.get_or_create(username="bench")
    have = Document.objects.filter(owner=owner).count()
    todo = max(0, args.pages - have)
    chunks = [
        (owner.pk, first, min(first + _CHUNK, args.pages), args.batch)
        for first in range(have, args.pages, _CHUNK)
    ]
    started = time.perf_counter()
    done = 0
    cpu = 0.0
    gin = next(index for index in Document._meta.indexes if index.name == "document_search_gin")
    if todo and not args.keep_index:
        # A bulk load builds the GIN index once at the end (sorted, in memory) instead of
        # merging every batch into it: measured 5x faster at 100k documents. Its time counts.
        with connection.schema_editor() as editor:
            editor.remove_index(Document, gin)
    connection.close()  # each loader process opens its own
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for loaded, seconds in pool.imap_unordered(load_chunk, chunks):
            done += loaded
            cpu += seconds
            rate = done / (time.perf_counter() - started)
            print(
                f"indexed {have + done} pages ({rate:.0f} pages/s, {done / cpu:.0f} per CPU-s)",
                file=sys.stderr,
                flush=True,
            )
    if todo and not args.keep_index:
        index_started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
        with connection.schema_editor() as editor:
            editor.add_index(Document, gin)
        print(
            f"GIN index built in {time.perf_counter() - index_started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    load_rate = todo / (time.perf_counter() - started) if todo else float("nan")
    cpu_rate = todo / cpu if cpu else float("nan")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE archive_document")
        cursor.execute("VACUUM ANALYZE archive_page")
        cursor.execute(
            "SELECT pg_total_relation_size('archive_document') + "
            "pg_total_relation_size('archive_page'), pg_relation_size('document_search_gin')"
        )
        size, gin = cursor.fetchone()

    words, _weights = corpus_words(TESTDATA)
    # Frequency ranks: a top word (on most pages), mid-frequency ones, a reference number that
    # occurs once.
    common, medium = words[5], words[200]
    mixes: dict[str, tuple[str, SearchFilters | None, str]] = {
        "rare word": (_reference(args.pages // 2), None, "relevance"),
        "common word": (common, None, "relevance"),
        "two words": (f"{medium} {words[201]}", None, "relevance"),
        "phrase": (f'"{words[10]} {words[11]}"', None, "relevance"),
        "OR": (f"{medium} OR {words[210]}", None, "relevance"),
        "exclusion": (f"{words[20]} -{words[201]}", None, "relevance"),
        "prefix": (words[80][:3] + "*", None, "relevance"),
        "CJK": (CJK[10:12], None, "relevance"),
        "filter": (medium, SearchFilters(mime_type="image/tiff"), "relevance"),
        "newest first": (common, None, "newest"),
    }
    print(
        f"\npages: {args.pages}; load: {load_rate:.0f} pages/s "
        f"({cpu_rate:.0f} pages per CPU-second); tables and indexes: {size / 2**20:.0f} MB "
        f"(document GIN index {gin / 2**20:.0f} MB); candidates ranked: {candidate_cap()}"
    )
    print("| query | example | matches | p50 ms | p95 ms | max ms | page 2 p95 ms |")
    print("|---|---|---|---|---|---|---|")
    worst = 0.0
    for name, (query, filters, sort) in mixes.items():
        search = functools.partial(search_page, user=owner, query=query, filters=filters, sort=sort)
        first = search()  # warm
        times, next_times = [], []
        for _ in range(max(1, args.repeat)):
            t = time.perf_counter()
            result = search()
            times.append((time.perf_counter() - t) * 1000)
            if first.next_cursor:
                t = time.perf_counter()
                search(cursor=first.next_cursor)
                next_times.append((time.perf_counter() - t) * 1000)
        p95 = _p95(times)
        worst = max(worst, p95, _p95(next_times))
        matches = f"{'>' if result.capped else ''}{result.total}"
        second = f"{_p95(next_times):.1f}" if next_times else "-"
        print(
            f"| {name} | `{query}` | {matches} | {statistics.median(times):.1f} | "
            f"{p95:.1f} | {max(times):.1f} | {second} |"
        )
    print(f"p95_ms={worst:.1f}")


def _p95(times: list[float]) -> float:
    if not times:
        return 0.0
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


if __name__ == "__main__":
    main()
