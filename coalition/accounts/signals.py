"""Security events into the audit ledger. Signals are the integration point Django and allauth offer for these."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from coalition.accounts.models import UserSession
from coalition.accounts.services import client_ip, notify, track_session
from coalition.core import ledger


@receiver(auth_signals.user_logged_in)
def signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    now = time.time()
    request.session["coalition_auth_at"] = now
    request.session["coalition_seen_at"] = now
    request.session.save()
    track_session(request=request, user=user)
    ledger.record("auth.signed_in", actor=user, subject=user, ip=client_ip(request))


@receiver(auth_signals.user_logged_out)
def signed_out(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    from django.utils import timezone

    key = request.session.session_key
    if key:
        UserSession.objects.filter(session_key=key).update(ended_at=timezone.now())
    ledger.record("auth.signed_out", actor=user, subject=user, ip=client_ip(request))


@receiver(auth_signals.user_login_failed)
def sign_in_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any) -> None:
    # Never the password: only the identifier that was tried.
    tried = str(credentials.get("email") or credentials.get("username") or "")[:200]
    ledger.record("auth.sign_in_failed", data={"email": tried}, ip=client_ip(request) if request else None)


def _mfa_event(action: str) -> Any:
    def handler(sender: Any, request: HttpRequest, user: Any, authenticator: Any = None, **kwargs: Any) -> None:
        kind = getattr(authenticator, "type", "")
        ledger.record(action, actor=user, subject=user, data={"type": kind}, ip=client_ip(request))
        notify(
            user,
            "A second factor changed on your account",
            f"Event: {action.split('.')[-1].replace('_', ' ')} ({kind or 'authenticator'}). "
            "If this was not you, contact the Support Unit at once.",
        )

    return handler


_added = _mfa_event("mfa.authenticator_added")
_removed = _mfa_event("mfa.authenticator_removed")
_reset = _mfa_event("mfa.authenticator_reset")
mfa_signals.authenticator_added.connect(_added, dispatch_uid="coalition_mfa_added")
mfa_signals.authenticator_removed.connect(_removed, dispatch_uid="coalition_mfa_removed")
mfa_signals.authenticator_reset.connect(_reset, dispatch_uid="coalition_mfa_reset")
