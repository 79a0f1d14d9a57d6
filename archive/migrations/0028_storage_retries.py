from django.db import migrations, models


class Migration(migrations.Migration):
    # Re-chained at merge (written against 0027_start_page, the leaf of this checkout).
    dependencies = [("archive", "0027_start_page")]

    operations = [
        migrations.AddField(
            model_name="document",
            name="retry_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the system re-runs this document failed by the file storage.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="storage_retries",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Automatic re-runs after storage failures since it was last done.",
            ),
        ),
    ]
