"""Per-(document, term) postings with their BM25 impacts, filled from the stored vectors."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Every indexed document's postings, from its vector (the writers keep them from now on)."""
    from archive.search.bm25 import impact_sql, tf_sql

    schema_editor.execute(
        "INSERT INTO archive_search_posting (document_id, term, impact) "
        f"SELECT d.id, u.lexeme, {impact_sql(tf_sql('u'), 'd.search_length')} "
        "FROM archive_document d, unnest(d.search_vector) u WHERE d.search_vector IS NOT NULL"
    )


class Migration(migrations.Migration):
    dependencies = [("archive", "0022_sharing")]

    operations = [
        migrations.CreateModel(
            name="SearchPosting",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "document",
                        "term",
                        blank=True,
                        editable=False,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("term", models.TextField(db_collation="C")),
                ("impact", models.FloatField()),
                (
                    "document",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="+",
                        to="archive.document",
                    ),
                ),
            ],
            options={"db_table": "archive_search_posting"},
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
