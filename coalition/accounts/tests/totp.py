"""TOTP codes as an authenticator app computes them, for tests that sign in for real."""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

PERIOD_SECONDS = 30


def fresh_totp_code(secret: str, *, seconds_left: float = 5.0) -> str:
    """The current code, waiting for the next period first when this one is about to end (the tolerance is zero),
    so a test is never flaky at a period boundary."""
    remaining = PERIOD_SECONDS - time.time() % PERIOD_SECONDS
    if remaining < seconds_left:
        time.sleep(remaining + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // PERIOD_SECONDS))
