"""The statements list's table rows and a statement's members' responses, rendered in Python once per row rather
than through the template language.

At the load test's scale the list holds dozens of statements and a round asks every member government; each row's
link, labels, names (asked of the policy) and time (a template tag) cost most of those pages' CPU (issue 20). The HTML
is the row the template wrote (core/markup.py writes the time, as the `show_time` tag does); every value from a record
is escaped, the labels are translated once a page and each name is asked of the policy once a page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.core.markup import Route, escape, time_html, time_values
from coalition.statements.models import Freeze, Response, Statement


@dataclass(frozen=True)
class Row:
    statement: Statement
    freeze: Freeze | None
    state: str


def state(statement: Statement, freeze: Freeze | None, now: dt.datetime | None = None) -> str:
    """Where a statement stands, as its row says it."""
    now = now or timezone.now()
    if statement.published_at is not None:
        if statement.published_at > now:
            return _("Published, under embargo")
        return _("Published")
    if freeze is None:
        return _("Draft")
    if freeze.awaiting_decision:
        return _("Deadline passed — being decided (text %(n)d)") % {"n": freeze.number}
    if freeze.outcome == Freeze.Outcome.OPEN:
        if freeze.mode == Freeze.Mode.SILENCE:
            return _("Under silence procedure (text %(n)d)") % {"n": freeze.number}
        return _("Open for signature (text %(n)d)") % {"n": freeze.number}
    return f"{freeze.get_outcome_display()} ({_('text %(n)d') % {'n': freeze.number}})"


class IndexRows:
    """Renders the list's rows for one request (the viewer's time zone as the page's context has it)."""

    def __init__(self, viewer_tz: str) -> None:
        self.viewer_tz = viewer_tz
        self.route = Route("statements:statement")
        self.kinds = {value: str(label) for value, label in Statement.Kind.choices}
        self.fast_track = escape(_("fast track"))

    def _head(self, statement: Statement, extra: str = "") -> str:
        """The row's first two cells: the linked title (and `extra`), the kind and the country concerned."""
        country = f" ({escape(statement.about_country.name)})" if statement.about_country else ""
        return (
            f'\n    <tr><th scope="row"><a href="{self.route.to(statement.slug)}">{escape(statement.title)}</a>'
            f"{extra}</th>\n      <td>{escape(self.kinds.get(statement.kind, statement.kind))}{country}</td>\n"
        )

    def in_progress(self, rows: Iterable[Row]) -> SafeString:
        out = []
        for row in rows:
            freeze = row.freeze
            extra = f' <span class="status">{self.fast_track}</span>' if row.statement.fast_track else ""
            deadline = (
                time_html(time_values(freeze.deadline, self.viewer_tz, freeze.deadline_time_zone)) + "\n"
                if freeze
                else "—"
            )
            out.append(
                f"{self._head(row.statement, extra)}      <td>{escape(row.state)}</td>\n"
                f"      <td>{deadline}</td></tr>\n  "
            )
        return mark_safe("".join(out))  # noqa: S308  # every value escaped above

    def published(self, rows: Iterable[Row]) -> SafeString:
        out = []
        for row in rows:
            shown = time_html(time_values(row.statement.published_at, self.viewer_tz)) + "\n"
            out.append(f"{self._head(row.statement)}      <td>{shown}</td></tr>\n  ")
        return mark_safe("".join(out))  # noqa: S308  # every value escaped above


def context_of(rows: list[Row], viewer_tz: str, now: dt.datetime) -> dict[str, Any]:
    """The list's two tables: in preparation (drafts, open rounds, under embargo) and published, latest first."""
    public = [bool(row.statement.published_at and row.statement.published_at <= now) for row in rows]
    published = sorted(
        (row for row, out in zip(rows, public, strict=True) if out),
        key=lambda row: row.statement.published_at or now,
        reverse=True,
    )
    in_progress = [row for row, out in zip(rows, public, strict=True) if not out]
    render = IndexRows(viewer_tz)
    return {
        "in_progress": in_progress,
        "published": published,
        "in_progress_rows": render.in_progress(in_progress),
        "published_rows": render.published(published),
    }


class ResponseRows:
    """Renders the rows of a round's table of members' responses for one reader."""

    def __init__(self, user: Any, viewer_tz: str) -> None:
        self.user = user
        self.viewer_tz = viewer_tz
        self.names: dict[tuple[str, Any], str] = {}
        self.kinds = {value: escape(str(label)) for value, label in Response.Kind.choices}
        self.with_reservation = escape(_("Signed with a reservation"))
        self.late = f" ({escape(_('joined after publication'))})"
        self.none = escape(_("No response yet"))

    def _name(self, record: Any) -> str:
        """As the `name_if_visible` tag: the name if the reader may see the record, else "—"; once per record."""
        key = (type(record).__name__, record.pk if record is not None else None)
        if key not in self.names:
            name = policy.name_if_visible(self.user, record)
            self.names[key] = "—" if name is None else escape(name)
        return self.names[key]

    def _response(self, response: Response) -> str:
        kind = response.kind
        if kind == Response.Kind.SIGNED and response.reservation:
            said = self.with_reservation
        else:
            said = self.kinds.get(kind) or escape(kind)
        note = response.reservation or response.reason
        shown = time_html(time_values(response.at, self.viewer_tz))
        return (
            f'\n      <td class="response-{escape(kind)}">{said}{self.late if response.late else ""}</td>\n'
            f"      <td>{linebreaksbr(note, autoescape=True) if note else ''}</td>\n"
            f"      <td>{self._name(response.person)}</td>\n"
            f"      <td>{shown}\n</td>\n      "
        )

    def rows(self, rows: Iterable[Any]) -> SafeString:
        """The rows for `views.working.MemberResponse`s: a member and its response, if any."""
        out = []
        empty = f'\n      <td class="response-none">{self.none}</td><td></td><td></td><td></td>\n      '
        for row in rows:
            cells = self._response(row.response) if row.response else empty
            out.append(f'\n    <tr><th scope="row">{self._name(row.organisation)}</th>\n      {cells}</tr>\n  ')
        return mark_safe("".join(out))  # noqa: S308  # every value escaped above
