"""The weekly digest's "notifications" section: a person's digest-mode notifications of the last seven days that
their account may still see (registered with `core.digest` from NotificationsConfig.ready())."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from coalition.core.digest import Reminder
from coalition.notifications import service
from coalition.notifications.models import Mode, Notification

TITLE = _("Notifications")
DAYS = 7


def _since(on: dt.date) -> dt.datetime:
    return dt.datetime.combine(on - dt.timedelta(days=DAYS), dt.time.min, tzinfo=dt.UTC)


def collect(person: Any, account: Any, on: dt.date) -> list[Reminder]:
    if account is None or not service.may_receive(account):
        return []
    found = (
        service.visible_notifications(account)
        .filter(mode=Mode.DIGEST, created_at__gte=_since(on), created_at__lt=_since(on) + dt.timedelta(days=DAYS + 1))
        .order_by("created_at", "pk")
    )
    return [
        Reminder(
            kind=shown.notification.kind,
            text=shown.message.subject,
            path=shown.message.path,
            subject=shown.notification.subject,
        )
        for shown in service.rendered(list(found.prefetch_related("subject")), account, filtered=True)
    ]


def recipients(on: dt.date) -> set[int]:
    """The people who may have digest-mode notifications that week (a cheap superset)."""
    since = _since(on)
    return set(
        Notification.objects.filter(
            mode=Mode.DIGEST, created_at__gte=since, recipient__person__isnull=False, recipient__is_active=True
        ).values_list("recipient__person_id", flat=True)
    )
