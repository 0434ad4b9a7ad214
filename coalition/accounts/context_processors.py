from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from coalition.accounts.middleware import seconds_left


def session_limits(request: HttpRequest) -> dict[str, Any]:
    """For the page's warning before the idle limit signs the person out (core/static/core/session.js): how many
    seconds the session has left as the page is made, and how long before the end to warn. And for the drafts
    (core/static/core/drafts.js), an opaque mark of whose they are: text one person typed before their session
    expired is never put back into the page of someone else who signs in next in the same browser tab."""
    if not request.user.is_authenticated:
        return {}
    return {
        "session_seconds_left": seconds_left(request, time.time()),
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        "drafts_owner": salted_hmac("coalition.drafts", str(request.user.pk)).hexdigest()[:20],
    }
