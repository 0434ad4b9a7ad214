"""The programme page's activity rows, rendered in Python once per row rather than through the template language.

A programme lists hundreds of activities; at a dozen template nodes a row (a URL, two dates, a translated status, a
lead named through the policy) the template language cost most of the page's CPU (issue 20). The HTML is the same as
the row the template wrote; every value from a record is escaped (`django.utils.html.escape`), and the lead is named by
`policy.name_if_visible`, asked once per distinct lead rather than once per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.core.markup import Route, day, escape
from coalition.programme.models import Activity, Programme, Status

TITLE_WORDS = 22


def _truncated(title: str) -> str:
    """As the template's `truncatewords:22` (a Truncator only where there is something to cut)."""
    words = title.split()
    return " ".join(words) if len(words) <= TITLE_WORDS else Truncator(title).words(TITLE_WORDS, truncate=" …")


class RowRenderer:
    """Renders one programme's activity rows for one reader (one request)."""

    def __init__(self, user: Any, programme: Programme) -> None:
        self.user = user
        self.route = Route("programme:activity", programme.year)
        self.labels = {value: str(label) for value, label in Status.choices}
        self.leads: dict[tuple[str, int], str] = {}
        self.carried_over = escape(_("carried over"))
        self.overdue = escape(_("overdue"))
        self.none = _("none")
        self.dates: dict[dt.date, str] = {}

    def _lead(self, activity: Activity) -> str:
        lead = activity.lead
        if lead is None:
            return "—"
        key = (lead._meta.label, lead.pk)
        if key not in self.leads:
            name = policy.name_if_visible(self.user, lead)
            self.leads[key] = "—" if name is None else name
        return self.leads[key]

    def _date(self, value: dt.date | None, empty: str) -> str:
        if value is None:
            return empty
        if value not in self.dates:  # as the template's `date:"j M Y"` filter, once per distinct date
            self.dates[value] = day(value)
        return self.dates[value]

    def row(self, activity: Activity) -> str:
        """One row's HTML: every value from the record escaped."""
        carried = f' <span class="small">({self.carried_over})</span>' if activity.carried_from_id else ""
        reason = f'<br><span class="small">{escape(activity.status_reason)}</span>' if activity.status_reason else ""
        overdue = f' <strong class="warn">{self.overdue}</strong>' if getattr(activity, "is_overdue_now", False) else ""
        count = getattr(activity, "update_count", None)
        updates = f' <span class="small">({int(count)})</span>' if count else ""
        status = activity.status
        return (
            "<tr>\n"
            f'        <td><a href="{self.route.to(activity.code)}">'
            f"<strong>{escape(activity.code)}</strong></a> "
            f"{escape(_truncated(activity.title))}{carried}</td>\n"
            f'        <td><span class="status status-{escape(status)}">{escape(self.labels.get(status, status))}</span>'
            f"{reason}</td>\n"
            f"        <td>{escape(self._lead(activity))}</td>\n"
            f"        <td>{escape(self._date(activity.target_on, '—'))}{overdue}</td>\n"
            f"        <td>{escape(self._date(getattr(activity, 'last_update_on', None), self.none))}{updates}</td>\n"
            "      </tr>"
        )

    def rows(self, activities: Iterable[Activity]) -> SafeString:
        return mark_safe("\n      ".join(self.row(activity) for activity in activities))  # noqa: S308  # every value escaped in row()
