"""App configuration for the archive app."""

from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Scan Archive"
    default_auto_field = "django.db.models.BigAutoField"
