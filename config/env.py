"""Tiny helpers that read settings from the environment (the healthchecks way)."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def refuse_insecure_production(
    *,
    production: bool,
    debug: bool,
    secret_key: str,
    insecure_key: str,
    allowed_hosts: list[str],
    field_keys: list[str],
) -> None:
    """Production must not start on development defaults: each problem is named so an operator can fix it."""
    if not production:
        return
    problems = []
    if debug:
        problems.append("DEBUG is on")
    if secret_key == insecure_key or len(secret_key) < 50:
        problems.append("SECRET_KEY is the development default or shorter than 50 characters")
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("ALLOWED_HOSTS is empty or contains '*'")
    if not field_keys:
        problems.append("FIELD_ENCRYPTION_KEYS is not set (contact details of civil-society people need it)")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems) + ".")
