"""How rapid-response pages show a signal's time: a day-dated one as its day, never shifted into a reader's zone."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from coalition.core.templatetags.coalition import show_time

register = template.Library()


@register.simple_tag(takes_context=True)
def signal_time(context: Any, value: dt.datetime | None, whole_day: bool = False, end: bool = False) -> SafeString:
    """`value` as a time in the reader's zone; or, when it is a whole-day signal's (a UTC midnight), as that day —
    for an `end`, the day before, as the end of a day-dated signal is the midnight after its last day. A STOP event
    of 1 March is 1 March in New York too."""
    if value is None or not whole_day:
        return SafeString(render_to_string("core/includes/time.html", show_time(context, value)))
    day = value.astimezone(dt.UTC).date() - (dt.timedelta(days=1) if end else dt.timedelta(0))
    return format_html('<time datetime="{}">{}</time>', day.isoformat(), date_format(day, "j M Y"))
