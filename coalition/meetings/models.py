"""Meetings across time zones (PoA 1B.2, 3A.2, 3B.2, 3B.3): series with a cadence and, where asked, a fair rotation
of meeting times; meetings stored in UTC with their host zone; agendas that carry over; minutes per agenda item
with revisions and a draft → circulated → approved workflow; decisions and action items; attendance; RFC 5545
invitations with RSVPs and a per-person calendar feed; members' quarterly capital–embassy calls."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.models import Classified, classification_field
from coalition.core.policy import Classification
from coalition.directory.models import Body, Office, Organisation, Person, validate_time_zone

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class MeetingSeries(Classified):
    """A recurring meeting of a body or of the members: its cadence, who takes part, its agenda template and,
    where asked, the fair rotation of its times (PoA 3B.3)."""

    classification = classification_field(Classification.MEMBERS)

    class Participation(models.TextChoices):
        MEMBERS = "members", _("All member governments")
        BODY = "body", _("The body's members")
        TROIKA = "troika", _("The troika on each date")

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")

    title = models.CharField(_("title"), max_length=200)
    body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_series", verbose_name=_("body")
    )
    participation = models.CharField(
        _("participants"), max_length=16, choices=Participation.choices, default=Participation.MEMBERS
    )
    frequency = models.CharField(_("cadence"), max_length=16, choices=Frequency.choices, default=Frequency.MONTHLY)
    interval = models.PositiveSmallIntegerField(
        _("every"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True, choices=WEEKDAY_CHOICES)
    # 1–4 for "first" to "fourth", −1 for "last"; with a weekday: "second Tuesday".
    week_of_month = models.SmallIntegerField(
        _("week of the month"),
        null=True,
        blank=True,
        choices=[(1, _("first")), (2, _("second")), (3, _("third")), (4, _("fourth")), (-1, _("last"))],
    )
    local_start = models.TimeField(_("start (host time)"), default=dt.time(14, 0))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    host_time_zone = models.CharField(_("host time zone"), max_length=64, validators=[validate_time_zone])
    host_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("host (for the rotation's host constraint)"),
    )
    virtual = models.BooleanField(_("virtual"), default=True)
    location = models.CharField(_("location or video link"), max_length=300, blank=True)
    agenda_template = models.TextField(_("agenda template (one item per line)"), blank=True)
    rotation = models.JSONField(_("fair rotation"), null=True, blank=True)  # the plan as shown (see services)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta(Classified.Meta):
        ordering = ["title"]
        verbose_name_plural = _("meeting series")
        constraints = [
            *Classified.Meta.constraints,
            models.CheckConstraint(
                condition=~Q(participation="body") | Q(body__isnull=False), name="body_series_has_body"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)


class Meeting(Classified):
    """One meeting. Its start is a UTC instant; the host zone is how the host reads it."""

    classification = classification_field(Classification.MEMBERS)

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    class MinutesState(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CIRCULATED = "circulated", _("Circulated")
        APPROVED = "approved", _("Approved")

    series = models.ForeignKey(MeetingSeries, null=True, blank=True, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("title"), max_length=200)
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("starts (UTC)"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    host_time_zone = models.CharField(_("host time zone"), max_length=64, validators=[validate_time_zone])
    virtual = models.BooleanField(_("virtual"), default=True)
    location = models.CharField(_("location or video link"), max_length=300, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)
    # RFC 5545: the UID never changes; SEQUENCE goes up with every change attendees must see.
    uid = models.CharField(max_length=200, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    minutes_state = models.CharField(
        _("minutes"), max_length=16, choices=MinutesState.choices, default=MinutesState.DRAFT
    )
    minutes_circulated_at = models.DateTimeField(null=True, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta(Classified.Meta):
        ordering = ["starts_at"]
        constraints = [*Classified.Meta.constraints]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d})"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.uid:
            self.uid = f"{uuid.uuid4()}@{settings.CALENDAR_UID_DOMAIN}"
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + self.duration

    def local_start(self, zone: str | None = None) -> dt.datetime:
        return self.starts_at.astimezone(ZoneInfo(zone or self.host_time_zone))

    @property
    def is_cancelled(self) -> bool:
        return self.state == self.State.CANCELLED


class AgendaItem(models.Model):
    """An item on a meeting's agenda. Items not reached carry over to the series' next meeting."""

    class Kind(models.TextChoices):
        ITEM = "item", _("Item")
        MINUTES_APPROVAL = "minutes_approval", _("Approval of the previous minutes")
        ACTION_REVIEW = "action_review", _("Review of open action items")
        QUARTERLY_CALLS = "quarterly_calls", _("Members' quarterly update calls")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not yet taken")
        TAKEN = "taken", _("Taken")
        NOT_REACHED = "not_reached", _("Not reached")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ITEM)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("owner")
    )
    activity = models.ForeignKey(
        "programme.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("programme activity"),
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    approves = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("minutes it approves"),
    )

    class Meta:
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "kind"],
                condition=~Q(kind="item"),
                name="one_generated_item_of_each_kind",
            ),
            models.UniqueConstraint(
                fields=["meeting", "approves"],
                condition=Q(approves__isnull=False),
                name="one_approval_item_per_minutes",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def current_minutes(self) -> MinutesRevision | None:
        return self.minutes_revisions.order_by("-number").first()


class MinutesRevision(models.Model):
    """The minutes of one agenda item, as saved: every save is a new revision and none is changed (the database
    refuses it), and once the minutes are approved none is added or removed either."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="minutes_revisions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("minutes"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="minutes_revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.item} r{self.number}"


class MinutesApproval(models.Model):
    """The record that a meeting approved the minutes of an earlier one, with the digest of what it approved and the
    attendance as it stood. Never changed nor removed: the database refuses it, as it refuses any change to the
    revisions of approved minutes (migration 0002; `integrity` checks what is shown against it)."""

    minutes_of = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="approval")
    approved_at = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="approvals_given")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    content_hash = models.CharField(max_length=64)
    # [{"organisation": id, "person": id, "status": …}]; None for approvals made before attendance was frozen.
    attendance = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(minutes_of=F("approved_at")), name="minutes_approved_elsewhere")
        ]

    def __str__(self) -> str:
        return f"minutes of {self.minutes_of} approved at {self.approved_at}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    text = models.TextField(_("decision"))
    activity = models.ForeignKey(
        "programme.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("programme activity"),
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class ActionItem(models.Model):
    """Something a person or member undertook at a meeting; open items come back on every later agenda of the
    series until they are closed."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    text = models.TextField(_("action"))
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner (member or organisation)"),
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    activity = models.ForeignKey(
        "programme.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("programme activity"),
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    closed_at_meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_closed"
    )
    closed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(owner_organisation__isnull=False), name="action_has_owner"
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Attendance(models.Model):
    """Who was there: per member state and, where known, per person."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        APOLOGIES = "apologies", _("Apologies")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "organisation__name", "person__full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(person__isnull=False), name="attendance_names_someone"
            ),
            models.UniqueConstraint(
                fields=["meeting", "organisation"], condition=Q(person__isnull=True), name="one_row_per_member"
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=Q(person__isnull=False), name="one_row_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.organisation}: {self.status}"


class Invitation(models.Model):
    """A person invited to a meeting: what was last sent (SEQUENCE) and their reply (RFC 5545 PARTSTAT)."""

    class Reply(models.TextChoices):
        NEEDS_ACTION = "NEEDS-ACTION", _("No reply yet")
        ACCEPTED = "ACCEPTED", _("Accepted")
        TENTATIVE = "TENTATIVE", _("Tentative")
        DECLINED = "DECLINED", _("Declined")

    REPLIES: ClassVar[frozenset[str]] = frozenset({Reply.ACCEPTED, Reply.TENTATIVE, Reply.DECLINED})

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField(blank=True)  # where the invitation went; an ICS reply must come from this ATTENDEE
    reply = models.CharField(max_length=16, choices=Reply.choices, default=Reply.NEEDS_ACTION)
    replied_at = models.DateTimeField(null=True, blank=True)
    sent_sequence = models.IntegerField(null=True, blank=True)  # None: never sent
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "person__full_name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="one_invitation_per_person")]

    def __str__(self) -> str:
        return f"{self.person} → {self.meeting}"


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's calendar feed, behind a secret token that only its hash stands for; revoking ends it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="calendar_feeds")
    prefix = models.CharField(max_length=8)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"feed {self.prefix}… of {self.person}"

    def note_use(self) -> None:
        """Note that the feed was just read, in the cache: a GET request writes no row (issue 19)."""
        cache.set(f"calendar-feed-used:{self.pk}", timezone.now(), timeout=None)

    @property
    def last_used(self) -> dt.datetime | None:
        """When the feed was last read: the cache's note, or the stored time if the cache has none (older feeds)."""
        noted: dt.datetime | None = cache.get(f"calendar-feed-used:{self.pk}")
        return noted or self.last_used_at

    @classmethod
    def issue(cls, person: Person) -> tuple[CalendarFeed, str]:
        raw = "cal_" + secrets.token_urlsafe(32)
        return cls.objects.create(person=person, prefix=raw[4:12], token_hash=hash_feed_token(raw)), raw


class QuarterlyCall(Classified):
    """A member's quarterly update call between its capital and its embassies (PoA 1B.2), rolled into the next
    Strategy and Coordination meeting (3B.2)."""

    classification = classification_field(Classification.MEMBERS)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="quarterly_calls", verbose_name=_("member")
    )
    held_on = models.DateField(_("held on"))
    posts = models.ManyToManyField(Office, blank=True, related_name="+", verbose_name=_("posts involved"))
    topics = models.TextField(_("topics discussed"))
    proposed_actions = models.TextField(_("proposed actions"), blank=True)
    asks = models.TextField(_("asks of the coalition"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta(Classified.Meta):
        ordering = ["-held_on", "organisation__name"]
        constraints = [*Classified.Meta.constraints]

    def __str__(self) -> str:
        return f"{self.organisation} quarterly call of {self.held_on}"

    @property
    def quarter(self) -> tuple[int, int]:
        return quarter_of(self.held_on)


def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * quarter - 2, 1)
    last = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return first, last - dt.timedelta(days=1)
