"""The markup written in Python (core/markup.py) is, byte for byte, what the former inclusion templates
core/includes/time.html and classification.html wrote, in every language the site speaks (issue 20)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format

from coalition.core import markup, wallclock
from coalition.core.policy import Classification
from coalition.core.templatetags.coalition import show_time

# The former templates, as they were.
FORMER_TIME = Template(
    """{% load i18n %}{% if value %}<time datetime="{{ iso }}">{{ local }} <abbr title="{% trans 'your time zone' %}">{{ viewer_tz }}</abbr></time>{% if host %} <span class="host-time">({{ host }} {{ host_tz }}{% if not quiet %} — <strong class="warn">{% trans "differs from your zone" %}</strong>{% endif %})</span>{% endif %}{% else %}—{% endif %}
"""  # noqa: E501
)
FORMER_BADGE = Template('<span class="badge badge-{{ value }}">{{ label }}</span>\n')
LANGUAGES = ["en", "fr", "es"]
ZONES = ["UTC", "Europe/London", "America/Santiago", "Asia/Kolkata", "Pacific/Chatham"]


def former_values(value: dt.datetime | None, viewer_tz: str, host_tz: str, quiet: bool) -> dict[str, Any]:
    """The former `show_time` tag's values, through Django's `date_format`."""
    if value is None:
        return {"value": None}
    local = timezone.localtime(value, zoneinfo.ZoneInfo(viewer_tz))
    host = timezone.localtime(value, zoneinfo.ZoneInfo(host_tz)) if host_tz and host_tz != viewer_tz else None
    return {
        "value": value,
        "iso": value.astimezone(zoneinfo.ZoneInfo("UTC")).isoformat(),
        "local": wallclock.clock_with_offset(local, date_format(local, "j M Y, H:i")),
        "viewer_tz": viewer_tz,
        "host": wallclock.clock_with_offset(host, date_format(host, "j M Y, H:i")) if host else "",
        "host_tz": host_tz,
        "quiet": quiet,
    }


def moments() -> list[dt.datetime | None]:
    """A moment in every month (each month's name), single- and double-digit days, a midnight, the hour the
    clocks repeat in London (25 October 2026, 01:30 local) and a year before 1000."""
    every_month = [
        dt.datetime(2026, month, 3 + 2 * month, 7 * month % 24, 5 * month - 4, tzinfo=dt.UTC) for month in range(1, 13)
    ]
    return [
        None,
        *every_month,
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(999, 6, 1, 12, 0, tzinfo=dt.UTC),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_show_time_writes_what_the_former_template_wrote(language: str) -> None:
    tag = Template("{% load coalition %}{% show_time value host_tz quiet %}")
    with translation.override(language):
        for value in moments():
            for viewer_tz in ZONES:
                for host_tz in ["", "Europe/London", "America/Santiago"]:
                    for quiet in (False, True):
                        context = {"value": value, "host_tz": host_tz, "quiet": quiet, "viewer_tz": viewer_tz}
                        former = FORMER_TIME.render(Context(former_values(value, viewer_tz, host_tz, quiet)))
                        assert tag.render(Context(context)) == former, (value, viewer_tz, host_tz, quiet)


@pytest.mark.parametrize("language", LANGUAGES)
def test_time_template_still_writes_the_values_of_show_time(language: str) -> None:
    """core/includes/time.html, which a caller renders with `show_time`'s values, is the same markup."""
    with translation.override(language):
        for value in moments():
            context = {"viewer_tz": "America/Santiago"}
            former = FORMER_TIME.render(Context(former_values(value, "America/Santiago", "", False)))
            assert render_to_string("core/includes/time.html", show_time(context, value)) == former


@pytest.mark.parametrize("language", LANGUAGES)
def test_day_is_date_format(language: str) -> None:
    with translation.override(language):
        for month in range(1, 13):
            for day in (1, 9, 28):
                value = dt.date(2026, month, day)
                assert markup.day(value) == date_format(value, "j M Y")


class Record:
    def __init__(self, classification: str | None) -> None:
        self.classification = classification


class Fixed:
    fixed_classification = "members"


@pytest.mark.parametrize("language", LANGUAGES)
def test_classification_badge_writes_what_the_former_template_wrote(language: str) -> None:
    tag = Template("{% load coalition %}{% classification_badge obj %}")
    with translation.override(language):
        for obj in [*(Record(value) for value in Classification.values), Record(None), Fixed()]:
            value = markup.classification_of(obj)
            values = {"value": value, "label": Classification(value).label}
            assert tag.render(Context({"obj": obj})) == FORMER_BADGE.render(Context(values))


def test_the_markup_itself() -> None:
    """A snapshot of the markup, so that a change to it is a change someone meant."""
    with translation.override("en"):
        shown = markup.time_values(
            dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC), "Europe/London", "America/New_York", quiet=False
        )
        assert markup.time_html(shown) == (
            '<time datetime="2026-10-25T00:30:00+00:00">25 Oct 2026, 01:30 (UTC+1) '
            '<abbr title="your time zone">Europe/London</abbr></time> '
            '<span class="host-time">(24 Oct 2026, 20:30 America/New_York — '
            '<strong class="warn">differs from your zone</strong>)</span>'
        )
        assert markup.time_html(markup.time_values(None, "UTC")) == "—"
        assert markup.badge_html(Record("restricted")) == '<span class="badge badge-restricted">Restricted</span>'


def test_route_fills_and_escapes_as_the_url_tag() -> None:
    route = markup.Route("meetings:meeting")
    assert route.to(42) == Template("{% url 'meetings:meeting' 42 %}").render(Context())
