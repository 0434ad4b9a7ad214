"""Error reports to Sentry, when SENTRY_DSN is set (called from config/settings.py; off by default)."""

from __future__ import annotations

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration


def start_sentry(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> None:
    """Errors only, with no personal data: no user, address, cookies or request bodies."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
    )
