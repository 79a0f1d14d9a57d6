"""Search at scale: ``tsvector_agg`` (a document's vector is its pages' vectors concatenated,
so page text is parsed once) and an (owner, language) index for the configurations a query
must cover; no GIN index on page vectors (pages are matched within the documents on screen
only, through their document_id). Plain SQL, no extension: it runs on the embedded PostgreSQL too."""

from django.conf import settings
from django.db import migrations, models

TSVECTOR_AGG = """
CREATE AGGREGATE tsvector_agg(tsvector) (
    SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = ''
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_ingestion_fields"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["owner", "language"], name="document_owner_language"),
        ),
        migrations.RemoveIndex(model_name="page", name="page_search_gin"),
        migrations.RunSQL(TSVECTOR_AGG, "DROP AGGREGATE tsvector_agg(tsvector)"),
    ]
