"""The suggestion step at scale (issue 14): one user with 500 correspondents, 30 types, 200
tags and 5 custom fields (rules of every kind, a trained classifier), documents of 1, 5 and 20
pages. Measures ``archive.organize.suggest.document_suggest`` (rules, classifier, date, total,
and the writes) per document, and checks each answer: the correspondent, date and total written
into the document must be the ones suggested.

Run: ``python -m bench.organize_suggest [--database organize_suggest_bench] [--repeat 10]``
(the database is made and migrated if needed; its ``bench-organize`` user is replaced).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

_VOCABULARY = (
    "invoice delivery customer order account payment amount balance service contract period "
    "number address reference statement monthly annual tariff meter reading insurance policy "
    "premium coverage repair material labour shipping handling discount subtotal thanks"
)
WORDS = _VOCABULARY.split()


def _setup_database(name: str) -> None:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    import psycopg

    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + name


def _page(rng: random.Random, lines: int) -> str:
    return "\n".join(" ".join(rng.choice(WORDS) for _ in range(8)) for _ in range(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="organize_suggest_bench")
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    _setup_database(args.database)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from archive.models import CustomFieldValue, Document, Page
    from archive.organize import services
    from archive.organize.suggest import document_suggest

    call_command("migrate", verbosity=0)
    User.objects.filter(username="bench-organize").delete()
    owner = User.objects.create_user("bench-organize")
    rng = random.Random(14)
    shops = []
    for index in range(500):
        algorithm = ["any", "exact", "fuzzy", "regex", "auto"][index % 5]
        name = f"Shop{index:03d} Handel"
        pattern = {
            "any": f"shop{index:03d}",
            "exact": f"shop{index:03d} handel",
            "fuzzy": f"Shop{index:03d} Handel",
            "regex": rf"shop{index:03d}\s+handel",
            "auto": "",
        }[algorithm]
        shops.append(
            services.correspondent_create(
                owner=owner, name=name, match_algorithm=algorithm, match_pattern=pattern
            )
        )
    for index in range(30):
        services.document_type_create(
            owner=owner,
            name=f"Kind{index}",
            match_algorithm="all",
            match_pattern=f"kind{index} form",
        )
    for index in range(200):
        services.tag_create(
            owner=owner,
            name=f"Tag{index}",
            match_algorithm="any" if index % 2 else "auto",
            match_pattern=f"label{index}" if index % 2 else "",
        )
    services.custom_field_create(
        owner=owner,
        name="Total",
        data_type="monetary",
        currency="EUR",
        suggest="total",
        match_algorithm="any",
        match_pattern="total summe",
    )
    for index in range(4):
        services.custom_field_create(owner=owner, name=f"Field{index}", data_type="text")

    def document(title: str, pages: list[str]) -> Document:
        made = Document.objects.create(
            owner=owner,
            title=title,
            original=f"bench/{title}",
            original_name=title,
            sha256=f"{rng.getrandbits(250):064x}"[:64],
            mime_type="image/png",
            size=1,
            language="en",
            status=Document.Status.DONE,
            page_count=len(pages),
        )
        Page.objects.bulk_create(
            Page(document=made, number=n, text=text) for n, text in enumerate(pages, 1)
        )
        return made

    # 300 filed documents teach the classifier (auto correspondents and tags).
    auto = [shop for shop in shops if shop.match_algorithm == "auto"][:30]
    for index in range(300):
        shop = auto[index % len(auto)]
        filed = document(f"filed-{index}", [f"{shop.name} account {_page(rng, 10)}"])
        services.documents_set_correspondent(owner=owner, documents=[filed.pk], correspondent=shop)
    started = time.perf_counter()
    row = services.classifier_train(owner.pk)
    print(
        f"classifier: {row.trained_on} documents, trained in {time.perf_counter() - started:.2f} s"
    )

    print("| pages | documents | p50 ms | p95 ms | max ms | answers right |")
    print("|---:|---:|---:|---:|---:|---:|")
    for pages in (1, 5, 20):
        times: list[float] = []
        right = 0
        for repeat in range(args.repeat):
            shop = shops[rng.randrange(0, 500, 5)]  # an "any" rule
            day = date(2024, 1, 1) + timedelta(days=rng.randrange(300))
            total = Decimal(rng.randrange(100, 99999)) / 100
            texts = [_page(rng, 40) for _ in range(pages)]
            texts[0] = f"{shop.name}\nInvoice date {day:%d.%m.%Y}\n" + texts[0]
            texts[-1] += f"\nTotal EUR {total:.2f}\n"
            made = document(f"bench-{pages}-{repeat}", texts)
            made.language = "de"  # day first: 05.03.2024
            made.save(update_fields=["language"])
            begin = time.perf_counter()
            document_suggest(made.pk)
            times.append((time.perf_counter() - begin) * 1000)
            made.refresh_from_db()
            value = CustomFieldValue.objects.filter(document=made, field__name="Total").first()
            right += (
                made.correspondent_id == shop.pk
                and made.document_date == day
                and value is not None
                and value.value_number == total
            )
        times.sort()
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(
            f"| {pages} | {len(times)} | {statistics.median(times):.0f} | {p95:.0f} | "
            f"{times[-1]:.0f} | {right}/{len(times)} |"
        )


if __name__ == "__main__":
    main()
