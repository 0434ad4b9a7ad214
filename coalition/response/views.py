"""Rapid-response pages (PoA 1B.3, 1A.5, 1B.1): the situation room list with its alerts, the signals and their
import, an alert, opening a situation, the situation room itself (brief, playbook, pledge board, fast-track statement,
timeline, civil-society reports, metrics, closure), the toolkit and the metrics over time.

Each view declares its rule; situations are read through `queries.situations` (404 when hidden), everything else
through `policy.visible_to`. Every write is one service, whose error comes back on the form field it names with a
400 and nothing saved; a refusal by the policy is a 403 page with its message.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.exports import safe_cell
from coalition.core.forms import ServiceForm, attempt
from coalition.core.policy import Role
from coalition.directory.models import Organisation
from coalition.response import queries, services, tasks
from coalition.response.forms import (
    CloseForm,
    DismissForm,
    FastTrackForm,
    ImportForm,
    NoteForm,
    OpenSituationForm,
    PledgeForm,
    PledgeStatusForm,
    ReportForm,
    SignalFilterForm,
    StepForm,
    ToolForm,
    WidenForm,
)
from coalition.response.models import Alert, ImportBatch, PlaybookStep, Pledge, Signal, Situation, Tool

SIGNALS_PER_PAGE = 50
BATCHES_SHOWN = 20
PAST_USES_SHOWN = 50


def duration(value: dt.timedelta | None) -> str:
    """A time to act, in hours and minutes: “3 h 05 min”; “—” when it has not happened."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    sign = "−" if minutes < 0 else ""
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours} h {minutes:02d} min"


def _minutes(value: dt.timedelta | None) -> str:
    return "" if value is None else str(int(value.total_seconds() // 60))


def _statement_state(statement: Any) -> str:
    if statement is None:
        return _("None yet")
    if statement.published_at is None:
        return _("Drafting and sign-on")
    if statement.published_at > timezone.now():
        return _("Published, under embargo")
    return _("Published")


def _visible_statement(user: Any, situation: Situation) -> Any:
    """The situation's statement, if the viewer may read it (a widened room may link a members-only draft)."""
    statement = situation.statement if situation.statement_id else None
    return statement if statement is not None and policy.is_visible(user, statement) else None


# --- The situation room list --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    situation: Situation
    statement_state: str


@personal
@access("response.view")
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    alerts = list(
        policy.visible_to(user, Alert).filter(status=Alert.Status.OPEN).select_related("country").order_by("-raised_at")
    )
    found = (
        queries.situations(user)
        .select_related("statement__document")
        .annotate(pledge_count=Count("pledges"))
        .order_by("-opened_at")
    )
    rows = [Row(s, _statement_state(_visible_statement(user, s))) for s in found]
    can_manage = policy.can(user, "response.manage")
    return render(
        request,
        "response/index.html",
        {
            "alerts": [(a, DismissForm(alert_id=a.pk) if can_manage else None) for a in alerts],
            "open_rows": [r for r in rows if r.situation.status == Situation.Status.OPEN],
            "closed_rows": [r for r in rows if r.situation.status == Situation.Status.CLOSED],
            "can_open": policy.can(user, "response.open_situation"),
            "can_signals": policy.can(user, "response.view_signals"),
        },
    )


@require_POST
@access("response.manage")
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(policy.visible_to(request.user, Alert).select_related("country"), pk=pk)
    form = DismissForm(request.POST, alert_id=found.pk)
    if attempt(form, lambda: services.dismiss_alert(found, by=request.user, reason=form.cleaned_data["reason"])):
        messages.success(request, _("Alert on %(country)s dismissed.") % {"country": found.country.name})
        return redirect("response:index")
    response = render(request, "response/dismiss.html", {"alert": found, "form": form}, status=400)
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- Signals and their import -------------------------------------------------------------------------------------


@personal
@access("response.view_signals")
def signals(request: HttpRequest) -> HttpResponse:
    form = SignalFilterForm(request.GET or None)
    found = form.apply(policy.visible_to(request.user, Signal)).select_related("country").order_by("-starts_at", "pk")
    page = Paginator(found, SIGNALS_PER_PAGE).get_page(request.GET.get("page"))
    can_import = policy.can(request.user, "response.import")
    batches = list(policy.visible_to(request.user, ImportBatch).order_by("-at")[:BATCHES_SHOWN]) if can_import else []
    return render(
        request,
        "response/signals.html",
        {"form": form, "page": page, "batches": batches, "can_import": can_import},
    )


@personal
@access("response.import")
def import_signals(request: HttpRequest) -> HttpResponse:
    """Upload a monitoring file: the task worker imports it, whole or not at all, under its time and memory limits
    (issue 16 item 7: no web worker reads an uploaded file), then raises alerts from what it brought; the page shows
    how far the import has got until its report is there."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":

        def act() -> ImportBatch:
            file_name, data = form.cleaned_data["file"]
            country = form.cleaned_data["country"]
            return tasks.queue_import(
                by=request.user,
                source=form.cleaned_data["source"],  # "auto": the importer reads it from the content
                file_name=file_name,
                data=data,
                dataset_year=form.cleaned_data["dataset_year"],
                country=country.code if country else None,
            )

        done = attempt(form, act, catching=InvalidInput)
        if done:
            messages.info(request, _("The file is being imported: this page shows how far it has got."))
            return redirect(f"{reverse('response:import')}?batch={done.value.pk}#report")
    batch = None
    if request.method == "GET" and request.GET.get("batch", "").isdigit():
        batch = policy.visible_to(request.user, ImportBatch).filter(pk=int(request.GET["batch"])).first()
    return render(
        request,
        "response/import.html",
        {"form": form, "batch": batch, "batch_url": batch and f"{reverse('response:import')}?batch={batch.pk}#report"},
        status=400 if form.errors else 200,
    )


# --- Alerts and opening a situation -------------------------------------------------------------------------------


def _alert(request: HttpRequest, pk: int) -> Alert:
    return get_object_or_404(policy.visible_to(request.user, Alert).select_related("country"), pk=pk)


def _from_alert(found: Alert) -> dict[str, Any]:
    sources = found.get_sources_display()
    since = f"{found.first_signal_at:%Y-%m-%d}" + (
        "" if found.first_signal_whole_day else f" {found.first_signal_at:%H:%M} UTC"
    )
    return {
        "alert": found.pk,
        "title": f"{found.country.name}: network disruption",
        "summary": f"Signals from {sources} since {since}.",
    }


@personal
@access("response.view")
def alert(request: HttpRequest, pk: int) -> HttpResponse:
    found = _alert(request, pk)
    shown = policy.visible_to(request.user, found.signals.all()).select_related("country").order_by("starts_at", "pk")
    can_open = policy.can(request.user, "response.open_situation") and found.status == Alert.Status.OPEN
    situation = None
    if found.status == Alert.Status.SITUATION:
        situation = queries.situations(request.user).filter(alert=found).first()
    return render(
        request,
        "response/alert.html",
        {
            "alert": found,
            "signals": list(shown),
            "situation": situation,
            "form": OpenSituationForm(initial=_from_alert(found), from_alert=True) if can_open else None,
            "dismiss_form": DismissForm(alert_id=found.pk)
            if policy.can(request.user, "response.manage") and found.status == Alert.Status.OPEN
            else None,
        },
    )


@personal
@access("response.open_situation")
def open_situation(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get("alert", "")
    found = _alert(request, int(raw)) if raw.isdigit() else None
    if request.method == "POST":
        form = OpenSituationForm(request.POST, from_alert=found is not None)

        def act() -> Situation:
            data = form.cleaned_data
            return services.open_situation(
                by=request.user,
                country=found.country if found else data["country"],
                title=data["title"],
                summary=data["summary"],
                alert=found,
                first_signal_at=None if found else data["first_signal_at"],
            )

        done = attempt(form, act, catching=InvalidInput)
        if done:
            messages.success(request, _("Situation opened. The playbook is ready; members can pledge."))
            return redirect("response:situation", pk=done.value.pk)
    else:
        form = OpenSituationForm(initial=_from_alert(found) if found else None, from_alert=found is not None)
    return render(
        request,
        "response/open.html",
        {"form": form, "alert": found},
        status=400 if form.errors else 200,
    )


# --- The situation room -------------------------------------------------------------------------------------------


def _situations(request: HttpRequest) -> QuerySet[Situation]:
    return queries.situations(request.user).select_related("statement__document", "closed_by__person")


def _situation(request: HttpRequest, pk: int) -> Situation:
    return get_object_or_404(_situations(request), pk=pk)


def _pledgeable(user: Any) -> list[Organisation]:
    """The member governments the viewer may pledge for: their own (focal points, officials); any for the Support
    Unit. Read once, by name: the page's select is drawn from this list."""
    governments = policy.visible_to(user, Organisation).filter(kind=Organisation.Kind.GOVERNMENT).order_by("name")
    actor = policy.actor_for(user)
    if not actor.has(Role.SUPPORT_UNIT):
        governments = governments.filter(pk__in=actor.acts_for)
    return [org for org in governments if policy.can(user, "response.pledge", org)]


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


def _room(
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
    is_open = situation.status == Situation.Status.OPEN
    can_manage = policy.can(user, "response.manage")
    step_failed: StepForm | None = failed.get("step_form")
    steps = [
        StepRow(
            step,
            (step_failed if step_failed is not None and failed.get("step_id") == step.pk else None)
            or (
                StepForm(initial={"status": step.status, "owner": step.owner, "note": step.note}, step_id=step.pk)
                if can_manage and is_open
                else None
            ),
        )
        for step in situation.steps.select_related("tool").order_by("tool__position", "tool__name", "pk")
    ]
    pledges = list(situation.pledges.select_related("organisation", "tool", "person").order_by("pledged_at", "pk"))
    may_pledge_for: dict[int, bool] = {}
    rows = []
    for item in pledges:
        if item.organisation_id not in may_pledge_for:
            may_pledge_for[item.organisation_id] = policy.can(user, "response.pledge", item.organisation)
        # A pledge may be delivered after the situation closed: its status stays the pledger's to set.
        actions = PLEDGE_ACTIONS[Pledge.Status(item.status)] if may_pledge_for[item.organisation_id] else []
        rows.append(PledgeRow(item, list(actions)))
    board = [(label, [r for r in rows if r.pledge.status == value]) for value, label in Pledge.Status.choices]
    tools = policy.visible_to(user, Tool).order_by("position", "name")
    pledge_form = failed.get("pledge_form")
    if pledge_form is None and is_open and policy.can(user, "response.pledge"):
        members = _pledgeable(user)
        if members:
            pledge_form = PledgeForm(members=members, tools=tools)
    statement = _visible_statement(user, situation)
    statement_form = failed.get("statement_form")
    if statement_form is None and is_open and not situation.statement_id and policy.can(user, "statements.manage"):
        statement_form = FastTrackForm(initial={"title": f"Joint statement on {situation.country.name}"})
    context: dict[str, Any] = {
        "situation": situation,
        "is_open": is_open,
        "brief": queries.brief(user, situation, past=past),
        "steps": steps,
        "board": board,
        "pledge_count": len(pledges),
        "pledge_form": pledge_form,
        "statement": statement,
        "statement_state": _statement_state(statement),
        "statement_form": statement_form,
        "timeline": queries.timeline(user, situation),
        "reports": list(queries.reports(user, situation).select_related("submitted_by__person")),
        "report_form": failed.get("report_form")
        or (ReportForm() if is_open and policy.can(user, "response.report") else None),
        "note_form": failed.get("note_form") or (NoteForm() if policy.can(user, "response.open_situation") else None),
        "widen_form": failed.get("widen_form")
        or (
            WidenForm(initial={"classification": situation.classification})
            if policy.can(user, "response.widen")
            else None
        ),
        "close_form": failed.get("close_form") or (CloseForm() if is_open and can_manage else None),
        "metrics": _shown_metrics(
            queries.metrics_of(user, situation, first_pledge_at=min((p.pledged_at for p in pledges), default=None))
        ),
        "step_problem": step_failed
        if step_failed is not None and not any(r.form is step_failed for r in steps)
        else None,
        "pledge_problem": failed.get("pledge_status_form"),
    }
    return render(request, "response/situation.html", context, status=status)


@dataclass(frozen=True)
class ShownMetrics:
    metrics: queries.Metrics
    to_opened: str
    to_first_pledge: str
    to_statement: str


def _shown_metrics(m: queries.Metrics) -> ShownMetrics:
    return ShownMetrics(m, duration(m.to_opened), duration(m.to_first_pledge), duration(m.to_statement))


@personal
@access("response.view")
def situation(request: HttpRequest, pk: int) -> HttpResponse:
    found, past = queries.with_past(_situations(request), pk)  # one read for the room and its brief's past
    if found is None:
        raise Http404
    return _room(request, found, past)


def _act(
    request: HttpRequest,
    pk: int,
    form: ServiceForm,
    act: Callable[[Situation], Any],
    done_message: str,
    failed_as: str,
    anchor: str,
    **extra: Any,
) -> HttpResponse:
    """One write in a situation: the service through `attempt`, then back to the room (or the room with the form's
    errors, 400)."""
    found = _situation(request, pk)
    if attempt(form, lambda: act(found), catching=InvalidInput):
        messages.success(request, done_message)
        return redirect(reverse("response:situation", args=[found.pk]) + f"#{anchor}")
    response = _room(request, _situation(request, pk), status=400, **{failed_as: form}, **extra)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
@access("response.pledge")
def pledge(request: HttpRequest, pk: int) -> HttpResponse:
    """A pledge for a member the viewer may pledge for; the select offers no other, so a forged choice is refused."""
    form = PledgeForm(request.POST, members=_pledgeable(request.user), tools=policy.visible_to(request.user, Tool))

    def act(found: Situation) -> Pledge:
        data = form.cleaned_data
        return services.pledge(
            found,
            by=request.user,
            organisation=data["organisation"],
            tool=data["tool"],
            description=data["description"],
            amount=data["amount"],
            currency=data["currency"],
        )

    return _act(request, pk, form, act, _("Pledge recorded."), "pledge_form", "pledges")


@require_POST
@access("response.pledge")
def pledge_status(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    found = _situation(request, pk)
    chosen = get_object_or_404(found.pledges.select_related("organisation", "tool", "situation"), pk=item)
    form = PledgeStatusForm(request.POST)
    return _act(
        request,
        pk,
        form,
        lambda s: services.set_pledge_status(chosen, by=request.user, status=form.cleaned_data["status"]),
        _("Pledge updated."),
        "pledge_status_form",
        "pledges",
    )


@require_POST
@access("response.manage")
def step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    found = _situation(request, pk)
    chosen = get_object_or_404(found.steps.select_related("tool", "situation"), pk=step)
    form = StepForm(request.POST, step_id=chosen.pk)

    def act(s: Situation) -> PlaybookStep:
        data = form.cleaned_data
        return services.set_step(chosen, by=request.user, status=data["status"], owner=data["owner"], note=data["note"])

    return _act(request, pk, form, act, _("Playbook updated."), "step_form", "playbook", step_id=chosen.pk)


@require_POST
@access("response.open_situation")
def note(request: HttpRequest, pk: int) -> HttpResponse:
    form = NoteForm(request.POST)
    return _act(
        request,
        pk,
        form,
        lambda s: services.add_note(s, by=request.user, text=form.cleaned_data["text"]),
        _("Note added to the timeline."),
        "note_form",
        "timeline",
    )


@require_POST
@access("response.report")
def report(request: HttpRequest, pk: int) -> HttpResponse:
    form = ReportForm(request.POST)
    return _act(
        request,
        pk,
        form,
        lambda s: services.add_report(s, by=request.user, text=form.cleaned_data["text"]),
        _("Report received: the Support Unit reads it and shares it with those who need it."),
        "report_form",
        "reports",
    )


@require_POST
@access("statements.manage")
def fast_track(request: HttpRequest, pk: int) -> HttpResponse:
    form = FastTrackForm(request.POST)

    def act(s: Situation) -> Any:
        data = form.cleaned_data
        return services.fast_track_statement(s, by=request.user, title=data["title"], text=data["text"])

    found = _situation(request, pk)
    if attempt(form, lambda: act(found), catching=InvalidInput):
        messages.success(request, _("Statement drafted on the fast track: freeze it now under silence procedure."))
        found = _situation(request, pk)
        assert found.statement is not None
        return redirect(reverse("statements:statement", args=[found.statement.slug]) + "#freeze")
    response = _room(request, _situation(request, pk), status=400, statement_form=form)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
@access("response.widen")
def widen(request: HttpRequest, pk: int) -> HttpResponse:
    form = WidenForm(request.POST)
    return _act(
        request,
        pk,
        form,
        lambda s: services.widen(s, by=request.user, classification=form.cleaned_data["classification"]),
        _("Readers of the situation changed."),
        "widen_form",
        "readers",
    )


@require_POST
@access("response.manage")
def close(request: HttpRequest, pk: int) -> HttpResponse:
    form = CloseForm(request.POST)
    return _act(
        request,
        pk,
        form,
        lambda s: services.close(s, by=request.user, review=form.cleaned_data["review"]),
        _("Situation closed with its after-action review."),
        "close_form",
        "review",
    )


# --- Toolkit ------------------------------------------------------------------------------------------------------


def _past_uses(user: Any, tools: list[Tool]) -> tuple[dict[int, list[PlaybookStep]], dict[int, list[Pledge]]]:
    """Each tool's steps done and pledges, in the situations the viewer may read."""
    seen = queries.situations(user).values("pk")
    steps: dict[int, list[PlaybookStep]] = {t.pk: [] for t in tools}
    for s in (
        PlaybookStep.objects.filter(tool__in=tools, status=PlaybookStep.Status.DONE, situation__in=seen)
        .select_related("situation")
        .order_by("-situation__opened_at", "pk")
    ):
        steps[s.tool_id].append(s)
    pledges: dict[int, list[Pledge]] = {t.pk: [] for t in tools}
    for p in (
        Pledge.objects.filter(tool__in=tools, situation__in=seen)
        .exclude(status=Pledge.Status.WITHDRAWN)
        .select_related("situation", "organisation")
        .order_by("-pledged_at", "pk")
    ):
        pledges[p.tool_id].append(p)
    return steps, pledges


@personal
@access("response.view")
def toolkit(request: HttpRequest) -> HttpResponse:
    """The toolkit (1B.1); the Support Unit adds an action here (POST)."""
    can_edit = policy.can(request.user, "response.toolkit")
    form = None
    if request.method == "POST":
        policy.require(request.user, "response.toolkit")
        form = posted = ToolForm(request.POST)
        done = attempt(
            posted, lambda: services.save_tool(by=request.user, **posted.cleaned_data), catching=InvalidInput
        )
        if done:
            messages.success(request, _("“%(name)s” added to the toolkit.") % {"name": done.value.name})
            return redirect("response:tool", pk=done.value.pk)
    elif can_edit:
        form = ToolForm(initial={"in_playbook": True, "position": 0})
    tools = list(policy.visible_to(request.user, Tool).order_by("position", "name"))
    steps, pledges = _past_uses(request.user, tools)
    entries = [(t, len(steps[t.pk]), len(pledges[t.pk])) for t in tools]
    return render(
        request,
        "response/toolkit.html",
        {"entries": entries, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@personal
@access("response.view")
def tool(request: HttpRequest, pk: int) -> HttpResponse:
    """An action of the toolkit and its past uses; the Support Unit edits it here (POST)."""
    found = get_object_or_404(policy.visible_to(request.user, Tool), pk=pk)
    form = None
    if request.method == "POST":
        policy.require(request.user, "response.toolkit")
        form = posted = ToolForm(request.POST)
        done = attempt(
            posted,
            lambda: services.save_tool(by=request.user, tool=found, **posted.cleaned_data),
            catching=InvalidInput,
        )
        if done:
            messages.success(request, _("“%(name)s” saved.") % {"name": done.value.name})
            return redirect("response:tool", pk=found.pk)
        found = get_object_or_404(policy.visible_to(request.user, Tool), pk=pk)  # as it stands, not as typed
    elif policy.can(request.user, "response.toolkit"):
        form = ToolForm(initial=ToolForm.of(found))
    steps, pledges = _past_uses(request.user, [found])
    return render(
        request,
        "response/tool.html",
        {
            "tool": found,
            "steps": steps[found.pk][:PAST_USES_SHOWN],
            "pledges": pledges[found.pk][:PAST_USES_SHOWN],
            "form": form,
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- Metrics ------------------------------------------------------------------------------------------------------


def _metrics_csv(each: list[queries.Metrics], summaries: dict[str, queries.Summary]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rapid-response-metrics.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "row",
            "year",
            "situation",
            "country",
            "situations",
            "first_signal_at",
            "opened_at",
            "minutes_to_opened",
            "minutes_to_first_pledge",
            "minutes_to_statement",
            "situations_to_opened",
            "situations_to_first_pledge",
            "situations_to_statement",
        ]
    )
    for m in each:
        s = m.situation
        writer.writerow(
            [
                "situation",
                str(s.opened_at.year),
                safe_cell(s.title),
                safe_cell(s.country.name),
                "1",
                s.first_signal_at.astimezone(dt.UTC).isoformat() if s.first_signal_at else "",
                s.opened_at.astimezone(dt.UTC).isoformat(),
                _minutes(m.to_opened),
                _minutes(m.to_first_pledge),
                _minutes(m.to_statement),
                "",
                "",
                "",
            ]
        )
    for year, summary in sorted(summaries.items()):
        writer.writerow(
            [
                "median",
                year,
                "",
                "",
                str(summary.count),
                "",
                "",
                _minutes(summary.median_to_opened),
                _minutes(summary.median_to_first_pledge),
                _minutes(summary.median_to_statement),
                str(summary.counted_to_opened),
                str(summary.counted_to_first_pledge),
                str(summary.counted_to_statement),
            ]
        )
    return response


@personal
@access("response.view")
def metrics(request: HttpRequest) -> HttpResponse:
    each, summaries = queries.metrics(request.user)
    if request.GET.get("format") == "csv":
        return _metrics_csv(each, summaries)
    years = [
        (
            year,
            summary.count,
            [  # each median with the number of situations it is over
                (duration(summary.median_to_opened), summary.counted_to_opened),
                (duration(summary.median_to_first_pledge), summary.counted_to_first_pledge),
                (duration(summary.median_to_statement), summary.counted_to_statement),
            ],
        )
        for year, summary in sorted(summaries.items(), reverse=True)
    ]
    return render(
        request,
        "response/metrics.html",
        {"rows": [_shown_metrics(m) for m in each], "years": years},
    )
