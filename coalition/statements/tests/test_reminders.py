"""Reminders to members that have not responded to a frozen statement text (issue 5): a line in the weekly digest
for each open round, only for the focal points of members with no response, gone once they respond or the round
closes; and one final notification (emailed at once) at a configurable lead time before the deadline, once per
text and member."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from coalition.core import digest
from coalition.core.errors import InvalidInput
from coalition.core.policy import Role
from coalition.directory.models import Person
from coalition.directory.queries import today
from coalition.documents import services as documents
from coalition.meetings.tests.factories import focal_point, government
from coalition.notifications import kinds
from coalition.notifications import service as notification_service
from coalition.notifications.models import Delivery, Mode, Notification
from coalition.statements import notices, services
from coalition.statements.models import FinalReminder, Freeze
from coalition.statements.reminders import recipients, reminders_for, send_final_reminders

pytestmark = pytest.mark.django_db

TEXT = "We, the members, welcome the report.\n\nWe call on all parties to protect the civic space."


class World:
    """A Support Unit officer, two members (Netherlands, Japan) with a focal point each, an official of Japan who
    is not its focal point, and a statement open for signature until `hours` from now."""

    def __init__(self, make_user: Callable[..., Any], hours: float = 48, mode: str = "sign_on") -> None:
        self.manager = make_user(Role.SUPPORT_UNIT)
        self.nl, self.jp = government("NL"), government("JP")
        self.nl_focal = focal_point(self.nl, time_zone="Europe/Amsterdam")
        self.jp_focal = focal_point(self.jp, time_zone="Asia/Tokyo")
        self.jp_official = focal_point(self.jp, kind="official")
        self.statement = services.create_statement(by=self.manager, title="On civic space", text=TEXT)
        self.freeze = self.open(hours=hours, mode=mode)

    def open(self, *, hours: float, mode: str = "sign_on") -> Freeze:
        return services.freeze(
            statement=self.statement,
            by=self.manager,
            deadline=timezone.now() + dt.timedelta(hours=hours),
            deadline_time_zone="Europe/Tallinn",
            mode=mode,
        )

    def sign(self, person: Person, member: Any) -> None:
        services.respond(freeze=self.freeze, by=person.account, organisation=member, kind="signed")


@pytest.fixture
def world(make_user: Callable[..., Any]) -> World:
    return World(make_user)


def lines(person: Person, on: dt.date | None = None) -> list[digest.Reminder]:
    return reminders_for(person, person.account, on or today())


# --- The weekly digest ----------------------------------------------------------------------------------------


def test_focal_point_of_a_member_that_has_not_responded_is_reminded_with_the_deadline(world: World) -> None:
    [reminder] = lines(world.jp_focal)
    assert "Government of JP has not responded to “On civic space” (text 1, sign-on)" in reminder.text
    local = world.freeze.deadline.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert f"{local:%H:%M} (Asia/Tokyo)" in reminder.text and "(Europe/Tallinn)" in reminder.text
    assert reminder.path == f"/statements/{world.statement.slug}/#respond"
    assert reminder.subject == world.statement


def test_a_member_that_responded_is_not_reminded(world: World) -> None:
    world.sign(world.nl_focal, world.nl)
    assert lines(world.nl_focal) == []
    assert len(lines(world.jp_focal)) == 1


def test_an_objection_counts_as_a_response(world: World) -> None:
    services.respond(
        freeze=world.freeze, by=world.jp_focal.account, organisation=world.jp, kind="objected", reason="Not now."
    )
    assert lines(world.jp_focal) == []


def test_an_official_who_is_not_the_focal_point_is_not_reminded(world: World) -> None:
    assert lines(world.jp_official) == []
    assert world.jp_official.pk not in recipients(today())


def test_the_digest_carries_a_statements_section(world: World) -> None:
    sections = digest.reminders_for(world.jp_focal, world.jp_focal.account, today())
    assert [section.key for section in sections if section.key == "statements"] == ["statements"]
    assert {world.nl_focal.pk, world.jp_focal.pk} <= recipients(today())


def test_no_reminder_once_the_deadline_has_passed(world: World) -> None:
    now = timezone.now()
    Freeze.objects.filter(pk=world.freeze.pk).update(
        frozen_at=now - dt.timedelta(hours=2), deadline=now - dt.timedelta(hours=1)
    )
    assert lines(world.jp_focal) == []
    assert recipients(today()) == set()


def test_a_refrozen_text_reminds_again_even_those_who_signed_the_old_one(world: World) -> None:
    world.sign(world.nl_focal, world.nl)
    documents.save_version(document=world.statement.document, by=world.manager, text=TEXT + "\n\nA third paragraph.")
    world.open(hours=72)
    [reminder] = lines(world.nl_focal)
    assert "(text 2, sign-on)" in reminder.text


# --- The final reminder (through the notification service: `statements.deadline_near`) --------------------------


def test_no_final_reminder_before_the_lead_time(world: World, worker: Any) -> None:
    with worker():
        assert send_final_reminders.call() == 0
    assert mail.outbox == [] and not FinalReminder.objects.exists()


def test_final_reminder_goes_once_to_the_focal_points_of_members_without_a_response(make_user: Any, worker) -> None:
    world = World(make_user, hours=6)
    world.sign(world.nl_focal, world.nl)
    with worker():
        assert send_final_reminders.call() == 1
    [email] = mail.outbox
    assert email.to == [world.jp_focal.account.email]
    assert "Final reminder" in email.subject and "On civic space" in email.subject
    assert "Government of JP has not yet responded" in email.body
    assert "(Asia/Tokyo)" in email.body and "(Europe/Tallinn)" in email.body
    assert settings.SITE_URL + f"/statements/{world.statement.slug}/#respond" in email.body
    assert FinalReminder.objects.filter(freeze=world.freeze, organisation=world.jp).count() == 1
    [told] = Notification.objects.filter(kind=notices.DEADLINE_NEAR)
    assert told.recipient == world.jp_focal.account and told.subject == world.freeze
    with worker():
        assert send_final_reminders.call() == 0  # a second run tells nobody again
    assert len(mail.outbox) == 1


def test_a_refused_final_reminder_is_retried_by_the_service_not_told_twice(make_user: Any, worker, settings) -> None:
    World(make_user, hours=6)
    settings.EMAIL_BACKEND = "coalition.notifications.tests.helpers.RefusingBackend"
    with worker():
        assert send_final_reminders.call() == 2
    assert mail.outbox == [] and FinalReminder.objects.count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.QUEUED}  # to be retried
    with worker():
        assert send_final_reminders.call() == 0
    assert Notification.objects.filter(kind=notices.DEADLINE_NEAR).count() == 2


def test_a_focal_point_cannot_switch_the_final_reminder_off(world: World) -> None:
    account = world.jp_focal.account
    with pytest.raises(InvalidInput, match="focal point"):
        notification_service.set_preference(user=account, kind=notices.DEADLINE_NEAR, delivery=Mode.OFF)
    assert kinds.get(notices.DEADLINE_NEAR).obliged(account)
    assert not kinds.get(notices.DEADLINE_NEAR).obliged(world.manager)


def test_final_reminder_lead_time_is_a_setting(world: World, worker: Any) -> None:
    with override_settings(STATEMENTS_FINAL_REMINDER_HOURS=72), worker():
        assert send_final_reminders.call() == 2
    assert sorted(email.to[0] for email in mail.outbox) == sorted(
        [world.nl_focal.account.email, world.jp_focal.account.email]
    )


def test_final_reminder_under_silence_procedure_explains_that_silence_is_consent(make_user: Any, worker) -> None:
    World(make_user, hours=3, mode="silence")
    with worker():
        send_final_reminders.call()
    assert "adopted at the deadline unless a member objects" in mail.outbox[0].body


def test_management_command_queues_the_final_reminders(make_user: Any, worker: Any) -> None:
    World(make_user, hours=6)
    out = io.StringIO()
    with worker():
        call_command("send_final_reminders", stdout=out)
    assert "Final reminders queued" in out.getvalue()
    assert len(mail.outbox) == 2  # the task backend in tests runs it at once
    with worker():
        call_command("send_final_reminders", stdout=out)
    assert len(mail.outbox) == 2
