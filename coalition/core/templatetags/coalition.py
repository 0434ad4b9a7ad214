"""Template pieces that repeat: a time with its zone, a classification badge."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from coalition.core import policy, wallclock

register = template.Library()


@register.inclusion_tag("core/includes/time.html", takes_context=True)
def show_time(
    context: dict[str, Any], value: datetime | None, host_tz: str = "", quiet: bool = False
) -> dict[str, Any]:
    """A moment in the viewer's zone, naming it; the host's zone beside it when it differs. `quiet` leaves out the
    warning that the zones differ, for a list whose page says it once (a warning on every row is noise)."""
    if value is None:
        return {"value": None}
    viewer_tz = context.get("viewer_tz", "UTC")
    local = timezone.localtime(value, zoneinfo.ZoneInfo(viewer_tz))
    host = None
    if host_tz and host_tz != viewer_tz:
        host = timezone.localtime(value, zoneinfo.ZoneInfo(host_tz))
    return {
        "value": value,
        "iso": value.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat(),
        "local": wallclock.clock_with_offset(local, date_format(local, "j M Y, H:i")),
        "viewer_tz": viewer_tz,
        "host": wallclock.clock_with_offset(host, date_format(host, "j M Y, H:i")) if host else "",
        "host_tz": host_tz,
        "quiet": quiet,
    }


@register.inclusion_tag("core/includes/classification.html")
def classification_badge(obj: Any) -> dict[str, Any]:
    value = str(getattr(obj, "classification", None) or getattr(type(obj), "fixed_classification", "public"))
    return {"value": value, "label": policy.Classification(value).label}


@register.filter
def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


@register.simple_tag(takes_context=True)
def name_if_visible(context: dict[str, Any], obj: Any, fallback: str = "—") -> str:
    """A person's, organisation's or body's name, only if the viewer may see that record (accounts show their
    person's name, never their email)."""
    name = policy.name_if_visible(getattr(context.get("request"), "user", None), obj)
    return fallback if name is None else name
