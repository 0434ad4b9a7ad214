"""Rapid response's sections of the home page (`coalition.core.workplace`): the open situations a person's member
has not pledged to yet, and, in the Support Unit's and the Chair's queue, signal imports that were refused or
skipped rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.directory.models import Organisation
from coalition.response.models import ImportBatch, Pledge, Situation

RECENT_IMPORTS = dt.timedelta(days=30)


def register() -> None:
    """Called from ResponseConfig.ready()."""
    workplace.register_section(
        "response.pledges",
        gettext_lazy("Situations awaiting your member's pledge"),
        gettext_lazy(
            "Open rapid-response situations your member has not pledged to yet will appear here, newest first."
        ),
        situations_to_pledge,
        order=15,
    )
    workplace.register_section(
        "response.imports",
        gettext_lazy("Signal imports with errors"),
        gettext_lazy("Signal files of the last 30 days that were refused or had rows skipped will appear here."),
        imports_with_errors,
        scope=workplace.COALITION,
        order=60,
    )


def situations_to_pledge(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """Each open situation the person may see to which a member government they act for (and may pledge for) has
    made no pledge."""
    if not actor.acts_for:
        return []
    members = [
        organisation
        for organisation in policy.visible_to(user, Organisation)
        .filter(pk__in=actor.acts_for, kind=Organisation.Kind.GOVERNMENT)
        .order_by("name")
        if policy.can(user, "response.pledge", organisation)
    ]
    if not members:
        return []
    situations = list(
        policy.visible_to(user, Situation)
        .filter(status=Situation.Status.OPEN)
        .select_related("country")
        .order_by("-opened_at", "-pk")
    )
    pledged: dict[int, set[int]] = defaultdict(set)
    for situation_id, organisation_id in Pledge.objects.filter(
        situation__in=situations, organisation__in=members
    ).values_list("situation_id", "organisation_id"):
        pledged[situation_id].add(organisation_id)
    items = []
    for situation in situations:
        waiting = [member.name for member in members if member.pk not in pledged[situation.pk]]
        if not waiting:
            continue
        items.append(
            Item(
                text=situation.title,
                path=reverse("response:situation", args=[situation.pk]) + "#pledge",
                detail=_("No pledge yet from %(members)s; opened %(day)s.")
                % {"members": ", ".join(waiting), "day": f"{timezone.localtime(situation.opened_at):%d %b %Y}"},
                subject=situation,
            )
        )
    return items


def imports_with_errors(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """Signal files of the last 30 days the viewer may read that were refused or skipped rows, newest first."""
    batches = (
        policy.visible_to(user, ImportBatch)
        .filter(at__gte=now - RECENT_IMPORTS)
        .filter(~Q(refusal="") | ~Q(skipped=[]))
        .order_by("-at", "-pk")
    )
    items = []
    for batch in batches:
        if batch.refusal:
            detail = _("Refused: %(reason)s") % {"reason": batch.refusal[:200]}
        else:
            detail = _("%(n)d row(s) skipped, %(created)d signal(s) added.") % {
                "n": len(batch.skipped),
                "created": batch.created,
            }
        items.append(
            Item(
                text=f"{batch.get_source_display()}: {batch.file_name}",
                path=f"{reverse('response:import')}?batch={batch.pk}#report",
                detail=detail,
                subject=batch,
            )
        )
    return items
