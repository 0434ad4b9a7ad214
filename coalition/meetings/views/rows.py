"""The meetings index's table rows, rendered in Python once per row rather than through the template language.

The index lists every meeting of the next 90 days and the latest 30 past ones; each row called two inclusion tags
(a time with its zones, a classification badge), which cost most of the page's CPU (issue 20). The values come from
the same tag functions (`coalition.core.templatetags.coalition.show_time` and `classification_badge`); only their
small templates (core/includes/time.html and classification.html) are written out here, every value escaped as the
template language escapes it. tests/test_index_rows.py checks the rows against the tags' own output.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape  # what django.utils.html.escape runs, without its lazy-string wrapper
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coalition.core.templatetags.coalition import classification_badge, show_time
from coalition.meetings.models import Meeting

_PLACEHOLDER = 999_999_999


def time_html(shown: dict[str, Any], *, your_zone: str, differs: str) -> str:
    """core/includes/time.html, for the values `show_time` gives."""
    if not shown["value"]:
        return "—\n"
    out = (
        f'<time datetime="{escape(shown["iso"])}">{escape(shown["local"])} '
        f'<abbr title="{escape(your_zone)}">{escape(shown["viewer_tz"])}</abbr></time>'
    )
    if shown["host"]:
        warning = "" if shown["quiet"] else f' — <strong class="warn">{escape(differs)}</strong>'
        out += f' <span class="host-time">({escape(shown["host"])} {escape(shown["host_tz"])}{warning})</span>'
    return out + "\n"


def badge_html(obj: Any) -> str:
    """core/includes/classification.html, for the values `classification_badge` gives."""
    badge = classification_badge(obj)
    return f'<span class="badge badge-{escape(str(badge["value"]))}">{escape(str(badge["label"]))}</span>\n'


class IndexRows:
    """Renders the index's rows for one request (the viewer's time zone as the page's context has it)."""

    def __init__(self, viewer_tz: str) -> None:
        self.context = {"viewer_tz": viewer_tz}
        self.address = reverse("meetings:meeting", args=[_PLACEHOLDER])
        self.your_zone = _("your time zone")
        self.differs = _("differs from your zone")
        self.cancelled = escape(_("cancelled"))
        self.virtual = escape(_("Virtual"))
        self.in_person = escape(_("In person"))
        self.minutes_states = {value: str(label) for value, label in Meeting.MinutesState.choices}

    def _link(self, meeting: Meeting) -> str:
        href = self.address.replace(str(_PLACEHOLDER), str(int(meeting.pk)))
        return f'<a href="{escape(href)}">{escape(meeting.title)}</a>'

    def _when(self, meeting: Meeting) -> str:
        shown = show_time(self.context, meeting.starts_at, meeting.host_time_zone)
        return time_html(shown, your_zone=self.your_zone, differs=self.differs)

    def upcoming(self, meetings: Iterable[Meeting]) -> SafeString:
        rows = []
        for meeting in meetings:
            cancelled = f' <strong class="warn">{self.cancelled}</strong>' if meeting.is_cancelled else ""
            rows.append(
                f'\n    <tr><th scope="row">{self._link(meeting)}{cancelled}</th>\n'
                f"      <td>{self._when(meeting)}</td>\n"
                f"      <td>{self.virtual if meeting.virtual else self.in_person}</td>\n"
                f"      <td>{badge_html(meeting)}</td></tr>\n  "
            )
        return mark_safe("".join(rows))  # noqa: S308  # every value escaped above

    def past(self, meetings: Iterable[Meeting]) -> SafeString:
        rows = []
        for meeting in meetings:
            state = self.minutes_states.get(meeting.minutes_state, meeting.minutes_state)
            rows.append(
                f'\n    <tr><th scope="row">{self._link(meeting)}</th>\n'
                f"      <td>{self._when(meeting)}</td>\n"
                f"      <td>{escape(state)}</td></tr>\n  "
            )
        return mark_safe("".join(rows))  # noqa: S308  # every value escaped above
