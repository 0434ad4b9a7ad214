"""The statements' sections of the home page (`coalition.core.workplace`): the rounds a person's member must answer,
the rounds closing this week (the Support Unit's and the Chair's queue) and the latest published statements (the
public home). The open rounds are those of the digest reminders (`reminders.open_rounds`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.directory.models import Organisation, Participation
from coalition.documents.models import Comment
from coalition.statements.models import Freeze, Response, Statement
from coalition.statements.reminders import open_rounds

CLOSING_WITHIN = dt.timedelta(days=7)
LATEST = 5


def register() -> None:
    """Called from StatementsConfig.ready()."""
    workplace.register_section(
        "statements.rounds",
        gettext_lazy("Statements your member must answer"),
        gettext_lazy(
            "Sign-on rounds and silence procedures your member has not answered yet will appear here, with their "
            "deadline."
        ),
        rounds_to_answer,
        order=10,
    )
    workplace.register_section(
        "statements.closing",
        gettext_lazy("Rounds closing this week"),
        gettext_lazy("Sign-on rounds whose deadline falls in the next seven days will appear here."),
        rounds_closing,
        scope=workplace.COALITION,
        order=10,
    )
    workplace.register_section(
        "statements.published",
        gettext_lazy("Latest statements"),
        gettext_lazy("The coalition's statements will appear here once they are published."),
        latest_published,
        scope=workplace.PUBLIC,
        order=10,
    )


def _path(statement: Statement) -> str:
    return reverse("statements:statement", args=[statement.slug])


def _members_on(members: set[int], days: set[dt.date]) -> dict[dt.date, set[int]]:
    """Which of `members` were member governments on each day (one query): who a round frozen that day asks."""
    steps: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    rows = Participation.objects.filter(
        organisation_id__in=members, organisation__kind=Organisation.Kind.GOVERNMENT
    ).order_by("effective_on", "pk")
    for organisation_id, effective_on, status in rows.values_list("organisation_id", "effective_on", "status"):
        steps[organisation_id].append((effective_on, status))
    found: dict[dt.date, set[int]] = {}
    for day in days:
        found[day] = set()
        for organisation_id, history in steps.items():
            current = [status for effective_on, status in history if effective_on <= day]
            if current and current[-1] == Participation.Status.MEMBER:
                found[day].add(organisation_id)
    return found


def rounds_to_answer(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """Each open round, of a statement the person may read, that a member they hold a position at was asked to
    answer and has not: its deadline (in the host's zone as well), and who at the member has commented on the text."""
    if not actor.acts_for:
        return []
    rounds = list(open_rounds(now).filter(statement__in=policy.visible_to(user, Statement)).select_related("version"))
    if not rounds:
        return []
    asked = _members_on(set(actor.acts_for), {freeze.frozen_at.date() for freeze in rounds})
    answered = set(
        Response.objects.filter(freeze__in=rounds, organisation_id__in=actor.acts_for).values_list(
            "freeze_id", "organisation_id"
        )
    )
    commented: dict[tuple[int, int], set[str]] = defaultdict(set)
    comments = policy.visible_to(user, Comment).filter(
        version_id__in={freeze.version_id for freeze in rounds}, on_behalf_of_id__in=actor.acts_for
    )
    for version_id, member_id, name in comments.values_list(
        "version_id", "on_behalf_of_id", "author__person__full_name"
    ):
        commented[(version_id, member_id)].add(name or _("someone without a directory entry"))
    names = actor.extra.get("acts_for_names", {})
    items = []
    for freeze in rounds:
        for member_id in sorted(asked.get(freeze.frozen_at.date(), set()), key=lambda pk: names.get(pk, "")):
            if (freeze.pk, member_id) in answered:
                continue
            member = names.get(member_id, "")
            who = sorted(commented.get((freeze.version_id, member_id), set()))
            detail = (
                _("Nobody at %(member)s has responded yet; %(names)s commented on this text.")
                % {"member": member, "names": ", ".join(who)}
                if who
                else _("Nobody at %(member)s has responded or commented yet.") % {"member": member}
            )
            if member_id not in actor.focal_point_for:
                detail += " " + _("Only its focal points may respond.")
            items.append(
                Item(
                    text=_("%(member)s: “%(title)s” (text %(n)d, %(mode)s)")
                    % {
                        "member": member,
                        "title": freeze.statement.title,
                        "n": freeze.number,
                        "mode": _("silence procedure") if freeze.mode == Freeze.Mode.SILENCE else _("sign-on"),
                    },
                    path=_path(freeze.statement) + "#respond",
                    deadline=freeze.deadline,
                    deadline_zone=freeze.deadline_time_zone,
                    detail=detail,
                    subject=freeze.statement,
                )
            )
    return items


def rounds_closing(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """Every open round of a statement the viewer may read whose deadline falls in the next seven days, soonest
    first, with how many members have responded."""
    rounds = list(
        open_rounds(now)
        .filter(deadline__lte=now + CLOSING_WITHIN, statement__in=policy.visible_to(user, Statement))
        .annotate(responded=Count("responses__organisation", distinct=True))
    )
    return [
        Item(
            text=_("“%(title)s” (text %(n)d)") % {"title": freeze.statement.title, "n": freeze.number},
            path=_path(freeze.statement),
            deadline=freeze.deadline,
            deadline_zone=freeze.deadline_time_zone,
            detail=_("%(n)d member(s) have responded so far.") % {"n": freeze.responded},
            subject=freeze.statement,
        )
        for freeze in rounds
    ]


def latest_published(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """The statements published most recently that the viewer may read (the public, on the public home)."""
    statements = (
        policy.visible_to(user, Statement)
        .filter(published_at__isnull=False, published_at__lte=now)
        .select_related("document")
        .order_by("-published_at", "-pk")[:LATEST]
    )
    return [
        Item(
            text=statement.title,
            path=_path(statement),
            detail=_("Published %(day)s") % {"day": f"{timezone.localtime(statement.published_at):%d %b %Y}"},
            subject=statement,
        )
        for statement in statements
    ]
