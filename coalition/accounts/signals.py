"""Security events into the audit ledger. Signals are the integration point Django and allauth offer for these."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver
from django.http import HttpRequest

from coalition.accounts import attempts
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


# What each change to how one signs in tells its person (by email); the ledger records the change, never a password
# or a code.
_NOTICES = {
    "mfa.authenticator_added": (
        "A new second factor was added to your account",
        "A second factor ({kind}) was added to your Coalition account.",
    ),
    "mfa.authenticator_removed": (
        "A second factor was removed from your account",
        "A second factor ({kind}) was removed from your Coalition account.",
    ),
    "mfa.authenticator_reset": (
        "The recovery codes of your account were replaced",
        "The recovery codes of your Coalition account were replaced.",
    ),
    "auth.password_changed": ("Your password was changed", "The password of your Coalition account was changed."),
    "auth.password_reset": (
        "Your password was reset",
        "The password of your Coalition account was reset through the link sent to this address.",
    ),
    "auth.password_set": ("A password was set on your account", "A password was set on your Coalition account."),
}


def _account_event(action: str) -> Any:
    subject, what = _NOTICES[action]

    def handler(sender: Any, request: HttpRequest, user: Any, authenticator: Any = None, **kwargs: Any) -> None:
        kind = getattr(authenticator, "type", "")
        data = {"type": kind} if authenticator is not None else None
        ledger.record(action, actor=user, subject=user, data=data, ip=client_ip(request))
        notify(
            user,
            subject,
            f"{what.format(kind=kind)} If this was not you, tell the Support Unit at once through a channel you trust.",
        )

    return handler


for _signal, _action in [
    (mfa_signals.authenticator_added, "mfa.authenticator_added"),
    (mfa_signals.authenticator_removed, "mfa.authenticator_removed"),
    (mfa_signals.authenticator_reset, "mfa.authenticator_reset"),
    (account_signals.password_changed, "auth.password_changed"),
    (account_signals.password_reset, "auth.password_reset"),
    (account_signals.password_set, "auth.password_set"),
]:
    _signal.connect(_account_event(_action), weak=False, dispatch_uid=f"coalition_{_action}")


@receiver(mfa_signals.authentication_failed, dispatch_uid="coalition_mfa_failed")
def second_factor_failed(sender: Any, request: HttpRequest, user: Any, authenticator: Any = None, **kw: Any) -> None:
    attempts.second_factor_failed(
        request, user=user, kind=getattr(authenticator, "type", ""), reauthentication=bool(kw.get("reauthentication"))
    )
