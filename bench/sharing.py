"""Library, facets and search with sharing at scale, every answer checked against plain SQL.

Usage::

    python -m bench.sharing [--documents 100000] [--repeat 10] [--search-repeat 5]
                            [--words 150] [--rebuild] [--database NAME]

1. **Archive** (own database, default ``benchdev_sharing_<N>``, kept between runs): 50 users
   owning N documents, skewed (owner i holds a share ~ (i+1)^-1.1: the first owns ~20 %, the
   last a few dozen); 10 groups of 5-15 members; each owner shares a share of their documents
   drawn in [0, 60 %] (the first 40 %), each shared document with 1-2 grantees: a group
   (60 %, groups 0-3 the busiest) or a user (40 %, skewed), 30 % of grants to edit. Text: one
   page per document from ``bench.search_corpus`` (real ``wordfreq`` vocabulary, en/de/fr/es/
   zh), cut to ``--words`` words, with its title; a document date on 90 %, a correspondent of
   the owner's 10 on 70 %. Loaded with COPY and INSERT ... SELECT, vectors written in SQL the
   way ``archive.search.index`` writes them (same ``_vector_sql``, title A || page), then each
   owner's statistics (lengths, postings, df, impact lists) by ``statistics_rebuild`` (what
   ``manage.py reindex`` ends with), the GIN index built once at the end.
2. **Viewers**: a heavy owner nothing is shared with (the plain owner plans: the baseline of
   the same run), a user in groups 0-3 and nothing direct, a heavy owner with direct and group
   grants, and a light owner with exactly 25 direct grants.
3. **Operations** per viewer, each run ``--repeat`` times (search ``--search-repeat`` per
   query): *list* (the page of 48 ids as the library reads them), *facets* (``facet_counts``),
   *page* (``GET /`` through the Django test client, 0 facets and 1 facet: a year) and search
   (``archive.search.shared.visible_search_page``: first page of 20 with count and facets) for
   three rare words, three common words and three pairs of medium words.
4. **Checks** beside the time, against plain SQL over the permission tables (visible = owner,
   or a user grant, or a grant to a group of theirs): the count; the list's 48 ids; each exact
   facet count (year, status, language, correspondent) or, past ``FACET_COUNT_LIMIT`` where
   they are estimated, that no value appears that no visible document has (and the largest
   relative error over values holding 2 % of the matches); the search count (when exact) and
   the top 20 against every visible match scored with the app's formula from the vectors
   (``archive.search.bm25.scores``, ``from_vectors``), each owner's documents by that owner's
   statistics as the merged search does (equal scores may swap).

Output: a table (viewer, operation, runs, p50/p95/max ms, check), then ``p95_max_ms=`` (library
and facets), ``search_p95_max_ms=`` and ``checks_ok=``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
USERS, GROUPS = 50, 10
CORRESPONDENTS = 10  # per owner
YEAR = 2020  # the 1-facet case
# Viewers by user index: the grant plan below makes them what their label says.
HEAVY_ALONE, GROUPS_ONLY, BOTH, FEW_DIRECT = 0, 1, 2, USERS - 1
VIEWERS = {
    HEAVY_ALONE: "heavy owner, nothing shared with them",
    GROUPS_ONLY: "member of 4 busy groups, no direct grant",
    BOTH: "heavy owner, direct and group grants",
    FEW_DIRECT: "light owner, 25 direct grants",
}

# Visibility written by hand over the permission tables (not through archive.sharing).
VISIBLE = """
    (d.owner_id = %(viewer)s OR EXISTS (
        SELECT 1 FROM archive_documentpermission p
        WHERE p.document_id = d.id AND (p.user_id = %(viewer)s OR p.group_id IN (
            SELECT g.group_id FROM auth_user_groups g WHERE g.user_id = %(viewer)s))))
"""


def _database(admin_url: str, name: str, rebuild: bool) -> bool:
    """Create the database if needed; True if it holds a complete archive (a load cut short
    is dropped and built again)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    if exists and not rebuild:
        with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/" + name) as conn:
            if conn.execute("SELECT to_regclass('auth_user')").fetchone() != (None,):
                done = conn.execute(
                    "SELECT 1 FROM auth_user WHERE username = 'sharebench-complete'"
                ).fetchone()
                if done:
                    return True
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if exists:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return False


def _texts(count: int, words: int) -> list[tuple[str, str, str]]:
    """(language, title, page text) of ``count`` documents from the search bench's corpus:
    each document's first page, cut to ``words`` words."""
    from bench import search_corpus as corpus

    out: list[tuple[str, str, str]] = []
    chunk = 0
    while len(out) < count:
        generated, _ids = corpus.generate_chunk(7, chunk, 10**9)
        for doc in generated:
            # Chinese is written without spaces: cut by characters (about two a word).
            text = doc.pages[0]
            text = text[: words * 2] if doc.language == "zh" else " ".join(text.split()[:words])
            out.append((doc.language, doc.title, text))
        chunk += 1
    return out[:count]


def _plan(documents: int, seed: int) -> dict[str, Any]:
    """Owners, group members and grants (as index arrays), repeatable from ``seed``."""
    rng = np.random.default_rng(seed)
    weights = (np.arange(USERS) + 1.0) ** -1.1
    owners = rng.choice(USERS, size=documents, p=weights / weights.sum())
    # Every user owns something (the light owner a few dozen).
    owners[:USERS] = np.arange(USERS)
    members: list[list[int]] = []
    outsiders = {HEAVY_ALONE, FEW_DIRECT, GROUPS_ONLY}
    candidates = np.asarray([u for u in range(USERS) if u not in outsiders])
    for g in range(GROUPS):
        size = int(rng.integers(5, 16))
        chosen = [int(u) for u in rng.choice(candidates, size=size, replace=False)]
        members.append(chosen + ([GROUPS_ONLY] if g < 4 else []))
    members[0] = sorted(set(members[0]) | {BOTH})
    share = rng.uniform(0.0, 0.6, size=USERS)
    share[HEAVY_ALONE] = 0.4
    group_weights = 1.0 / (np.arange(GROUPS) + 1.0)
    group_weights /= group_weights.sum()
    direct = np.asarray([u for u in range(USERS) if u not in outsiders])
    direct_weights = 1.0 / (direct + 1.0)
    direct_weights /= direct_weights.sum()
    grants: dict[tuple[int, str, int], bool] = {}  # (document, "u"/"g", grantee) -> edit
    shared = np.nonzero(rng.random(documents) < share[owners])[0]
    for doc in shared:
        for _ in range(1 + int(rng.random() < 0.3)):
            edit = bool(rng.random() < 0.3)
            if rng.random() < 0.6:
                grants[(int(doc), "g", int(rng.choice(GROUPS, p=group_weights)))] = edit
            else:
                user = int(rng.choice(direct, p=direct_weights))
                if user != owners[doc]:
                    grants[(int(doc), "u", user)] = edit
    others = np.nonzero(owners != FEW_DIRECT)[0]
    for doc in rng.choice(others, size=25, replace=False):
        grants[(int(doc), "u", FEW_DIRECT)] = bool(rng.random() < 0.3)
    return {"owners": owners, "members": members, "grants": grants}


def _build(documents: int, words: int, seed: int) -> dict[str, float]:
    """Load the archive; seconds per step."""
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from archive.languages import search_config
    from archive.models import Document, Page
    from archive.organize.models import Correspondent
    from archive.search.index import _vector_sql
    from archive.search.terms import statistics_rebuild
    from archive.search.textnorm import index_text

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    texts = _texts(documents, words)
    plan = _plan(documents, seed)
    seconds["text"] = time.perf_counter() - started
    users = [User.objects.create(username=f"share-{u:02d}") for u in range(USERS)]
    groups = [Group.objects.create(name=f"Team {g}") for g in range(GROUPS)]
    for group, members in zip(groups, plan["members"], strict=True):
        group.user_set.add(*(users[u] for u in members))
    for user in users:
        Correspondent.objects.bulk_create(
            Correspondent(owner=user, name=f"Sender {c}") for c in range(CORRESPONDENTS)
        )
    started = time.perf_counter()
    gin = next(index for index in Document._meta.indexes if index.name == "document_search_gin")
    with connection.schema_editor() as editor:
        editor.remove_index(Document, gin)
    owners = plan["owners"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_text (n int, owner_id int, language text, config text, "
            "title text, title_ix text, body text, body_ix text) ON COMMIT DROP"
        )
        with cursor.cursor.copy(
            "COPY bench_text (n, owner_id, language, config, title, title_ix, body, body_ix) "
            "FROM STDIN"
        ) as copy:
            for n, (language, title, body) in enumerate(texts):
                copy.write_row(
                    (
                        n,
                        users[int(owners[n])].pk,
                        language,
                        search_config(language),
                        title,
                        index_text(title),
                        body,
                        index_text(body),
                    )
                )
        # The page's vector once, for the page and the document (title A || pages, as
        # documents_index writes it); ids as the app draws them (random in [2**32, 2**53)).
        cursor.execute(
            "ALTER TABLE bench_text ADD COLUMN id bigint, ADD COLUMN vec tsvector, "
            "ADD COLUMN title_vec tsvector"
        )
        cursor.execute(
            "UPDATE bench_text SET id = 4294967296 + abs(hashtextextended('sharebench:' || n, 0))"
            " % (9007199254740992 - 4294967296), "
            f"vec = {_vector_sql('config::regconfig', 'body_ix', 'B')}, "
            f"title_vec = {_vector_sql('config::regconfig', 'title_ix', 'A')}"
        )
        seconds["copy and vectors"] = time.perf_counter() - started
        started = time.perf_counter()
        template = Document.objects.create(
            owner=users[0],
            title="template",
            original="originals/bench/template",
            original_name="template.pdf",
            sha256="t" * 64,
            mime_type="application/pdf",
            size=1000,
            status="done",
            page_count=1,
        )
        page = Page.objects.create(document=template, number=1, text="template")
        own = {
            "id": "s.id",
            "owner_id": "s.owner_id",
            "title": "s.title",
            "original": "'originals/bench/' || s.n",
            "original_name": "s.n || '.pdf'",
            "sha256": "lpad(s.n::text, 64, '0')",
            "language": "s.language",
            "created": "t.created - s.n * interval '1 minute'",
            "search_vector": "s.title_vec || s.vec",
            "document_date": "CASE WHEN hashtext('date' || s.n) %% 10 <> 0 THEN date '2015-01-01'"
            " + abs(hashtext('day' || s.n)) %% 3650 END",
            "correspondent_id": "CASE WHEN abs(hashtext('c' || s.n)) %% 10 < 7 THEN (SELECT "
            "array_agg(c.id ORDER BY c.id) FROM archive_correspondent c "
            f"WHERE c.owner_id = s.owner_id)[1 + abs(hashtext('k' || s.n)) %% {CORRESPONDENTS}] "
            "END",
        }
        columns = [str(f.column) for f in Document._meta.concrete_fields]
        select = ", ".join(own.get(c, f"t.{c}") for c in columns)
        cursor.execute(
            f"INSERT INTO archive_document ({', '.join(columns)}) SELECT {select} "
            "FROM archive_document t CROSS JOIN bench_text s WHERE t.id = %s",
            [template.pk],
        )
        page_own = {"document_id": "s.id", "text": "s.body", "search_vector": "s.vec"}
        page_columns = [str(f.column) for f in Page._meta.concrete_fields if f.column != "id"]
        page_select = ", ".join(page_own.get(c, f"t.{c}") for c in page_columns)
        cursor.execute(
            f"INSERT INTO archive_page ({', '.join(page_columns)}) SELECT {page_select} "
            "FROM archive_page t CROSS JOIN bench_text s WHERE t.id = %s",
            [page.pk],
        )
        template.delete()
        cursor.execute("SELECT n, id FROM bench_text")
        ids = dict(cursor.fetchall())
        with cursor.cursor.copy(
            "COPY archive_documentpermission (document_id, user_id, group_id, level, created, "
            "granted_by_id) FROM STDIN"
        ) as copy:
            for (doc, kind, grantee), edit in plan["grants"].items():
                copy.write_row(
                    (
                        ids[doc],
                        users[grantee].pk if kind == "u" else None,
                        groups[grantee].pk if kind == "g" else None,
                        "edit" if edit else "view",
                        template.created,
                        users[int(owners[doc])].pk,
                    )
                )
    seconds["documents, pages, grants"] = time.perf_counter() - started
    started = time.perf_counter()
    for user in users:
        with transaction.atomic():
            statistics_rebuild(user.pk)
    seconds["statistics (50 owners)"] = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
    with connection.schema_editor() as editor:
        editor.add_index(Document, gin)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    seconds["GIN and ANALYZE"] = time.perf_counter() - started
    User.objects.create(username="sharebench-complete", is_active=False)
    return seconds


def _fetch(sql: str, params: dict[str, Any] | list[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _year_sql(year: int | None) -> str:
    return "" if year is None else f" AND extract(year FROM d.document_date) = {int(year)}"


def _library_reference(viewer: int, year: int | None) -> tuple[int, list[int], dict[str, Any]]:
    """(count, the first 48 ids newest first, {facet: {value: count}}) of what ``viewer``
    may see, by hand."""
    where = f"{VISIBLE}{_year_sql(year)}"
    params = {"viewer": viewer}
    total = _fetch(f"SELECT count(*) FROM archive_document d WHERE {where}", params)[0][0]
    first = _fetch(
        f"SELECT d.id FROM archive_document d WHERE {where} ORDER BY d.created DESC, d.id DESC "
        "LIMIT 48",
        params,
    )
    facets: dict[str, Any] = {}
    for name, expr in (
        ("year", "extract(year FROM d.document_date)::int"),
        ("status", "d.status"),
        ("language", "d.language"),
        ("correspondent", "d.correspondent_id"),
    ):
        rows = _fetch(
            f"SELECT {expr}, count(*) FROM archive_document d WHERE {where} GROUP BY 1", params
        )
        facets[name] = dict(rows)
    return total, [row[0] for row in first], facets


def _facets_check(facets: Any, total: int, reference: dict[str, Any]) -> tuple[bool, str]:
    """Exact facets equal the reference; estimated ones name no value the reference lacks
    (and their largest relative error over values holding 2 % of the matches)."""
    if facets.total != total:
        return False, f"total {facets.total} != {total}"
    ok, worst = True, 0.0
    for name, expected in reference.items():
        got = {k: v for k, v in facets.columns[name].items() if v}
        if not facets.estimated:
            ok = ok and got == {k: v for k, v in expected.items() if v}
            continue
        ok = ok and set(got) <= set(expected)
        for value, count in expected.items():
            if count >= 0.02 * total:
                worst = max(worst, abs(got.get(value, 0) - count) / count)
    if facets.estimated:
        return ok, f"estimated, rel. err {worst:.2f}"
    return ok, "exact"


def _search_reference(viewer: int, query: str) -> tuple[int, list[tuple[float, int]]]:
    """(count, every visible match as (score, id), best first), each owner's matches by that
    owner's own tsquery and statistics (as the merged search ranks them)."""
    from django.contrib.auth.models import User

    from archive.search.bm25 import query_weights, scores
    from archive.search.planning import build_tsquery, user_configs

    total, scored = 0, []
    for owner in User.objects.filter(username__startswith="share-"):
        tsquery = build_tsquery(query, user_configs(owner))
        if tsquery is None:
            continue
        ids = [
            row[0]
            for row in _fetch(
                "SELECT d.id FROM archive_document d WHERE d.owner_id = %(owner)s "
                f"AND d.search_vector @@ %(q)s::tsquery AND {VISIBLE}",
                {"owner": owner.pk, "q": tsquery, "viewer": viewer},
            )
        ]
        total += len(ids)
        if ids:
            weights = query_weights(int(owner.pk), tsquery).weights
            scored += [(s, pk) for pk, s in scores(ids, weights, from_vectors=True).items()]
    return total, sorted(scored, reverse=True)


def _search_check(page: Any, total: int, ranked: list[tuple[float, int]]) -> tuple[bool, str]:
    """The count (when exact) and the top 20 (as ids, or as scores where equal ones swap)."""
    ok = page.estimated or page.total == total
    got = [hit.pk for hit in page.hits]
    want = [pk for _s, pk in ranked[:20]]
    if got == want:
        return ok, "exact" if not page.estimated else "top 20 exact, count estimated"
    score = {pk: round(s, 9) for s, pk in ranked}
    same = sorted((score.get(pk, -1.0) for pk in got), reverse=True) == [
        round(s, 9) for s, _pk in ranked[:20]
    ]
    return ok and same, "ties swapped" if same else f"top 20 differs ({len(set(got) - set(want))})"


def _queries() -> dict[str, list[str]]:
    """Three words of each class by document frequency over the whole archive (surface words
    of 4+ letters): rare (2-5 documents), common (5-10 %), and pairs of medium (0.5-2 %)."""
    documents = _fetch("SELECT count(*) FROM archive_document", [])[0][0]

    def words(low: float, high: float, count: int) -> list[str]:
        rows = _fetch(
            "SELECT term FROM archive_searchterm WHERE surface AND term ~ '^[a-z]{4,}$' "
            "GROUP BY term HAVING sum(documents) BETWEEN %s AND %s ORDER BY md5(term) LIMIT %s",
            [low, high, count],
        )
        return [row[0] for row in rows]

    medium = words(0.005 * documents, 0.02 * documents, 6)
    return {
        "rare word": words(2, 5, 3),
        "common word": words(0.05 * documents, 0.10 * documents, 3),
        "two words": [f"{a} {b}" for a, b in zip(medium[::2], medium[1::2], strict=True)],
    }


def _timed(fn: Callable[[], Any], runs: int, times: list[float]) -> Any:
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10, help="runs of each library case")
    parser.add_argument("--search-repeat", type=int, default=5, help="runs of each query")
    parser.add_argument("--words", type=int, default=150, help="words kept of each page")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--database")
    args = parser.parse_args()
    name = args.database or f"benchdev_sharing_{args.documents}"
    admin_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    ready = _database(admin_url, name, args.rebuild)
    os.environ["DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + "/" + name
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from archive import selectors
    from archive.organize.facets import LibraryFilter, count_limit, facet_counts
    from archive.search.shared import visible_search_page
    from archive.sharing.access import visible_documents
    from archive.views.library import ordered_ids

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    if not ready:
        steps = _build(args.documents, args.words, args.seed)
        print("build: " + "; ".join(f"{k} {v:.0f} s" for k, v in steps.items()), flush=True)
    grants = _fetch(
        "SELECT count(*), count(DISTINCT document_id), count(user_id), count(group_id) "
        "FROM archive_documentpermission",
        [],
    )[0]
    queries = _queries()
    rows: list[tuple[str, str, int, float, float, float, str]] = []
    all_ok = True
    library_p95s: list[float] = []
    search_p95s: list[float] = []

    def row(viewer: str, op: str, times: list[float], check: str, search: bool) -> None:
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        (search_p95s if search else library_p95s).append(p95)
        rows.append((viewer, op, len(times), statistics.median(times), p95, times[-1], check))

    for index, label in VIEWERS.items():
        viewer = User.objects.get(username=f"share-{index:02d}")
        visible = visible_documents(viewer).count()
        who = f"{viewer.username}: {label} (sees {visible})"
        print(f"viewer {who}", flush=True)
        client = Client()
        client.force_login(viewer)
        for case, year in (("0 facets", None), ("1 facet (year)", YEAR)):
            filt = LibraryFilter(year=year)
            total, first, reference = _library_reference(viewer.pk, year)
            times: dict[str, list[float]] = {"list": [], "facets": [], "page": []}

            def listed(filt: Any = filt, total: int = total, viewer: Any = viewer) -> list[int]:
                matching = filt.apply(viewer, visible_documents(viewer))
                ids = list(ordered_ids(matching, total, ("-created", "-id"))[:48])
                shown = selectors.document_list(user=viewer).filter(pk__in=ids).in_bulk()
                return [pk for pk in ids if pk in shown]

            ids = _timed(listed, args.repeat, times["list"])
            ok = ids == first
            all_ok = all_ok and ok
            row(who, f"list, {case}", times["list"], "ok" if ok else "FAIL", False)

            def counted(filt: Any = filt, viewer: Any = viewer) -> Any:
                return facet_counts(viewer, filt.apply(viewer, visible_documents(viewer)))

            facets = _timed(counted, args.repeat, times["facets"])
            ok, note = _facets_check(facets, total, reference)
            all_ok = all_ok and ok
            row(who, f"facets, {case}", times["facets"], ("ok, " if ok else "FAIL, ") + note, False)
            url = "/" if year is None else f"/?year={year}"
            client.get(url)  # warm (the first request of a client loads templates)
            response = _timed(partial(client.get, url), args.repeat, times["page"])
            html = response.content.decode()
            ok = response.status_code == 200 and any(
                f'id="library-count">({shown})' in html for shown in (total, f"{total:,}")
            )
            all_ok = all_ok and ok
            row(who, f"page, {case}", times["page"], f"ok ({total})" if ok else "FAIL", False)
        for kind, texts in queries.items():
            times_search: list[float] = []
            notes = []
            for text in texts:
                total, ranked = _search_reference(viewer.pk, text)
                visible_search_page(user=viewer, query=text)  # warm
                search = partial(visible_search_page, user=viewer, query=text)
                page = _timed(search, args.search_repeat, times_search)
                ok, note = _search_check(page, total, ranked)
                all_ok = all_ok and ok
                notes.append(f"{total}{'' if ok else ' FAIL ' + note}")
            check = "counts " + "/".join(notes)
            row(who, f"search, {kind}", times_search, check, True)

    print("| viewer | operation | runs | p50 ms | p95 ms | max ms | check |")
    print("|---|---|---:|---:|---:|---:|---|")
    for viewer_name, op, runs, p50, p95, top, check in rows:
        print(f"| {viewer_name} | {op} | {runs} | {p50:.1f} | {p95:.1f} | {top:.1f} | {check} |")
    documents = _fetch("SELECT count(*) FROM archive_document", [])[0][0]
    print(
        f"documents: {documents}; {USERS} users, {GROUPS} groups; grants: {grants[0]} on "
        f"{grants[1]} documents ({grants[2]} to users, {grants[3]} to groups); database {name}"
    )
    print("queries: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in queries.items()))
    print(f"FACET_COUNT_LIMIT={count_limit()}; loadavg {Path('/proc/loadavg').read_text().strip()}")
    print(f"p95_max_ms={max(library_p95s):.1f}")
    print(f"search_p95_max_ms={max(search_p95s):.1f}")
    print(f"checks_ok={all_ok}")


if __name__ == "__main__":
    main()
