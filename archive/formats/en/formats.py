"""English dates as ISO 8601 (2025-02-03, 2025-02-03 10:30): see ``archive.formats``."""

SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
