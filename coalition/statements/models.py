"""Statements and government-grade sign-on (PoA 1A.5, 1A.6, 1A.10).

A statement's text lives in a `documents.Document`. Freezing a version gives it a content hash and opens a sign-on
round on exactly that text, under a deadline in a named host zone, either by explicit signature or under silence
procedure. Each member's current position on a round is one `Response` row (so a member cannot sign twice); every
change to it is also appended to the hash-chained audit ledger, which the public verification page replays.
Publishing makes the statement public from its embargo time (`released_field`, read by the access policy).
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.models import Classified, classification_field
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation, Person, validate_time_zone
from coalition.documents.models import Document, Version


class Statement(Classified):
    """A statement of the coalition or of its members. Public only once published and past its embargo."""

    classification = classification_field(Classification.MEMBERS)
    released_field = "published_at"  # the access policy keeps a public statement members-only until then

    class Kind(models.TextChoices):
        JOINT = "joint", _("Joint statement")
        COUNTRY_SPECIFIC = "country_specific", _("Country-specific statement")
        CHAIR = "chair", _("Chair statement")

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="statement")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.JOINT)
    slug = models.SlugField(_("permalink"), max_length=120, unique=True)
    about_country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("country concerned"),
    )
    situation = models.CharField(_("situation (rapid response)"), max_length=200, blank=True)
    fast_track = models.BooleanField(_("fast track"), default=False)
    published_at = models.DateTimeField(_("public from (embargo)"), null=True, blank=True, db_index=True)
    published_freeze = models.ForeignKey("Freeze", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(Classified.Meta):
        ordering = ["-created_at"]
        constraints = [
            *Classified.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(kind="country_specific") | Q(about_country__isnull=False),
                name="country_statement_names_country",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(published_freeze__isnull=False),
                name="published_statement_has_text",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.document.title

    @property
    def is_public(self) -> bool:
        return self.public_now(self.classification, self.published_at)

    @staticmethod
    def public_now(classification: str, published_at: dt.datetime | None) -> bool:
        """Whether a statement so classified and published is public now (its embargo, if any, has passed)."""
        return classification == Classification.PUBLIC and published_at is not None and published_at <= timezone.now()

    def current_freeze(self) -> Freeze | None:
        return self.freezes.filter(superseded_at__isnull=True).order_by("-number").first()


class Freeze(models.Model):
    """A frozen version and its sign-on round: the one text members sign, its hash, the deadline and the mode."""

    visible_through: ClassVar[tuple[str, ...]] = ("statement",)  # read by whoever reads its statement (notifications)

    class Mode(models.TextChoices):
        SIGN_ON = "sign_on", _("Sign-on: members sign explicitly")
        SILENCE = "silence", _("Silence procedure: adopted unless a member objects by the deadline")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Open for responses")
        ADOPTED = "adopted", _("Adopted")
        SILENCE_BROKEN = "silence_broken", _("Silence broken by an objection")
        CLOSED = "closed", _("Closed with signatories")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        SUPERSEDED = "superseded", _("Superseded by a new text")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="freezes")
    number = models.PositiveIntegerField()
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="+")
    content_hash = models.CharField(max_length=64)
    mode = models.CharField(_("procedure"), max_length=16, choices=Mode.choices, default=Mode.SIGN_ON)
    deadline = models.DateTimeField(_("deadline"))
    deadline_time_zone = models.CharField(
        _("deadline's time zone (host capital)"), max_length=64, validators=[validate_time_zone]
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    frozen_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="freeze_number_unique"),
            models.UniqueConstraint(
                fields=["statement"], condition=Q(superseded_at__isnull=True), name="one_current_freeze"
            ),
            models.CheckConstraint(condition=Q(deadline__gt=F("frozen_at")), name="deadline_after_freeze"),
        ]

    def __str__(self) -> str:
        return f"{self.statement} — text {self.number} ({self.content_hash[:12]})"

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN and self.superseded_at is None and self.deadline > timezone.now()

    @property
    def awaiting_decision(self) -> bool:
        """Its deadline has passed but the scheduler has not decided it yet (pages say so; they never decide)."""
        return self.outcome == self.Outcome.OPEN and self.superseded_at is None and self.deadline <= timezone.now()


class Response(models.Model):
    """A member's current position on one frozen text, given by its focal point. One row per member and round: a
    second signature is refused by the database as well as by the service."""

    class Kind(models.TextChoices):
        SIGNED = "signed", _("Signed")
        OBJECTED = "objected", _("Objected")
        WITHDRAWN = "withdrawn", _("Signature withdrawn")

    freeze = models.ForeignKey(Freeze, on_delete=models.CASCADE, related_name="responses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reservation = models.TextField(_("reservation or explanation of position"), blank=True)
    reason = models.TextField(_("reason for the objection"), blank=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    late = models.BooleanField(_("joined after publication"), default=False)
    ledger_seq = models.PositiveBigIntegerField(null=True, blank=True)  # the audit event that recorded it

    class Meta:
        ordering = ["freeze", "organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["freeze", "organisation"], name="one_response_per_member"),
            models.CheckConstraint(condition=~Q(kind="objected") | ~Q(reason=""), name="objection_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.kind} ({self.freeze})"


class Translation(models.Model):
    """A language version of a published text."""

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text (Markdown)"))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["statement", "language"]
        constraints = [models.UniqueConstraint(fields=["statement", "language"], name="one_translation_per_language")]

    def __str__(self) -> str:
        return f"{self.statement} ({self.language})"


class FinalReminder(models.Model):
    """The one final reminder a member's focal points get before a deadline; the row makes it once only."""

    freeze = models.ForeignKey(Freeze, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["freeze", "organisation"], name="one_final_reminder")]

    def __str__(self) -> str:
        return f"final reminder to {self.organisation} for {self.freeze}"
