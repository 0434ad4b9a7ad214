"""Donor coordination (PoA 2A.1–2A.4): members share what they fund and plan to fund, by tier, and the mechanism
finds where funding overlaps and where it is missing.

A member joins the mechanism (`Participation`, dated) and shares each `FundingActivity` at one of four tiers: public,
all participants, a named `DonorGroup`, or bilateral with named members. Who reads which tier is decided by the one
policy in `coalition.core.policy` (see `SHARING` below); records are imported whole from an IATI file or the
spreadsheet template (`ImportBatch`), keyed by (reporter, identifier) so a re-import updates rather than duplicates.

Money is kept as reported (`FundingLine.value` + `currency`) and converted to the mechanism's currency at a named
`ExchangeRate`; `Allocation` rows split each activity's funding across recipient countries and policy topics (through
the editable `TopicMapping`) so that heatmap totals are sums over rows the viewer may read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.policy import Classification, SharingTiers, Tier
from coalition.directory.models import Organisation
from coalition.directory.queries import today


class Topic(models.TextChoices):
    """The programme's four policy topics that funding is mapped to ("" is funding that maps to none)."""

    FREEDOMS = "freedoms", _("Fundamental freedoms and shutdowns")
    SURVEILLANCE = "surveillance", _("Digital authoritarianism and surveillance")
    AI = "ai", _("AI and human rights")
    INCLUSION = "inclusion", _("Digital inclusion")


class Participation(models.Model):
    """A member's membership of the donor coordination mechanism, from the day it joined until the day it left."""

    fixed_classification: ClassVar[str] = Classification.MEMBERS  # who takes part is known to the governments

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="donor_participation")
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    joined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    left_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["organisation__name", "-joined_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(left_on__isnull=True), name="one_open_participation"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="participation_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} since {self.joined_on}"

    @classmethod
    def active_organisations(cls, on: dt.date | None = None) -> models.QuerySet[Any]:
        """The organisations taking part on a day (today by default), as a values queryset of ids."""
        day = on or today()
        return (
            cls.objects.filter(joined_on__lte=day)
            .filter(Q(left_on__isnull=True) | Q(left_on__gt=day))
            .values("organisation_id")
        )


class DonorGroup(models.Model):
    """A named group of donors sharing with each other (e.g. the donors to one country's digital-rights fund)."""

    fixed_classification: ClassVar[str] = Classification.MEMBERS

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("purpose"), blank=True)
    members = models.ManyToManyField(Organisation, related_name="donor_groups", verbose_name=_("members"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One file a member brought in, and its report: accepted whole, or refused with every reason (nothing saved)."""

    owned_by: ClassVar[str] = "reporter"  # the reporter's people alone read the report: it names every activity

    class Format(models.TextChoices):
        IATI = "iati", _("IATI activity file")
        XLSX = "xlsx", _("Spreadsheet template (XLSX)")
        CSV = "csv", _("Spreadsheet template (CSV)")

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("Waiting for the task worker")
        RUNNING = "running", _("Being imported")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")

    class Step(models.TextChoices):  # where a file the task worker imports has got to (issue 15 item 16)
        READING = "reading", _("Reading the activities")
        CHECKING = "checking", _("Checking the activities")
        SAVING = "saving", _("Saving the activities, all or none")

    reporter = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=8, choices=Format.choices)
    file_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    version = models.CharField(max_length=16, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    activities = models.PositiveIntegerField(default=0)  # activities in the file
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"message", "kind", "line", "identifier"}]
    warnings = models.JSONField(default=list)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    step = models.CharField(max_length=8, choices=Step.choices, blank=True)  # while the task worker imports it
    progress = models.PositiveIntegerField(default=0)  # activities done in `step`, of `activities`
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_outcome_display()})"

    @property
    def pending(self) -> bool:
        return self.outcome in (self.Outcome.QUEUED, self.Outcome.RUNNING)


class ImportUpload(models.Model):
    """A file waiting for the task worker, with the sharing chosen for its new activities. Kept in the database, which
    the web processes and the workers share wherever they run; deleted once the file is imported or refused (its
    batch keeps its name, size and SHA-256)."""

    visible_through: ClassVar[tuple[str, ...]] = ("batch",)

    batch = models.OneToOneField(ImportBatch, on_delete=models.CASCADE, related_name="upload")
    data = models.BinaryField()
    tier = models.CharField(max_length=12, choices=Tier.choices)
    group = models.ForeignKey(DonorGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    bilateral_with = models.ManyToManyField(Organisation, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"upload of {self.batch}"


class FundingActivity(models.Model):
    """One activity a member funds or plans to fund, as it reported it, shared at the tier it chose."""

    sharing: ClassVar[SharingTiers] = SharingTiers(
        participants=Participation.active_organisations,
        reporter="reporter",
        tier="tier",
        group_members="group__members",
        bilateral="bilateral_with",
    )

    class Source(models.TextChoices):
        IATI = "iati", _("IATI file")
        SPREADSHEET = "spreadsheet", _("Spreadsheet template")

    class Status(models.TextChoices):  # the IATI ActivityStatus codelist
        PIPELINE = "1", _("Pipeline / identification")
        IMPLEMENTATION = "2", _("Implementation")
        FINALISATION = "3", _("Finalisation")
        CLOSED = "4", _("Closed")
        CANCELLED = "5", _("Cancelled")
        SUSPENDED = "6", _("Suspended")

    reporter = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="funding_activities", verbose_name=_("reported by")
    )
    identifier = models.CharField(_("identifier"), max_length=200)
    tier = models.CharField(_("shared with"), max_length=12, choices=Tier.choices, default=Tier.MECHANISM)
    group = models.ForeignKey(
        DonorGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="activities", verbose_name=_("group")
    )
    bilateral_with = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("bilateral with")
    )
    source = models.CharField(max_length=12, choices=Source.choices)
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="funding_activities")
    content_hash = models.CharField(max_length=64)  # what the file said, to tell an update from a repeat

    title = models.CharField(_("title"), max_length=1000)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=2, choices=Status.choices, blank=True)
    hierarchy = models.PositiveSmallIntegerField(_("hierarchy level"), null=True, blank=True)
    parent_identifier = models.CharField(_("part of"), max_length=200, blank=True)
    component_identifiers = models.JSONField(default=list, blank=True)  # its parts (IATI related-activity type 2)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)  # the activity's default currency
    participating_orgs = models.JSONField(default=list)  # [{"role", "ref", "type", "name"}]
    implementers = models.JSONField(default=list)  # normalised implementer keys, for overlap detection
    countries = models.JSONField(default=list)  # [{"code", "percentage"}]
    regions = models.JSONField(default=list)  # [{"code", "vocabulary", "percentage"}]
    sectors = models.JSONField(default=list)  # [{"vocabulary", "code", "percentage"}]
    policy_markers = models.JSONField(default=list)  # [{"vocabulary", "code", "significance"}]
    topics = models.JSONField(default=list)  # the policy topics its sectors and markers map to
    total = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)  # in settings.DONORS_CURRENCY
    total_basis = models.CharField(max_length=24, blank=True)  # which lines the total counts: "budgets", …
    imported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_on", "title"]
        verbose_name_plural = "funding activities"
        constraints = [
            models.UniqueConstraint(fields=["reporter", "identifier"], name="funding_identifier_once_per_reporter"),
            models.CheckConstraint(condition=~Q(identifier=""), name="funding_identifier_not_empty"),
            models.CheckConstraint(
                condition=Q(tier=Tier.GROUP, group__isnull=False) | (~Q(tier=Tier.GROUP) & Q(group__isnull=True)),
                name="funding_group_tier_names_a_group",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="funding_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["tier", "reporter"])]

    def __str__(self) -> str:
        return f"{self.identifier}: {self.title}"


class FundingLine(models.Model):
    """One amount of an activity: a budget, a planned disbursement or a transaction, as reported and converted."""

    visible_through: ClassVar[tuple[str, ...]] = ("activity",)

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        PLANNED = "planned", _("Planned disbursement")
        COMMITMENT = "commitment", _("Commitment")
        DISBURSEMENT = "disbursement", _("Disbursement")
        EXPENDITURE = "expenditure", _("Expenditure")
        OTHER = "other", _("Other transaction")

    class Stage(models.TextChoices):
        PIPELINE = "pipeline", _("Pipeline")
        PLANNED = "planned", _("Planned")
        COMMITTED = "committed", _("Committed")
        SPENT = "spent", _("Disbursed or spent")

    activity = models.ForeignKey(FundingActivity, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    stage = models.CharField(max_length=12, choices=Stage.choices)
    code = models.CharField(max_length=4, blank=True)  # the IATI type code (budget type, transaction type)
    status = models.CharField(max_length=4, blank=True)  # budget status: 1 indicative, 2 committed
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    value = models.DecimalField(max_digits=20, decimal_places=2)
    currency = models.CharField(max_length=3)
    value_date = models.DateField(null=True, blank=True)
    converted = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    rate = models.ForeignKey(
        "ExchangeRate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # the rate used; empty when the currency is the mechanism's own or no rate is known

    class Meta:
        ordering = ["activity", "period_start", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} {self.currency}"


class Allocation(models.Model):
    """The share of an activity's total that goes to one recipient country and one policy topic (the heatmap)."""

    visible_through: ClassVar[tuple[str, ...]] = ("activity",)

    activity = models.ForeignKey(FundingActivity, on_delete=models.CASCADE, related_name="allocations")
    country = models.CharField(max_length=2, blank=True)  # "" is regional or unspecified
    topic = models.CharField(max_length=16, choices=Topic.choices, blank=True)  # "" maps to no topic
    share = models.DecimalField(max_digits=9, decimal_places=6)  # of the activity's total
    amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["country", "topic"])]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.country or '—'} × {self.topic or '—'} = {self.amount}"


class TopicMapping(models.Model):
    """Which policy topic a sector or policy marker counts towards; kept by the Support Unit."""

    fixed_classification: ClassVar[str] = Classification.MEMBERS

    class Kind(models.TextChoices):
        SECTOR = "sector", _("DAC 5-digit sector")
        SECTOR_CATEGORY = "category", _("DAC 3-digit sector category")
        POLICY_MARKER = "marker", _("Policy marker")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=10)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    note = models.CharField(_("why"), max_length=300, blank=True)
    needs_text = models.BooleanField(
        _("only where the title or description speaks of the topic"),
        default=False,
        help_text=_("For a code wider than the topic (human rights, elections). A policy marker always needs it."),
    )  # the words are `coalition.donors.topic_words`
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "code", "topic"]
        constraints = [models.UniqueConstraint(fields=["kind", "code", "topic"], name="topic_mapping_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code} → {self.get_topic_display()}"


# The mapping an installation starts from (migration 0002, brought up to date by later ones); the Support Unit edits
# it from there. Each code was checked against its meaning in the DAC CRS purpose codes (the IATI Sector codelist):
# a code whose meaning is the topic counts directly; a code wider than the topic, and every policy marker, counts only
# where the activity's words speak of the topic (`needs_text`, see `topic_words.py`). No DAC code covers AI: 43082 is
# research institutions "when the sector cannot be identified", so it names AI only where the text does.
DEFAULT_MAPPING: tuple[tuple[str, str, str, str, bool], ...] = (
    # (kind, code, topic, why, needs_text)
    ("sector", "15153", "freedoms", "Media and free flow of information", False),
    ("sector", "15163", "freedoms", "Free flow of information (withdrawn code of older files, now 15153)", False),
    ("sector", "15160", "freedoms", "Human rights: where the text names freedoms, defenders or civic space", True),
    ("sector", "15150", "freedoms", "Democratic participation and civil society: where the text names freedoms", True),
    ("sector", "15151", "freedoms", "Elections: where the text names shutdowns, censorship or free media", True),
    ("sector", "22030", "freedoms", "Radio/television/print media equipment: where the text names free media", True),
    ("sector", "15130", "surveillance", "Legal and judicial development: where the text names surveillance", True),
    ("sector", "15210", "surveillance", "Security system reform: where the text names surveillance or privacy", True),
    ("sector", "22040", "inclusion", "Information and communication technology (ICT)", False),
    ("sector", "22020", "inclusion", "Telecommunications", False),
    ("sector", "22010", "inclusion", "Communications policy (postal services too): where the text is digital", True),
    ("sector", "22011", "inclusion", "Communications policy, planning and administration: where digital", True),
    ("sector", "15170", "inclusion", "Women's rights organisations: where the text is digital", True),
    ("sector", "15180", "inclusion", "Ending violence against women and girls: where the text is online", True),
    ("sector", "43082", "ai", "Research/scientific institutions: where the text names AI", True),
    ("marker", "1", "inclusion", "Gender equality: where the text is digital", True),
    ("marker", "11", "inclusion", "Disability: where the text is digital", True),
    ("marker", "3", "freedoms", "Participatory development / good governance: where the text names freedoms", True),
)


class ExchangeRate(models.Model):
    """What one unit of a currency was worth in the mechanism's currency on a day, and who said so."""

    fixed_classification: ClassVar[str] = Classification.MEMBERS

    currency = models.CharField(_("currency"), max_length=3)
    on = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["currency", "-on"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "on"], name="one_rate_a_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate.normalize()} {settings.DONORS_CURRENCY} on {self.on} ({self.source})"

    def convert(self, value: Decimal) -> Decimal:
        return (value * self.rate).quantize(Decimal("0.01"))


class Overlap(models.Model):
    """Two members' activities that may overlap: the detector's score and reasons, then the members' verdict."""

    visible_through: ClassVar[tuple[str, ...]] = ("first", "second")  # readable only by those who read both

    class Review(models.TextChoices):
        OPEN = "open", _("Not reviewed")
        COMPLEMENTARY = "complementary", _("Complementary")
        TO_COORDINATE = "to_coordinate", _("To coordinate")
        DUPLICATE = "duplicate", _("Duplicate")

    first = models.ForeignKey(FundingActivity, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(FundingActivity, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    reasons = models.JSONField(default=list)  # [{"kind", "detail", "weight"}]
    likely_duplicate = models.BooleanField(default=False)
    review = models.CharField(_("review"), max_length=16, choices=Review.choices, default=Review.OPEN)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(default=timezone.now)
    stale = models.BooleanField(default=False)  # the detector no longer finds it (kept for a reviewed pair)

    class Meta:
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="overlap_once_per_pair"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="overlap_pair_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ↔ {self.second_id} ({self.score:.2f})"


class SelfAssessment(models.Model):
    """A member's assessment of itself against one of the donor principles (a paragraph of a principles document)."""

    fixed_classification: ClassVar[str] = Classification.MEMBERS  # shared among governments for peer learning

    class Rating(models.TextChoices):
        MET = "met", _("Met")
        PARTLY = "partly", _("Partly met")
        NOT_YET = "not_yet", _("Not yet")
        NOT_APPLICABLE = "n/a", _("Not applicable")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey("documents.Document", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()  # the version of the principles assessed
    paragraph = models.PositiveIntegerField()
    paragraph_hash = models.CharField(max_length=64)  # follows the principle's text into later versions
    rating = models.CharField(_("rating"), max_length=8, choices=Rating.choices)
    evidence = models.TextField(_("how (evidence)"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "paragraph"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "document", "paragraph_hash"], name="one_assessment_per_principle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} on principle {self.paragraph}: {self.get_rating_display()}"
