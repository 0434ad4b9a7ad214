"""Reminders to the members that have not responded to a statement's frozen text (PoA 1A.5): a line in the weekly
digest (`coalition.core.digest`) for every round still open, and one final notification (`statements.deadline_near`,
emailed at once by the notification service) at a configurable lead time before the deadline (`send_final_reminders`,
run every few minutes by the scheduler; see docs/operations.md).

Only a member's focal points are reminded, and only for members that have given no response at all on the current
text (a signature, an objection or a withdrawal is a response). Each reminder disappears as soon as the member acts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from coalition.core import digest, ledger, policy
from coalition.core.digest import Reminder
from coalition.directory.models import Organisation, Person, Position
from coalition.directory.queries import today
from coalition.statements import notices, services
from coalition.statements.models import FinalReminder, Freeze

__all__ = ["Reminder", "recipients", "register_digest_section", "reminders_for", "send_final_reminders"]

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
                        "deadline": notices.deadline_text(freeze, person.time_zone),
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


@task()
def send_final_reminders() -> int:
    """Tell the focal points of every member that has not responded to an open round whose deadline falls within
    the lead time (`notices.deadline_near`, through the notification service, which emails them after the commit and
    retries what the mail server refuses); returns how many notifications were written. Once per (round, member): the
    FinalReminder row and the notifications are written in one transaction, so a second run or a concurrent worker
    tells nobody twice (the unique constraint decides any race, and the notification's key stands behind it)."""
    now = timezone.now()
    told = 0
    for freeze in open_rounds(now).filter(deadline__lte=now + final_reminder_lead()):
        already = set(FinalReminder.objects.filter(freeze=freeze).values_list("organisation_id", flat=True))
        for member in silent_members(freeze):
            if member.pk in already or not notices.focal_points(member):
                continue
            try:
                with transaction.atomic():
                    FinalReminder.objects.create(freeze=freeze, organisation=member, sent_at=now)
                    written = notices.deadline_near(freeze, member)
                    ledger.record(
                        "statements.final_reminder",
                        subject=freeze.statement,
                        on_behalf_of=member,
                        data={"freeze": freeze.number, "organisation": member.pk, "notifications": written},
                    )
            except IntegrityError:
                continue  # another run claimed this member first
            told += written
    return told
