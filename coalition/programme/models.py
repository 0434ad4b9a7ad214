"""The Program of Action: programme → goal → objective → activity, with progress updates, status history,
evidence linked from other apps, and carry-over between chairs (PoA 3A.3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.models import Classified, classification_field
from coalition.core.policy import Classification
from coalition.directory.models import Body, Organisation

WEIGHT = {"max_digits": 6, "decimal_places": 2, "default": Decimal("1"), "validators": [MinValueValidator(0)]}


class Programme(Classified):
    """A chair's Program of Action for its year."""

    classification = classification_field(Classification.PUBLIC)

    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    chair = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    predecessor = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
        verbose_name=_("carried over from"),
    )

    class Meta(Classified.Meta):
        ordering = ["-year"]
        constraints = [*Classified.Meta.constraints]

    def __str__(self) -> str:
        return self.title


class PolicyTopic(models.Model):
    """One of the chair's priority policy topics."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="topics")
    code = models.CharField(_("code"), max_length=8)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["programme", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="topic_code_unique")]

    def __str__(self) -> str:
        return self.title


class ThematicGoal(models.Model):
    """A multi-year thematic goal that outlives one chair (PoA 3A.3)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    from_year = models.PositiveSmallIntegerField(_("from"))
    to_year = models.PositiveSmallIntegerField(_("to"))

    class Meta:
        ordering = ["from_year", "title"]
        constraints = [models.CheckConstraint(condition=Q(to_year__gte=F("from_year")), name="thematic_goal_years")]

    def __str__(self) -> str:
        return f"{self.title} ({self.from_year}–{self.to_year})"


class Goal(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="goals")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    weight = models.DecimalField(_("weight"), **WEIGHT)  # type: ignore[arg-type]

    class Meta:
        ordering = ["programme", "number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="goal_number_unique")]

    def __str__(self) -> str:
        return f"Goal {self.number}: {self.title}"


class Objective(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="objectives")
    code = models.CharField(_("code"), max_length=4)  # "1A"
    title = models.CharField(_("title"), max_length=500)
    weight = models.DecimalField(_("weight"), **WEIGHT)  # type: ignore[arg-type]

    class Meta:
        ordering = ["goal", "code"]
        constraints = [models.UniqueConstraint(fields=["goal", "code"], name="objective_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    BLOCKED = "blocked", _("Blocked")
    DROPPED = "dropped", _("Dropped")


STATUSES_NEEDING_REASON = {Status.BLOCKED, Status.DROPPED}
UNFINISHED = {Status.NOT_STARTED, Status.IN_PROGRESS, Status.BLOCKED}
# How far each status counts toward the roll-up; dropped activities leave the denominator.
PROGRESS_OF = {Status.NOT_STARTED: 0.0, Status.IN_PROGRESS: 0.5, Status.BLOCKED: 0.0, Status.DONE: 1.0}


class Activity(Classified):
    classification = classification_field(Classification.PUBLIC)

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="activities")
    number = models.PositiveSmallIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=8, db_index=True)  # "1A.4"
    title = models.TextField(_("title"))
    lead_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_activities",
        verbose_name=_("lead (member or organisation)"),
    )
    lead_body = models.ForeignKey(
        Body,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_activities",
        verbose_name=_("lead (body)"),
    )
    contributing_organisations = models.ManyToManyField(Organisation, blank=True, related_name="+")
    contributing_bodies = models.ManyToManyField(Body, blank=True, related_name="+")
    topics = models.ManyToManyField(PolicyTopic, blank=True, related_name="activities")
    thematic_goals = models.ManyToManyField(
        ThematicGoal, blank=True, related_name="activities", verbose_name=_("multi-year thematic goals")
    )
    target_on = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    weight = models.DecimalField(_("weight"), **WEIGHT)  # type: ignore[arg-type]
    carried_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        verbose_name=_("carried over from"),
    )

    class Meta(Classified.Meta):
        ordering = ["objective", "number"]
        verbose_name_plural = _("activities")
        constraints = [
            *Classified.Meta.constraints,
            models.UniqueConstraint(fields=["objective", "number"], name="activity_number_unique"),
            models.CheckConstraint(
                condition=~Q(status__in=["blocked", "dropped"]) | ~Q(status_reason=""),
                name="blocked_or_dropped_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"

    @property
    def lead(self) -> Organisation | Body | None:
        return self.lead_body or self.lead_organisation

    def is_overdue(self, on: dt.date) -> bool:
        return self.target_on is not None and self.target_on < on and self.status in UNFINISHED


class Milestone(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=300)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["activity", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressUpdate(Classified):
    """A dated narrative of progress, by a person on behalf of a member or body, with its own classification."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="updates")
    narrative = models.TextField(_("what happened"))
    reported_on = models.DateField(_("date"), default=timezone.localdate)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(Classified.Meta):
        ordering = ["-reported_on", "-created_at"]
        constraints = [*Classified.Meta.constraints]
        indexes = [models.Index(fields=["activity", "reported_on"])]

    def __str__(self) -> str:
        return f"{self.activity.code} update of {self.reported_on}"


class EvidenceLink(models.Model):
    """A record elsewhere in the platform that serves an activity. Its visibility is the record's own: the
    registered type's model goes through the access policy (programme.evidence)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    record_type = models.CharField(_("kind of record"), max_length=64)
    record_id = models.CharField(max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-linked_at"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "record_type", "record_id"], name="evidence_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_type}:{self.record_id} → {self.activity.code}"


class StatusProposal(Classified):
    """A suggested status change, from an update or from evidence; a person with the right confirms or dismisses
    it. Proposals inherit the classification of what raised them."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="proposals")
    status = models.CharField(_("proposed status"), max_length=16, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    update = models.ForeignKey(ProgressUpdate, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    evidence = models.ForeignKey(EvidenceLink, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta(Classified.Meta):
        ordering = ["-proposed_at"]
        constraints = [*Classified.Meta.constraints]

    def __str__(self) -> str:
        return f"{self.activity.code} → {self.get_status_display()}"


class StatusChange(models.Model):
    """The history of an activity's status; the current status lives on the activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="status_history")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    proposal = models.ForeignKey(StatusProposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.activity.code}: {self.from_status} → {self.to_status}"


class DigestSent(models.Model):
    """One staleness digest per person per ISO week, whatever the number of activities or workers."""

    person = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    week = models.CharField(max_length=8)  # "2026-W48"
    activities = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "week"], name="one_digest_per_person_week")]

    def __str__(self) -> str:
        return f"digest {self.week} to {self.person}"
