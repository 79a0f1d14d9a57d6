"""Exact top-k ranking: document lengths, term floors, and the impact lists (SearchImpact)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0009_search_term_deletes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
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
        migrations.CreateModel(
            name="SearchImpact",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "owner",
                        "term",
                        "impact",
                        "document",
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
            options={"db_table": "archive_search_impact"},
        ),
    ]
