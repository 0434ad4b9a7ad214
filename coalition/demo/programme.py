"""The demo's Program of Action: the 2023 programme with leads, updates and statuses, carried over."""

from __future__ import annotations

import datetime as dt

from coalition.accounts.models import User
from coalition.demo.logins import DEMO_DOMAIN
from coalition.directory.models import (
    Body,
    Organisation,
)
from coalition.programme import services as programme_services
from coalition.programme.models import Activity, Milestone, ProgressUpdate, Status, ThematicGoal


def load(governments: dict[str, Organisation], bodies: dict[str, Body], on: dt.date) -> None:
    """The 2023 Program of Action with leads, a few updates and statuses, carried over into this year's."""
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
