"""What statements tell people through the notification service (issue 19): a round opened, its deadline near, its
outcome — to the focal points of the members asked and no one else, with the link and the deadline in the reader's
zone and the host's; never about a statement they may no longer see when the email goes. And the issue's "Done
when": a round's deadline passes with nobody visiting the page, the scheduler decides it, the focal points are told."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from coalition.core.errors import InvalidInput
from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification, Role
from coalition.meetings.tests.factories import focal_point, government
from coalition.notifications import service
from coalition.notifications.models import Delivery, Mode, Notification
from coalition.notifications.tests.helpers import emailed, hidden_from, told
from coalition.statements import notices, services
from coalition.statements.models import Freeze, Statement
from coalition.statements.reminders import send_final_reminders

pytestmark = pytest.mark.django_db

TEXT = "We, the members, welcome the report.\n\nWe call on all parties to protect the civic space."


class World:
    """The Support Unit, two members with a focal point each (in Amsterdam's and Tokyo's zones), an official of
    Japan who is not its focal point, an Advisory Network member, and a members-only statement."""

    def __init__(self, make_user: Any) -> None:
        self.manager = make_user(Role.SUPPORT_UNIT)
        self.advisory = make_user(Role.ADVISORY_NETWORK)
        self.nl, self.jp = government("NL"), government("JP")
        self.nl_focal = focal_point(self.nl, time_zone="Europe/Amsterdam").account
        self.jp_focal = focal_point(self.jp, time_zone="Asia/Tokyo").account
        self.jp_official = focal_point(self.jp, kind="official").account
        self.statement = services.create_statement(by=self.manager, title="On civic space", text=TEXT)

    def open(self, hours: float = 48, mode: str = Freeze.Mode.SIGN_ON) -> Freeze:
        return services.freeze(
            statement=self.statement,
            by=self.manager,
            deadline=timezone.now() + dt.timedelta(hours=hours),
            deadline_time_zone="Europe/Tallinn",
            mode=mode,
        )

    def restrict(self) -> None:
        """The statement becomes restricted to the Support Unit and the Netherlands (reclassified between queueing
        and sending): Japan's people may no longer read it."""
        audience = Audience.objects.create(name="The Netherlands only")
        AudienceMember.objects.create(audience=audience, principal=f"org:{self.nl.pk}")
        Statement.objects.filter(pk=self.statement.pk).update(
            classification=Classification.RESTRICTED, audience=audience
        )

    def focal_points(self) -> set[Any]:
        return {self.nl_focal, self.jp_focal}


@pytest.fixture
def world(make_user: Any) -> World:
    return World(make_user)


def past_deadline(freeze: Freeze) -> None:
    now = timezone.now()
    Freeze.objects.filter(pk=freeze.pk).update(
        frozen_at=now - dt.timedelta(hours=3), deadline=now - dt.timedelta(minutes=1)
    )


# --- A round opened ---------------------------------------------------------------------------------------------


def test_a_round_opened_tells_the_focal_points_of_the_members_asked_only(world: World, worker: Any) -> None:
    with worker():
        freeze = world.open()
    assert told(notices.ROUND_OPENED) == world.focal_points()  # not the official, the network or the Support Unit
    assert set(emailed()) == {world.nl_focal.email, world.jp_focal.email}
    email = emailed()[world.jp_focal.email]
    assert email.subject.startswith("[Coalition] Sign-on round opened: “On civic space”")
    assert settings.SITE_URL + f"/statements/{world.statement.slug}/#respond" in email.body
    local = freeze.deadline.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert f"{local:%H:%M} (Asia/Tokyo)" in email.body and "(Europe/Tallinn)" in email.body
    assert "You are a focal point of Government of JP" in email.body
    assert not Notification.objects.filter(recipient__in=[world.advisory, world.jp_official]).exists()


def test_a_focal_point_cannot_switch_sign_on_rounds_off_and_is_told_why(world: World) -> None:
    with pytest.raises(InvalidInput, match="focal point"):
        service.set_preference(user=world.jp_focal, kind=notices.ROUND_OPENED, delivery=Mode.OFF)
    service.set_preference(user=world.jp_focal, kind=notices.ROUND_OPENED, delivery=Mode.DIGEST)  # allowed
    service.set_preference(user=world.jp_official, kind=notices.ROUND_OPENED, delivery=Mode.OFF)  # not obliged
    service.set_preference(user=world.jp_focal, kind=notices.ROUND_DECIDED, delivery=Mode.OFF)


def test_a_round_opened_on_a_statement_restricted_before_sending_is_dropped_and_hidden(
    world: World, worker: Any
) -> None:
    with worker():
        world.open()
        world.restrict()
    assert list(emailed()) == [world.nl_focal.email]
    assert Delivery.objects.get(recipient=world.jp_focal).status == Delivery.Status.DROPPED
    assert hidden_from(world.jp_focal) and not hidden_from(world.nl_focal)


# --- The deadline near ------------------------------------------------------------------------------------------


def test_the_final_reminder_goes_to_silent_members_focal_points_only(world: World, worker: Any) -> None:
    freeze = world.open(hours=6)
    services.respond(freeze=freeze, by=world.nl_focal, organisation=world.nl, kind="signed")
    with worker():
        send_final_reminders.call()
    assert told(notices.DEADLINE_NEAR) == {world.jp_focal}
    email = emailed()[world.jp_focal.email]
    assert "Government of JP has not yet responded" in email.body and "(Asia/Tokyo)" in email.body
    assert settings.SITE_URL + f"/statements/{world.statement.slug}/#respond" in email.body


def test_a_final_reminder_on_a_statement_restricted_before_sending_is_dropped_and_hidden(
    world: World, worker: Any
) -> None:
    world.open(hours=6)
    with worker():
        assert send_final_reminders.call() == 2
        world.restrict()
    assert list(emailed()) == [world.nl_focal.email]
    assert Delivery.objects.get(kind=notices.DEADLINE_NEAR, recipient=world.jp_focal).status == "dropped"
    assert hidden_from(world.jp_focal)


# --- The outcome --------------------------------------------------------------------------------------------------


def test_the_scheduler_decides_a_round_nobody_visits_and_the_focal_points_are_told(world: World, worker: Any) -> None:
    freeze = world.open()
    services.respond(freeze=freeze, by=world.jp_focal, organisation=world.jp, kind="signed")
    past_deadline(freeze)
    with worker():
        call_command("run_scheduler", "--once", "--job", "decide_rounds", stdout=io.StringIO())
    freeze.refresh_from_db()
    assert freeze.outcome == Freeze.Outcome.CLOSED
    assert told(notices.ROUND_DECIDED) == world.focal_points() | {world.manager}  # and whoever froze it
    assert set(emailed()) == {world.nl_focal.email, world.jp_focal.email, world.manager.email}
    email = emailed()[world.nl_focal.email]
    assert email.subject == "[Coalition] “On civic space”: Closed with signatories"
    assert "Signed: 1. Objected: 0." in email.body and "Government of NL: no response." in email.body
    assert "Government of JP: Signed." in emailed()[world.jp_focal.email].body
    assert settings.SITE_URL + f"/statements/{world.statement.slug}/" in email.body
    assert world.advisory.email not in emailed() and world.jp_official.email not in emailed()
    with worker():
        call_command("run_scheduler", "--once", "--job", "decide_rounds", stdout=io.StringIO())
    assert len(mail.outbox) == 3  # decided once, told once


def test_a_round_decided_by_publishing_tells_the_focal_points_too(world: World, worker: Any) -> None:
    freeze = world.open(mode=Freeze.Mode.SILENCE)
    past_deadline(freeze)
    with worker():
        services.publish(statement=world.statement, by=world.manager)
    assert told(notices.ROUND_DECIDED) == world.focal_points() | {world.manager}
    assert "the text is adopted" in emailed()[world.jp_focal.email].body


def test_an_outcome_on_a_statement_restricted_before_sending_is_dropped_and_hidden(world: World, worker: Any) -> None:
    freeze = world.open()
    past_deadline(freeze)
    with worker():
        assert services.decide_due() == 1
        world.restrict()
    assert set(emailed()) == {world.nl_focal.email, world.manager.email}  # the Support Unit still reads it
    assert Delivery.objects.get(kind=notices.ROUND_DECIDED, recipient=world.jp_focal).status == "dropped"
    assert hidden_from(world.jp_focal) and not hidden_from(world.manager)
