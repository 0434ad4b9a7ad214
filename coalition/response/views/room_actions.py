"""What is done in a situation room: pledge and set a pledge's status, set a playbook step, add a note or a
civil-society report, draft the statement on the fast track, widen the readers, close the situation. Each is one
service through `submit`: back to the room's panel, or the room again with the refused form's errors (400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit, then_redirect
from coalition.response import queries, services
from coalition.response.forms import (
    CloseForm,
    FastTrackForm,
    NoteForm,
    PledgeForm,
    PledgeStatusForm,
    ReportForm,
    StepForm,
    WidenForm,
)
from coalition.response.models import Situation, Tool
from coalition.response.views.room import room, situation_of


def _back(request: HttpRequest, found: Situation, message: str, anchor: str) -> Callable[[Any], HttpResponse]:
    """Back to the room's panel `anchor`, saying `message`."""
    return then_redirect(request, message, reverse("response:situation", args=[found.pk]) + f"#{anchor}")


def _again(request: HttpRequest, pk: int, **failed: Any) -> Callable[[int], HttpResponse]:
    """The room as it stands (read again: the refused service changed nothing), with the refused form in its panel."""

    def page(status: int) -> HttpResponse:
        response = room(request, situation_of(request, pk), status=status, **failed)
        patch_cache_control(response, private=True, no_store=True)
        return response

    return page


@require_POST
@access("response.pledge")
def pledge(request: HttpRequest, pk: int) -> HttpResponse:
    """A pledge for a member the viewer may pledge for; the select offers no other, so a forged choice is refused."""
    found = situation_of(request, pk)
    form = PledgeForm(
        request.POST, members=queries.pledgeable(request.user), tools=policy.visible_to(request.user, Tool)
    )

    def act() -> Any:
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

    return submit(
        request,
        form,
        act,
        done=_back(request, found, _("Pledge recorded."), "pledges"),
        page=_again(request, pk, pledge_form=form),
        catching=InvalidInput,
    )


@require_POST
@access("response.pledge")
def pledge_status(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    found = situation_of(request, pk)
    chosen = get_object_or_404(found.pledges.select_related("organisation", "tool", "situation"), pk=item)
    form = PledgeStatusForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.set_pledge_status(chosen, by=request.user, status=form.cleaned_data["status"]),
        done=_back(request, found, _("Pledge updated."), "pledges"),
        page=_again(request, pk, pledge_status_form=form),
        catching=InvalidInput,
    )


@require_POST
@access("response.manage")
def step(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    found = situation_of(request, pk)
    chosen = get_object_or_404(found.steps.select_related("tool", "situation"), pk=step)
    form = StepForm(request.POST, step_id=chosen.pk)

    def act() -> Any:
        data = form.cleaned_data
        return services.set_step(chosen, by=request.user, status=data["status"], owner=data["owner"], note=data["note"])

    return submit(
        request,
        form,
        act,
        done=_back(request, found, _("Playbook updated."), "playbook"),
        page=_again(request, pk, step_form=form, step_id=chosen.pk),
        catching=InvalidInput,
    )


@require_POST
@access("response.open_situation")
def note(request: HttpRequest, pk: int) -> HttpResponse:
    found = situation_of(request, pk)
    form = NoteForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.add_note(found, by=request.user, text=form.cleaned_data["text"]),
        done=_back(request, found, _("Note added to the timeline."), "timeline"),
        page=_again(request, pk, note_form=form),
        catching=InvalidInput,
    )


@require_POST
@access("response.report")
def report(request: HttpRequest, pk: int) -> HttpResponse:
    found = situation_of(request, pk)
    form = ReportForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.add_report(found, by=request.user, text=form.cleaned_data["text"]),
        done=_back(
            request,
            found,
            _("Report received: the Support Unit reads it and shares it with those who need it."),
            "reports",
        ),
        page=_again(request, pk, report_form=form),
        catching=InvalidInput,
    )


@require_POST
@access("statements.manage")
def fast_track(request: HttpRequest, pk: int) -> HttpResponse:
    found = situation_of(request, pk)
    form = FastTrackForm(request.POST)

    def to_freeze(_drafted: Any) -> HttpResponse:
        drafted = situation_of(request, pk)  # read again: now with its statement
        assert drafted.statement is not None
        return then_redirect(
            request,
            _("Statement drafted on the fast track: freeze it now under silence procedure."),
            reverse("statements:statement", args=[drafted.statement.slug]) + "#freeze",
        )(drafted)

    return submit(
        request,
        form,
        lambda: services.fast_track_statement(
            found, by=request.user, title=form.cleaned_data["title"], text=form.cleaned_data["text"]
        ),
        done=to_freeze,
        page=_again(request, pk, statement_form=form),
        catching=InvalidInput,
    )


@require_POST
@access("response.widen")
def widen(request: HttpRequest, pk: int) -> HttpResponse:
    found = situation_of(request, pk)
    form = WidenForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.widen(found, by=request.user, classification=form.cleaned_data["classification"]),
        done=_back(request, found, _("Readers of the situation changed."), "readers"),
        page=_again(request, pk, widen_form=form),
        catching=InvalidInput,
    )


@require_POST
@access("response.manage")
def close(request: HttpRequest, pk: int) -> HttpResponse:
    found = situation_of(request, pk)
    form = CloseForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.close(found, by=request.user, review=form.cleaned_data["review"]),
        done=_back(request, found, _("Situation closed with its after-action review."), "review"),
        page=_again(request, pk, close_form=form),
        catching=InvalidInput,
    )
