"""The meetings index's table rows, rendered in Python once per row rather than through the template language.

The index lists a page of the meetings of the next 90 days and the latest 30 past ones; each row's time and
classification badge cost most of the page's CPU as inclusion tags (issue 20). Their markup comes from
coalition/core/markup.py, as the `show_time` and `classification_badge` tags' does; every value is escaped as the
template language escapes it. tests/test_index_rows.py checks the rows against the former template loop.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coalition.core.markup import Route, badge_html, escape, time_html, time_values
from coalition.meetings.models import Meeting


class IndexRows:
    """Renders the index's rows for one request (the viewer's time zone as the page's context has it)."""

    def __init__(self, viewer_tz: str) -> None:
        self.viewer_tz = viewer_tz
        self.route = Route("meetings:meeting")
        self.cancelled = escape(_("cancelled"))
        self.virtual = escape(_("Virtual"))
        self.in_person = escape(_("In person"))
        self.minutes_states = {value: str(label) for value, label in Meeting.MinutesState.choices}

    def _link(self, meeting: Meeting) -> str:
        return f'<a href="{self.route.to(int(meeting.pk))}">{escape(meeting.title)}</a>'

    def _when(self, meeting: Meeting) -> str:
        return time_html(time_values(meeting.starts_at, self.viewer_tz, meeting.host_time_zone))

    def upcoming(self, meetings: Iterable[Meeting]) -> SafeString:
        rows = []
        for meeting in meetings:
            cancelled = f' <strong class="warn">{self.cancelled}</strong>' if meeting.is_cancelled else ""
            rows.append(
                f'\n    <tr><th scope="row">{self._link(meeting)}{cancelled}</th>\n'
                f"      <td>{self._when(meeting)}\n</td>\n"
                f"      <td>{self.virtual if meeting.virtual else self.in_person}</td>\n"
                f"      <td>{badge_html(meeting)}\n</td></tr>\n  "
            )
        return mark_safe("".join(rows))  # noqa: S308  # every value escaped above

    def past(self, meetings: Iterable[Meeting]) -> SafeString:
        rows = []
        for meeting in meetings:
            state = self.minutes_states.get(meeting.minutes_state, meeting.minutes_state)
            rows.append(
                f'\n    <tr><th scope="row">{self._link(meeting)}</th>\n'
                f"      <td>{self._when(meeting)}\n</td>\n"
                f"      <td>{escape(state)}</td></tr>\n  "
            )
        return mark_safe("".join(rows))  # noqa: S308  # every value escaped above
