"""Donor coordination's section of the home page (`coalition.core.workplace`): in the Support Unit's and the
Chair's queue, funding files of the last 30 days that were refused. An import report is read by the reporter's own
people alone (`ImportBatch.owned_by`), so the queue lists only the reports its viewer may read: the Chair's own
member's, none for the Support Unit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.donors.models import ImportBatch

RECENT_IMPORTS = dt.timedelta(days=30)


def register() -> None:
    """Called from DonorsConfig.ready()."""
    workplace.register_section(
        "donors.imports",
        gettext_lazy("Funding imports with errors"),
        gettext_lazy(
            "Funding files of the last 30 days that were refused will appear here (an import report is read by the "
            "reporting member's people alone)."
        ),
        imports_with_errors,
        scope=workplace.COALITION,
        order=62,
    )


def imports_with_errors(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """The refused funding files of the last 30 days whose report the viewer may read, newest first."""
    batches = (
        policy.visible_to(user, ImportBatch)
        .filter(outcome=ImportBatch.Outcome.REFUSED, at__gte=now - RECENT_IMPORTS)
        .select_related("reporter")
        .order_by("-at", "-pk")
    )
    return [
        Item(
            text=f"{batch.reporter.name}: {batch.file_name}",
            path=reverse("donors:batch", args=[batch.pk]),
            detail=_("Refused with %(n)d error(s); nothing was saved.") % {"n": len(batch.errors)},
            subject=batch,
        )
        for batch in batches
    ]
