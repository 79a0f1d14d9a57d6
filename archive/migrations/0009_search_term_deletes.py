"""A candidate index for close spellings of a user's words (typo tolerance on stock PostgreSQL).

``search_term_deletes(term)``: the term and every spelling with one character deleted (a
SymSpell-style deletion neighbourhood). A GIN index over it, on the expression and only for
words as written (``surface``), is kept up to date by whatever inserts or updates terms: the
index writers need no change. A query word's own deletions (up to two) meet a close term's keys
in this index; the candidates are then checked in Python (``archive.search.spelling``).

An expression index rather than a stored generated column: the keys live in the index alone.
Measured at 414,000 terms (``bench/vocabulary.py``), a stored column added 154 bytes per term to
the table (62 MB) that no query reads. Stems (``surface`` false) are never looked up: the
partial index leaves them out.

Bounded by design: terms shorter than 4 or longer than 24 characters, and terms of digits only,
keep just their exact key (their deletions are never looked up), so OCR garbage of any length
costs at most one key.
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models
from django.db.models import F, Func

FUNCTION = """
CREATE OR REPLACE FUNCTION search_term_deletes(term text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT CASE
        WHEN char_length(term) < 4 OR char_length(term) > 24 OR term ~ '^[0-9]+$'
            THEN ARRAY[term]
        ELSE ARRAY(
            SELECT DISTINCT spelling FROM (
                SELECT term AS spelling
                UNION ALL
                SELECT overlay(term PLACING '' FROM i FOR 1)
                FROM generate_series(1, char_length(term)) AS i
            ) AS spellings
        )
    END
$$
"""


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0008_search_terms"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS search_term_deletes(text)"),
        migrations.AddIndex(
            model_name="searchterm",
            index=GinIndex(
                Func(F("term"), function="search_term_deletes"),
                name="search_term_deletes_gin",
                condition=models.Q(surface=True),
            ),
        ),
        # Autocomplete: a user's surface words by prefix, read from the index alone.
        migrations.AddIndex(
            model_name="searchterm",
            index=models.Index(
                fields=["owner", "term"],
                name="search_term_surface",
                include=["documents"],
                condition=models.Q(surface=True),
            ),
        ),
    ]
