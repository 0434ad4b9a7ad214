"""The Chair's annual report of a programme (PoA 3A.3), and its formats: the page, a PDF, a CSV and a JSON export.

`annual_report` builds one structure from access-filtered reads only, and every format is drawn from it, so a
reader gets exactly what the policy lets them see whatever the format: an update classified "members" never reaches
the Advisory Network or the public. The whole report takes a bounded number of queries, however many activities,
updates and pieces of evidence there are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.core.evidence import visible_evidence
from coalition.core.policy import Classification
from coalition.programme import queries
from coalition.programme.models import Activity, EvidenceLink, Goal, Objective, Programme, Status, StatusChange

# One colour per status, shared by the page's SVG charts and the PDF's (the stylesheet's status colours).
STATUS_COLOURS = {
    Status.NOT_STARTED: "#4a5560",
    Status.IN_PROGRESS: "#0b4f8a",
    Status.DONE: "#1e5e2f",
    Status.BLOCKED: "#8a1c1c",
    Status.DROPPED: "#5c4a00",
}
# From the widest audience to the narrowest: a report is marked with the narrowest classification it contains.
CLASSIFICATION_ORDER = [
    Classification.PUBLIC,
    Classification.COALITION,
    Classification.MEMBERS,
    Classification.RESTRICTED,
]


@dataclass(frozen=True)
class UpdateEntry:
    reported_on: dt.date
    narrative: str
    author: str  # "" when the reader may not see the author's directory entry
    on_behalf_of: str
    classification: str

    @property
    def classification_label(self) -> str:
        return str(Classification(self.classification).label)


@dataclass(frozen=True)
class EvidenceEntry:
    title: str
    kind: str
    url: str
    note: str
    classification: str


@dataclass(frozen=True)
class HistoryEntry:
    changed_at: dt.datetime
    from_status: str
    to_status: str
    reason: str
    changed_by: str

    @property
    def from_label(self) -> str:
        return str(Status(self.from_status).label)

    @property
    def to_label(self) -> str:
        return str(Status(self.to_status).label)


@dataclass
class ActivityEntry:
    activity: Activity
    lead: str
    updates: list[UpdateEntry] = field(default_factory=list)  # oldest first
    evidence: list[EvidenceEntry] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)  # oldest first

    @property
    def code(self) -> str:
        return self.activity.code

    @property
    def title(self) -> str:
        return self.activity.title

    @property
    def status(self) -> str:
        return self.activity.status

    @property
    def status_label(self) -> str:
        return str(Status(self.activity.status).label)

    @property
    def reason(self) -> str:
        return self.activity.status_reason

    @property
    def target_on(self) -> dt.date | None:
        return self.activity.target_on

    @property
    def classification(self) -> str:
        return self.activity.classification

    @property
    def last_update_on(self) -> dt.date | None:
        return max((update.reported_on for update in self.updates), default=None)


@dataclass
class ObjectiveEntry:
    objective: Objective
    progress: float | None
    counts: dict[str, int]
    activities: list[ActivityEntry]


@dataclass
class GoalEntry:
    goal: Goal
    progress: float | None
    counts: dict[str, int]
    objectives: list[ObjectiveEntry]

    @property
    def labelled_counts(self) -> list[tuple[str, str, int]]:
        return labelled(self.counts)

    @property
    def activities(self) -> list[ActivityEntry]:
        return [activity for objective in self.objectives for activity in objective.activities]


@dataclass
class Report:
    programme: Programme
    chair: str
    reader: str  # who the report was prepared for ("" for a visitor)
    on: dt.date
    progress: float | None
    counts: dict[str, int]
    goals: list[GoalEntry]
    marking: str  # the narrowest classification of anything in the report

    @property
    def labelled_counts(self) -> list[tuple[str, str, int]]:
        return labelled(self.counts)

    @property
    def marking_label(self) -> str:
        return str(Classification(self.marking).label)

    @property
    def activities(self) -> list[ActivityEntry]:
        return [activity for goal in self.goals for activity in goal.activities]

    @property
    def updates(self) -> list[tuple[ActivityEntry, UpdateEntry]]:
        return [(activity, update) for activity in self.activities for update in activity.updates]


def labelled(counts: dict[str, int]) -> list[tuple[str, str, int]]:
    return [(status, str(Status(status).label), n) for status, n in counts.items()]


def percent(progress: float | None) -> str:
    return "—" if progress is None else f"{round(progress * 100)} %"


# --- Building the report ----------------------------------------------------------------------------------------


def annual_report(user: Any, programme: Programme, *, on: dt.date) -> Report:
    """What `user` may see of `programme`: the roll-up per goal and objective, then each activity with its
    updates, evidence and status history. Queries: the tree's two, one each for updates, evidence links and status
    history, and one or two per kind of evidence record, however many rows."""
    actor = policy.actor_for(user)
    rolled = queries.tree(
        user,
        programme,
        on=on,
        # The report lists no policy topics, so it does without their prefetch, and names each lead in the same query.
        refine=lambda rows: rows.prefetch_related(None).annotate(
            lead_body_name=_name_if_visible(actor, "lead_body"),
            lead_organisation_name=_name_if_visible(actor, "lead_organisation"),
        ),
    )
    visible_activities = policy.visible_to(user, Activity).filter(objective__goal__programme=programme).values("pk")
    updates = (
        queries.visible_updates(user)
        .filter(activity__in=visible_activities)
        .annotate(
            author_name=_name_if_visible(actor, "author__person", "full_name"),
            on_behalf_of_name=_name_if_visible(actor, "on_behalf_of"),
        )
        .order_by("reported_on", "created_at", "pk")
    )
    links = EvidenceLink.objects.filter(activity__in=visible_activities)
    history = (
        StatusChange.objects.filter(activity__in=visible_activities)
        .annotate(changed_by_name=_name_if_visible(actor, "changed_by__person", "full_name"))
        .order_by("changed_at", "pk")
    )

    activities = [a for goal in rolled.goals for objective in goal.children for a in objective.children]
    entries = {a.pk: ActivityEntry(activity=a, lead=_lead(a)) for a in activities}
    shown = [a.classification for a in activities]
    for update in updates:
        shown.append(update.classification)
        entries[update.activity_id].updates.append(
            UpdateEntry(
                reported_on=update.reported_on,
                narrative=update.narrative,
                author=update.author_name,
                on_behalf_of=update.on_behalf_of_name,
                classification=update.classification,
            )
        )
    for item in visible_evidence(user, links):  # each kind loads what its titles read (EvidenceType.related)
        classification = policy.effective_classification(item.record)  # an embargoed statement is not "public" yet
        shown.append(classification)
        entries[item.link.activity_id].evidence.append(
            EvidenceEntry(
                title=item.title, kind=item.kind.label, url=item.url, note=item.link.note, classification=classification
            )
        )
    for change in history:
        entries[change.activity_id].history.append(
            HistoryEntry(
                changed_at=change.changed_at,
                from_status=change.from_status,
                to_status=change.to_status,
                reason=change.reason,
                changed_by=change.changed_by_name,
            )
        )

    goals = [
        GoalEntry(
            goal=goal.item,
            progress=goal.progress,
            counts=goal.counts,
            objectives=[
                ObjectiveEntry(
                    objective=objective.item,
                    progress=objective.progress,
                    counts=objective.counts,
                    activities=[entries[a.pk] for a in objective.children],
                )
                for objective in goal.children
            ],
        )
        for goal in rolled.goals
    ]
    chair = programme.chair
    return Report(
        programme=programme,
        chair=str(chair) if chair is not None and policy.is_visible(user, chair) else "",
        reader=str(user) if getattr(user, "is_authenticated", False) else "",
        on=on,
        progress=rolled.progress,
        counts=rolled.counts,
        goals=goals,
        marking=max(shown, key=CLASSIFICATION_ORDER.index, default=Classification.PUBLIC),
    )


def _name_if_visible(actor: policy.Actor, relation: str, name: str = "name") -> Case:
    """The related record's name if the reader may see that record, else "": an organisation, body or person the
    policy hides stays hidden in a report too. Resolved in the same query as the row that names it."""
    return Case(
        When(policy.visibility_q(actor, f"{relation}__"), then=F(f"{relation}__{name}")),
        default=Value(""),
        output_field=CharField(),
    )


def _lead(activity: Activity) -> str:
    if activity.lead_body_id:
        return str(activity.lead_body_name)  # type: ignore[attr-defined]
    return str(activity.lead_organisation_name or "")  # type: ignore[attr-defined]


# --- CSV ------------------------------------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A spreadsheet runs a cell that starts like a formula: quote such text so that it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer that neutralises formula-like text in every cell (CSV injection)."""

    def __init__(self, stream: Any) -> None:
        self.writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self.writer.writerow([safe_cell(value) for value in row])


CSV_COLUMNS = [
    "Code",
    "Title",
    "Goal",
    "Objective",
    "Status",
    "Reason",
    "Lead",
    "Target date",
    "Last visible update",
    "Visible updates",
    "Classification",
]


def csv_rows(report: Report) -> Iterator[list[Any]]:
    """One row per activity the reader may see (their updates only are dated and counted)."""
    yield [_(column) for column in CSV_COLUMNS]
    for goal in report.goals:
        for objective in goal.objectives:
            for activity in objective.activities:
                yield [
                    activity.code,
                    activity.title,
                    goal.goal.number,
                    objective.objective.code,
                    activity.status_label,
                    activity.reason,
                    activity.lead,
                    _iso(activity.target_on),
                    _iso(activity.last_update_on),
                    len(activity.updates),
                    str(Classification(activity.classification).label),
                ]


def write_csv(report: Report, stream: Any) -> None:
    writer = SafeWriter(stream)
    for row in csv_rows(report):
        writer.writerow(row)


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


# --- JSON -----------------------------------------------------------------------------------------------------


def as_json(report: Report) -> dict[str, Any]:
    """Programme → goals → objectives → activities → updates, evidence and status history."""
    programme = report.programme
    return {
        "programme": {
            "title": programme.title,
            "year": programme.year,
            "chair": report.chair,
            "starts_on": _iso(programme.starts_on),
            "ends_on": _iso(programme.ends_on),
            "as_of": _iso(report.on),
            "progress": report.progress,
            "counts": report.counts,
            "classification": report.marking,
            "goals": [
                {
                    "number": goal.goal.number,
                    "title": goal.goal.title,
                    "progress": goal.progress,
                    "counts": goal.counts,
                    "objectives": [
                        {
                            "code": objective.objective.code,
                            "title": objective.objective.title,
                            "progress": objective.progress,
                            "counts": objective.counts,
                            "activities": [_activity_json(activity) for activity in objective.activities],
                        }
                        for objective in goal.objectives
                    ],
                }
                for goal in report.goals
            ],
        }
    }


def _activity_json(activity: ActivityEntry) -> dict[str, Any]:
    return {
        "code": activity.code,
        "title": activity.title,
        "status": activity.status,
        "status_label": activity.status_label,
        "reason": activity.reason,
        "lead": activity.lead,
        "target_on": _iso(activity.target_on) or None,
        "classification": activity.classification,
        "last_update_on": _iso(activity.last_update_on) or None,
        "updates": [
            {
                "reported_on": _iso(update.reported_on),
                "narrative": update.narrative,
                "author": update.author,
                "on_behalf_of": update.on_behalf_of,
                "classification": update.classification,
            }
            for update in activity.updates
        ],
        "evidence": [
            {"title": item.title, "kind": item.kind, "url": item.url, "note": item.note} for item in activity.evidence
        ],
        "status_history": [
            {
                "changed_at": change.changed_at.astimezone(dt.UTC).isoformat(),
                "from": change.from_status,
                "to": change.to_status,
                "reason": change.reason,
                "changed_by": change.changed_by,
            }
            for change in activity.history
        ],
    }


# --- PDF ------------------------------------------------------------------------------------------------------


def render_pdf(report: Report) -> bytes:
    """The report as a PDF: a title page, then per goal a status chart and each objective's activities with their
    status, updates, evidence and history. Standard fonts, so the text is extractable and the file small."""
    # Imported here: only this format needs ReportLab.
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    buffer = io.BytesIO()
    programme = report.programme
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_("Annual report: %(programme)s") % {"programme": programme.title},
        author=report.chair or "Coalition",
        subject=_("Classification: %(marking)s") % {"marking": report.marking_label},
        creator="Coalition",
    )
    styles = _pdf_styles()
    story: list[Any] = [*_title_page(report, styles), PageBreak()]
    for number, goal in enumerate(report.goals):
        if number:
            story.append(PageBreak())
        story += _goal_section(goal, styles)

    footer = f"{programme.title} · {_('Classification')}: {report.marking_label} · {_('page')}"

    def on_page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColorRGB(0.29, 0.33, 0.38)
        canvas.drawString(20 * mm, 10 * mm, f"{footer} {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def _pdf_styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "ReportTitle", parent=base["Title"], fontSize=24, leading=30, spaceAfter=18, alignment=0
        ),
        "h1": ParagraphStyle("Goal", parent=base["Heading1"], fontSize=16, leading=20, keepWithNext=1),
        "h2": ParagraphStyle("Objective", parent=base["Heading2"], fontSize=13, leading=16, keepWithNext=1),
        "h3": ParagraphStyle(
            "Activity", parent=base["Heading3"], fontSize=11, leading=14, spaceBefore=10, keepWithNext=1
        ),
        "body": base["BodyText"],
        "small": ParagraphStyle("Small", parent=base["BodyText"], fontSize=8.5, leading=11),
        "item": ParagraphStyle("Item", parent=base["BodyText"], fontSize=9, leading=12, leftIndent=10),
        "label": ParagraphStyle(
            "Label", parent=base["BodyText"], fontName="Helvetica-Bold", fontSize=9, leading=12, keepWithNext=1
        ),
    }


def _text(value: Any) -> str:
    """Reader-supplied text as Paragraph markup: escaped, so it can never be markup (an <img> tag would read a
    file from the server), its line breaks kept."""
    return escape(str(value)).replace("\n", "<br/>")


def _date(value: dt.date | None) -> str:
    return date_format(value, "j M Y") if value else "—"


def _moment(value: dt.datetime) -> str:
    local = timezone.localtime(value)
    return f"{date_format(local, 'j M Y, H:i')} {timezone.get_current_timezone_name()}"


def _title_page(report: Report, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    programme = report.programme
    facts = [
        (_("Programme"), programme.title),
        (_("Chair"), report.chair or "—"),
        (_("Year"), str(programme.year)),
        (_("Period"), f"{_date(programme.starts_on)} – {_date(programme.ends_on)}"),
        (_("Overall progress"), percent(report.progress)),
        (_("As of"), _date(report.on)),
        (_("Classification"), report.marking_label),
    ]
    table_style = TableStyle(
        [
            ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    facts_table = Table(
        [[label, Paragraph(_text(value), styles["body"])] for label, value in facts],
        colWidths=[110, 330],
        hAlign="LEFT",
    )
    counts_table = Table(
        [[label, str(n)] for _status, label, n in report.labelled_counts], colWidths=[110, 60], hAlign="LEFT"
    )
    for table in (facts_table, counts_table):
        table.setStyle(table_style)
    story: list[Any] = [
        Spacer(1, 40),
        Paragraph(_text(_("Annual report")), styles["h2"]),
        Paragraph(_text(programme.title), styles["title"]),
        facts_table,
        Spacer(1, 18),
        Paragraph(_text(_("Activities by status")), styles["h2"]),
        counts_table,
        Spacer(1, 18),
    ]
    audience = (
        _("Prepared for %(reader)s: it shows only what their access allows.") % {"reader": report.reader}
        if report.reader
        else _("Public edition: it shows only what is public.")
    )
    story.append(Paragraph(_text(audience), styles["small"]))
    return story


def _goal_section(goal: GoalEntry, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph

    story: list[Any] = [
        Paragraph(_text(f"{_('Goal')} {goal.goal.number}: {goal.goal.title}"), styles["h1"]),
        Paragraph(_text(f"{_('Progress')}: {percent(goal.progress)}"), styles["body"]),
        _status_chart(goal),
    ]
    for objective in goal.objectives:
        story.append(
            Paragraph(_text(f"{_('Objective')} {objective.objective.code}: {objective.objective.title}"), styles["h2"])
        )
        story.append(Paragraph(_text(f"{_('Progress')}: {percent(objective.progress)}"), styles["body"]))
        for activity in objective.activities:
            story += _activity_section(activity, styles)
    return story


def _status_chart(goal: GoalEntry) -> Any:
    """A horizontal bar chart of the goal's activities by status."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

    counts = goal.labelled_counts
    top = max((n for _status, _label, n in counts), default=0)
    drawing = Drawing(440, 150)
    drawing.add(
        String(
            0,
            138,
            f"{_('Activities by status')}: {_('Goal')} {goal.goal.number}",
            fontName="Helvetica-Bold",
            fontSize=9,
        )
    )
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 90, 10, 320, 120
    # Listed top to bottom in the order of the statuses.
    chart.data = [tuple(n for _status, _label, n in reversed(counts))]
    chart.categoryAxis.categoryNames = [label for _status, label, _n in reversed(counts)]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(top, 1)
    chart.valueAxis.valueStep = max(1, -(-top // 5))
    chart.valueAxis.labels.fontSize = 7
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 8
    chart.barLabels.nudge = 6
    chart.bars.strokeColor = None
    for index, (status, _label, _n) in enumerate(reversed(counts)):
        chart.bars[(0, index)].fillColor = colors.HexColor(STATUS_COLOURS[Status(status)])
    drawing.add(chart)
    return drawing


def _activity_section(activity: ActivityEntry, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import Paragraph

    status = activity.status_label + (f" — {activity.reason}" if activity.reason else "")
    story: list[Any] = [
        Paragraph(f"<b>{_text(activity.code)}</b> {_text(activity.title)}", styles["h3"]),
        Paragraph(
            f"<b>{_text(_('Status'))}:</b> {_text(status)} · <b>{_text(_('Lead'))}:</b> {_text(activity.lead or '—')}"
            f" · <b>{_text(_('Target date'))}:</b> {_text(_date(activity.target_on))}",
            styles["small"],
        ),
    ]
    if activity.updates:
        story.append(Paragraph(_text(_("Progress updates")), styles["label"]))
        for update in activity.updates:
            who = update.author + (f" {_('for')} {update.on_behalf_of}" if update.on_behalf_of else "")
            heading = f"{_date(update.reported_on)} · {update.classification_label}" + (f" · {who}" if who else "")
            story.append(Paragraph(f"<b>{_text(heading)}</b><br/>{_text(update.narrative)}", styles["item"]))
    if activity.evidence:
        story.append(Paragraph(_text(_("Evidence")), styles["label"]))
        for item in activity.evidence:
            story.append(Paragraph(f"{_text(item.title)} ({_text(item.kind)})", styles["item"]))
    if activity.history:
        story.append(Paragraph(_text(_("Status history")), styles["label"]))
        for change in activity.history:
            line = f"{_moment(change.changed_at)}: {change.from_label} → {change.to_label}"
            line += f" ({change.reason})" if change.reason else ""
            line += f" — {change.changed_by}" if change.changed_by else ""
            story.append(Paragraph(_text(line), styles["item"]))
    return story
