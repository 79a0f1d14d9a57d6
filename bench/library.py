"""Library and facet latency at scale, with every answer checked against a plain COUNT.

Usage::

    python -m bench.library [--documents 100000] [--others 20000] [--repeat 10] [--rebuild]
                            [--sequential 0.2] [--database NAME]

1. **Archive** (own database, default ``benchdev_library_<N>``, kept between runs): one user
   with N documents (no pages: the library lists metadata), 200 tags in a two-level tree,
   500 correspondents, 30 types, 5 custom fields (monetary, select, yes/no, date, text);
   tags 0-4 per document (Zipf-like: a few tags are on many documents), correspondent and
   type on 80 %, a document date on 90 %, each field on about half; two other users with
   ``--others`` documents each, so the table is not one user's. Ids as the app draws them
   (random in [2**32, 2**53)), except each user's oldest ``--sequential`` share, which has ids
   from the counter used before random ids, so the facet sample's two strata are both timed
   and checked. (An archive built before this option has other ids: ``--rebuild``.)
2. **Cases**: the library with 0, 1 (a tag) and 3 (tag + correspondent + year) facets applied,
   five different filters per case, each run ``--repeat`` times:
   - *list*: the page of 48 (ids in order, then their rows) as the view reads it;
   - *facets*: ``facet_counts`` (all facets, exact up to ``FACET_COUNT_LIMIT``, else a sample);
   - *page*: the whole library page through the Django test client (HTML rendered).
3. **Check** beside the time: the total against ``SELECT count(*)`` written by hand; each facet
   count (correspondent, type, year, status, language, tags through the tree, custom fields'
   "has a value") against a GROUP BY over every match (exact: must be equal; estimated: the largest
   relative error over values holding at least 2 % of the matches is reported).

Output: a table (p50/p95/max ms per case and operation), then ``p95_max_ms=`` and
``counts_ok=``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TAGS, CORRESPONDENTS, TYPES = 200, 500, 30


def _database(admin_url: str, name: str, rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def _load(
    owner: Any, count: int, rng: random.Random, *, organize: bool, sequential: float = 0.0
) -> float:
    """``count`` documents of ``owner`` (and their metadata), the oldest ``sequential`` share
    of them with ids from the old counter; seconds taken."""
    from django.db import connection, transaction

    from archive.models import Document
    from archive.organize.fields import custom_field_create
    from archive.organize.models import Correspondent, DocumentType, Tag

    started = time.perf_counter()
    # One template row through the ORM (every column with its Django default), then the rest
    # copied from it in SQL with their own values: 100,000 rows in seconds, not minutes.
    template = Document.objects.create(
        owner=owner,
        title="template",
        original=f"originals/bench/{owner.pk}/template",
        original_name="template.pdf",
        sha256=f"{owner.pk:032d}{'t':0>32}",
        mime_type="application/pdf",
        size=1000,
        status="done",
    )
    columns = [str(f.column) for f in Document._meta.concrete_fields]
    own = {
        # As the app draws them (archive.models.random_document_id): random in
        # [2**32, 2**53), except the oldest ``--sequential`` share, from the counter used
        # before random ids (below 2**32), so the facet sample's weighting of them is tested.
        "id": "CASE WHEN n >= %(first_old)s THEN %(owner)s::bigint * 100000000 + n "
        "ELSE 4294967296 + abs(hashtextextended(%(owner)s || ':' || n, 14)) "
        "%% (9007199254740992 - 4294967296) END",
        "title": "'document ' || n",
        "original": "'originals/bench/' || %(owner)s || '/' || n",
        "original_name": "n || '.pdf'",
        "sha256": "lpad(%(owner)s::text, 32, '0') || lpad(n::text, 32, '0')",
        "language": "(ARRAY['en','en','de','fr'])[1 + floor(random() * 4)::int]",
        "status": "CASE WHEN random() < 20.0 / 22 THEN 'done' WHEN random() < 0.5 "
        "THEN 'failed' ELSE 'needs_password' END",
        "page_count": "1 + floor(random() * 6)::int",
        "created": "t.created - n * interval '1 minute'",
    }
    select = ", ".join(own.get(c, f"t.{c}") for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO archive_document ({', '.join(columns)}) SELECT {select} "
            "FROM archive_document t CROSS JOIN generate_series(0, %(last)s) n "
            "WHERE t.id = %(template)s",
            {
                "owner": owner.pk,
                "last": count - 1,
                "template": template.pk,
                "first_old": count - round(count * sequential),
            },
        )
        template.delete()
    if not organize:
        return time.perf_counter() - started
    with transaction.atomic():
        parents = [
            Tag.objects.create(owner=owner, name=f"Group {g}", path=f"Group {g}") for g in range(20)
        ]
        for t in range(TAGS - len(parents)):
            parent = parents[t % len(parents)]
            Tag.objects.create(
                owner=owner, name=f"Tag {t}", parent=parent, path=f"{parent.path}/Tag {t}"
            )
        Correspondent.objects.bulk_create(
            [Correspondent(owner=owner, name=f"Correspondent {c}") for c in range(CORRESPONDENTS)]
        )
        DocumentType.objects.bulk_create(
            [DocumentType(owner=owner, name=f"Type {t}") for t in range(TYPES)]
        )
        kinds = [("Amount", "monetary"), ("Status", "select"), ("Paid", "boolean")]
        kinds += [("Due", "date"), ("Reference", "text")]
        fields = {}
        for name, kind in kinds:
            options = ["open", "paid", "disputed"] if kind == "select" else None
            fields[kind] = custom_field_create(
                owner=owner,
                name=name,
                data_type=kind,
                currency="EUR" if kind == "monetary" else "",
                select_options=options,
            )
    with transaction.atomic(), connection.cursor() as cursor:
        o = owner.pk
        # Random but repeatable (setseed), skewed so a few values are on many documents.
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(
            """
            UPDATE archive_document d SET
              correspondent_id = CASE WHEN random() < 0.8 THEN
                (SELECT min(id) FROM archive_correspondent WHERE owner_id = %s)
                + floor(%s * power(random(), 2))::int END,
              document_type_id = CASE WHEN random() < 0.8 THEN
                (SELECT min(id) FROM archive_documenttype WHERE owner_id = %s)
                + floor(%s * power(random(), 2))::int END,
              document_date = CASE WHEN random() < 0.9
                THEN date '2015-01-01' + floor(random() * 3650)::int END
            WHERE owner_id = %s
            """,
            [o, CORRESPONDENTS, o, TYPES, o],
        )
        cursor.execute(
            """
            INSERT INTO archive_document_tag (document_id, tag_id)
            SELECT DISTINCT d.id, t.ids[1 + floor(%s * power(random(), 3))::int]
            FROM archive_document d
            CROSS JOIN (SELECT array_agg(id ORDER BY id) ids FROM archive_tag
                        WHERE owner_id = %s AND parent_id IS NOT NULL) t
            CROSS JOIN LATERAL generate_series(1, floor(random() * 5)::int + (d.id * 0)) g
            WHERE d.owner_id = %s
            """,
            [TAGS - 20, o, o],
        )
        f = {kind: field.pk for kind, field in fields.items()}
        cursor.execute(
            """
            INSERT INTO archive_customfieldvalue
              (document_id, field_id, value_text, value_int, value_number, value_currency,
               value_date, value_bool, value_document_id)
            SELECT d.id, v.field, v.text, NULL, v.number, v.currency, v.day, v.flag, NULL
            FROM archive_document d CROSS JOIN LATERAL (VALUES
              (%s, NULL, round((random() * 2000)::numeric, 2), 'EUR', NULL::date, NULL::bool),
              (%s, (ARRAY['open','paid','disputed'])[1 + floor(random() * 3)::int], NULL, '',
               NULL, NULL),
              (%s, NULL, NULL, '', NULL, random() < 0.5),
              (%s, NULL, NULL, '', date '2020-01-01' + floor(random() * 2000)::int, NULL),
              (%s, 'REF-' || floor(random() * 100000)::text, NULL, '', NULL, NULL)
            ) AS v(field, text, number, currency, day, flag)
            WHERE d.owner_id = %s AND random() < 0.5
            """,
            [f["monetary"], f["select"], f["boolean"], f["date"], f["text"], o],
        )
    return time.perf_counter() - started


def _cases(owner: Any, rng: random.Random) -> dict[str, list[Any]]:
    from archive.organize.facets import LibraryFilter
    from archive.organize.models import Correspondent, Tag

    tags = list(Tag.objects.filter(owner=owner, parent__isnull=False).values_list("pk", flat=True))
    popular_tags = tags[:20]
    people = list(Correspondent.objects.filter(owner=owner).values_list("pk", flat=True))[:40]
    return {
        "0 facets": [LibraryFilter()] * 5,
        "1 facet (tag)": [LibraryFilter(tags=(rng.choice(popular_tags),)) for _ in range(5)],
        "3 facets (tag+corr.+year)": [
            LibraryFilter(
                tags=(rng.choice(popular_tags),),
                correspondents=(rng.choice(people),),
                year=rng.randint(2015, 2024),
            )
            for _ in range(5)
        ],
    }


def _reference(owner: Any, filt: Any) -> tuple[int, dict[str, dict[Any, int]]]:
    """(count, {facet: {value: count}}) over every match, by GROUP BY without any bound."""
    from django.db import connection

    from archive.models import Document

    matching = filt.apply(owner, Document.objects.filter(owner_id=owner.pk))
    sql, params = matching.order_by().values("id").query.sql_with_params()
    out: dict[str, dict[Any, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) m", params)
        total = cursor.fetchone()[0]
        for name, expr in (
            ("correspondent", "d.correspondent_id"),
            ("type", "d.document_type_id"),
            ("year", "extract(year FROM d.document_date)::int"),
            ("status", "d.status"),
            ("language", "d.language"),
        ):
            cursor.execute(
                f"SELECT {expr}, count(*) FROM archive_document d WHERE d.id IN ({sql}) GROUP BY 1",
                params,
            )
            out[name] = dict(cursor.fetchall())
        cursor.execute(
            f"""
            SELECT a.id, count(DISTINCT dt.document_id) FROM archive_tag a
            JOIN archive_tag t ON t.owner_id = a.owner_id
             AND (t.id = a.id OR t.path LIKE a.path || '/%%')
            JOIN archive_document_tag dt ON dt.tag_id = t.id
            WHERE a.owner_id = %s AND dt.document_id IN ({sql}) GROUP BY a.id
            """,
            [owner.pk, *params],
        )
        out["tags"] = dict(cursor.fetchall())
        # Custom fields: documents with a value, per field (the "has a value" counts).
        cursor.execute(
            f"""
            SELECT v.field_id, count(*) FROM archive_customfieldvalue v
            WHERE v.document_id IN ({sql}) AND (v.value_text IS NULL OR v.value_text <> '')
            GROUP BY 1
            """,
            params,
        )
        out["fields"] = dict(cursor.fetchall())
    return total, out


def _check(facets: Any, total: int, reference: dict[str, dict[Any, int]]) -> tuple[bool, float]:
    """(exact counts equal the reference, the largest relative error of estimated ones)."""
    if facets.total != total:
        return False, 1.0
    worst = 0.0
    ok = True
    for name, expected in reference.items():
        if name == "tags":
            got = facets.tags
        elif name == "fields":
            got = {f: n for (f, value), n in facets.fields.items() if value is None}
        else:
            got = facets.columns[name]
        for value, count in expected.items():
            if not facets.estimated:
                ok = ok and got.get(value, 0) == count
            elif count >= 0.02 * total:
                worst = max(worst, abs(got.get(value, 0) - count) / count)
        if not facets.estimated:
            ok = ok and {k: v for k, v in got.items() if v} == expected
    return ok, worst


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--others", type=int, default=20_000, help="documents of each other user")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument(
        "--sequential",
        type=float,
        default=0.2,
        help="share of each user's (oldest) documents with ids from before random ids",
    )
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database")
    args = parser.parse_args()
    name = args.database or f"benchdev_library_{args.documents}"
    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    _database(admin_url, name, args.rebuild)
    os.environ["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + name
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from archive import selectors
    from archive.models import Document
    from archive.organize.facets import count_limit, facet_counts
    from archive.views.library import ordered_ids

    settings.ALLOWED_HOSTS = ["*"]
    # Templates resolve static URLs without a collectstatic run (as the tests do).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    rng = random.Random(14)
    owner, created = User.objects.get_or_create(username="library-bench")
    if created or not Document.objects.filter(owner=owner).exists():
        seconds = _load(owner, args.documents, rng, organize=True, sequential=args.sequential)
        for other in ("other-1", "other-2"):
            user, _ = User.objects.get_or_create(username=other)
            _load(user, args.others, rng, organize=False, sequential=args.sequential)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        others = 2 * args.others
        print(f"loaded {args.documents} documents (+{others} of others) in {seconds:.0f} s")
    client = Client()
    client.force_login(owner)
    rows = []
    all_ok = True
    p95s = []
    for case, filters in _cases(owner, rng).items():
        times: dict[str, list[float]] = {"list": [], "facets": [], "page": []}
        queries = 0
        worst = 0.0
        estimated = False
        for filt in filters:
            total, reference = _reference(owner, filt)
            base = Document.objects.filter(owner_id=owner.pk)
            for _ in range(args.repeat):
                start = time.perf_counter()
                matching = filt.apply(owner, base)
                ids = list(ordered_ids(matching, total, ("-created", "-id"))[:48])
                shown = selectors.document_list(user=owner).filter(pk__in=ids).in_bulk()
                assert len(shown) == len(ids)
                times["list"].append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                facets = facet_counts(owner, filt.apply(owner, base))
                times["facets"].append((time.perf_counter() - start) * 1000)
                query = "&".join(f"{k}={v}" for k, v in filt.to_params())
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get("/?" + query)
                    times["page"].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
                assert f'id="library-count">({total})' in response.content.decode()
                queries = max(queries, len(captured))
            ok, error = _check(facets, total, reference)
            all_ok = all_ok and ok
            worst = max(worst, error)
            estimated = estimated or facets.estimated
        for op, values in times.items():
            values.sort()
            p95 = values[max(0, round(0.95 * len(values)) - 1)]
            p95s.append(p95)
            rows.append(
                (
                    case,
                    op,
                    len(values),
                    statistics.median(values),
                    p95,
                    values[-1],
                    "estimated" if estimated and op != "list" else "exact",
                    f"{worst:.3f}" if op == "facets" else "",
                    str(queries) if op == "page" else "",
                )
            )
    print(
        "| case | operation | runs | p50 ms | p95 ms | max ms | counts | max rel. error "
        "(estimated) | queries |"
    )
    print("|---|---|---:|---:|---:|---:|---|---:|---:|")
    for row in rows:
        case_name, op_name, n, p50, p95_ms, top, counts, rel_error, query_count = row
        print(
            f"| {case_name} | {op_name} | {n} | {p50:.1f} | {p95_ms:.1f} | {top:.1f} | {counts} "
            f"| {rel_error} | {query_count} |"
        )
    print(f"documents: {args.documents} (owner) + {2 * args.others} (others); database {name}")
    print(f"FACET_COUNT_LIMIT={count_limit()}")
    print(f"p95_max_ms={max(p95s):.1f}")
    print(f"counts_ok={all_ok}")


if __name__ == "__main__":
    main()
