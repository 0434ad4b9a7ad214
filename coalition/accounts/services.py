"""Account use cases: sessions seen and ended, accounts disabled, service tokens issued."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from coalition.accounts.models import ServiceToken, User, UserSession
from coalition.accounts.tasks import send_security_notice
from coalition.core import ledger, policy
from coalition.core.errors import AccessDenied, InvalidInput


def notify(user: User, subject: str, body: str) -> None:
    """Queue a security notice once the surrounding transaction commits (never for a change that rolled back)."""
    transaction.on_commit(lambda: send_security_notice.enqueue(user_id=user.pk, subject=subject, body=body))


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as allauth's rate limits see it (behind a proxy: the trusted X-Forwarded-For hop)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request) or None
    except Exception:  # an unparseable forwarded header must not stop a sign-in from being recorded
        return request.META.get("REMOTE_ADDR") or None


def track_session(*, request: HttpRequest, user: User) -> UserSession:
    """Called at sign-in: remember the session so its owner can see and end it."""
    assert request.session.session_key
    row, _ = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "ip": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ended_at": None,
        },
    )
    return row


def last_seen(row: UserSession) -> dt.datetime:
    """When the session was last used, as its own data records it: the middleware keeps that in the session (at most
    once a minute), never in an app table, so that no GET request writes a row (issue 19). The sign-in time when the
    session data is gone."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=row.session_key)
    seen = store.load().get("coalition_seen_at")
    return dt.datetime.fromtimestamp(seen, tz=dt.UTC) if isinstance(seen, int | float) else row.last_seen_at


def _destroy(row: UserSession) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=row.session_key)
    store.delete()
    row.ended_at = timezone.now()
    row.save(update_fields=["ended_at"])


def end_session(*, session: UserSession, by: User) -> None:
    """A person ends one of their own sessions (a lost laptop, a shared computer)."""
    if session.user_id != by.pk and not policy.can(by, "accounts.manage"):
        raise AccessDenied("You can only end your own sessions.")
    with transaction.atomic():
        _destroy(session)
        ledger.record("auth.session_ended", actor=by, subject=session.user, data={"session": session.pk})


def end_all_sessions(*, user: User, by: User, except_key: str | None = None) -> int:
    if user.pk != by.pk:
        policy.require(by, "accounts.manage")
    rows = list(UserSession.objects.filter(user=user, ended_at__isnull=True).exclude(session_key=except_key or ""))
    with transaction.atomic():
        for row in rows:
            _destroy(row)
        ledger.record("auth.sessions_ended", actor=by, subject=user, data={"count": len(rows)})
    return len(rows)


def disable_account(*, user: User, by: User, reason: str) -> int:
    """The Support Unit disables an account and ends all its sessions at once (a stolen device, a departure)."""
    policy.require(by, "accounts.manage")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Say why the account is disabled; the reason goes into the audit ledger.", field="reason")
    if user.pk == by.pk:
        raise InvalidInput("You cannot disable your own account.", field="reason")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.is_active = False
        user.disabled_at = timezone.now()
        user.disabled_reason = reason[:300]
        user.save(update_fields=["is_active", "disabled_at", "disabled_reason"])
        rows = list(UserSession.objects.filter(user=user, ended_at__isnull=True))
        for row in rows:
            _destroy(row)
        ledger.record("auth.account_disabled", actor=by, subject=user, data={"reason": reason, "sessions": len(rows)})
        notify(
            user,
            "Your account was disabled",
            "The Support Unit disabled your Coalition account and ended its sessions. "
            "If you did not expect this, contact the Support Unit through a channel you trust.",
        )
    return len(rows)


def enable_account(*, user: User, by: User) -> None:
    policy.require(by, "accounts.manage")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True, disabled_at=None, disabled_reason="")
        ledger.record("auth.account_enabled", actor=by, subject=user)


def issue_service_token(*, user: User, name: str, by: Any) -> tuple[ServiceToken, str]:
    policy.require(by, "accounts.manage")
    if not user.is_service_account:
        raise InvalidInput("API tokens are issued to service accounts only.", field="user")
    with transaction.atomic():
        token, raw = ServiceToken.issue(user=user, name=name)
        ledger.record("auth.token_issued", actor=by, subject=user, data={"token": token.prefix})
    return token, raw


def set_time_zone(*, user: User, time_zone: str) -> None:
    """A person chooses the zone every time is shown to them in."""
    import zoneinfo

    if time_zone not in zoneinfo.available_timezones():
        raise InvalidInput(f"{time_zone} is not an IANA time zone.", field="time_zone")
    if user.person is None:
        raise InvalidInput("This account belongs to no person, so it has no time zone to set.", field="time_zone")
    with transaction.atomic():
        user.person.time_zone = time_zone
        user.person.save(update_fields=["time_zone"])
        ledger.record("account.time_zone_changed", actor=user, subject=user, data={"time_zone": time_zone})
