"""Failed sign-in attempts: limited per address and per (address, account), never per account alone; recorded in the
ledger; told to the person whose account they aim at.

A limit per account alone lets anyone who knows a diplomat's address lock them out (five wrong passwords from anywhere
during a silence procedure). So allauth counts failures per address (`login_failed`), this module per address and
account (`login_failed_here`), for the password and the second factor alike: whoever tries from elsewhere, with the
right password and code, still gets in. Distributed guessing is met by the password policy and the second factor, and
the person hears of repeated failures at once, by email.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.http import HttpRequest

from coalition.accounts.models import User
from coalition.accounts.services import client_ip, notify
from coalition.core import ledger

PER_ADDRESS_AND_ACCOUNT = "login_failed_here"  # an action of ACCOUNT_RATE_LIMITS, counted per key
# Failures on one account, from all addresses together, within NOTICE_WINDOW_SECONDS that earn its owner a notice.
FAILURES_BEFORE_NOTICE = 5
NOTICE_WINDOW_SECONDS = 60 * 60


def consume_attempt(request: HttpRequest, *, login: str) -> Any:
    """Count one attempt on `login` from this request's address; raise allauth's "too many attempts" error (and
    record the refusal) when that pair is over its limit. The returned usage is rolled back if the attempt succeeds."""
    usage = _consume(request, f"{login.strip().lower()}")
    if usage is None:
        refuse_attempt(request, login=login, stage="password", limit="address_and_account")
        raise get_adapter(request).validation_error("too_many_login_attempts")
    return usage


def refuse_attempt(request: HttpRequest, *, login: str, stage: str, limit: str) -> None:
    """An attempt refused unread because a limit was reached: recorded, and counted towards the person's notice."""
    ledger.record(
        "auth.sign_in_throttled",
        subject=_account(login),
        data={"email": login[:200], "stage": stage, "limit": limit},
        ip=client_ip(request),
    )
    count_failure(login=login)


def count_failure(*, login: str) -> None:
    """One more failure on this account from anywhere; its owner is told once the failures reach the threshold
    within the window (at most one notice per window: a flood of attempts is not a flood of email)."""
    user = _account(login)
    if user is None:
        return
    key = f"coalition:sign-in-failures:{user.pk}"
    cache.add(key, 0, NOTICE_WINDOW_SECONDS)
    try:
        failures = cache.incr(key)
    except ValueError:  # expired between add and incr
        failures = 1
        cache.set(key, failures, NOTICE_WINDOW_SECONDS)
    if failures < FAILURES_BEFORE_NOTICE:
        return
    if cache.add(f"coalition:failure-notice:{user.pk}", 1, NOTICE_WINDOW_SECONDS):  # the first in this window
        notify(
            user,
            "Repeated failed sign-ins to your account",
            f"There were {failures} failed attempts to sign in to your Coalition account within the last hour. "
            "Your account is not locked: you can still sign in with your password and second factor.\n\n"
            "If these were not you, someone may be trying to guess your password. Change it if you reuse it "
            "anywhere, and tell the Support Unit through a channel you trust.",
        )


def second_factor_failed(request: HttpRequest, *, user: User, kind: str, reauthentication: bool) -> None:
    """A wrong code after the right password: recorded, and the person told at once (once per window), since
    whoever typed it knows their password."""
    ledger.record(
        "auth.second_factor_failed",
        subject=user,
        data={"type": kind, "reauthentication": reauthentication},
        ip=client_ip(request),
    )
    count_failure(login=user.email)
    if cache.add(f"coalition:second-factor-notice:{user.pk}", 1, NOTICE_WINDOW_SECONDS):
        notify(
            user,
            "A wrong second-factor code was entered for your account",
            "Someone entered the correct password for your Coalition account, then a wrong second-factor code. "
            "If this was not you, your password is known to someone else: change it now and tell the Support Unit "
            "through a channel you trust.",
        )


def consume_second_factor_attempt(request: HttpRequest, *, user: User) -> Any:
    """The per (address, account) limit for second-factor codes (allauth's own counts per account alone)."""
    usage = _consume(request, f"second-factor|{user.pk}")
    if usage is None:
        refuse_attempt(request, login=user.email, stage="second_factor", limit="address_and_account")
        raise get_adapter(request).validation_error("too_many_login_attempts")
    return usage


def _consume(request: HttpRequest, account: str) -> Any:
    # The address as allauth's own limits see it (an IPv6 address by its /64), so that rotating addresses within one
    # network gains nothing over the per-address limit.
    key = f"{ratelimit.get_ip(request)}|{account}"
    return ratelimit.consume(request, app="allauth.account", action=PER_ADDRESS_AND_ACCOUNT, key=key)


def _account(login: str) -> User | None:
    return User.objects.filter(email__iexact=login.strip()).first() if login else None
