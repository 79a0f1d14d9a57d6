"""Exact top-k ranking: document lengths, term floors, and the impact lists.

``archive_search_impact`` has no Django model: it is written and read only in SQL by
``archive.search.terms`` and ``archive.search.ranking``, and has no id column (an id would be
one more index to write per entry). Its rows go when their document goes (``ON DELETE
CASCADE``), so a deletion through any path keeps each list complete above its floor.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0008_search_terms"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="search_length",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Positions in the search vector (BM25's document length; archive.search).",
            ),
        ),
        migrations.AlterField(
            model_name="searchterm",
            name="documents",
            field=models.IntegerField(
                default=0, help_text="How many of the owner's documents hold the term."
            ),
        ),
        migrations.AddField(
            model_name="searchterm",
            name="floor",
            field=models.FloatField(
                blank=True,
                null=True,
                help_text="The term has an impact list holding every document with impact >= "
                "floor (archive.search.terms); None: no list, the term is rare.",
            ),
        ),
        migrations.RunSQL(
            """
            CREATE TABLE archive_search_impact (
                owner_id integer NOT NULL,
                term text COLLATE "C" NOT NULL,
                impact double precision NOT NULL,
                document_id bigint NOT NULL
                    REFERENCES archive_document (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
            );
            CREATE INDEX search_impact_order
                ON archive_search_impact (owner_id, term, impact DESC, document_id DESC);
            CREATE INDEX search_impact_document ON archive_search_impact (document_id);
            """,
            "DROP TABLE archive_search_impact",
        ),
    ]
