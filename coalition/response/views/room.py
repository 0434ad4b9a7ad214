"""The situation room: the brief, the playbook, the pledge board, the fast-track statement, the timeline, the
civil-society reports, the metrics and the closure, each a panel built by one function below. What the viewer may
do in the room is `queries.room_rights`; a form that was refused comes back in its panel with its errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.response import queries
from coalition.response.forms import (
    CloseForm,
    FastTrackForm,
    NoteForm,
    PledgeForm,
    ReportForm,
    StepForm,
    WidenForm,
)
from coalition.response.models import PlaybookStep, Pledge, Situation, Tool
from coalition.response.queries import RoomRights
from coalition.response.views.display import shown_metrics, statement_state


def situations(request: HttpRequest) -> QuerySet[Situation]:
    return queries.situations(request.user).select_related("statement__document", "closed_by__person")


def situation_of(request: HttpRequest, pk: int) -> Situation:
    return get_object_or_404(situations(request), pk=pk)


@personal
@access("response.view")
def situation(request: HttpRequest, pk: int) -> HttpResponse:
    found, past = queries.with_past(situations(request), pk)  # one read for the room and its brief's past
    if found is None:
        raise Http404
    return room(request, found, past)


@dataclass
class StepRow:
    step: PlaybookStep
    form: StepForm | None


@dataclass
class PledgeRow:
    pledge: Pledge
    actions: list[tuple[str, Any]]  # (status, button label) the viewer may set


PLEDGE_ACTIONS = {
    Pledge.Status.PLEDGED: [
        (Pledge.Status.DELIVERED, gettext_lazy("Mark delivered")),
        (Pledge.Status.WITHDRAWN, gettext_lazy("Withdraw")),
    ],
    Pledge.Status.DELIVERED: [(Pledge.Status.PLEDGED, gettext_lazy("Not delivered after all"))],
    Pledge.Status.WITHDRAWN: [],
}


def room(
    request: HttpRequest,
    situation: Situation,
    past: list[Situation] | None = None,
    /,
    *,
    status: int = 200,
    **failed: Any,
) -> HttpResponse:
    """The situation room; a refused form comes back in its place (`failed`) with its errors. `past`: the brief's
    past situations, when they were read with the situation."""
    user = request.user
    may = queries.room_rights(user, situation)
    step_failed: StepForm | None = failed.get("step_form")
    steps = _playbook(situation, may, step_failed, failed.get("step_id"))
    pledges = list(situation.pledges.select_related("organisation", "tool", "person").order_by("pledged_at", "pk"))
    statement = queries.readable_statement(user, situation)
    first_pledge_at = min((p.pledged_at for p in pledges), default=None)
    context: dict[str, Any] = {
        "situation": situation,
        "is_open": may.is_open,
        "brief": queries.brief(user, situation, past=past),
        "steps": steps,
        "board": _pledge_board(user, pledges),
        "pledge_count": len(pledges),
        "pledge_form": failed.get("pledge_form") or _pledge_form(user, may),
        "statement": statement,
        "statement_state": statement_state(statement),
        "statement_form": failed.get("statement_form") or _statement_form(situation, may),
        "timeline": queries.timeline(user, situation),
        "reports": list(queries.reports(user, situation).select_related("submitted_by__person")),
        **_forms(situation, may, failed),
        "metrics": shown_metrics(queries.metrics_of(user, situation, first_pledge_at=first_pledge_at)),
        # A refused step whose row is not shown (it left the playbook meanwhile) is told at the top of the panel.
        "step_problem": step_failed
        if step_failed is not None and not any(r.form is step_failed for r in steps)
        else None,
        "pledge_problem": failed.get("pledge_status_form"),
    }
    return render(request, "response/situation.html", context, status=status)


def _playbook(situation: Situation, may: RoomRights, failed: StepForm | None, failed_id: Any) -> list[StepRow]:
    """The playbook's steps, each with its form if the viewer may set it (the refused one with its errors)."""
    rows = []
    for step in situation.steps.select_related("tool").order_by("tool__position", "tool__name", "pk"):
        if failed is not None and failed_id == step.pk:
            form: StepForm | None = failed
        elif may.edit_steps:
            form = StepForm(initial={"status": step.status, "owner": step.owner, "note": step.note}, step_id=step.pk)
        else:
            form = None
        rows.append(StepRow(step, form))
    return rows


def _pledge_board(user: Any, pledges: list[Pledge]) -> list[tuple[Any, list[PledgeRow]]]:
    """The pledges by status, each with the statuses the viewer may set: those of a member they may pledge for."""
    may_pledge_for: dict[int, bool] = {}
    rows = []
    for item in pledges:
        if item.organisation_id not in may_pledge_for:
            may_pledge_for[item.organisation_id] = policy.can(user, "response.pledge", item.organisation)
        # A pledge may be delivered after the situation closed: its status stays the pledger's to set.
        actions = PLEDGE_ACTIONS[Pledge.Status(item.status)] if may_pledge_for[item.organisation_id] else []
        rows.append(PledgeRow(item, list(actions)))
    return [(label, [r for r in rows if r.pledge.status == value]) for value, label in Pledge.Status.choices]


def _pledge_form(user: Any, may: RoomRights) -> PledgeForm | None:
    """A new pledge, for the members the viewer may pledge for (none: no form)."""
    if not may.pledge:
        return None
    members = queries.pledgeable(user)
    return (
        PledgeForm(members=members, tools=policy.visible_to(user, Tool).order_by("position", "name"))
        if members
        else None
    )


def _statement_form(situation: Situation, may: RoomRights) -> FastTrackForm | None:
    if not may.fast_track:
        return None
    return FastTrackForm(initial={"title": f"Joint statement on {situation.country.name}"})


def _forms(situation: Situation, may: RoomRights, failed: dict[str, Any]) -> dict[str, Any]:
    """The room's other forms: a report, a note, who reads the situation, its closure."""
    widen = WidenForm(initial={"classification": situation.classification}) if may.widen else None
    return {
        "report_form": failed.get("report_form") or (ReportForm() if may.report else None),
        "note_form": failed.get("note_form") or (NoteForm() if may.note else None),
        "widen_form": failed.get("widen_form") or widen,
        "close_form": failed.get("close_form") or (CloseForm() if may.close else None),
    }
