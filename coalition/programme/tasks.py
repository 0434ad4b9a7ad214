"""Background work for the Program of Action, through the Django Tasks API: the weekly digest that tells the people
who lead an activity that it has gone quiet (PoA 3A.3), and carries the reminders other apps register in
`coalition.core.digest` (a meeting invitation without a reply, minutes to approve, a quarterly call not recorded), so
that each person receives at most one email a week."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import ngettext
from django_tasks import task

from coalition.core import digest as reminder_sections
from coalition.core import policy
from coalition.core.errors import CoalitionError
from coalition.directory.models import Person
from coalition.directory.queries import today
from coalition.notifications import email as mailer
from coalition.programme import queries
from coalition.programme.models import DigestSent, ProgressUpdate

logger = logging.getLogger(__name__)

DIGEST_KIND = "digest"  # the Delivery.kind of a weekly digest email


def iso_week(on: dt.date) -> str:
    """The ISO week a day falls in, as DigestSent stores it: "2026-W48"."""
    year, week, _ = on.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class DigestRow:
    """One stale activity as its recipient may read it: no narrative, and the last update *they* may see."""

    activity_id: int
    code: str
    title: str
    status: str
    programme: str
    path: str
    last_update_on: dt.date | None  # the latest update the recipient may read (None: none they can see)
    quiet_since: dt.date  # that update, or the start of the programme
    days_quiet: int


@dataclass(frozen=True)
class DigestEmail:
    """The digest one person receives in one week; the preview page shows this same object."""

    person: Person
    to: str
    week: str
    on: dt.date
    stale_days: int
    rows: list[DigestRow]
    sections: list[reminder_sections.SectionReminders] = field(default_factory=list)  # e.g. "Meetings"

    @property
    def reminders(self) -> int:
        return sum(len(section.reminders) for section in self.sections)

    @property
    def is_empty(self) -> bool:
        """Nothing to tell: no email goes out."""
        return not self.rows and not self.reminders

    @property
    def subject(self) -> str:
        parts = []
        if self.rows or not self.reminders:
            n = len(self.rows)
            parts.append(ngettext("%(n)d activity needs an update", "%(n)d activities need an update", n) % {"n": n})
        if self.reminders:
            n = self.reminders
            parts.append(ngettext("%(n)d reminder", "%(n)d reminders", n) % {"n": n})
        return f"[Coalition] {', '.join(parts)} ({self.week})"

    def context(self) -> dict[str, Any]:
        return {
            "digest": self,
            "person": self.person,
            "rows": self.rows,
            "sections": self.sections,
            "week": self.week,
            "on": self.on,
            "site_url": settings.SITE_URL,
        }

    def text(self) -> str:
        return render_to_string("programme/email/digest.txt", self.context())

    def html(self) -> str:
        return render_to_string("programme/email/digest.html", self.context())

    def send(self, account: Any) -> None:
        """Send it to `account` through the notification service's mailer (the one module that sends email), which
        adds the "[Coalition] " prefix again and records the email as one Delivery of kind "digest"."""
        mailer.send_to(
            account,
            subject=self.subject.removeprefix(mailer.PREFIX),
            text=self.text(),
            html=self.html(),
            kind=DIGEST_KIND,
        )


def compose_digest(digest: queries.Digest, *, on: dt.date, stale_days: int | None = None) -> DigestEmail:
    """What `digest.person` would be sent: the activities of `queries.digests` (already those their account may
    see), each with the last update date their account may read (one query), and the registered sections of
    reminders, each listing only what their account may see."""
    account = getattr(digest.person, "account", None)
    ids = [activity.pk for activity in digest.activities]
    last_seen: dict[int, dt.date] = {}
    if account is not None and ids:
        last_seen = dict(
            policy.visible_to(account, ProgressUpdate)
            .filter(activity_id__in=ids)
            .order_by()
            .values("activity_id")
            .annotate(last=Max("reported_on"))
            .values_list("activity_id", "last")
        )
    rows = []
    for activity in digest.activities:
        programme = activity.objective.goal.programme
        last = last_seen.get(activity.pk)
        quiet_since = last or programme.starts_on
        rows.append(
            DigestRow(
                activity_id=activity.pk,
                code=activity.code,
                title=activity.title,
                status=str(activity.get_status_display()),
                programme=str(programme),
                path=reverse("programme:activity", kwargs={"year": programme.year, "code": activity.code}),
                last_update_on=last,
                quiet_since=quiet_since,
                days_quiet=(on - quiet_since).days,
            )
        )
    active = account is not None and account.is_active
    return DigestEmail(
        person=digest.person,
        to=account.email if account is not None else "",
        week=iso_week(on),
        on=on,
        stale_days=queries.stale_after_days() if stale_days is None else stale_days,
        rows=rows,
        sections=reminder_sections.reminders_for(digest.person, account, on) if active else [],
    )


class DigestsNotSent(CoalitionError):
    """Some digests could not be handed to the mail server; running the task again the same week retries them."""


def recipients(*, on: dt.date) -> list[queries.Digest]:
    """Everyone who may receive a digest on `on`: the leads of stale activities with those activities, and the
    people the registered sections name (with no activity), sorted by name."""
    by_person = {digest.person.pk: digest for digest in queries.digests(on=on)}
    named = reminder_sections.recipients(on)
    people = Person.objects.filter(account__is_active=True).exclude(pk__in=list(by_person))
    if named is not None:
        people = people.filter(pk__in=named - by_person.keys())
    for person in people.select_related("account"):
        by_person[person.pk] = queries.Digest(person, [])
    return sorted(by_person.values(), key=lambda d: (d.person.full_name, d.person.pk))


@task()
def send_staleness_digests(*, on: str | None = None) -> int:
    """Send each person at most one email a week: the stale activities they lead and the reminders waiting for them
    (see `coalition.core.digest`); returns how many emails went out.

    A DigestSent row claims a person's week before the email is sent: it is committed first, so a second run or a
    concurrent worker finds the claim (the unique constraint decides any race) and sends nothing. If the mail server
    refuses, the claim is withdrawn so that the next run retries that person."""
    day = dt.date.fromisoformat(on) if on else today()
    week = iso_week(day)
    already = set(DigestSent.objects.filter(week=week).values_list("person_id", flat=True))
    sent, failed = 0, []
    for digest in recipients(on=day):
        if digest.person.pk in already:
            continue
        email = compose_digest(digest, on=day)
        if email.is_empty or not email.to:
            continue
        try:
            with transaction.atomic():
                claim = DigestSent.objects.create(person=digest.person, week=week, activities=len(email.rows))
        except IntegrityError:
            continue  # another worker claimed this person's week first
        try:
            email.send(digest.person.account)
        except Exception:  # the mail server's errors are many; any of them means "not sent"
            logger.exception("Weekly digest %s to person %s was not sent", week, digest.person.pk)
            DigestSent.objects.filter(pk=claim.pk).delete()
            failed.append(digest.person.pk)
            continue
        sent += 1
    if failed:
        raise DigestsNotSent(
            f"{len(failed)} digest(s) of {week} could not be sent ({sent} were); run the task again to retry them."
        )
    return sent
