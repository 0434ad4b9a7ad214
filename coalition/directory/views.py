"""Directory pages: the home page, the members and their history, organisations and their positions, bodies, networks,
chairs."""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access
from coalition.core.forms import submit, then_redirect
from coalition.directory import queries, services
from coalition.directory.forms import ConfirmForm, DateForm, MemberFilterForm, ParticipationForm, PositionForm
from coalition.directory.models import Body, Country, Office, Organisation, Participation, Person, Position
from coalition.directory.my_work import my_work
from coalition.directory.reference import NORTH_SOUTH_SOURCE


def _warn_next_chair(request: HttpRequest, troika: queries.Troika) -> bool:
    """The missing next chair (PoA 3A.1) is a call to act, so only those who record chair terms are warned; the
    public reads "not identified" among the troika's facts instead."""
    return troika.next_chair_overdue and policy.can(request.user, "directory.manage")


@access("public")
def home(request: HttpRequest) -> HttpResponse:
    """Everything on the home is worked out only when the template reaches it: the public home, the same for every
    anonymous visitor, is kept rendered for PUBLIC_HOME_CACHE_SECONDS (per language and time zone), and a visitor
    served from it costs none of these queries."""
    on = queries.today()

    @functools.cache
    def statuses() -> list[str]:
        members = queries.participants_on(request.user, on=on, statuses=("member", "observer"))
        return list(members.values_list("status", flat=True))  # type: ignore[misc]

    troika = SimpleLazyObject(lambda: queries.troika_on(on))
    context = {
        "member_count": lambda: statuses().count("member"),
        "observer_count": lambda: statuses().count("observer"),
        "troika": troika,
        "warn_next_chair": lambda: _warn_next_chair(request, troika),  # type: ignore[arg-type]
        "work": functools.cache(lambda: my_work(request.user)),
        "public_home_seconds": settings.PUBLIC_HOME_CACHE_SECONDS,
    }
    if request.user.is_authenticated:
        # Nothing of a signed-in person's home is kept: worked out here, before the template (measured cheaper
        # than leaving the template to call for it).
        context.update({key: value() for key, value in context.items() if callable(value)})
    return render(request, "directory/home.html", context)


# A page of the members directory. The coalition has some forty members, one page; at the load test's ~800 (issue
# 20) the table is paged as a mature directory pages its search results, every filter kept from page to page.
MEMBERS_PER_PAGE = 100


@access("directory.view")
def members(request: HttpRequest) -> HttpResponse:
    regions = sorted(set(Country.objects.exclude(region="").values_list("region", flat=True)))
    form = MemberFilterForm(request.GET or None, regions=regions)
    on, rows, status = queries.today(), Organisation.objects.none(), 200
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        on = data.get("on") or on
        statuses = {"observer": ("observer",), "all": ("member", "observer")}.get(data.get("status") or "", ("member",))
        rows = queries.members_directory(
            request.user,
            on=on,
            statuses=statuses,
            region=data.get("region") or "",
            development=data.get("development") or "",
            joined=data.get("joined"),
        )
    else:
        status = 400
    page = Paginator(rows, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "directory/members.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "on": on,
            "north_south_source": NORTH_SOUTH_SOURCE,
        },
        status=status,
    )


@access("directory.view")
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(policy.visible_to(request.user, Organisation).select_related("country"), pk=pk)
    if request.method == "POST":
        policy.require(request.user, "directory.manage")  # before the form is read: a refusal, not a form error
    form = ParticipationForm(request.POST if request.method == "POST" else None)
    return submit(
        request,
        form,
        lambda: services.record_participation(organisation=org, by=request.user, **form.cleaned_data),
        done=then_redirect(request, _("Participation recorded."), "directory:organisation", pk=org.pk),
        page=lambda status: _organisation_page(request, org, form=form, status=status),
    )


def _position_form(request: HttpRequest, data: Any = None) -> PositionForm:
    return PositionForm(
        data,
        people=policy.visible_to(request.user, Person).order_by("full_name"),
        bodies=policy.visible_to(request.user, Body).order_by("name"),
    )


def _organisation_page(
    request: HttpRequest, org: Organisation, *, status: int, form: Any = None, position_form: Any = None
) -> HttpResponse:
    on = queries.today()
    form = form or ParticipationForm()
    may = queries.OrganisationPowers.of(request.user, org)
    people = list(queries.people_of(request.user, org, on=on))
    for person in people:
        person.show_contact = policy.can(request.user, "directory.view_contact", person)  # type: ignore[attr-defined]
    return render(
        request,
        "directory/organisation.html",
        {
            "org": org,
            "may_consent": may.consent,
            "position_form": (position_form or _position_form(request)) if may.appoint else None,
            "status": queries.status_of(org, on),
            "history": org.participation.order_by("effective_on"),
            "offices": policy.visible_to(request.user, Office)
            .filter(organisation=org)
            .select_related("host_country", "network"),
            "people": people,
            "on": on,
            "form": form,
            "can_manage": may.manage,
            "north_south_source": NORTH_SOUTH_SOURCE,
        },
        status=status,
    )


@require_POST
@access("directory.view")
def appoint(request: HttpRequest, pk: int) -> HttpResponse:
    """The Support Unit proposes, or the organisation's own focal points appoint, a position on its behalf."""
    org = get_object_or_404(policy.visible_to(request.user, Organisation), pk=pk)
    form = _position_form(request, request.POST)

    def done(position: Position) -> HttpResponse:
        messages.success(request, position.get_consent_display().capitalize() + ".")
        return redirect(reverse("directory:organisation", args=[org.pk]) + "#positions")

    return submit(
        request,
        form,
        lambda: services.appoint(organisation=org, by=request.user, **form.cleaned_data),
        done=done,
        page=lambda status: _organisation_page(request, org, position_form=form, status=status),
    )


@require_POST
@access("directory.consent")
def decide_position(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """A government's focal point confirms or declines a position proposed on its behalf."""
    position = get_object_or_404(policy.visible_to(request.user, Position).select_related("organisation"), pk=pk)
    decide = {"confirm": services.confirm_position, "decline": services.decline_position}.get(decision)
    if decide is None:
        raise Http404("No such decision.")
    form = ConfirmForm(request.POST)
    back = reverse("directory:organisation", args=[position.organisation_id]) + "#positions"

    def done(decided: Any) -> HttpResponse:
        messages.success(request, _("Position %(state)s.") % {"state": position.get_consent_display()})
        return redirect(back)

    def refused(status: int) -> HttpResponse:
        # The decision is a button on the organisation's page: a refusal is said there, not on a page of its own.
        for message in form.non_field_errors():
            messages.error(request, str(message))
        return redirect(back)

    return submit(request, form, lambda: decide(position=position, by=request.user), done=done, page=refused)


@access("directory.view")
def bodies(request: HttpRequest) -> HttpResponse:
    rows = policy.visible_to(request.user, Body).order_by("kind", "name")
    return render(request, "directory/bodies.html", {"bodies": rows})


@access("directory.view")
def body(request: HttpRequest, slug: str) -> HttpResponse:
    on = queries.today()
    found = get_object_or_404(policy.visible_to(request.user, Body), slug=slug)
    positions = (
        queries.current_positions(request.user, on=on)
        .filter(body=found)
        .filter(person__in=policy.visible_to(request.user, Person))
        .order_by("organisation__name", "person__full_name")
    )
    return render(request, "directory/body.html", {"body": found, "positions": positions, "on": on})


@access("directory.view")
def networks(request: HttpRequest) -> HttpResponse:
    form = DateForm(request.GET or None)
    on = form.cleaned_data.get("on") if form.is_valid() else None
    on = on or queries.today()
    rows = (
        policy.visible_to(request.user, Body)
        .filter(kind=Body.Kind.DIPLOMATIC_NETWORK)
        .prefetch_related(
            Prefetch("offices", queryset=policy.visible_to(request.user, Office).select_related("organisation"))
        )
    )
    matrix = queries.poc_coverage(request.user, on=on) if policy.can(request.user, "directory.view_coverage") else None
    return render(
        request,
        "directory/networks.html",
        {
            "networks": rows,
            "matrix": matrix,
            "on": on,
            "form": form,
            "horizon": queries.ENDING_SOON_DAYS,
        },
        status=400 if form.errors else 200,
    )


@access("directory.view")
def chairs(request: HttpRequest) -> HttpResponse:
    form = DateForm(request.GET or None)
    on = (form.cleaned_data.get("on") if form.is_valid() else None) or queries.today()
    terms = policy.visible_to(request.user, queries.ChairTerm).select_related("organisation").order_by("-year")
    troika = queries.troika_on(on)
    return render(
        request,
        "directory/chairs.html",
        {
            "terms": terms,
            "troika": troika,
            "warn_next_chair": _warn_next_chair(request, troika),
            "on": on,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@access("directory.view")
def participation_history(request: HttpRequest) -> HttpResponse:
    steps = (
        Participation.objects.filter(organisation__in=policy.visible_to(request.user, Organisation))
        .select_related("organisation")
        .order_by("-effective_on")
    )
    return render(request, "directory/history.html", {"steps": steps})
