from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0005_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="searchable_pdf",
            field=models.FileField(
                blank=True,
                editable=False,
                help_text="The cached searchable PDF (archive.exports); emptied when the text changes.",
                max_length=500,
                upload_to="",
            ),
        ),
    ]
