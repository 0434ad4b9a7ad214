"""Program of Action pages: the programmes, the tree of one, an activity with its updates, status and evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access
from coalition.core.forms import ServiceForm, submit, then_redirect
from coalition.directory.models import Organisation
from coalition.directory.queries import today
from coalition.programme import queries, services
from coalition.programme.forms import CarryOverForm, DecisionForm, EvidenceForm, StatusForm, TreeFilterForm, UpdateForm
from coalition.programme.models import Activity, PolicyTopic, Programme, StatusProposal
from coalition.programme.views.rows import RowRenderer


def _programme(request: HttpRequest, year: int) -> Programme:
    return get_object_or_404(queries.programmes(request.user), year=year)


def _activity(request: HttpRequest, year: int, code: str) -> Activity:
    # The programme is read with the activity, in the same query and through the same policy as its own page.
    programme = queries.programmes(request.user).filter(year=year).values("pk")[:1]
    # Not queries.activities(): the page lists the activity's updates itself, so it does without their annotations.
    found = (
        queries.visible_activities(request.user)
        .filter(objective__goal__programme=programme, code=code)  # a query for the programme's key
        .select_related(
            "objective__goal__programme",
            "carried_from__objective__goal__programme",
            "lead_organisation__country",
            "lead_body",
        )
        .prefetch_related("topics")
        .first()
    )
    if found is None:
        raise Http404("No such activity")
    return found


@access("programme.view")
def index(request: HttpRequest) -> HttpResponse:
    latest = queries.programmes(request.user).first()
    if latest is None:
        return render(request, "programme/empty.html")
    return redirect("programme:tree", year=latest.year)


def _leads(request: HttpRequest, programme: Programme) -> list[tuple[str, str]]:
    """The leads of the activities the user may see, bodies first, each sorted by name (one query)."""
    pairs = (
        policy.visible_to(request.user, Activity)
        .filter(objective__goal__programme=programme)
        .values_list("lead_body_id", "lead_body__name", "lead_organisation_id", "lead_organisation__name")
        .order_by()
        .distinct()
    )
    bodies, orgs = set(), set()
    for body_id, body_name, org_id, org_name in pairs:
        if body_id:
            bodies.add((body_name, body_id))
        if org_id:
            orgs.add((org_name, org_id))
    return [*((f"body:{pk}", name) for name, pk in sorted(bodies)), *((f"org:{pk}", name) for name, pk in sorted(orgs))]


def _visible(request: HttpRequest, programme: Programme, relation: str) -> Programme | None:
    """The programme before or after this one (selected with it), if the user may see it."""
    try:
        related: Programme | None = getattr(programme, relation)
    except Programme.DoesNotExist:
        return None
    return related if related is not None and policy.is_visible(request.user, related) else None


@access("programme.view")
def tree(request: HttpRequest, year: int) -> HttpResponse:
    programme = get_object_or_404(queries.programmes(request.user).select_related("successor"), year=year)
    topics = list(PolicyTopic.objects.filter(programme=programme))
    form = TreeFilterForm(request.GET or None, leads=_leads(request, programme), topics=topics)
    filters = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = queries.TreeFilters(
            status=data["status"],
            lead=data["lead"],
            topic=data["topic"],
            overdue=data["overdue"],
            stale_days=data["stale_days"],
        )
    listed = queries.tree_page(
        request.user,
        programme,
        filters=filters,
        on=today(),
        objective=request.GET.get("objective", ""),
        page=request.GET.get("page"),
    )
    rows = RowRenderer(request.user, programme)
    for goal in listed.tree.goals:
        for objective in goal.children:
            objective.html = rows.rows(objective.children)
    return render(
        request,
        "programme/tree.html",
        {
            "programme": programme,
            "tree": listed.tree,
            "chosen": listed.objective,
            "listed_page": listed.page,
            "thematic_goals": queries.thematic_goals(request.user, programme),
            "form": form,
            "topics": topics,
            "can_manage": policy.can(request.user, "programme.manage"),
            "predecessor": _visible(request, programme, "predecessor"),
            "successor": _visible(request, programme, "successor"),
            "carry_form": CarryOverForm(initial={"year": programme.year + 1}),
        },
        status=400 if form.errors else 200,
    )


def _update_form(request: HttpRequest, data: Any = None) -> UpdateForm:
    actor = policy.actor_for(request.user)
    names = actor.extra.get("acts_for_names", {})  # loaded with the actor's positions: no query here
    return UpdateForm(data, organisations=sorted(names.items(), key=lambda item: item[1]))


def _activity_page(request: HttpRequest, activity: Activity, *, status: int = 200, **forms: Any) -> HttpResponse:
    may = queries.ActivityPowers.of(request.user)
    context = {
        "page": queries.activity_page(request.user, activity),
        "activity": activity,
        "programme": activity.objective.goal.programme,
        "can_update": may.update,
        "can_link": may.link,
        "can_manage": may.manage,
        "update_form": forms.get("update_form") or _update_form(request),
        "status_form": forms.get("status_form") or StatusForm(initial={"status": activity.status}),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        # Contributors and the carried-over link are named only where the viewer may see them.
        "contributors": [
            *policy.visible_to(request.user, activity.contributing_bodies.all()),
            *policy.visible_to(request.user, activity.contributing_organisations.all()),
        ],
        "carried_from": activity.carried_from
        if activity.carried_from_id and policy.is_visible(request.user, activity.carried_from)
        else None,
    }
    return render(request, "programme/activity.html", context, status=status)


@access("programme.view")
def activity(request: HttpRequest, year: int, code: str) -> HttpResponse:
    return _activity_page(request, _activity(request, year, code))


def _act_on(
    request: HttpRequest, found: Activity, form: ServiceForm, act: Callable[[], Any], *, form_name: str, message: str
) -> HttpResponse:
    """The activity page's forms: run one service, then back to the page with a message, or the page again (400)
    with the service's error on its field."""
    return submit(
        request,
        form,
        act,
        done=then_redirect(
            request, message, "programme:activity", year=found.objective.goal.programme.year, code=found.code
        ),
        page=lambda status: _activity_page(request, found, status=status, **{form_name: form}),
    )


@require_POST
@access("programme.post_update")
def post_update(request: HttpRequest, year: int, code: str) -> HttpResponse:
    found = _activity(request, year, code)
    form = _update_form(request, request.POST)

    def act() -> Any:
        data = dict(form.cleaned_data)
        organisation_id = data.pop("on_behalf_of")
        on_behalf_of = Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None
        return services.post_update(activity=found, by=request.user, on_behalf_of=on_behalf_of, **data)

    return _act_on(request, found, form, act, form_name="update_form", message=_("Update posted."))


@require_POST
@access("programme.manage")
def change_status(request: HttpRequest, year: int, code: str) -> HttpResponse:
    found = _activity(request, year, code)
    form = StatusForm(request.POST)
    return _act_on(
        request,
        found,
        form,
        lambda: services.change_status(activity=found, by=request.user, **form.cleaned_data),
        form_name="status_form",
        message=_("Status changed."),
    )


@require_POST
@access("programme.manage")
def decide_proposal(request: HttpRequest, year: int, code: str, pk: int) -> HttpResponse:
    found = _activity(request, year, code)
    proposal = get_object_or_404(policy.visible_to(request.user, StatusProposal), pk=pk, activity=found)
    form = DecisionForm(request.POST)
    back = redirect("programme:activity", year=year, code=code)

    def act() -> bool:
        if form.cleaned_data["decision"] == "confirm":
            services.confirm_proposal(proposal=proposal, by=request.user)
            return True
        services.dismiss_proposal(proposal=proposal, by=request.user)
        return False

    def done(confirmed: bool) -> HttpResponse:
        if confirmed:
            messages.success(request, _("Status change confirmed."))
        else:
            messages.info(request, _("Proposal dismissed."))
        return back

    return submit(request, form, act, done=done, page=lambda status: _said(request, form, back))


def _said(request: HttpRequest, form: ServiceForm, back: HttpResponse) -> HttpResponse:
    """A button's refusal, said on the page the button is on (its form is not drawn again)."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))
    return back


@require_POST
@access("programme.link_evidence")
def link_evidence(request: HttpRequest, year: int, code: str) -> HttpResponse:
    found = _activity(request, year, code)
    form = EvidenceForm(request.POST)
    return _act_on(
        request,
        found,
        form,
        lambda: services.link_evidence(activity=found, by=request.user, **form.cleaned_data),
        form_name="evidence_form",
        message=_("Evidence linked."),
    )


@require_POST
@access("programme.manage")
def carry_over(request: HttpRequest, year: int) -> HttpResponse:
    previous = _programme(request, year)
    form = CarryOverForm(request.POST)
    asked: list[bool] = []  # whether the service was asked: else the form itself was refused

    def act() -> Programme:
        asked.append(True)
        data = form.cleaned_data
        return services.start_next_programme(previous=previous, year=data["year"], title=data["title"], by=request.user)

    def refused(status: int) -> HttpResponse:
        if not asked:
            messages.error(request, _("Give the year of the next programme."))
            return redirect("programme:tree", year=year)
        return _said(request, form, redirect("programme:tree", year=year))

    return submit(
        request,
        form,
        act,
        done=lambda programme: then_redirect(
            request,
            _("The next programme starts with the unfinished activities."),
            "programme:tree",
            year=programme.year,
        )(programme),
        page=refused,
    )
