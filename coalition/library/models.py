"""The agreed-language library (PoA 1A.6, 1A.10): texts segmented into paragraphs, with their provenance.

A `Source` is one text: a statement of the coalition (kept in step with the statement, and readable exactly when the
statement is), or an external text imported from a file — a UN resolution, a speech, a national statement. Its
`Paragraph`s carry the UN structure (preambular and operative paragraphs and their numbers). A `ReuseRecord` says
that one paragraph takes up the language of an earlier one, how (verbatim, edited, restructured, reordered) and how
closely. The search index is derived from these rows and can be rebuilt from them at any time.
"""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.models import Classified, classification_field
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation
from coalition.library.engine import words


class Source(Classified):
    """One text in the library. A statement's source copies the statement's classification, audience and embargo;
    the policy also checks the statement itself, so the library never shows more than the statement's own page."""

    classification = classification_field(Classification.MEMBERS)
    released_field = "released_at"  # the access policy keeps a public source members-only until then
    visible_with: ClassVar[tuple[str, ...]] = ("statement",)  # a statement's text is read only with the statement

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("Coalition statement")
        RESOLUTION = "resolution", _("Resolution")
        SPEECH = "speech", _("Speech")
        NATIONAL_STATEMENT = "national_statement", _("National statement")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other text")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    forum = models.CharField(
        _("forum"), max_length=60, blank=True, help_text=_("Where it was adopted or delivered: UNGA, HRC, FOC, …")
    )
    symbol = models.CharField(_("document symbol"), max_length=80, blank=True, help_text=_("e.g. A/HRC/RES/20/8"))
    date = models.DateField(_("date"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, help_text=_("Taken from the date; on its own when only the year is known.")
    )
    author = models.CharField(_("author"), max_length=200, blank=True)
    author_country = models.ForeignKey(
        Country, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("author's country")
    )
    endorsed_by = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="library_sources",
        verbose_name=_("signed, sponsored or delivered by"),
    )
    statement = models.OneToOneField(
        "statements.Statement", null=True, blank=True, on_delete=models.CASCADE, related_name="library_source"
    )
    origin = models.CharField(_("file or address it came from"), max_length=300, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    released_at = models.DateTimeField(_("public from"), null=True, blank=True, default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(default=timezone.now)
    reuse_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta(Classified.Meta):
        ordering = ["-year", "-date", "title"]
        indexes = [models.Index(fields=["forum", "year"])]

    def __str__(self) -> str:
        return f"{self.symbol} — {self.title}" if self.symbol else self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.date is not None:
            self.year = self.date.year
        super().save(*args, **kwargs)

    @property
    def when(self) -> tuple[int, int, int]:
        """For ordering by time: the date, or the year's start when only the year is known (undated last)."""
        if self.date is not None:
            return (self.date.year, self.date.month, self.date.day)
        return (self.year, 0, 0) if self.year else (9999, 99, 99)

    @property
    def endorsement_label(self) -> str:
        labels: dict[str, str] = {
            self.Kind.STATEMENT: str(_("Signed by")),
            self.Kind.RESOLUTION: str(_("Sponsored by")),
            self.Kind.SPEECH: str(_("Delivered by")),
        }
        return labels.get(self.kind, str(_("Endorsed by")))


class QueuedImport(Classified):
    """A file kept for the task worker to add to the library (issue 16 item 7), with what the import form said of
    it, and then how the import ended. Readable by whoever may read the text it becomes (its classification), so
    its page says nothing its source would not. The file's bytes are cleared once the import ends."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the task worker")
        RUNNING = "running", _("Being read and added, all or nothing")
        DONE = "done", _("Added to the library")
        REFUSED = "refused", _("Refused: nothing from this file was saved")

    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    file_name = models.CharField(max_length=300)
    size = models.PositiveIntegerField(default=0)
    data = models.BinaryField(default=bytes)
    kind = models.CharField(max_length=24, choices=Source.Kind.choices)
    title = models.CharField(max_length=300)
    forum = models.CharField(max_length=60, blank=True)
    symbol = models.CharField(max_length=80, blank=True)
    date = models.DateField(null=True, blank=True)
    author = models.CharField(max_length=200, blank=True)
    author_country = models.ForeignKey(Country, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    endorsed_by = models.ManyToManyField(Organisation, blank=True, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    error = models.TextField(blank=True)  # why it was refused, for the field named in `error_field`
    error_field = models.CharField(max_length=40, blank=True)

    class Meta(Classified.Meta):
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


def words_hash(text: str) -> str:
    """The hash of a paragraph's words, whatever their case, spacing and punctuation: equal texts, equal hashes."""
    return hashlib.sha256(" ".join(words(text)).encode()).hexdigest()


class Paragraph(models.Model):
    """One paragraph of a source, in order, with its UN numbering where it has one. Visible when its source is."""

    visible_through: ClassVar[tuple[str, ...]] = ("source",)

    class Kind(models.TextChoices):
        PREAMBULAR = "preambular", _("Preambular paragraph")
        OPERATIVE = "operative", _("Operative paragraph")
        HEADING = "heading", _("Heading")
        BODY = "body", _("Paragraph")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="paragraphs")
    position = models.PositiveIntegerField(_("position"))  # 1, 2, … in reading order
    number = models.CharField(_("number"), max_length=24, blank=True)  # "PP3", "OP5", "5 (a)"
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.BODY)
    text = models.TextField(_("text"))
    word_count = models.PositiveIntegerField(default=0)
    words_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["source", "position"]
        constraints = [models.UniqueConstraint(fields=["source", "position"], name="paragraph_position_unique")]

    def __str__(self) -> str:
        return f"{self.source} ¶{self.label}"

    @property
    def label(self) -> str:
        return self.number or str(self.position)


class ReuseRecord(models.Model):
    """`target` takes up the language of `origin` (the earlier of the two). Shown only to those who may read both."""

    # Read only by whoever reads both paragraphs, and classified as the narrower of the two (the policy says so).
    visible_through: ClassVar[tuple[str, ...]] = ("origin", "target")

    class Kind(models.TextChoices):
        VERBATIM = "verbatim", _("Verbatim")
        EDITED = "edited", _("Lightly edited")
        RESTRUCTURED = "restructured", _("Clauses inserted or removed")
        REORDERED = "reordered", _("Sentences reordered")

    origin = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="taken_up_in")
    target = models.ForeignKey(Paragraph, on_delete=models.CASCADE, related_name="takes_up")
    kind = models.CharField(_("kind of reuse"), max_length=16, choices=Kind.choices)
    similarity = models.FloatField(_("similarity"))
    detected_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-detected_at"]
        constraints = [
            models.UniqueConstraint(fields=["origin", "target"], name="one_reuse_record_per_pair"),
            models.CheckConstraint(condition=~Q(origin=models.F("target")), name="reuse_not_of_itself"),
            models.CheckConstraint(condition=Q(similarity__gte=0) & Q(similarity__lte=1), name="similarity_0_to_1"),
        ]

    def __str__(self) -> str:
        return f"{self.origin} → {self.target} ({self.kind}, {self.similarity:.2f})"


class ParagraphEmbedding(models.Model):
    """A paragraph's sentence embedding for the semantic leg of search (`coalition.library.semantic`): a unit vector
    stored as float16 bytes. Derived from the paragraph's text like the search index, and recomputed from it."""

    paragraph = models.OneToOneField(Paragraph, on_delete=models.CASCADE, primary_key=True, related_name="embedding")
    vector = models.BinaryField()
    model = models.CharField(max_length=80)  # which model made it: vectors of different models do not compare

    def __str__(self) -> str:
        return f"{self.paragraph} ({self.model})"
