"""Reminders to the members that have not responded to a statement's frozen text (PoA 1A.5): a line in the weekly
digest (`coalition.core.digest`) for every round still open, and one final email at a configurable lead time before
the deadline (`send_final_reminders`, run every few minutes by cron or a timer; see docs/operations.md).

Only a member's focal points are reminded, and only for members that have given no response at all on the current
text (a signature, an objection or a withdrawal is a response). Each reminder disappears as soon as the member acts.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from coalition.core import digest, ledger, policy
from coalition.core.digest import Reminder
from coalition.core.errors import CoalitionError
from coalition.directory.models import Organisation, Person, Position
from coalition.directory.queries import today
from coalition.statements import services
from coalition.statements.forms import MODE_EXPLAINED
from coalition.statements.models import FinalReminder, Freeze

__all__ = ["Reminder", "recipients", "register_digest_section", "reminders_for", "send_final_reminders"]

logger = logging.getLogger(__name__)

DEFAULT_FINAL_REMINDER_HOURS = 24


def final_reminder_lead() -> dt.timedelta:
    """How long before a deadline the final reminder goes out (`STATEMENTS_FINAL_REMINDER_HOURS`, default 24)."""
    return dt.timedelta(hours=getattr(settings, "STATEMENTS_FINAL_REMINDER_HOURS", DEFAULT_FINAL_REMINDER_HOURS))


def register_digest_section() -> None:
    """Called from StatementsConfig.ready(): the "Statements" section of the weekly digest."""
    digest.register_section("statements", gettext_lazy("Statements"), reminders_for, recipients=recipients)


# --- Open rounds and who has not responded ------------------------------------------------------------------------


def _instant(on: dt.date) -> dt.datetime:
    """The moment the digest is judged at: now on today's digest, the start of the day (UTC) on any other day."""
    return timezone.now() if on == today() else dt.datetime.combine(on, dt.time(), tzinfo=dt.UTC)


def open_rounds(at: dt.datetime) -> QuerySet[Freeze]:
    """Rounds still waiting for responses at `at`: the current text of a statement, undecided, deadline to come."""
    return (
        Freeze.objects.filter(outcome=Freeze.Outcome.OPEN, superseded_at__isnull=True, deadline__gt=at)
        .select_related("statement__document")
        .order_by("deadline", "pk")
    )


def silent_members(freeze: Freeze, among: set[int] | None = None) -> list[Organisation]:
    """The members asked to respond to `freeze` (optionally only those in `among`) with no response on it."""
    answered = set(freeze.responses.values_list("organisation_id", flat=True))
    return [
        member
        for member in services.expected_members(freeze)
        if member.pk not in answered and (among is None or member.pk in among)
    ]


def _deadline_text(freeze: Freeze, zone: str) -> str:
    """The deadline in the reader's zone, and in the host's zone when that differs."""
    zone = zone or "UTC"
    local = date_format(freeze.deadline.astimezone(ZoneInfo(zone)), "j M Y, H:i")
    text = f"{local} ({zone})"
    if freeze.deadline_time_zone != zone:
        host = date_format(freeze.deadline.astimezone(ZoneInfo(freeze.deadline_time_zone)), "j M Y, H:i")
        text += f" = {host} ({freeze.deadline_time_zone})"
    return text


def reminders_for(person: Person, account: Any, on: dt.date) -> list[Reminder]:
    """For a member's focal point: each open round their member has not responded to, with its deadline."""
    if account is None or not account.is_active:
        return []
    focal_for = set(
        Position.objects.filter(Position.current_q(on), person=person, kind=Position.Kind.FOCAL_POINT).values_list(
            "organisation_id", flat=True
        )
    )
    if not focal_for:
        return []
    reminders = []
    for freeze in open_rounds(_instant(on)):
        statement = freeze.statement
        if not policy.is_visible(account, statement):
            continue
        for member in silent_members(freeze, among=focal_for):
            if not policy.can(account, "statements.sign", member):
                continue
            text = _(
                "%(member)s has not responded to “%(title)s” (text %(n)d, %(mode)s): the deadline is %(deadline)s."
            )
            reminders.append(
                Reminder(
                    kind="sign_on",
                    text=text
                    % {
                        "member": member.name,
                        "title": statement.title,
                        "n": freeze.number,
                        "mode": _("silence procedure") if freeze.mode == Freeze.Mode.SILENCE else _("sign-on"),
                        "deadline": _deadline_text(freeze, person.time_zone),
                    },
                    path=reverse("statements:statement", args=[statement.slug]) + "#respond",
                    subject=statement,
                )
            )
    return reminders


def recipients(on: dt.date) -> set[int]:
    """The people who may have a statements reminder on `on` (a superset; `reminders_for` decides): the focal points
    of the members that have not responded to an open round."""
    members: set[int] = set()
    for freeze in open_rounds(_instant(on)):
        members.update(member.pk for member in silent_members(freeze))
    if not members:
        return set()
    return set(
        Position.objects.filter(
            Position.current_q(on), kind=Position.Kind.FOCAL_POINT, organisation_id__in=members
        ).values_list("person_id", flat=True)
    )


# --- The final reminder -------------------------------------------------------------------------------------------


class FinalRemindersNotSent(CoalitionError):
    """Some final reminders could not be handed to the mail server; running the task again retries exactly those."""


def _focal_points(member: Organisation, freeze: Freeze) -> list[Person]:
    """The member's focal points today whose own account may read the statement and sign for the member."""
    people = (
        Person.objects.filter(
            positions__in=Position.objects.filter(
                Position.current_q(today()), kind=Position.Kind.FOCAL_POINT, organisation=member
            ),
            account__is_active=True,
        )
        .distinct()
        .select_related("account")
        .order_by("full_name")
    )
    return [
        person
        for person in people
        if person.account.email
        and policy.is_visible(person.account, freeze.statement)
        and policy.can(person.account, "statements.sign", member)
    ]


def final_reminder_message(freeze: Freeze, member: Organisation, person: Person) -> EmailMessage:
    """The email one focal point receives: the deadline in their zone and the host's, what the procedure means, and
    the link to respond."""
    statement = freeze.statement
    zone = person.time_zone or "UTC"
    context = {
        "person": person,
        "member": member,
        "statement": statement,
        "freeze": freeze,
        "person_tz": zone,
        "deadline_local": date_format(freeze.deadline.astimezone(ZoneInfo(zone)), "j M Y, H:i"),
        "deadline_host": ""
        if zone == freeze.deadline_time_zone
        else date_format(freeze.deadline.astimezone(ZoneInfo(freeze.deadline_time_zone)), "j M Y, H:i"),
        "mode_explained": MODE_EXPLAINED.get(freeze.mode, ""),
        "url": settings.SITE_URL + reverse("statements:statement", args=[statement.slug]) + "#respond",
    }
    subject = _("[Coalition] Final reminder: respond to “%(title)s” by %(deadline)s") % {
        "title": statement.title,
        "deadline": _deadline_text(freeze, zone),
    }
    return EmailMessage(
        subject, render_to_string("statements/email/final_reminder.txt", context), None, [person.account.email]
    )


@task()
def send_final_reminders() -> int:
    """Email the focal points of every member that has not responded to an open round whose deadline falls within
    the lead time; returns how many emails went out. Once per (round, member): a FinalReminder row is committed
    before the emails go, so a second run or a concurrent worker sends nothing twice (the unique constraint decides
    any race); if no email to the member could be sent, the claim is withdrawn so that the next run retries."""
    now = timezone.now()
    sent, failed = 0, 0
    for freeze in open_rounds(now).filter(deadline__lte=now + final_reminder_lead()):
        already = set(FinalReminder.objects.filter(freeze=freeze).values_list("organisation_id", flat=True))
        for member in silent_members(freeze):
            if member.pk in already:
                continue
            people = _focal_points(member, freeze)
            if not people:
                continue
            try:
                with transaction.atomic():
                    claim = FinalReminder.objects.create(freeze=freeze, organisation=member, sent_at=now)
            except IntegrityError:
                continue  # another run claimed this member first
            delivered = 0
            for person in people:
                try:
                    final_reminder_message(freeze, member, person).send()
                except Exception:  # the mail server's errors are many; any of them means "not sent"
                    logger.exception("Final reminder of freeze %s to person %s was not sent", freeze.pk, person.pk)
                    failed += 1
                    continue
                delivered += 1
            if not delivered:
                FinalReminder.objects.filter(pk=claim.pk).delete()
                continue
            sent += delivered
            ledger.record(
                "statements.final_reminder",
                subject=freeze.statement,
                on_behalf_of=member,
                data={"freeze": freeze.number, "organisation": member.pk, "emails": delivered},
            )
    if failed:
        raise FinalRemindersNotSent(f"{failed} final reminder(s) could not be sent ({sent} were); run it again.")
    return sent
