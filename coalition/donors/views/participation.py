"""The overview of donor coordination (PoA 2A.1): who takes part, with joining and leaving."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit
from coalition.directory.models import Organisation
from coalition.donors import queries, services
from coalition.donors.forms import MemberForm
from coalition.donors.models import Overlap, Participation
from coalition.donors.views.common import failed, governments, may_act_for, own_members

BATCHES_SHOWN = 10


@dataclass(frozen=True)
class MemberRow:
    organisation: Organisation
    participation: Participation | None
    may_act: bool


@personal
@access("donors.view")
def index(request: HttpRequest) -> HttpResponse:
    return _index_page(request)


def _open_overlaps(user: Any, may: queries.Allowed) -> int:
    """The open overlaps the viewer is asked about: all for the Support Unit, else those of its members' records."""
    found = queries.overlaps(user, review=Overlap.Review.OPEN)
    if not may.is_support:
        acts_for = policy.actor_for(user).acts_for
        found = found.filter(Q(first__reporter__in=acts_for) | Q(second__reporter__in=acts_for))
    return found.count()


def _current(user: Any) -> dict[int, Participation]:
    """Who takes part now, by organisation."""
    rows = policy.visible_to(user, Participation).filter(left_on__isnull=True).select_related("organisation")
    return {p.organisation_id: p for p in rows}


def _join_form(user: Any, may: queries.Allowed, current: dict[int, Participation]) -> MemberForm | None:
    """The Support Unit records a member's joining (any government not taking part yet)."""
    if not (may.is_support and may.take_part):
        return None
    return MemberForm(members=governments(user).exclude(pk__in=list(current)))


def _index_page(request: HttpRequest, *, problem: MemberForm | None = None) -> HttpResponse:
    user = request.user
    may = queries.allowed(user)
    current = _current(user)
    mine = [MemberRow(org, current.get(org.pk), policy.can(user, "donors.take_part", org)) for org in own_members(user)]
    return render(
        request,
        "donors/index.html",
        {
            "mine": mine,
            "participants": sorted(current.values(), key=lambda p: p.organisation.name) if may.is_support else [],
            "join_form": _join_form(user, may, current),
            "activity_count": queries.activities(user).count(),
            "overlap_count": _open_overlaps(user, may),
            "batches": list(queries.batches(user)[:BATCHES_SHOWN]) if may.report else [],
            "can_report": may.report,
            "can_align": may.align,
            "can_manage": may.manage,
            "is_support": may.is_support,
            "problem": problem,
        },
        status=400 if problem is not None else 200,
    )


def _joined(request: HttpRequest) -> Callable[[Participation], HttpResponse]:
    def done(participation: Participation) -> HttpResponse:
        name = participation.organisation.name
        messages.success(request, _("%(member)s takes part in donor coordination from today.") % {"member": name})
        return redirect("donors:index")

    return done


def _left(request: HttpRequest) -> Callable[[Participation], HttpResponse]:
    def done(participation: Participation) -> HttpResponse:
        messages.success(
            request,
            _("%(member)s has left donor coordination: its records are its own again, except public ones.")
            % {"member": participation.organisation.name},
        )
        return redirect("donors:index")

    return done


@require_POST
@access("donors.take_part")
def join(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST, members=may_act_for(request.user))
    return submit(
        request,
        form,
        lambda: services.join(organisation=form.cleaned_data["organisation"], by=request.user),
        done=_joined(request),
        page=lambda status: failed(_index_page(request, problem=form)),
        catching=InvalidInput,
    )


@require_POST
@access("donors.take_part")
def leave(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST, members=may_act_for(request.user))
    return submit(
        request,
        form,
        lambda: services.leave(organisation=form.cleaned_data["organisation"], by=request.user),
        done=_left(request),
        page=lambda status: failed(_index_page(request, problem=form)),
        catching=InvalidInput,
    )
