"""The home page's section of the notification service (`coalition.core.workplace`): the person's latest unread
notifications, each linking to where they act on it, so that an alert raised or a round opened is on their home as
well as in the notification centre (issue 19)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy

from coalition.core import policy, workplace
from coalition.core.workplace import Item
from coalition.notifications import service

SHOWN = 5  # the latest unread ones; the centre has them all


def register() -> None:
    """Called from NotificationsConfig.ready()."""
    workplace.register_section(
        "notifications.unread",
        gettext_lazy("Unread notifications"),
        gettext_lazy(
            "What you are told and have not read yet (an alert, a sign-on round opened, a reply) will appear here; "
            "the notification centre keeps them all."
        ),
        unread,
        order=5,
    )


def unread(user: Any, actor: policy.Actor, now: dt.datetime) -> list[Item]:
    """The newest unread notifications the person may still see, as the centre shows them (a bounded number of
    queries: one page of at most SHOWN, its subjects prefetched)."""
    found = service.latest_unread(user, limit=SHOWN)
    return [
        Item(
            text=shown.message.subject,
            path=shown.message.path,
            detail=shown.notification.reason,
            subject=shown.notification.subject,
        )
        for shown in service.rendered(found, user, filtered=True)
    ]
