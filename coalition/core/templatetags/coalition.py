"""Template pieces that repeat: a time with its zone, a classification badge (their markup: core/markup.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from coalition.core import markup, policy

register = template.Library()


def show_time(
    context: dict[str, Any], value: datetime | None, host_tz: str = "", quiet: bool = False
) -> dict[str, Any]:
    """The values of a moment for the viewer of `context` (`markup.time_values`); core/includes/time.html writes them
    for callers that render it themselves."""
    return markup.time_values(value, context.get("viewer_tz", "UTC"), host_tz, quiet)


@register.simple_tag(takes_context=True, name="show_time")
def show_time_tag(
    context: dict[str, Any], value: datetime | None, host_tz: str = "", quiet: bool = False
) -> SafeString:
    """A moment in the viewer's zone, naming it; the host's zone beside it when it differs. `quiet` leaves out the
    warning that the zones differ, for a list whose page says it once (a warning on every row is noise). The final
    newline is the former inclusion template's."""
    return SafeString(markup.time_html(show_time(context, value, host_tz, quiet)) + "\n")


@register.simple_tag(takes_context=True)
def time_markup(context: dict[str, Any]) -> SafeString:
    """core/includes/time.html: the markup for the values of `show_time` in its context."""
    keys = ("value", "iso", "local", "viewer_tz", "host", "host_tz", "quiet")
    return markup.time_html({key: context.get(key) for key in keys})


@register.simple_tag
def classification_badge(obj: Any) -> SafeString:
    """A record's classification badge (the final newline is the former inclusion template's)."""
    return SafeString(markup.badge_html(obj) + "\n")


@register.filter
def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


@register.simple_tag(takes_context=True)
def name_if_visible(context: dict[str, Any], obj: Any, fallback: str = "—") -> str:
    """A person's, organisation's or body's name, only if the viewer may see that record (accounts show their
    person's name, never their email)."""
    name = policy.name_if_visible(getattr(context.get("request"), "user", None), obj)
    return fallback if name is None else name
