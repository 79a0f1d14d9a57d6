"""Re-index every document once for this release's search: OCR-aware tokens (line-end
hyphenation, compound tokens), position weights that tell the exact reading from the stemmed
one, and the BM25 statistics (document lengths, term counts, impact lists).

Stored vectors from earlier releases lack all three: without this, ranking and the vocabulary
(autocomplete, close spellings) would read stale or empty statistics. It runs
``manage.py reindex`` (the same writers as uploads, a batch per transaction): instant on a new
install; on an existing one it prints the pages per second it reached.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db import migrations


def reindex(apps: Any, schema_editor: Any) -> None:
    Document = apps.get_model("archive", "Document")
    if Document.objects.exists():
        call_command("reindex")


class Migration(migrations.Migration):
    # Each batch commits on its own (as the command does when run by hand).
    atomic = False

    dependencies = [("archive", "0011_language_detection")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
