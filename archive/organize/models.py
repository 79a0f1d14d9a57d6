"""The metadata a user organizes documents with.

Everything here belongs to one user (``owner``, or the owner of the document a row hangs off):
a user's tags, correspondents, types, fields and views are theirs alone, and nothing is shared
across users. Models refer to ``archive.Document`` by name, so this module imports nothing from
``archive.models`` (which imports this one).

Suggested values (``Suggestion``) are applied to the document at once, so search and facets see
them, and stay marked *suggested* with their reason until the user confirms, changes or clears
them. The rule that keeps user values safe is simple: the suggestion step may only write a
value whose key has no ``Suggestion`` row or a row in state ``suggested``, and whose place on
the document is empty or still holds what was suggested (``archive.organize.suggest``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour is written #rrggbb.")
TAG_SEPARATOR = "/"


class MatchAlgorithm(models.TextChoices):
    """How a rule decides that a document's text names the object (``archive.organize.matching``).

    The values equal ``archive.organize.matching.Algorithm``'s.
    """

    NONE = "none", "None (never suggest)"
    ANY = "any", "Any word"
    ALL = "all", "All words"
    EXACT = "exact", "Exact phrase"
    REGEX = "regex", "Regular expression"
    FUZZY = "fuzzy", "Fuzzy phrase"
    AUTO = "auto", "Automatic (learned from your documents)"


class MatchingModel(models.Model):
    """An owner's named object with a matching rule; checked by the services when saved (a bad
    regular expression is refused then, never at match time)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=128)
    match_algorithm = models.CharField(
        max_length=8, choices=MatchAlgorithm.choices, default=MatchAlgorithm.AUTO
    )
    match_pattern = models.CharField(max_length=1000, blank=True)
    match_case_sensitive = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Correspondent(MatchingModel):
    """Who sent a document, or the shop a receipt is from."""

    class Meta(MatchingModel.Meta):
        constraints = [
            models.UniqueConstraint(
                "owner", Lower("name"), name="correspondent_unique_name_per_owner"
            ),
        ]


class DocumentType(MatchingModel):
    """What a document is: invoice, receipt, contract, letter, …"""

    class Meta(MatchingModel.Meta):
        constraints = [
            models.UniqueConstraint(
                "owner", Lower("name"), name="document_type_unique_name_per_owner"
            ),
        ]


class Tag(MatchingModel):
    """A label; nested through ``parent``. ``path`` is the full name (``Tax/2024``), kept by the
    services when a tag or one of its ancestors is renamed or moved; a name holds no ``/``."""

    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    path = models.CharField(max_length=1000, editable=False)
    colour = models.CharField(max_length=7, default="#a6cee3", validators=[COLOUR])

    class Meta(MatchingModel.Meta):
        ordering = ["path", "id"]
        constraints = [
            models.UniqueConstraint("owner", Lower("path"), name="tag_unique_path_per_owner"),
        ]
        indexes = [models.Index(fields=["owner", "parent"], name="tag_owner_parent")]

    def __str__(self) -> str:
        return self.path or self.name


class DocumentTag(models.Model):
    """A tag on a document (the through table of ``Document.tags``).

    Two indexes serve the facets: (document, tag) gives a document's tags and the uniqueness,
    (tag, document) gives a tag's documents (filter by tag, count per tag).
    """

    document = models.ForeignKey("archive.Document", on_delete=models.CASCADE, db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=False)

    class Meta:
        db_table = "archive_document_tag"
        constraints = [
            models.UniqueConstraint(fields=["document", "tag"], name="document_tag_unique"),
        ]
        indexes = [models.Index(fields=["tag", "document"], name="document_tag_by_tag")]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.tag_id}"


class CustomField(MatchingModel):
    """A typed field a user adds to documents (``CustomFieldValue`` holds the values).

    The matching rule says which documents get a value *suggested* from their text (``suggest``,
    e.g. the total of a receipt); the default rule (none) never suggests. ``auto`` is not
    offered for fields: the classifier predicts correspondents, types and tags only.
    """

    class DataType(models.TextChoices):
        TEXT = "text", "Text"
        INTEGER = "integer", "Integer"
        NUMBER = "number", "Number"
        MONETARY = "monetary", "Monetary amount"
        DATE = "date", "Date"
        BOOLEAN = "boolean", "Yes/no"
        URL = "url", "URL"
        SELECT = "select", "Select from a list"
        DOCUMENT = "document", "Link to a document"

    class Suggest(models.TextChoices):
        NONE = "", "Nothing"
        TOTAL = "total", "The total amount (receipts, invoices)"
        AMOUNT = "amount", "The largest amount"

    data_type = models.CharField(max_length=10, choices=DataType.choices)
    # Fields suggest nothing unless their owner asks for it.
    match_algorithm = models.CharField(
        max_length=8, choices=MatchAlgorithm.choices, default=MatchAlgorithm.NONE
    )
    currency = models.CharField(
        max_length=3, blank=True, help_text="Default ISO 4217 currency of a monetary field."
    )
    select_options = models.JSONField(
        default=list, blank=True, help_text="The choices of a select field, in order."
    )
    suggest = models.CharField(
        max_length=8,
        choices=Suggest.choices,
        default=Suggest.NONE,
        blank=True,
        help_text="What to suggest from the text of documents matching the rule.",
    )

    class Meta(MatchingModel.Meta):
        constraints = [
            models.UniqueConstraint(
                "owner", Lower("name"), name="custom_field_unique_name_per_owner"
            ),
        ]


class CustomFieldValue(models.Model):
    """One field's value on one document, in the typed column for the field's type.

    text, url, select → ``value_text``; integer → ``value_int``; number, monetary →
    ``value_number`` (+ ``value_currency``); date → ``value_date``; boolean → ``value_bool``;
    document → ``value_document``. Each column has a partial index led by the field, so a
    filter like ``field:amount>100`` reads one index range.
    """

    document = models.ForeignKey(
        "archive.Document", on_delete=models.CASCADE, related_name="field_values", db_index=False
    )
    field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="values")
    # NULL, not "": a field with no text value is absent from the text index.
    value_text = models.TextField(null=True, blank=True)  # noqa: DJ001
    value_int = models.BigIntegerField(null=True, blank=True)
    value_number = models.DecimalField(max_digits=24, decimal_places=6, null=True, blank=True)
    value_currency = models.CharField(max_length=3, blank=True)
    value_date = models.DateField(null=True, blank=True)
    value_bool = models.BooleanField(null=True, blank=True)
    value_document = models.ForeignKey(
        "archive.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "field"], name="custom_value_unique"),
        ]
        indexes = [
            models.Index(
                fields=["field", "value_text"],
                name="custom_value_text",
                condition=models.Q(value_text__isnull=False),
            ),
            models.Index(
                fields=["field", "value_int"],
                name="custom_value_int",
                condition=models.Q(value_int__isnull=False),
            ),
            models.Index(
                fields=["field", "value_number"],
                name="custom_value_number",
                condition=models.Q(value_number__isnull=False),
            ),
            models.Index(
                fields=["field", "value_date"],
                name="custom_value_date",
                condition=models.Q(value_date__isnull=False),
            ),
            models.Index(
                fields=["field", "value_bool"],
                name="custom_value_bool",
                condition=models.Q(value_bool__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id}: {self.field_id}"


class Note(models.Model):
    """A free-text note on a document by a user (the document's owner)."""

    document = models.ForeignKey(
        "archive.Document", on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["document", "created", "id"]
        indexes = [models.Index(fields=["document", "created"], name="note_document_created")]

    def __str__(self) -> str:
        return self.text[:60]


class SavedView(models.Model):
    """A named filter + sort + columns; pinned to the dashboard and/or shown in the sidebar.

    ``query`` is the library's filter as a URL query string (``q=tag:tax&year=2024``), so a
    view opens the same page the user saved it from.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=128)
    query = models.TextField(blank=True, help_text="The library's filter as a URL query string.")
    sort = models.CharField(max_length=64, blank=True)
    columns = models.JSONField(default=list, blank=True)
    show_on_dashboard = models.BooleanField(default=False)
    show_in_sidebar = models.BooleanField(default=False)
    position = models.IntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name", "id"]
        indexes = [models.Index(fields=["owner", "position"], name="saved_view_owner_position")]

    def __str__(self) -> str:
        return self.name


class Suggestion(models.Model):
    """A value the suggestion step put on a document, and what the user did about it.

    One row per document and ``key``: ``date``, ``correspondent``, ``type``, ``tag:<id>``,
    ``field:<id>``. ``suggested``: the value is on the document, marked with ``reason``, and a
    re-run may replace it. ``confirmed`` (the user kept it) and ``rejected`` (the user cleared
    or changed it): the key is the user's and no re-run writes it again. A value on a document
    with no row at all was set by the user.
    """

    class Kind(models.TextChoices):
        DATE = "date", _("Document date")
        CORRESPONDENT = "correspondent", _("Correspondent")
        TYPE = "type", _("Document type")
        TAG = "tag", _("Tag")
        FIELD = "field", _("Custom field")

    class State(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    document = models.ForeignKey(
        "archive.Document", on_delete=models.CASCADE, related_name="suggestions", db_index=False
    )
    key = models.CharField(max_length=32)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUGGESTED)
    # The suggested value: one of these, by kind (the date, or the object suggested).
    value_date = models.DateField(null=True, blank=True)
    correspondent = models.ForeignKey(
        Correspondent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    document_type = models.ForeignKey(
        DocumentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    field = models.ForeignKey(
        CustomField, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    value = models.TextField(
        blank=True, help_text="The suggested value as shown (a field's value, serialized)."
    )
    reason = models.TextField(help_text='Why, in plain words: "first full date, page 1".')
    confidence = models.FloatField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    decided = models.DateTimeField(null=True, blank=True, help_text="When the user decided.")

    class Meta:
        ordering = ["document", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="suggestion_unique_key"),
        ]
        indexes = [
            # "Suggestions to confirm" on the dashboard and in the library filter.
            models.Index(
                fields=["owner", "document"],
                name="suggestion_pending",
                condition=models.Q(state="suggested"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.key}: {self.state}"


class UserClassifier(models.Model):
    """A user's trained classifier (``archive.organize.classifier``), and whether it is stale.

    ``dirty`` is set when assignments change; a background task retrains and clears it.
    """

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    model = models.BinaryField(null=True, blank=True, editable=False)
    trained_on = models.PositiveIntegerField(default=0)
    trained_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="Time the last training took.")
    dirty = models.BooleanField(default=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"classifier of {self.owner_id} ({self.trained_on} documents)"


class StartPage(models.Model):
    """Which page ``/`` opens for a user (``archive.organize.start_page``); no row: ``auto``.

    ``auto``: the dashboard once a view is pinned to it, else the library (the behaviour before
    the setting existed). ``view``: the library under ``view``; when that view is deleted the
    setting falls back to ``auto`` (``SET_NULL``), so ``/`` never opens a missing view.
    """

    class Choice(models.TextChoices):
        AUTO = "auto", _("Automatic: the dashboard once a view is pinned, else the library")
        LIBRARY = "library", _("The library")
        DASHBOARD = "dashboard", _("The dashboard")
        VIEW = "view", _("A saved view")
        SEARCH = "search", _("Search")

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    page = models.CharField(max_length=16, choices=Choice.choices, default=Choice.AUTO)
    view = models.ForeignKey(
        SavedView, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"start page of {self.owner_id}: {self.page}"
