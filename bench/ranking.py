"""Exact top-k at scale: ``python -m bench.ranking --database NAME``.

Runs on a database loaded by ``bench.search`` (its ``bench`` user's documents). Picks query
words by document frequency from ``SearchTerm`` (the most common word, words on about 10 %,
1 % and 0.1 % of the documents, a word on about 20; a class the corpus has no word for is
left out), times ``search_page`` (first page of 20,
then page 2 by its cursor) and measures overlap@20 against ``reference_top`` (every match
scored). Prints a table; the last lines are ``p95_ms=`` (worst class, page 2 included) and
``overlap20_min=``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + args.database
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection

    from archive.search import SearchFilters, reference_top, search_page

    owner = User.objects.get(username="bench")

    def word_near(share: float) -> str:
        """A plain ASCII word or number (its own stem) on about ``share`` of the documents."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT documents FROM archive_searchterm WHERE owner_id = %s AND term = ''",
                [owner.pk],
            )
            total = cursor.fetchone()[0]
            cursor.execute(
                "SELECT term FROM archive_searchterm WHERE owner_id = %s "
                "AND term ~ '^[a-z0-9]{3,}$' ORDER BY abs(documents - %s), term LIMIT 1",
                [owner.pk, max(1.0, share * total)],
            )
            return str(cursor.fetchone()[0])

    common, ten, one, tenth = word_near(1.0), word_near(0.1), word_near(0.01), word_near(0.001)
    rare = word_near(20 / 100_000)
    classes = {
        "rare word": (rare, None),
        "0.1% word": (tenth, None),
        "1% word": (one, None),
        "10% word": (ten, None),
        "common word": (common, None),
        "two words (10% 1%)": (f"{ten} {one}", None),
        "two common words": (f"{common} {ten}", None),
        "OR": (f"{ten} OR {one}", None),
        "exclusion": (f"{ten} -{one}", None),
        "prefix": (ten[:3] + "*", None),
        "filter": (ten, SearchFilters(mime_type="image/tiff")),
    }
    used: set[str] = set()
    for name in list(classes):
        query = classes[name][0]
        if " " not in query and "*" not in query and classes[name][1] is None:
            if query in used:  # the corpus has no word of that frequency: same row again
                del classes[name]
            used.add(query)
    print("| query | example | matches | p50 ms | p95 ms | page 2 p95 ms | overlap@20 |")
    print("|---|---|---|---|---|---|---|")
    worst, overlap_min = 0.0, 1.0
    for name, (query, filters) in classes.items():
        first = search_page(user=owner, query=query, filters=filters)
        expected = reference_top(owner, query, 20, filters)
        got = [hit.pk for hit in first.hits]
        overlap = len(set(got) & set(expected)) / len(expected) if expected else float(not got)
        overlap_min = min(overlap_min, overlap)
        times, second = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            search_page(user=owner, query=query, filters=filters)
            times.append((time.perf_counter() - started) * 1000)
            if first.next_cursor:
                started = time.perf_counter()
                search_page(user=owner, query=query, filters=filters, cursor=first.next_cursor)
                second.append((time.perf_counter() - started) * 1000)
        worst = max(worst, _p95(times), _p95(second))
        count = f"{'~' if first.estimated else ''}{first.total}"
        print(
            f"| {name} | `{query}` | {count} | {statistics.median(times):.1f} | "
            f"{_p95(times):.1f} | {_p95(second):.1f} | {overlap:.2f} |"
        )
    print(f"p95_ms={worst:.1f}")
    print(f"overlap20_min={overlap_min:.2f}")


if __name__ == "__main__":
    main()
