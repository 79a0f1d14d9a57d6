"""Known-item relevance on real OCR output: the product's search against a BM25 baseline.

Usage::

    python -m bench.relevance                         # everything, table on stdout
    python -m bench.relevance --without typo          # a feature switched off (repeatable)
    python -m bench.relevance --json var/bench/before.json   # also write the figures as JSON
    python -m bench.relevance --per-class 20 --seed 7 --tantivy-analyzer en_stem
    python -m bench.relevance --show-misses app       # list the queries the app misses

What it does:

1. Reads every file of ``../shared/testdata`` that has ground truth (``manifest.tsv`` and the
   PDFs with a ``.gt.txt``) plus a few distractors without ground truth, with the product's OCR
   as the worker runs it (``OCR_ENGINE``, ``auto`` by default; the document's language), and
   caches the text in ``var/bench/relevance-ocr.json`` (key: file sha256 + engine setting):
   only the first run OCRs (``bench.relevance_corpus``).
2. Indexes the documents as one user's archive through the worker's writers, in a database of
   its own (``--database``, default ``relbench``, created and migrated on ``DATABASE_URL``'s
   server; the user is re-created each run), and the same texts in Tantivy
   (``bench.relevance_engines``).
3. Samples known-item queries per class from the ground truth, never from the OCR
   (``bench.relevance_queries``: rare, multi, phrase, misread, accent_free, hyphenated,
   joined), seeded.
4. Prints per class: n, MRR@10 and recall@10 of Tantivy and of the app
   (``document_search(user=…, query=…, limit=10)``). A query scores 1/r when its target is
   the r-th result (r <= 10), else 0.

Feature switches (``SWITCHES``): ``--without NAME`` sets the named Django settings before
anything is indexed or searched (as environment variables before Django starts, and as
settings after), so one run measures the product with that feature off. A name whose setting
no module of ``archive/`` reads yet is reported "not available" and ignored.

Not a test: it runs on demand. Needs the ``bench`` extra (``tantivy``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: ``../shared/testdata`` of the checkout (or of its parent folder, for a git worktree).
TESTDATA = Path(
    os.environ.get("SCAN_ARCHIVE_TESTDATA")
    or next(
        (
            p
            for p in (ROOT.parent / "shared/testdata", ROOT.parents[1] / "shared/testdata")
            if p.is_dir()
        ),
        ROOT.parent / "shared/testdata",
    )
)
CACHE = ROOT / "var" / "bench" / "relevance-ocr.json"
DATABASE = "relbench"
TOP = 10

#: Feature name -> the settings that switch it off. Colleagues' features (issue 22): OCR-aware
#: tokens in ``archive.search.textnorm``, typo tolerance (``expand_typos``), exact phrases.
SWITCHES: dict[str, dict[str, Any]] = {
    "typo": {"SEARCH_TYPO_TOLERANCE": False},
    "ocr-tokens": {"SEARCH_OCR_TOKENS": False},
    "phrases": {"SEARCH_EXACT_PHRASES": False},
}


def available(name: str) -> bool:
    """Whether some module of ``archive/`` other than the settings reads every setting of the
    switch ``name`` (the settings module may define one before any code uses it)."""
    sources = [
        p.read_text(encoding="utf-8")
        for p in (ROOT / "archive").rglob("*.py")
        if p.name != "settings.py" and "migrations" not in p.parts
    ]
    return all(any(setting in text for text in sources) for setting in SWITCHES[name])


def _env_value(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def setup_django(database: str, overrides: dict[str, Any]) -> None:
    """Create (if missing) and migrate ``database``, and start Django on it with
    ``overrides`` applied both as environment variables and as settings."""
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(base, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + database
    for name, value in overrides.items():
        os.environ[name] = _env_value(value)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    for name, value in overrides.items():
        setattr(settings, name, value)
    call_command("migrate", verbosity=0)


def rank(results: Sequence[int], targets: frozenset[int]) -> int | None:
    """1-based position of the first target in ``results``, None if absent."""
    return next((r for r, number in enumerate(results, 1) if number in targets), None)


def scores(ranks: Sequence[int | None]) -> dict[str, float]:
    if not ranks:
        return {"mrr": 0.0, "recall": 0.0}
    return {
        "mrr": statistics.fmean(1 / r if r and r <= TOP else 0.0 for r in ranks),
        "recall": statistics.fmean(1.0 if r and r <= TOP else 0.0 for r in ranks),
    }


def table(rows: list[dict[str, Any]], classes: Sequence[str], analyzer: str) -> list[str]:
    lines = [
        f"| class | n | Tantivy ({analyzer}) MRR@10 | Tantivy R@10 | app MRR@10 | app R@10 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for cls in [*classes, "all"]:
        chosen = [row for row in rows if cls in ("all", row["class"])]
        if not chosen:
            lines.append(f"| {cls} | 0 | – | – | – | – |")
            continue
        t = scores([row["tantivy"] for row in chosen])
        a = scores([row["app"] for row in chosen])
        lines.append(
            f"| {cls} | {len(chosen)} | {t['mrr']:.3f} | {t['recall']:.3f} "
            f"| {a['mrr']:.3f} | {a['recall']:.3f} |"
        )
    return lines


def comparison(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Rows: per class, the earlier run's app figures, this run's, and Tantivy's."""
    label = "without " + ", ".join(before["without"]) if before["without"] else "all on"
    lines = [
        f"| class | n | before ({label}) MRR@10 | R@10 | now MRR@10 | R@10 | Tantivy MRR@10 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for cls, figures in now.items():
        old = before["classes"].get(cls, {"n": 0, "app": {"mrr": 0.0, "recall": 0.0}})
        n = f"{figures['n']}" if old["n"] == figures["n"] else f"{old['n']}->{figures['n']}"
        lines.append(
            f"| {cls} | {n} | {old['app']['mrr']:.3f} | {old['app']['recall']:.3f} "
            f"| {figures['app']['mrr']:.3f} | {figures['app']['recall']:.3f} "
            f"| {figures['tantivy']['mrr']:.3f} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    from bench.relevance_engines import ANALYZERS
    from bench.relevance_queries import CLASSES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without", action="append", default=[], choices=sorted(SWITCHES))
    parser.add_argument("--json", type=Path, help="also write figures and per-query ranks here")
    parser.add_argument("--per-class", type=int, default=40, help="queries per class (40)")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--tantivy-analyzer", choices=ANALYZERS, default="fold")
    parser.add_argument("--database", default=DATABASE, help=f"database name ({DATABASE})")
    parser.add_argument("--testdata", type=Path, default=TESTDATA)
    parser.add_argument("--compare", type=Path, help="a --json file of an earlier run")
    parser.add_argument("--show-misses", choices=("app", "tantivy"), help="list missed queries")
    args = parser.parse_args(argv)
    if not (args.testdata / "manifest.tsv").is_file():
        parser.error(f"no manifest.tsv in {args.testdata} (set SCAN_ARCHIVE_TESTDATA)")

    overrides: dict[str, Any] = {}
    switched: list[str] = []
    for name in args.without:
        if available(name):
            overrides.update(SWITCHES[name])
            switched.append(name)
        else:
            print(f"--without {name}: not available (no code reads {SWITCHES[name]})")
    setup_django(args.database, overrides)
    from django.conf import settings

    from bench.relevance_corpus import load_corpus
    from bench.relevance_engines import AppSearch, TantivySearch
    from bench.relevance_queries import sample_queries

    started = time.perf_counter()
    docs, ocr_seconds = load_corpus(args.testdata, CACHE, settings.OCR_ENGINE)
    queries = sample_queries(docs, seed=args.seed, per_class=args.per_class)
    index_started = time.perf_counter()
    app = AppSearch(docs)
    baseline = TantivySearch(docs, args.tantivy_analyzer)
    index_seconds = time.perf_counter() - index_started
    search_started = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for query in queries:
        rows.append(
            {
                "class": query.cls,
                "query": query.text,
                "target": docs[query.source].source.path,
                "tantivy": rank(baseline.search(query.text), query.targets),
                "app": rank(app.search(query.text), query.targets),
            }
        )
    search_seconds = time.perf_counter() - search_started
    total = time.perf_counter() - started

    engines = sorted({engine for doc in docs for engine in doc.engines})
    with_truth = sum(doc.source.truth is not None for doc in docs)
    pages = sum(len(doc.pages) for doc in docs)
    print(
        f"## Known-item relevance ({len(docs)} documents, {with_truth} with ground truth, "
        f"{pages} pages; OCR_ENGINE={settings.OCR_ENGINE} read by {', '.join(engines)}; "
        f"seed {args.seed}; without: {', '.join(switched) or 'nothing'})\n"
    )
    print("\n".join(table(rows, CLASSES, args.tantivy_analyzer)))
    print(
        f"\n(OCR this run {ocr_seconds:.0f} s; indexing {index_seconds:.1f} s; "
        f"{len(queries)} queries x 2 in {search_seconds:.1f} s; total {total:.0f} s)"
    )
    if args.show_misses:
        print(f"\nMissed by {args.show_misses}:")
        for row in rows:
            if not row[args.show_misses]:
                print(f"  {row['class']:12} {row['query']!r:40} {row['target']}")
    summary = {
        cls: {
            "n": sum(row["class"] == cls for row in rows),
            "tantivy": scores([row["tantivy"] for row in rows if row["class"] == cls]),
            "app": scores([row["app"] for row in rows if row["class"] == cls]),
        }
        for cls in CLASSES
    }
    if args.compare:
        print(f"\n## App against {args.compare}\n")
        print("\n".join(comparison(json.loads(args.compare.read_text("utf-8")), summary)))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "without": switched,
            "seed": args.seed,
            "per_class": args.per_class,
            "tantivy_analyzer": args.tantivy_analyzer,
            "ocr_engine": settings.OCR_ENGINE,
            "documents": len(docs),
            "classes": summary,
            "queries": rows,
            "seconds": {"ocr": ocr_seconds, "index": index_seconds, "search": search_seconds},
        }
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
