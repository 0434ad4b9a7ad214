from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from coalition.accounts.middleware import seconds_left


def session_limits(request: HttpRequest) -> dict[str, Any]:
    """For the page's warning before the idle limit signs the person out (core/static/core/session.js): how many
    seconds the session has left as the page is made, and how long before the end to warn."""
    if not request.user.is_authenticated:
        return {}
    return {
        "session_seconds_left": seconds_left(request, time.time()),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
