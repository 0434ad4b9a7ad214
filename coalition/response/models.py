"""Rapid response (PoA 1B.3, 1A.5, 1B.1): shutdown and censorship signals, alerts, situations and what members do.

`Signal` is one observation from a monitoring source (an Access Now STOP event, an OONI measurement or aggregate,
an IODA or Cloudflare Radar outage), normalised to one shape; `(source, external_id)` makes every import idempotent.
An `Alert` gathers signals about one country that corroborate each other. A `Situation` is the coalition's response to
one: a brief, a playbook drawn from the toolkit, members' pledges, a fast-tracked statement, a timeline, and an
after-action review when it closes. Situations are members-only unless the Support Unit widens them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.models import Classified, classification_field
from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation, Person


class Source(models.TextChoices):
    STOP = "stop", _("Access Now #KeepItOn STOP")
    OONI = "ooni", _("OONI")
    IODA = "ioda", _("IODA")
    CLOUDFLARE = "cloudflare", _("Cloudflare Radar")
    REPORT = "report", _("Reported by a person")


class SignalKind(models.TextChoices):
    FULL_SHUTDOWN = "full_shutdown", _("Full shutdown")
    THROTTLING = "throttling", _("Throttling")
    PLATFORM_BLOCK = "platform_block", _("Platform block")
    OUTAGE = "outage", _("Outage (cause unknown)")


class ImportBatch(models.Model):
    """One file (or one fetch) brought in: what it added, what it found already there, and each row it skipped and
    why. A file is applied whole or not at all. Scheduled ingestion also records a file it refused, with the reason
    and nothing created, so that the next cycle passes it by instead of failing on it again."""

    fixed_classification: ClassVar[str] = Classification.MEMBERS

    source = models.CharField(max_length=16, choices=Source.choices)
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    # [{"row": 12, "reason": "…"}]; a workbook of several sheets names the sheet ({"sheet": "2019", "row": 12, …}),
    # and a sheet not read at all (notes, a summary, an empty sheet) has no row
    skipped = models.JSONField(default=list)
    refusal = models.TextField(blank=True)  # why the file was refused (scheduled ingestion); empty: applied
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class State(models.TextChoices):  # an upload the task worker imports (issue 16 item 7) goes through all of them
        QUEUED = "queued", _("Waiting for the task worker")
        READING = "reading", _("Reading the file")
        SAVING = "saving", _("Saving the signals, all or none")
        DONE = "done", _("Done")

    state = models.CharField(max_length=8, choices=State.choices, default=State.DONE)
    finished_at = models.DateTimeField(null=True, blank=True)  # when the task worker ended the import

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        if self.refusal:
            return f"{self.get_source_display()}: {self.file_name} (refused)"
        return f"{self.get_source_display()}: {self.file_name} ({self.created} new)"

    @property
    def pending(self) -> bool:
        return self.state != self.State.DONE

    @property
    def skipped_rows(self) -> list[dict[str, Any]]:
        return [skip for skip in self.skipped if "row" in skip]

    @property
    def skipped_sheets(self) -> list[dict[str, Any]]:
        """Sheets of a workbook that were not read, each with why."""
        return [skip for skip in self.skipped if "row" not in skip]


class ImportUpload(models.Model):
    """An uploaded file waiting for the task worker, with what the uploader chose for it. Kept in the database, which
    the web processes and the workers share wherever they run; deleted once the file is imported or refused (its
    batch keeps its name and SHA-256)."""

    visible_through: ClassVar[tuple[str, ...]] = ("batch",)

    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, related_name="upload")
    data = models.BinaryField()
    source = models.CharField(max_length=16)  # as chosen: a Source, or "auto" to read it from the content
    dataset_year = models.PositiveSmallIntegerField(null=True, blank=True)
    country = models.CharField(max_length=2, blank=True)  # ISO-2, for rows that carry no country

    def __str__(self) -> str:
        return f"upload of {self.batch}"


class Signal(models.Model):
    """A normalised observation of a shutdown, throttling, platform block or outage."""

    fixed_classification: ClassVar[str] = Classification.COALITION  # public sources, the coalition's reading of them

    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    external_id = models.CharField(max_length=200)  # stable per source: the idempotency key
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    asn = models.PositiveBigIntegerField(_("network (ASN)"), null=True, blank=True)
    network = models.CharField(_("network"), max_length=200, blank=True)
    region = models.CharField(_("region"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=SignalKind.choices)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"), null=True, blank=True)  # empty: ongoing or unknown
    dataset_year = models.PositiveSmallIntegerField(null=True, blank=True)  # the STOP sheet's year
    # The source dates it in whole UTC days (STOP, OONI daily aggregates): `starts_at` is the first day's 00:00 UTC
    # and `ends_at` 00:00 UTC after the last day, which pages show as those days, not as instants in a reader's zone.
    whole_days = models.BooleanField(default=False)
    evidence_url = models.URLField(_("evidence"), max_length=1000, blank=True)
    details = models.JSONField(default=dict, blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="signals")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="signal_once_per_source"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="signal_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["country", "starts_at"])]

    def __str__(self) -> str:
        when = f"{self.starts_at:%Y-%m-%d %H:%M}"
        return f"{self.get_kind_display()} in {self.country} from {when} ({self.get_source_display()})"

    @property
    def start_on(self) -> dt.date:
        return self.starts_at.astimezone(dt.UTC).date()

    @property
    def end_on(self) -> dt.date | None:
        """The last day of a whole-day signal (its `ends_at` is the midnight after it)."""
        return (self.ends_at - dt.timedelta(days=1)).astimezone(dt.UTC).date() if self.ends_at else None

    @property
    def below_long_run(self) -> bool:
        """Found only below its series' long-run level (`detection.below_long_run`), a drop the seasonal detector
        cannot see — a curfew present from the series' first day, an outage under way when it starts: to check."""
        return isinstance(self.details, dict) and self.details.get("below_long_run") is True

    @property
    def evidence_link(self) -> str:
        """The evidence address, only if it is a web address (never `javascript:` or `data:`), for a link."""
        return self.evidence_url if urlsplit(self.evidence_url).scheme in ("http", "https") else ""


class Alert(models.Model):
    """Signals about one country from sources that corroborate each other: the prompt to open a situation."""

    fixed_classification: ClassVar[str] = Classification.MEMBERS

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SITUATION = "situation", _("Situation opened")
        DISMISSED = "dismissed", _("Dismissed")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    first_signal_at = models.DateTimeField()
    last_signal_at = models.DateTimeField()
    sources = models.JSONField(default=list)  # the distinct sources that agree
    # Whether the first signal's start, or the last signal's end, is a whole-day signal's day (`Signal.whole_days`)
    first_signal_whole_day = models.BooleanField(default=False)
    last_signal_whole_day = models.BooleanField(default=False)
    signals = models.ManyToManyField(Signal, related_name="alerts")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    dismissed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Alert: {self.country} since {self.first_signal_at:%Y-%m-%d %H:%M}"

    @property
    def single_source(self) -> bool:
        """Raised by one source alone (a nationwide shutdown in STOP): to be checked before anyone acts on it."""
        return len(self.sources) == 1

    def get_sources_display(self) -> str:
        """The sources that agree by their names (“IODA, OONI”), as `get_FOO_display` names one choice: pages,
        forms and the timeline show names, never the stored codes."""
        return ", ".join(str(Source(code).label) if code in Source.values else code for code in self.sources)


class Tool(Classified):
    """The toolkit (1B.1): an action members can take, when to use it and who can use it; kept by the Support Unit."""

    classification = classification_field(Classification.MEMBERS)

    class Kind(models.TextChoices):
        PUBLIC_STATEMENT = "public_statement", _("Public statement")
        JOINT_DEMARCHE = "joint_demarche", _("Joint démarche")
        PRIVATE_ENGAGEMENT = "private_engagement", _("Private diplomatic engagement")
        DONOR_SUPPORT = "donor_support", _("Donor support (circumvention, documentation)")
        CSO_CONSULTATION = "cso_consultation", _("Civil-society consultation")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    description = models.TextField(_("what it is"), blank=True)
    when_to_use = models.TextField(_("when to use it"))
    who_can_use = models.TextField(_("who can use it"))
    suggested_lead = models.CharField(
        _("suggested owner"), max_length=200, blank=True, help_text=_("e.g. Chair, members with an embassy there")
    )
    in_playbook = models.BooleanField(_("in every new situation's playbook"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta(Classified.Meta):
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Situation(Classified):
    """The coalition's response to a crisis in one country. Members-only until the Support Unit widens it."""

    classification = classification_field(Classification.MEMBERS)

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what is happening"), blank=True)
    alert = models.OneToOneField(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="situation")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    first_signal_at = models.DateTimeField(_("first signal"), null=True, blank=True)
    first_signal_whole_day = models.BooleanField(default=False)  # its alert's first signal is dated by the day
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    brief = models.JSONField(default=dict, blank=True)  # the pre-filled brief, as it stood when opened
    statement = models.ForeignKey(
        "statements.Statement", null=True, blank=True, on_delete=models.SET_NULL, related_name="situations"
    )
    reports_audience = models.ForeignKey(
        "core.Audience", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # who reads civil-society reports here besides the Support Unit
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review = models.TextField(_("after-action review"), blank=True)

    class Meta(Classified.Meta):
        ordering = ["-opened_at"]
        constraints = [
            *Classified.Meta.constraints,
            models.CheckConstraint(
                condition=Q(status="open") | (Q(closed_at__isnull=False) & ~Q(review="")),
                name="closed_situation_has_review",
            ),
            models.UniqueConstraint(
                fields=["country"], condition=Q(status="open"), name="one_open_situation_a_country"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PlaybookStep(models.Model):
    """A toolkit action considered for a situation, with its suggested owner and what became of it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        UNDERWAY = "underway", _("Underway")
        DONE = "done", _("Done")
        NOT_TAKEN = "not_taken", _("Not taken")

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="steps")
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="steps")
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["situation", "tool__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["situation", "tool"], name="one_step_per_tool")]

    def __str__(self) -> str:
        return f"{self.tool} ({self.get_status_display()})"


class Pledge(models.Model):
    """A member's commitment in a situation: an action from the toolkit or a resource. One per member and tool."""

    class Status(models.TextChoices):
        PLEDGED = "pledged", _("Pledged")
        DELIVERED = "delivered", _("Delivered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="pledges")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    tool = models.ForeignKey(Tool, on_delete=models.PROTECT, related_name="pledges")
    description = models.TextField(_("what the member commits"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLEDGED)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    pledged_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["situation", "pledged_at"]
        constraints = [
            models.UniqueConstraint(fields=["situation", "organisation", "tool"], name="one_pledge_per_member_tool"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""), name="pledged_amount_has_currency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.tool} ({self.get_status_display()})"


class TimelineEntry(models.Model):
    """What happened in a situation, in order: made by the services, or a note someone adds."""

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=32)  # "signal", "opened", "pledge", "statement", "note", "closed", …
    text = models.CharField(max_length=500)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["situation", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.text}"


class CivilSocietyReport(Classified):
    """A report from civil society in a situation: restricted to the Support Unit and the situation's need-to-know
    audience (the reporter included), whatever the situation's own classification."""

    classification = classification_field(Classification.RESTRICTED)

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="reports")
    text = models.TextField(_("report"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta(Classified.Meta):
        ordering = ["situation", "submitted_at"]

    def __str__(self) -> str:
        return f"Report in {self.situation} ({self.submitted_at:%Y-%m-%d})"
