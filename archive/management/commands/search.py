"""``manage.py search "QUERY" --owner USERNAME [--json]``: search from scripts.

Text output: one block per hit (id, rank, title, pages, snippet with matches in [brackets]).
``--json``: one JSON array of {"id", "title", "rank", "pages", "snippet", "snippet_html"}.
"""

from __future__ import annotations

import html
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from archive.management.owners import owner_named
from archive.search import document_search


def plain_snippet(snippet_html: str) -> str:
    """The snippet as plain text with each match in [brackets]."""
    return html.unescape(snippet_html.replace("<mark>", "[").replace("</mark>", "]"))


class Command(BaseCommand):
    help = "Search a user's documents (same syntax as the web UI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("query")
        parser.add_argument("--owner", required=True)
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true", help="Print one JSON array.")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = owner_named(options["owner"])
        hits = document_search(user=owner, query=options["query"], limit=options["limit"])
        rows = [
            {
                "id": hit.document.pk,
                "title": hit.document.title,
                "rank": round(hit.rank, 6),
                "pages": hit.pages,
                "snippet": plain_snippet(hit.snippet),
                "snippet_html": str(hit.snippet),
            }
            for hit in hits
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write("No documents found.")
        for row in rows:
            pages = ", ".join(str(n) for n in row["pages"])  # type: ignore[attr-defined]
            self.stdout.write(f"{row['id']}\t{row['rank']:.4f}\t{row['title']}\tpages {pages}")
            if row["snippet"]:
                self.stdout.write(f"\t{row['snippet']}")
