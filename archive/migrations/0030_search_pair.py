"""Adjacent pairs of common words per document (``archive.search.pairs``), filled from the
stored vectors in one statement."""

import time

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Every indexed document's pairs (the writers keep them from now on)."""
    from archive.search.pairs import pairs_write

    started = time.monotonic()
    with schema_editor.connection.cursor() as cursor:
        pairs_write("true", [], cursor)
        cursor.execute("SELECT count(*) FROM archive_page WHERE search_vector IS NOT NULL")
        pages = cursor.fetchone()[0]
    seconds = time.monotonic() - started
    if pages > 1000:
        # The rate at which an existing archive is filled, for the operator upgrading one.
        print(f"  search pairs: {pages} pages in {seconds:.0f} s")


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0029_user_language_metadata_history"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchPair",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "owner",
                        "pair",
                        "document",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("pair", models.TextField(db_collation="C")),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="archive.document",
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"db_table": "archive_search_pair"},
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
