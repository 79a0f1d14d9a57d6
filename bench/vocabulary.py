"""The user's vocabulary at scale: ``python -m bench.vocabulary --terms 300000``.

Builds a ``SearchTerm`` table as a large archive's would be: one user with ``--terms`` distinct
words as written (real words of en, de, fr, es from ``wordfreq``, most common first, with
Zipf-like document counts, plus ``--garbage`` of them OCR misreadings and noise), a stem row for
a share of them (``surface`` false), and a second user with a smaller vocabulary of their own.
Rows go in by plain INSERTs, so PostgreSQL maintains the deletion index as it would for the
index writers. Then prints:

- the table and index sizes per term;
- autocomplete (``complete``) p50/p95 for prefixes of 1–6 letters of real words;
- ``close_terms`` p50/p95 and recall (the right word among the answers) for misspellings made
  by one edit, one OCR confusion, two OCR confusions, and for words of 1 and 200 letters;
- ``expand_typos`` p50/p95 for two-word queries with one misspelt word.

Runs against ``DATABASE_URL``'s server in a database of its own (``--database``, default
``scan_archive_vocab_bench``), kept between runs; ``--rebuild`` starts over. Needs
``pip install wordfreq``.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

BENCH_DB = "scan_archive_vocab_bench"
LANGUAGES = ("en", "de", "fr", "es")
OCR_SWAPS = [("i", "l"), ("l", "1"), ("o", "0"), ("m", "rn"), ("d", "cl"), ("u", "ii"), ("e", "c")]


def real_words(count: int) -> list[tuple[str, float]]:
    """Up to ``count`` distinct folded lower-case words with their frequency, most common first,
    from several languages interleaved."""
    from wordfreq import top_n_list, word_frequency

    from archive.search.textnorm import fold

    lists = [top_n_list(lang, count) for lang in LANGUAGES]
    seen: dict[str, float] = {}
    for rank in range(max(len(words) for words in lists)):
        for lang, words in zip(LANGUAGES, lists, strict=True):
            if rank < len(words):
                word = fold(words[rank]).lower()
                if word.isalpha() and word not in seen:
                    seen[word] = word_frequency(words[rank], lang)
        if len(seen) >= count:
            break
    return list(seen.items())[:count]


def ocr_misread(rng: random.Random, word: str, confusions: int) -> str:
    for _ in range(confusions):
        options = [(a, b) for a, b in OCR_SWAPS if a in word]
        if not options:
            break
        a, b = rng.choice(options)
        at = rng.choice([i for i in range(len(word)) if word.startswith(a, i)])
        word = word[:at] + b + word[at + len(a) :]
    return word


def one_edit(rng: random.Random, word: str) -> str:
    at = rng.randrange(len(word))
    kind = rng.choice(["delete", "insert", "substitute", "transpose"])
    letter = rng.choice(string.ascii_lowercase)
    if kind == "delete":
        return word[:at] + word[at + 1 :]
    if kind == "insert":
        return word[:at] + letter + word[at:]
    if kind == "transpose" and at + 1 < len(word):
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + letter + word[at + 1 :]


def build(owner_id: int, other_id: int, terms: int, garbage: float, rng: random.Random) -> None:
    from django.db import connection

    real = real_words(int(terms * (1 - garbage)))
    vocabulary: dict[str, int] = {}
    total_documents = 100_000  # ~1M pages
    for word, frequency in real:
        vocabulary[word] = max(1, min(total_documents, int(frequency * 2e7)))
    words = [word for word, _ in real]
    while len(vocabulary) < terms:  # OCR garbage: misreadings and noise, in one document each
        if rng.random() < 0.7:
            word = ocr_misread(rng, rng.choice(words[:50_000]), rng.randint(1, 2))
        else:
            alphabet = string.ascii_lowercase + "0123456789"
            word = "".join(rng.choices(alphabet, k=rng.randint(2, 14)))
        vocabulary.setdefault(word, 1)
    rows = [(owner_id, term, documents, True) for term, documents in vocabulary.items()]
    # Stems of a third of the words (the writers keep them too; never shown, never suggested).
    rows += [
        (owner_id, word[:-2] + "_s", vocabulary[word], False)
        for word in rng.sample(words, len(words) // 3)
        if len(word) > 4 and word[:-2] + "_s" not in vocabulary
    ]
    for word in rng.sample(words, min(len(words), terms // 6)):
        rows.append((other_id, word, rng.randint(1, 50), True))
    rows.append((other_id, "zzsecretword", 1, True))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20_000):
            batch = rows[start : start + 20_000]
            cursor.execute(
                "INSERT INTO archive_searchterm (owner_id, term, documents, surface)"
                " SELECT * FROM unnest(%s::int[], %s::text[], %s::int[], %s::bool[])"
                " ON CONFLICT DO NOTHING",
                [list(column) for column in zip(*batch, strict=True)],
            )
        cursor.execute("VACUUM ANALYZE archive_searchterm")


def sizes() -> list[tuple[str, str]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE surface),
                   avg(cardinality(search_term_deletes(term))) FILTER (WHERE surface),
                   pg_table_size('archive_searchterm'),
                   pg_relation_size('search_term_deletes_gin'),
                   pg_relation_size('search_term_surface'),
                   pg_relation_size('search_term_unique')
            FROM archive_searchterm
            """
        )
        rows, surface_rows, keys, table, gin, surface, unique = cursor.fetchone()
    mb = 1024 * 1024
    return [
        ("terms (all users)", f"{rows:,}"),
        ("  of which surface words", f"{surface_rows:,}"),
        ("table (heap + TOAST)", f"{table / mb:.1f} MB  ({table / rows:.0f} B/term)"),
        ("deletion keys per surface word", f"{float(keys):.1f}"),
        ("GIN index of deletions", f"{gin / mb:.1f} MB  ({gin / surface_rows:.0f} B/word)"),
        ("autocomplete index (surface)", f"{surface / mb:.1f} MB  ({surface / rows:.0f} B/term)"),
        ("unique (owner, term) index", f"{unique / mb:.1f} MB  ({unique / rows:.0f} B/term)"),
    ]


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95, ordered[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--terms", type=int, default=300_000, help="distinct words of the user")
    parser.add_argument("--garbage", type=float, default=0.15, help="share of OCR garbage")
    parser.add_argument("--samples", type=int, default=300, help="queries per row")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database", default=BENCH_DB, help=f"database name ({BENCH_DB})")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + args.database
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
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

    from archive.models import SearchTerm
    from archive.search import close_terms, complete, expand_typos
    from archive.search.spelling import lookup_keys

    call_command("migrate", verbosity=0)
    owner, _ = User.objects.get_or_create(username="bench-vocab")
    other, _ = User.objects.get_or_create(username="bench-vocab-other")
    rng = random.Random(22)
    if not SearchTerm.objects.filter(owner=owner).exists():
        started = time.perf_counter()
        build(owner.pk, other.pk, args.terms, args.garbage, rng)
        print(f"built in {time.perf_counter() - started:.0f} s")

    for name, value in sizes():
        print(f"{name:<32} {value}")
    print()

    words = list(
        SearchTerm.objects.filter(owner=owner, surface=True, documents__gt=1)
        .order_by("-documents")
        .values_list("term", flat=True)[:50_000]
    )
    medium = [word for word in words if 5 <= len(word) <= 12]
    rows: list[tuple[str, list[float], str]] = []

    for length in (1, 2, 3, 4, 6):
        prefixes = [w[:length] for w in rng.choices(words, k=args.samples) if len(w) >= length]
        samples = [timed(functools.partial(complete, owner.pk, prefix)) for prefix in prefixes]
        rows.append((f"autocomplete, {length}-letter prefix", samples, ""))
    leaks = complete(owner.pk, "zzsecret")
    assert not leaks, "another user's word offered"

    cases: dict[str, Callable[[str], str]] = {
        "one edit": lambda w: one_edit(rng, w),
        "one OCR confusion": lambda w: ocr_misread(rng, w, 1),
        "two OCR confusions": lambda w: ocr_misread(rng, w, 2),
    }
    for label, spoil in cases.items():
        samples, hits, tried = [], 0, 0
        for word in rng.sample(medium, args.samples):
            typed = spoil(word)
            if typed == word:
                continue
            tried += 1
            start = time.perf_counter()
            found = [close.term for close in close_terms(owner.pk, typed, 5)]
            samples.append((time.perf_counter() - start) * 1000)
            hits += word in found
        rows.append((f"close_terms, {label}", samples, f"recall {hits / max(1, tried):.0%}"))
    for label, word in (("1 letter", "a"), ("200 letters", "rn" * 100)):
        samples = [
            timed(functools.partial(close_terms, owner.pk, word)) for _ in range(args.samples)
        ]
        rows.append((f"close_terms, {label}", samples, ""))
    longest = max(medium, key=len)
    keys = len(lookup_keys(ocr_misread(rng, longest, 1)))
    samples = []
    for word in rng.sample(medium, args.samples):
        query = f"{rng.choice(words[:2000])} {one_edit(rng, word)}"
        samples.append(timed(functools.partial(expand_typos, owner.pk, query)))
    rows.append(("expand_typos, 2 words, 1 typo", samples, f"keys for '{longest}': {keys}"))

    print(f"{'operation':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  note")
    for label, samples, note in rows:
        p50, p95, worst = percentiles(samples)
        print(f"{label:<36} {p50:>8.2f} {p95:>8.2f} {worst:>8.2f}  {note}")


if __name__ == "__main__":
    main()
