"""System checks for what Django's --deploy checks do not cover."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_content_security_policy(**kwargs: Any) -> list[Error]:
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    directives = policy.get("DIRECTIVES", {})
    errors = []
    if "csp.middleware.CSPMiddleware" not in settings.MIDDLEWARE or not directives:
        errors.append(Error("No Content-Security-Policy is set.", id="coalition.E001"))
    for name in ("script-src", "style-src", "default-src"):
        values = " ".join(directives.get(name, []))
        if "'unsafe-inline'" in values or "'unsafe-eval'" in values or "*" in values.split():
            errors.append(
                Error(
                    f"The Content-Security-Policy allows inline or any-origin code in {name}.",
                    id="coalition.E002",
                )
            )
    if "frame-ancestors" not in directives:
        errors.append(Error("The Content-Security-Policy does not set frame-ancestors.", id="coalition.E003"))
    return errors


@register(Tags.security, deploy=True)
def check_session_lifetime(**kwargs: Any) -> list[Error]:
    errors = []
    idle = getattr(settings, "SESSION_IDLE_TIMEOUT_SECONDS", 0)
    absolute = getattr(settings, "SESSION_ABSOLUTE_TIMEOUT_SECONDS", 0)
    if not 0 < idle <= 60 * 60:
        errors.append(Error("The idle session limit must be between 1 second and 1 hour.", id="coalition.E010"))
    if not 0 < absolute <= 24 * 60 * 60:
        errors.append(Error("The absolute session limit must be between 1 second and 24 hours.", id="coalition.E011"))
    if "coalition.accounts.middleware.SessionLimitsMiddleware" not in settings.MIDDLEWARE:
        errors.append(Error("SessionLimitsMiddleware is not installed.", id="coalition.E012"))
    return errors


@register(Tags.security, deploy=True)
def check_mfa_enforced(**kwargs: Any) -> list[Error | Warning]:
    errors: list[Error | Warning] = []
    if not getattr(settings, "COALITION_MFA_REQUIRED", False):
        errors.append(Error("MFA is not required (MFA_REQUIRED is off).", id="coalition.E020"))
    if "coalition.accounts.middleware.RequireMFAMiddleware" not in settings.MIDDLEWARE:
        errors.append(Error("RequireMFAMiddleware is not installed.", id="coalition.E021"))
    return errors


@register(Tags.caches, deploy=True)
def check_shared_cache(**kwargs: Any) -> list[Error]:
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Error(
                "The default cache is not shared between processes; MFA replay protection and rate limits "
                "need the database or Redis cache.",
                id="coalition.E030",
            )
        ]
    return []
