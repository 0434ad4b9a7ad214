from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from coalition.accounts.backends import has_second_factor
from coalition.core.return_to import page_to_return_to

SEEN_GRANULARITY_SECONDS = 60
# Sent by a page's own script when it asks again by itself (core/static/core/check_again.js, while an import runs):
# such a request does not count as the person's activity, so an unattended page does not hold the session open.
BACKGROUND_HEADER = "X-Coalition-Background"


class SessionLimitsMiddleware:
    """Idle and absolute session limits (OWASP ASVS V7.3), checked on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get("coalition_auth_at", now)
            seen = request.session.get("coalition_seen_at", now)
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS:
                return self._expire(request, _("Your session reached its maximum length. Please sign in again."))
            if now - seen > settings.SESSION_IDLE_TIMEOUT_SECONDS:
                return self._expire(request, _("You were signed out after a period of inactivity."))
            due = now - seen >= SEEN_GRANULARITY_SECONDS or "coalition_seen_at" not in request.session
            if due and request.headers.get(BACKGROUND_HEADER) != "1":  # a page asking again by itself: not the person
                mark_seen(request, now)
        return self.get_response(request)

    def _expire(self, request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=401)
        messages.info(request, message)
        # A form sent after the limit brings the person back, once signed in, to the page it was on (where the draft
        # script puts their text back), never to a GET of the address it posted to.
        return redirect_to_login(page_to_return_to(request))


def mark_seen(request: HttpRequest, now: float) -> None:
    """The session was used at `now`: the idle limit counts from here, and the sessions list reads it as "last seen"
    (`services.last_seen`). Kept in the session only: a GET request writes no row of ours (issue 19)."""
    request.session["coalition_seen_at"] = now
    request.session.setdefault("coalition_auth_at", now)


def seconds_left(request: HttpRequest, now: float) -> int:
    """How long the signed-in session has before the idle or the absolute limit ends it, whichever comes first.
    Counted from what the server recorded (`coalition_seen_at` moves at most once a minute), so a page's warning
    never comes later than the sign-out."""
    started = request.session.get("coalition_auth_at", now)
    seen = request.session.get("coalition_seen_at", now)
    left = min(
        settings.SESSION_IDLE_TIMEOUT_SECONDS - (now - seen),
        settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS - (now - started),
    )
    return max(0, int(left))


MFA_EXEMPT_PREFIXES = (
    "/accounts/2fa/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/static/",
    "/i18n/",
)


class RequireMFAMiddleware:
    """Every account must have a second factor: until one is set up, the only pages are those that set one up."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.COALITION_MFA_REQUIRED
            and request.user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not has_second_factor(request.user)  # read with the account: no query of its own
        ):
            message = _("Set up two-factor authentication to continue: every account needs it.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=403)
            messages.warning(request, message)
            return redirect("mfa_activate_totp")
        return self.get_response(request)
