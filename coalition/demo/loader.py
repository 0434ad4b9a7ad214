"""Build the demo coalition: real members and bodies, fictitious people, one login per role with TOTP.

Everything time-sensitive (current positions, terms ending soon, this year's chair) is relative to the day it runs.
Loading twice changes nothing: the demo is recognised by its Support Unit login and left as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.db import transaction

from coalition.accounts.models import User
from coalition.core import ledger
from coalition.core.errors import CoalitionError
from coalition.core.policy import Classification
from coalition.demo import data
from coalition.directory.models import (
    Body,
    ChairTerm,
    Country,
    Office,
    Organisation,
    Participation,
    Person,
    Position,
)
from coalition.directory.queries import today
from coalition.directory.services import load_countries

DEMO_DOMAIN = "demo.coalition.example"
DEMO_PASSWORD = "correct-horse-coalition-demo"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    name: str
    totp_secret: str


# role label, login name, person, time zone; the position is made in _people below.
LOGINS = [
    ("Support Unit", "support", "Samira Placeholder", "Europe/Amsterdam"),
    ("Chair", "chair", "Carlos Exemplar", "America/Santiago"),
    ("Member focal point", "focal", "Freya Sample", "Europe/Tallinn"),
    ("Member official", "official", "Kwame Mockdata", "Africa/Accra"),
    ("Observer", "observer", "Olive Stand-In", "Europe/Brussels"),
    ("Advisory Network", "advisory", "Amara Fictional", "Africa/Nairobi"),
    ("Invited guest", "guest", "Gustav Visitor", "Asia/Tokyo"),
]


class DemoInProduction(CoalitionError):
    """The demo was asked for where real people sign in."""


def refuse_in_production() -> None:
    """The demo's accounts share a published password and their TOTP secrets are printed: in production they would
    be open doors, so nothing of the demo is made or shown there."""
    if settings.PRODUCTION:
        raise DemoInProduction(
            "The demo coalition is refused under DJANGO_ENV=production: its accounts share a published password "
            "and their second factors are printed. Nothing was written."
        )


def demo_logins() -> list[DemoLogin]:
    refuse_in_production()
    adapter = get_mfa_adapter()
    logins = []
    for role, login, name, _tz in LOGINS:
        user = User.objects.get(email=f"{login}@{DEMO_DOMAIN}")
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        logins.append(DemoLogin(role, user.email, name, adapter.decrypt(totp.data["secret"])))
    return logins


def load_demo() -> list[DemoLogin]:
    refuse_in_production()  # before anything, countries included, is written
    load_countries()
    if User.objects.filter(email=f"support@{DEMO_DOMAIN}").exists():
        return demo_logins()
    with transaction.atomic():
        on = today()
        countries = {c.code: c for c in Country.objects.all()}
        governments = _members(countries)
        bodies = _bodies(countries)
        _offices(governments, bodies, countries)
        chair = _chair_terms(governments, on)
        people = _people(governments, bodies, chair, on)
        _accounts(people)
        _programme(governments, bodies, on)
        _meetings(governments, bodies, on)
        _statements(governments)
        _library(governments)
        _response(governments)
        _donors(governments)
        ledger.record("demo.loaded", data={"members": len(governments), "on": on})
    return demo_logins()


def _members(countries: dict[str, Country]) -> dict[str, Organisation]:
    governments = {}
    for code, year, note in data.FOC_MEMBERS:
        country = countries[code]
        org = Organisation.objects.create(
            name=f"Government of {country.name_in_text}",
            short_name=country.name,
            kind=Organisation.Kind.GOVERNMENT,
            country=country,
            classification=Classification.PUBLIC,
        )
        precision = Participation.Precision.DAY
        if year == 2011:
            joined = dt.date(*data.FOUNDED_ON)
        elif code == "LV":
            joined = dt.date(*data.LATVIA_JOINED_ON)
        elif year:
            # Only the year is known: dated at its end, so no day within it claims a membership not yet certain.
            joined, precision = dt.date(year, 12, 31), Participation.Precision.YEAR
        else:
            joined, precision = dt.date(2024, 1, 1), Participation.Precision.BY_YEAR
        Participation.objects.create(
            organisation=org,
            status=Participation.Status.MEMBER,
            effective_on=joined,
            precision=precision,
            note=note,
        )
        governments[code] = org
    # A candidate's dated path, and a fictitious regional observer: the pipeline and the observer role.
    brazil = Organisation.objects.create(
        name="Government of Brazil",
        short_name="Brazil",
        country=countries["BR"],
        kind=Organisation.Kind.GOVERNMENT,
    )
    Participation.objects.create(
        organisation=brazil,
        status=Participation.Status.CANDIDATE,
        effective_on=today() - dt.timedelta(days=120),
        note="Demo data: fictitious",
    )
    Participation.objects.create(
        organisation=brazil,
        status=Participation.Status.INVITED,
        effective_on=today() - dt.timedelta(days=30),
        note="Demo data: fictitious",
    )
    observer = Organisation.objects.create(
        name="Demo Regional Forum (fictitious)", short_name="DRF", kind=Organisation.Kind.REGIONAL
    )
    Participation.objects.create(
        organisation=observer,
        status=Participation.Status.OBSERVER,
        effective_on=dt.date(2022, 6, 1),
        note="Demo data: fictitious",
    )
    governments["_observer"] = observer
    for name, short, kind in data.OTHER_ORGANISATIONS:
        Organisation.objects.create(name=name, short_name=short, kind=kind)
    governments["_csos"] = Organisation.objects.create(
        name="Example Digital Rights Centre (fictitious)",
        short_name="EDRC",
        kind=Organisation.Kind.CIVIL_SOCIETY,
    )
    Organisation.objects.create(name="Sample University Internet Lab (fictitious)", kind=Organisation.Kind.ACADEMIA)
    Organisation.objects.create(
        name="Demo Development Agency (fictitious)",
        country=None,
        kind=Organisation.Kind.DONOR_AGENCY,
        parent=governments["SE"],
    )
    return governments


def _bodies(countries: dict[str, Country]) -> dict[str, Body]:
    bodies = {}
    for slug, name, kind, mandate in data.BODIES:
        classification = Classification.PUBLIC
        sunset = today() + dt.timedelta(days=400) if kind in {"task_force", "working_group"} else None
        bodies[slug] = Body.objects.create(
            slug=slug, name=name, kind=kind, mandate=mandate, sunset_on=sunset, classification=classification
        )
    for slug, name, city, zone, _host in data.NETWORKS:
        bodies[slug] = Body.objects.create(
            slug=slug,
            name=name,
            kind=Body.Kind.DIPLOMATIC_NETWORK,
            city=city,
            time_zone=zone,
            classification=Classification.PUBLIC,
        )
    return bodies


def _offices(governments: dict[str, Organisation], bodies: dict[str, Body], countries: dict[str, Country]) -> None:
    codes = [code for code, _, _ in data.FOC_MEMBERS]
    for index, code in enumerate(codes):
        org, country = governments[code], countries[code]
        Office.objects.create(
            organisation=org,
            kind=Office.Kind.MINISTRY,
            name=f"Ministry of Foreign Affairs of {country.name_in_text}",
            city=country.capital or country.name,
            host_country=country,
            time_zone=country.capital_tz or "UTC",
        )
        for n, (slug, _name, city, zone, host) in enumerate(data.NETWORKS):
            if (index + n) % 5 == 4:  # most members have a mission in each network city; a few do not
                continue
            Office.objects.create(
                organisation=org,
                kind=Office.Kind.MISSION,
                name=f"Mission of {country.name_in_text} in {city}",
                city=city,
                host_country=countries[host],
                time_zone=zone,
                network=bodies[slug],
            )


def _chair_terms(governments: dict[str, Organisation], on: dt.date) -> Organisation:
    for code, year in data.CHAIR_TERMS:
        ChairTerm.objects.create(
            organisation=governments[code],
            year=year,
            starts_on=dt.date(year, 1, 1),
            ends_on=dt.date(year, 12, 31),
            note="Program of Action 2023",
        )
    # Relative to today: a previous and a current chair (fictitious), no next chair yet, so the 3A.1 flag shows.
    for code, year in [("EE", on.year - 1), ("CL", on.year)]:
        if year > 2023:
            ChairTerm.objects.create(
                organisation=governments[code],
                year=year,
                starts_on=dt.date(year, 1, 1),
                ends_on=dt.date(year, 12, 31),
                note="Demo data: fictitious term",
            )
    return governments["CL"]


def _person(
    name: str,
    affiliation: Organisation | None,
    zone: str,
    *,
    classification: str = Classification.COALITION,
    email: str = "",
    phone: str = "",
) -> Person:
    return Person.objects.create(
        full_name=name,
        affiliation=affiliation,
        time_zone=zone,
        email=email,
        phone=phone,
        classification=classification,
    )


def _people(
    governments: dict[str, Organisation], bodies: dict[str, Body], chair: Organisation, on: dt.date
) -> dict[str, Person]:
    long_ago = dt.date(on.year - 2, 1, 1)
    people: dict[str, Person] = {}
    spec: dict[str, tuple[Organisation | None, list[tuple[str, Body | None, Organisation | None, str]]]] = {
        "support": (
            None,
            [(Position.Kind.SUPPORT_UNIT_STAFF, bodies["support-unit"], None, "Programme officer")],
        ),
        "chair": (chair, [(Position.Kind.FOCAL_POINT, bodies["chair"], chair, "Chair's lead")]),
        "focal": (governments["EE"], [(Position.Kind.FOCAL_POINT, None, governments["EE"], "Focal point")]),
        "official": (governments["GH"], [(Position.Kind.OFFICIAL, None, governments["GH"], "Desk officer")]),
        "observer": (
            governments["_observer"],
            [(Position.Kind.OFFICIAL, None, governments["_observer"], "Observer delegate")],
        ),
        "advisory": (
            governments["_csos"],
            [
                (
                    Position.Kind.MEMBER,
                    bodies["advisory-network"],
                    governments["_csos"],
                    "Advisory Network member",
                )
            ],
        ),
        "guest": (None, [(Position.Kind.GUEST, bodies["tf-ai-human-rights"], None, "Invited expert")]),
    }
    for _role, login, name, zone in LOGINS:
        affiliation, positions = spec[login]
        person = _person(name, affiliation, zone, email=f"{login}@{DEMO_DOMAIN}", phone="+00 0000 0000")
        for kind, body, org, title in positions:
            ends = on + dt.timedelta(days=14) if kind == Position.Kind.GUEST else None
            Position.objects.create(
                person=person,
                kind=kind,
                body=body,
                organisation=org,
                title=title,
                starts_on=long_ago,
                ends_on=ends,
            )
        people[login] = person
    # Network points of contact: most members covered, some terms ending within 60 days, some gaps.
    first_names = ["Alex", "Bea", "Chen", "Dara", "Eli", "Fatou", "Goran", "Hana", "Ines", "Jae"]
    codes = [code for code, _, _ in data.FOC_MEMBERS]
    for index, code in enumerate(codes):
        for n, (slug, _name, city, zone, _host) in enumerate(data.NETWORKS):
            if (index * 3 + n) % 7 == 0:
                continue  # a gap in the coverage matrix
            ending = on + dt.timedelta(days=20 + index) if (index + n) % 9 == 0 else None
            poc = _person(
                f"{first_names[(index + n) % 10]} Example-{code}{n}",
                governments[code],
                zone,
                email=f"poc-{code.lower()}-{slug}@{DEMO_DOMAIN}",
            )
            Position.objects.create(
                person=poc,
                kind=Position.Kind.NETWORK_POC,
                body=bodies[slug],
                organisation=governments[code],
                title=f"{city} network POC",
                starts_on=long_ago,
                ends_on=ending,
            )
    # A members-only record, to show what the Advisory Network and observers do not see.
    sensitive = _person(
        "Morgan Restricted-Example",
        governments["KE"],
        "Africa/Nairobi",
        classification=Classification.MEMBERS,
    )
    Position.objects.create(
        person=sensitive,
        kind=Position.Kind.OFFICIAL,
        organisation=governments["KE"],
        title="Cyber diplomacy lead",
        starts_on=long_ago,
        classification=Classification.MEMBERS,
    )
    return people


def _accounts(people: dict[str, Person]) -> None:
    for _role, login, _name, _tz in LOGINS:
        user = User.objects.create_user(email=f"{login}@{DEMO_DOMAIN}", password=DEMO_PASSWORD, person=people[login])
        TOTP.activate(user, generate_totp_secret())
        RecoveryCodes.activate(user)


def _programme(governments: dict[str, Organisation], bodies: dict[str, Body], on: dt.date) -> None:
    """The 2023 Program of Action with leads, a few updates and statuses, carried over into this year's."""
    from coalition.programme import services as programme_services
    from coalition.programme.models import Activity, Milestone, ProgressUpdate, Status, ThematicGoal

    programme = programme_services.load_programme()
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    official = User.objects.get(email=f"official@{DEMO_DOMAIN}")
    activities = {a.code: a for a in Activity.objects.filter(objective__goal__programme=programme)}
    leads = {
        "1A.1": bodies["strategy-coordination"],
        "1A.2": bodies["support-unit"],
        "1A.7": bodies["tf-ai-human-rights"],
        "1B.1": bodies["wg-toolkit"],
        "1B.3": bodies["support-unit"],
        "3A.1": bodies["chair"],
        "3A.2": bodies["troika"],
        "3B.3": bodies["support-unit"],
        "3D.1": bodies["chair"],
    }
    for code, body in leads.items():
        Activity.objects.filter(pk=activities[code].pk).update(lead_body=body)
    Activity.objects.filter(pk=activities["1B.2"].pk).update(lead_organisation=governments["GH"])
    done = {"3A.1": "", "3A.2": "", "1A.2": ""}
    for code in done:
        programme_services.change_status(activity=activities[code], status=Status.DONE, by=support)
    programme_services.change_status(activity=activities["1B.3"], status=Status.IN_PROGRESS, by=support)
    programme_services.change_status(
        activity=activities["2A.4"], status=Status.BLOCKED, by=support, reason="Awaiting the donor principles (2A.3)."
    )
    for code, text, classification in [
        ("1A.2", "Points of contact identified in all four networks.", "public"),
        ("1B.2", "Ghana held its quarterly call with missions in Geneva and New York.", "coalition"),
        ("1B.3", "Draft rapid response procedure circulated to members for comment.", "members"),
    ]:
        ProgressUpdate.objects.create(
            activity=activities[code],
            narrative=text,
            author=support,
            reported_on=dt.date(2023, 10, 15),
            classification=classification,
        )
    shutdowns = ThematicGoal.objects.create(
        title="Countering internet shutdowns (demo, fictitious)",
        from_year=2023,
        to_year=on.year + 1,
        description="A thematic goal agreed with the Advisory Network to span several chairs (PoA 3A.3).",
    )
    for code in ["1A.5", "1B.1", "1B.3"]:
        activities[code].thematic_goals.add(shutdowns)
    Milestone.objects.create(
        activity=activities["1B.3"], title="Procedure agreed by members", due_on=dt.date(on.year, 6, 30)
    )
    current = programme_services.start_next_programme(
        previous=programme,
        year=on.year,
        by=support,
        title=f"Program of Action {on.year} (demo)",
        chair=governments["CL"],
    )
    # Recent activity in this year's programme, relative to today; the rest goes stale and into digests.
    fresh = Activity.objects.filter(objective__goal__programme=current, code__in=["1B.2", "1B.3"])
    for activity in fresh:
        programme_services.post_update(
            activity=activity,
            by=official if activity.code == "1B.2" else support,
            narrative="Quarterly call held with our missions; two follow-up actions agreed.",
            reported_on=on - dt.timedelta(days=10),
            classification="coalition",
            on_behalf_of=governments["GH"] if activity.code == "1B.2" else None,
        )


def _months_before(on: dt.date, months: int) -> dt.date:
    index = on.year * 12 + on.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def _meetings(governments: dict[str, Organisation], bodies: dict[str, Body], on: dt.date) -> None:
    """A monthly Strategy and Coordination series on the second Tuesday with a fair rotation of times, begun two
    months ago: the first meeting's minutes approved at the second, an action still open, a draft in progress;
    a troika call series; and some members' quarterly calls (PoA 1B.2, 3A.2, 3B.2, 3B.3). Nobody is emailed."""
    from coalition.meetings import services as meetings
    from coalition.meetings.models import AgendaItem, Attendance, Meeting, MeetingSeries
    from coalition.programme.models import Activity

    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    official = User.objects.get(email=f"official@{DEMO_DOMAIN}")
    focal = Person.objects.get(full_name="Freya Sample")
    current = {a.code: a for a in Activity.objects.filter(objective__goal__programme__year=on.year)}
    spec = meetings.SeriesSpec(
        title="Strategy and Coordination",
        body=bodies["strategy-coordination"],
        first_on=_months_before(on, 2),
        count=12,
        frequency=MeetingSeries.Frequency.MONTHLY,
        weekday=1,
        week_of_month=2,
        host_time_zone="America/Santiago",
        host_organisation=governments["CL"],
        rotate=True,
        host_in_working_hours=True,
        agenda_template="Programme of Action: progress review\nRapid response: situations update\nAny other business",
        classification=Classification.MEMBERS,
    )
    # The demo waits for its rotation: its meetings are used just below.
    series = meetings.create_series(spec, by=support, time_limit_seconds=4.0)
    first, second = list(series.meetings.order_by("starts_at")[:2])
    review, situations, other = list(first.agenda.order_by("position"))
    review.activity = current.get("1B.3")
    review.save(update_fields=["activity"])
    meetings.save_minutes(
        item=review,
        by=support,
        text="The Support Unit presented the tracker. Three activities are overdue; leads were asked to update.",
    )
    meetings.save_minutes(item=situations, by=support, text="Members exchanged views on two network disruptions.")
    meetings.save_minutes(item=other, by=support, text="No other business was raised.")
    terms = meetings.add_agenda_item(
        meeting=first,
        by=support,
        title="Terms of Reference review: timetable (PoA 3B.4)",
        activity=current.get("3B.4"),
    )
    meetings.set_outcome(item=terms, by=support, outcome=AgendaItem.Outcome.NOT_REACHED)
    meetings.record_decision(
        meeting=first,
        by=support,
        item=review,
        text="Members agreed to circulate the draft rapid response procedure for comment.",
        activity=current.get("1B.3"),
    )
    meetings.assign_action(
        meeting=first,
        by=support,
        item=review,
        text="Estonia to share its national shutdown-response checklist with the Support Unit.",
        owner=focal,
        owner_organisation=governments["EE"],
        due_on=first.starts_at.date() + dt.timedelta(days=60),
        activity=current.get("1B.1"),
    )
    meetings.record_attendance(
        meeting=first,
        by=support,
        rows=[
            meetings.AttendanceRow(status=Attendance.Status.PRESENT, organisation=governments[code])
            for code in ("CL", "EE", "GH", "CA", "NL", "JP")
        ]
        + [meetings.AttendanceRow(status=Attendance.Status.APOLOGIES, organisation=governments["KE"])],
    )
    meetings.circulate_minutes(meeting=first, by=support)
    meetings.approve_minutes(minutes_of=first, at=second, by=support)
    meetings.save_minutes(
        item=second.agenda.filter(title__startswith="Programme").first() or second.agenda.first(),  # type: ignore[arg-type]
        by=support,
        text="Draft: members reviewed the carry-over from the previous chair.",
    )
    upcoming = series.meetings.filter(starts_at__gte=dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC)).first()
    if upcoming is not None:
        meetings.invite(meeting=upcoming, by=support)
    troika = meetings.SeriesSpec(
        title="Troika call",
        body=bodies["troika"],
        participation=MeetingSeries.Participation.TROIKA,
        first_on=_months_before(on, 0),
        count=6,
        frequency=MeetingSeries.Frequency.MONTHLY,
        weekday=3,
        week_of_month=1,
        host_time_zone="America/Santiago",
        host_organisation=governments["CL"],
        rotate=True,
        duration_minutes=45,
        classification=Classification.MEMBERS,
    )
    # Solved here, as before, rather than left to a worker the demo may not have yet.
    meetings.create_series(troika, by=support, time_limit_seconds=4.0)
    last_quarter = _months_before(on, 3)
    for code, by, posts in [("GH", official, ["Geneva", "New York"]), ("EE", support, ["Vienna"])]:
        member = governments[code]
        meetings.record_quarterly_call(
            by=by,
            organisation=member,
            held_on=last_quarter + dt.timedelta(days=20),
            posts=Office.objects.filter(organisation=member, city__in=posts),
            topics="Preparations for the Human Rights Council session; shutdown monitoring in the region.",
            proposed_actions="Co-sponsor a side event with the Advisory Network.",
            asks="A briefing by the Support Unit on the rapid response procedure.",
        )
    assert Meeting.objects.filter(series=series).count() == 12


def _demo_focal_point(government: Organisation, name: str, zone: str) -> User:
    """A fictitious focal point with an account that cannot sign in (no password): they responded in the past."""
    person = _person(name, government, zone, email=f"focal-{government.country.code.lower()}@{DEMO_DOMAIN}")  # type: ignore[union-attr]
    Position.objects.create(
        person=person,
        kind=Position.Kind.FOCAL_POINT,
        organisation=government,
        title="Focal point",
        starts_on=dt.date(2020, 1, 1),
    )
    user = User.objects.create_user(email=person.email, password=None, person=person)
    return user


STATEMENT_TEXT = """The Freedom Online Coalition (FOC) is deeply concerned by the growing use of internet shutdowns and
network disruptions by governments around the world (demo text, fictitious).

Shutdowns cut people off from information, from emergency services and from one another. They harm economies and
undermine the exercise of human rights online, including freedom of expression and of peaceful assembly.

The FOC calls on all states to refrain from shutting down the internet and to ensure that any restriction is
prescribed by law, necessary and proportionate, in line with international human rights law.

The FOC will continue to work with civil society, the private sector and the technical community to document
disruptions and to support those affected."""


def _statements(governments: dict[str, Organisation]) -> None:
    """A joint statement signed and published (one member with a reservation, one joining late), a country-specific
    statement in drafting with a member's comment, and a concept note in consultation with the Advisory Network."""
    from django.utils import timezone

    from coalition.documents import services as documents
    from coalition.documents.models import Document
    from coalition.programme.models import Activity
    from coalition.statements import services as statements
    from coalition.statements.models import Freeze

    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    chair = User.objects.get(email=f"chair@{DEMO_DOMAIN}")
    focal = User.objects.get(email=f"focal@{DEMO_DOMAIN}")
    official = User.objects.get(email=f"official@{DEMO_DOMAIN}")
    advisory = User.objects.get(email=f"advisory@{DEMO_DOMAIN}")
    others = {
        code: _demo_focal_point(governments[code], name, zone)
        for code, name, zone in [
            ("CA", "Chloe Placeholder", "America/Toronto"),
            ("NL", "Noor Example", "Europe/Amsterdam"),
            ("GH", "Abena Sample", "Africa/Accra"),
            ("JP", "Kenji Fictional", "Asia/Tokyo"),
        ]
    }
    year = timezone.now().year
    activity = Activity.objects.filter(objective__goal__programme__year=year, code="1A.5").first()

    joint = statements.create_statement(
        by=support,
        title="Joint Statement on Internet Shutdowns (demo)",
        text=STATEMENT_TEXT,
        kind="joint",
        activities=[activity] if activity else [],
    )
    now = timezone.now()
    freeze = statements.freeze(
        statement=joint,
        by=chair,
        deadline=now + dt.timedelta(hours=2),
        deadline_time_zone="America/Santiago",
        mode=Freeze.Mode.SIGN_ON,
    )
    for code, user in [("CL", chair), ("EE", focal), ("CA", others["CA"]), ("NL", others["NL"])]:
        statements.respond(
            freeze=freeze,
            by=user,
            organisation=governments[code],
            kind="signed",
            reservation="We read paragraph 3 as applying to measures taken in armed conflict as well."
            if code == "NL"
            else "",
        )
    statements.decide(freeze, now=freeze.deadline)
    statements.publish(statement=joint, by=support)
    statements.add_translation(
        statement=joint,
        by=support,
        language="fr",
        title="Déclaration commune sur les coupures d'internet (démo)",
        text="La Freedom Online Coalition est profondément préoccupée par les coupures d'internet (texte fictif).",
    )
    statements.respond(freeze=freeze, by=others["GH"], organisation=governments["GH"], kind="signed")  # late joiner

    draft = statements.create_statement(
        by=support,
        title="Statement on the network disruption in Myanmar (demo draft)",
        text="The Freedom Online Coalition is alarmed by reports of a region-wide network disruption.\n\n"
        "We call on the authorities to restore full access without delay.",
        kind="country_specific",
        about_country=Country.objects.get(code="MM"),
        situation="Region-wide mobile data shutdown (fictitious)",
        fast_track=True,
    )
    documents.add_comment(
        document=draft.document,
        by=official,
        paragraph=2,
        text="Could we add a reference to the Human Rights Council resolution on the promotion of human rights "
        "on the internet?",
        visibility="members",
    )
    note = documents.create_document(
        by=support,
        title="Concept note: rapid response mechanism (demo)",
        text="## Purpose\n\nA mechanism to pool diplomatic and donor responses to fast-breaking crises (PoA 1B.3)."
        "\n\n## Triggers\n\nA shutdown or a wave of censorship confirmed by two independent sources.",
        kind=Document.Kind.CONCEPT_NOTE,
    )
    note = documents.set_phase(document=note, by=support, phase=Document.Phase.CONSULTATION)
    documents.add_comment(
        document=note,
        by=advisory,
        paragraph=4,
        text="Civil-society monitors can often confirm within hours; consider one trusted source plus a measurement.",
        visibility="advisory_network",
    )
    documents.add_comment(
        document=note,
        by=focal,
        paragraph=2,
        text="Members-only: budget implications to be discussed.",
        visibility="members",
    )


DEMO_RESOLUTION = """The Human Rights Council (demo text, fictitious),

Reaffirming that the same rights that people have offline must also be protected online, in particular freedom of
expression, which is applicable regardless of frontiers and through any media of one's choice,

Deeply concerned that internet shutdowns and network disruptions cut people off from information, from emergency
services and from one another, and harm economies,

1. Calls upon all States to refrain from shutting down the internet and to ensure that any restriction is prescribed
by law, necessary and proportionate, in line with international human rights law;

2. Encourages States to work with civil society, the private sector and the technical community to document
disruptions and to support those affected;

3. Decides to continue its consideration of this question at a future session."""

DEMO_NATIONAL_STATEMENT = """Canada thanks the President for convening this debate (demo text, fictitious).

We reaffirm that the same rights that people have offline must also be protected online, in particular freedom of
expression, which applies regardless of frontiers and through any media of one's choice.

We call upon all States to refrain from shutting down the internet, and to ensure that any restriction of access is
prescribed by law, necessary and proportionate, in line with international human rights law.

Canada will report next year on the support it gives to those who document disruptions."""


def _library(governments: dict[str, Organisation]) -> None:
    """Two external texts of our own writing (a resolution and a national statement) whose language the published
    demo statement takes up, so search, lineage and the drafting assistant have something to show. The demo
    statements are in the library already (their texts follow the statements)."""
    from django.utils import timezone

    from coalition.library import services as library
    from coalition.library.models import Source

    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    today_ = timezone.localdate()
    resolution = library.import_text(
        by=support,
        text=DEMO_RESOLUTION,
        kind=Source.Kind.RESOLUTION,
        title="The promotion and protection of human rights on the internet (demo)",
        forum="HRC",
        symbol="A/HRC/RES/DEMO/1",
        date=today_.replace(year=today_.year - 2, month=7, day=5),
        classification=Classification.PUBLIC,
        endorsed_by=[governments[code] for code in ("EE", "NL", "SE", "US", "GH")],
        detect=False,
    )
    national = library.import_text(
        by=support,
        text=DEMO_NATIONAL_STATEMENT,
        kind=Source.Kind.NATIONAL_STATEMENT,
        title="Statement by Canada in the General Debate (demo)",
        forum="UNGA",
        date=today_.replace(year=today_.year - 1, month=9, day=24),
        author="Canada",
        author_country=governments["CA"].country,
        endorsed_by=[governments["CA"]],
        classification=Classification.PUBLIC,
        detect=False,
    )
    transaction.on_commit(lambda: _index_and_detect([resolution.pk, national.pk], support))


def _index_and_detect(source_ids: list[int], by: User) -> None:
    """Once the demo is committed: index the whole library and record the reuse between the demo texts."""
    from coalition.library import indexing
    from coalition.library import services as library
    from coalition.library.models import Source

    indexing.rebuild()
    for source in Source.objects.filter(pk__in=source_ids).order_by("pk"):
        library.detect_reuse(source, by=by)


DEMO_TOOLKIT = [
    (
        "Joint public statement",
        "public_statement",
        "When a shutdown or block is confirmed and members agree that public pressure helps those affected.",
        "Any member may propose; the Chair and Support Unit run the fast-track sign-on (1A.5).",
        "Chair",
    ),
    (
        "Joint démarche",
        "joint_demarche",
        "When members with embassies in the country can raise the disruption with the authorities together.",
        "Members with an embassy in the country, led by one of them.",
        "Members with an embassy there",
    ),
    (
        "Private diplomatic engagement",
        "private_engagement",
        "When quiet contact is more likely to restore access than a public statement.",
        "Any member with access to the government; report back to the Support Unit.",
        "Members with an embassy there",
    ),
    (
        "Donor support for circumvention and documentation",
        "donor_support",
        "When people need tools to reach the internet, or monitors need support to document the disruption.",
        "Members with a development programme; coordinated through donor coordination (2A.4).",
        "Donor members",
    ),
    (
        "Civil-society consultation",
        "cso_consultation",
        "Early in every situation: the Advisory Network and local groups know what is happening and what helps.",
        "The Support Unit convenes; reports stay with those who need them.",
        "Support Unit",
    ),
]


def _response(governments: dict[str, Organisation]) -> None:
    """The toolkit, and fictitious signals about one country from two sources that agree, so the situation room
    opens on an alert to act on."""
    from django.utils import timezone

    from coalition.response import services as response
    from coalition.response.models import Signal, SignalKind, Source, Tool

    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    for position, (name, kind, when, who, lead) in enumerate(DEMO_TOOLKIT):
        response.save_tool(
            by=support,
            name=name,
            kind=kind,
            when_to_use=when,
            who_can_use=who,
            suggested_lead=lead,
            position=position,
            in_playbook=True,
            classification=Classification.MEMBERS,
        )
    assert Tool.objects.count() == len(DEMO_TOOLKIT)
    country = Country.objects.get(code="ET")
    now = timezone.now()
    start = now - dt.timedelta(hours=7)
    Signal.objects.create(
        source=Source.IODA,
        external_id="demo:ioda:ET",
        country=country,
        region="Amhara (demo)",
        kind=SignalKind.OUTAGE,
        starts_at=start,
        details={"note": "demo, fictitious: active probing at 12 %"},
    )
    Signal.objects.create(
        source=Source.OONI,
        external_id="demo:ooni:ET",
        country=country,
        asn=24757,
        network="Ethio Telecom (demo)",
        kind=SignalKind.PLATFORM_BLOCK,
        starts_at=start + dt.timedelta(minutes=40),
        details={"note": "demo, fictitious: messaging apps unreachable"},
    )
    Signal.objects.create(
        source=Source.STOP,
        external_id="demo:stop:ET",
        country=country,
        region="Amhara (demo)",
        kind=SignalKind.FULL_SHUTDOWN,
        starts_at=start - dt.timedelta(minutes=20),
        evidence_url="https://www.accessnow.org/keepiton/",
        details={"note": "demo, fictitious report"},
    )
    response.raise_alerts(now=now)


def _funding_xml(donor: Organisation, rows: list[tuple[str, ...]]) -> bytes:
    """A small IATI 2.03 activity file of the demo's fictitious funding for one donor."""
    from xml.sax.saxutils import escape, quoteattr

    ref = f"XM-DEMO-{donor.country.code}"  # type: ignore[union-attr]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">']
    for _donor, identifier, title, description, country, sector, implementer, start, end, currency, amount, _t in rows:
        status = "1" if start > today().isoformat() else "2"
        parts.append(
            f"""
  <iati-activity default-currency="{currency}" xml:lang="en">
    <iati-identifier>{escape(identifier)}</iati-identifier>
    <reporting-org ref="{ref}" type="10"><narrative>{escape(donor.name)}</narrative></reporting-org>
    <title><narrative>{escape(title)}</narrative></title>
    <description type="1"><narrative>{escape(description)}</narrative></description>
    <participating-org role="1" ref="{ref}" type="10"><narrative>{escape(donor.name)}</narrative></participating-org>
    <participating-org role="4" type="21"><narrative>{escape(implementer)}</narrative></participating-org>
    <activity-status code="{status}"/>
    <activity-date type="1" iso-date={quoteattr(start)}/>
    <activity-date type="3" iso-date={quoteattr(end)}/>
    <recipient-country code="{country}" percentage="100"/>
    <sector vocabulary="1" code="{sector}" percentage="100"/>
    <budget type="1" status="{"1" if status == "1" else "2"}">
      <period-start iso-date={quoteattr(start)}/><period-end iso-date={quoteattr(end)}/>
      <value value-date={quoteattr(start)}>{amount}</value>
    </budget>
  </iati-activity>"""
        )
    parts.append("\n</iati-activities>\n")
    return "".join(parts).encode()


DONOR_FOCAL_POINTS = {
    "DE": ("Dieter Placeholder", "Europe/Berlin"),
    "SE": ("Sara Exempel", "Europe/Stockholm"),
    "GB": ("Grace Sample", "Europe/London"),
}


def _focal_point_of(government: Organisation, code: str) -> User:
    """The member's focal point in the demo: an existing one (the focal login for Estonia, those the statements made),
    else a fictitious one without a password."""
    found = User.objects.filter(
        person__positions__organisation=government, person__positions__kind=Position.Kind.FOCAL_POINT
    ).first()
    if found is not None:
        return found
    name, zone = DONOR_FOCAL_POINTS[code]
    return _demo_focal_point(government, name, zone)


def _donors(governments: dict[str, Organisation]) -> None:
    """Donor coordination: six members take part (Ghana, the official's member, does not), a donor group, demo rates,
    fictitious funding at every sharing tier with one overlap to review (Ethiopia), and the donor principles with the
    focal point's member's self-assessment."""
    from decimal import Decimal

    from coalition.documents import services as documents
    from coalition.documents.models import Document
    from coalition.donors import services as donors

    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    donors.ensure_default_mapping()
    joined = today() - dt.timedelta(days=200)
    for code in ("NL", "DE", "SE", "EE", "GB", "CA"):
        donors.join(organisation=governments[code], by=support, on=joined)
    group = donors.save_group(
        by=support,
        name="Kenya digital-rights donors (demo)",
        members=[governments["SE"], governments["EE"], governments["NL"]],
        description="Donors funding digital rights in Kenya, sharing plans with each other first.",
    )
    for currency, on, rate in data.DEMO_RATES:
        donors.add_rate(
            by=support,
            currency=currency,
            on=dt.date.fromisoformat(on),
            rate=Decimal(rate),
            source="Demo rates (fictitious; use ECB or OECD rates in a real deployment)",
        )
    speakers = {code: _focal_point_of(governments[code], code) for code in ("NL", "DE", "SE", "EE", "GB", "CA")}
    by_donor: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for row in data.DEMO_FUNDING:
        by_donor.setdefault((row[0], row[-1]), []).append(row)
    for (code, tier), rows in by_donor.items():
        batch = donors.import_file(
            _funding_xml(governments[code], rows),
            file_name=f"demo-{code.lower()}-{tier}.xml",
            reporter=governments[code],
            by=speakers[code],  # a member reports its own funding
            tier=tier,
            group=group if tier == "group" else None,
            bilateral_with=[governments["DE"]] if tier == "bilateral" else (),
        )
        assert batch.outcome == "accepted", batch.errors
    donors.detect_overlaps()
    principles = documents.create_document(
        by=support,
        title="Donor principles for human rights online (demo)",
        kind=Document.Kind.PRINCIPLES,
        text=data.DONOR_PRINCIPLES,
        classification=Classification.MEMBERS,
    )
    for paragraph, rating in ((2, "met"), (3, "partly"), (6, "not_yet")):
        donors.assess(
            organisation=governments["EE"],
            document=principles,
            paragraph=paragraph,
            rating=rating,
            evidence="Demo self-assessment (fictitious).",
            by=speakers["EE"],
        )
