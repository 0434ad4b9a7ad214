"""The coalition's directory: countries, organisations and their participation, offices, bodies, chair terms,
people and the dated positions they hold (PoA 1A.1–1A.2, 3A.1–3A.2)."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from coalition.core.crypto import EncryptedTextField
from coalition.core.models import Classified, classification_field
from coalition.core.policy import Classification


@functools.cache
def zone_names() -> frozenset[str]:
    """The IANA zone names. Some systems list their own "localtime" among the zones: it names the server's clock,
    not a place, and no calendar or reader elsewhere understands it."""
    return frozenset(zoneinfo.available_timezones()) - {"localtime", "posixrules"}


def validate_time_zone(value: str) -> None:
    if value not in zone_names():
        raise ValidationError(_("%(value)s is not an IANA time zone (e.g. Europe/Paris)."), params={"value": value})


# A country's short name takes "the" in running text ("the Government of the Netherlands") when it is a description
# rather than a proper name ("the United States", "the Dominican Republic", "the Solomon Islands"), or when the
# official name itself writes it with "the" ("Kingdom of the Netherlands", "Republic of the Gambia", "Commonwealth of
# the Bahamas"). The ISO data cannot show the few that take it by usage alone (the Maldives, the Holy See).
_DESCRIPTIVE_LAST_WORDS = frozenset({"Republic", "Kingdom", "States", "Emirates", "Federation", "Islands", "Union"})
_THE_BY_USAGE = frozenset({"MV", "VA"})


def takes_the(*, code: str, name: str, official_name: str) -> bool:
    """Whether a country's short name takes "the" in running text (see _DESCRIPTIVE_LAST_WORDS)."""
    if "," in name:  # ISO's inverted forms ("Congo, The Democratic Republic of the") are not used in sentences
        return False
    return (
        code in _THE_BY_USAGE
        or name.split()[-1] in _DESCRIPTIVE_LAST_WORDS
        or f"the {name}" in official_name
        or f"The {name}" in official_name
    )


class Country(models.Model):
    """An ISO 3166-1 country with its UN M49 region, its development classification and its time zones."""

    fixed_classification: ClassVar[str] = Classification.PUBLIC

    class Development(models.TextChoices):
        NORTH = "north", _("Global North")
        SOUTH = "south", _("Global South")

    code = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    alpha3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO 3166-1 numeric / M49"), max_length=3)
    name = models.CharField(_("name"), max_length=200)
    official_name = models.CharField(_("official name"), max_length=300, blank=True)
    region = models.CharField(_("M49 region"), max_length=100, blank=True)
    sub_region = models.CharField(_("M49 sub-region"), max_length=100, blank=True)
    intermediate_region = models.CharField(_("M49 intermediate region"), max_length=100, blank=True)
    development = models.CharField(_("North/South"), max_length=5, choices=Development.choices, blank=True)
    capital = models.CharField(_("capital"), max_length=200, blank=True)
    capital_tz = models.CharField(_("capital's time zone"), max_length=64, blank=True)
    time_zones = models.JSONField(_("time zones"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name

    @property
    def name_in_text(self) -> str:
        """The short name as a sentence uses it: "the United States", "Kenya" ("Government of the United States")."""
        article = takes_the(code=self.code, name=self.name, official_name=self.official_name)
        return f"the {self.name}" if article else self.name


class Organisation(Classified):
    """Anyone the coalition deals with. Whether a government is a member or observer is its participation."""

    classification = classification_field(Classification.PUBLIC)

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        REGIONAL = "regional", _("Supranational or regional organisation")
        UN_BODY = "un_body", _("UN body")
        CIVIL_SOCIETY = "civil_society", _("Civil society")
        ACADEMIA = "academia", _("Academia")
        PRIVATE_SECTOR = "private_sector", _("Private sector")
        PARTNER_INITIATIVE = "partner_initiative", _("Partner initiative")
        DONOR_AGENCY = "donor_agency", _("Donor agency")

    ADVISORY_NETWORK_KINDS: ClassVar[frozenset[str]] = frozenset(
        {Kind.CIVIL_SOCIETY, Kind.ACADEMIA, Kind.PRIVATE_SECTOR}
    )

    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = models.ForeignKey(
        Country,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("country"),
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("part of"),
    )
    website = models.URLField(_("website"), blank=True)

    class Meta(Classified.Meta):
        ordering = ["name"]
        constraints = [
            *Classified.Meta.constraints,
            models.UniqueConstraint(
                fields=["country"], condition=Q(kind="government"), name="one_government_per_country"
            ),
            models.CheckConstraint(
                condition=~Q(kind="government") | Q(country__isnull=False), name="government_has_country"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_advisory_network_kind(self) -> bool:
        return self.kind in self.ADVISORY_NETWORK_KINDS


class Participation(models.Model):
    """A dated step in an organisation's relation to the coalition. The status on a date is the latest step on or
    before it, so the membership on any past date can be answered."""

    fixed_classification: ClassVar[str] = Classification.PUBLIC

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        INVITED = "invited", _("Invited")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="participation")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    effective_on = models.DateField(_("effective on"))

    class Precision(models.TextChoices):
        DAY = "day", _("exact date")
        YEAR = "year", _("only the year is known")
        BY_YEAR = "by_year", _("known only to have happened by that year")

    precision = models.CharField(
        _("precision of the date"), max_length=8, choices=Precision.choices, default=Precision.DAY
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["organisation", "effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "effective_on"], name="one_participation_step_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_status_display()} from {self.effective_on}"

    @property
    def when(self) -> str:
        return describe_date(self.effective_on, self.precision)


def describe_date(on: dt.date | None, precision: str) -> str:
    """A dated fact as precisely as it is known: "9 Dec 2011", "2015" or "by 2024"."""
    if on is None:
        return str(_("not recorded"))
    if precision == Participation.Precision.YEAR:
        return str(on.year)
    if precision == Participation.Precision.BY_YEAR:
        return str(_("by %(year)s") % {"year": on.year})
    return f"{on.day} {on.strftime('%b')} {on.year}"


class Body(Classified):
    """A body of the coalition: Chair, Troika, Support Unit, Advisory Network, Task Forces, networks, …"""

    classification = classification_field(Classification.PUBLIC)

    class Kind(models.TextChoices):
        CHAIR = "chair", _("Chair")
        TROIKA = "troika", _("Troika")
        SUPPORT_UNIT = "support_unit", _("Support Unit")
        ADVISORY_NETWORK = "advisory_network", _("Advisory Network")
        TASK_FORCE = "task_force", _("Task Force")
        WORKING_GROUP = "working_group", _("Working Group")
        DIPLOMATIC_NETWORK = "diplomatic_network", _("Diplomatic network")
        STRATEGY = "strategy", _("Strategy and Coordination")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_time_zone])
    mandate = models.TextField(_("terms of reference"), blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    sunset_on = models.DateField(_("sunset date"), null=True, blank=True)

    class Meta(Classified.Meta):
        constraints = [*Classified.Meta.constraints]
        ordering = ["kind", "name"]
        verbose_name_plural = _("bodies")

    def __str__(self) -> str:
        return self.name


class Office(Classified):
    """A government's office: its capital ministry, permanent missions and embassies."""

    classification = classification_field(Classification.PUBLIC)

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Capital ministry")
        MISSION = "mission", _("Permanent mission")
        EMBASSY = "embassy", _("Embassy")
        CONSULATE = "consulate", _("Consulate")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="offices")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=300)
    city = models.CharField(_("city"), max_length=100)
    host_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("host"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    network = models.ForeignKey(
        Body,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offices",
        limit_choices_to={"kind": Body.Kind.DIPLOMATIC_NETWORK},
        verbose_name=_("diplomatic network"),
    )

    class Meta(Classified.Meta):
        constraints = [*Classified.Meta.constraints]
        ordering = ["organisation", "kind", "city"]

    def __str__(self) -> str:
        return self.name


class ChairTerm(models.Model):
    """The government that chairs the coalition in a year. The troika is derived from consecutive terms."""

    fixed_classification: ClassVar[str] = Classification.PUBLIC

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="chair_terms",
        limit_choices_to={"kind": "government"},
    )
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["year"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="chair_term_ordered")]

    def __str__(self) -> str:
        return f"{self.year}: {self.organisation}"


class Person(Classified):
    """A person who works with the coalition. Contact details are encrypted at rest (core.crypto)."""

    full_name = models.CharField(_("full name"), max_length=200)
    affiliation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name=_("affiliation"),
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_time_zone])
    email = EncryptedTextField(_("email"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    secure_messaging = EncryptedTextField(_("secure messaging handle"), blank=True)

    class Meta(Classified.Meta):
        constraints = [*Classified.Meta.constraints]
        ordering = ["full_name"]
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_civil_society(self) -> bool:
        """People outside government whose contact details the Support Unit alone may see."""
        return self.affiliation is None or self.affiliation.is_advisory_network_kind


class Position(Classified):
    """A person holds a position in a body or on behalf of an organisation, for a dated term. Roles derive from
    current positions (coalition.accounts.roles), never from a flag on the account."""

    class Kind(models.TextChoices):
        FOCAL_POINT = "focal_point", _("Focal point")
        OFFICIAL = "official", _("Official")
        NETWORK_POC = "network_poc", _("Network point of contact")
        CHAIR_LEAD = "chair_lead", _("Chair's lead")
        CO_CHAIR = "co_chair", _("Co-chair")
        MEMBER = "member", _("Member of a body")
        SUPPORT_UNIT_STAFF = "support_unit_staff", _("Support Unit staff")
        GUEST = "guest", _("Invited guest")

    class Consent(models.TextChoices):
        """A position on behalf of a government starts only once the member agrees (directory.services.appoint)."""

        GIVEN = "given", _("in force")  # agreed by the member, or not held on behalf of a government
        AWAITED = "awaited", _("awaiting the member's confirmation")
        DECLINED = "declined", _("declined by the member")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.ForeignKey(
        Body,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("body"),
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        verbose_name=_("on behalf of"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    consent = models.CharField(_("member's consent"), max_length=16, choices=Consent.choices, default=Consent.GIVEN)

    class Meta(Classified.Meta):
        ordering = ["person", "starts_on"]
        constraints = [
            *Classified.Meta.constraints,
            models.CheckConstraint(
                condition=Q(body__isnull=False) | Q(organisation__isnull=False),
                name="position_has_body_or_org",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="position_term_ordered",
            ),
        ]

    def __str__(self) -> str:
        where = self.body or self.organisation
        return f"{self.person}: {self.title or self.get_kind_display()} ({where})"

    def is_current(self, on: dt.date) -> bool:
        in_term = self.starts_on <= on and (self.ends_on is None or self.ends_on >= on)
        return in_term and self.consent == self.Consent.GIVEN

    @staticmethod
    def current_q(on: dt.date, prefix: str = "") -> Q:
        """Positions in force on a date: within their term and, on behalf of a government, agreed by it."""
        return (
            Q(**{f"{prefix}starts_on__lte": on})
            & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": on}))
            & Q(**{f"{prefix}consent": Position.Consent.GIVEN})
        )
