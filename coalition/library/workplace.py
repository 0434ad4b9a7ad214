"""The library's section of the home page (`coalition.core.workplace`): in the Support Unit's and the Chair's
queue, queued text imports of the last 30 days that the task worker refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.library.models import QueuedImport

RECENT_IMPORTS = dt.timedelta(days=30)


def register() -> None:
    """Called from LibraryConfig.ready()."""
    workplace.register_section(
        "library.imports",
        gettext_lazy("Library imports with errors"),
        gettext_lazy("Texts queued for the library in the last 30 days that were refused will appear here."),
        imports_with_errors,
        scope=workplace.COALITION,
        order=61,
    )


def imports_with_errors(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """The refused queued imports of the last 30 days the viewer may read, newest first, each with why."""
    imports = (
        policy.visible_to(user, QueuedImport)
        .filter(state=QueuedImport.State.REFUSED, at__gte=now - RECENT_IMPORTS)
        .defer("data")
        .order_by("-at", "-pk")
    )
    return [
        Item(
            text=f"{queued.title or queued.file_name} ({queued.file_name})",
            path=reverse("library:queued_import", args=[queued.pk]),
            detail=_("Refused: %(reason)s") % {"reason": queued.error[:200]},
            subject=queued,
        )
        for queued in imports
    ]
