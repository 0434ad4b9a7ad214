from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from coalition.notifications import service


def unread(request: HttpRequest) -> dict[str, Any]:
    """The header's "Notifications (N)": one query, made only when a page shows it; none for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": functools.cache(lambda: service.unread_count(user))}
