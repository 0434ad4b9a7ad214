"""One meeting's page and the managers' changes to it: move, cancel, invite, add to the agenda, approve the previous
meeting's minutes, record attendance."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit, then_redirect
from coalition.meetings import queries, services
from coalition.meetings.forms import AgendaItemForm, AttendanceForm, CancelForm, ConfirmForm, RescheduleForm
from coalition.meetings.invitations import queue_invitations, queue_updates
from coalition.meetings.models import Meeting
from coalition.meetings.services import AttendanceRow
from coalition.meetings.views.lookups import meeting_or_404

# The managers' forms of the meeting page whose refusal the page lists at its top.
REFUSABLE = ("reschedule_form", "cancel_form", "agenda_form", "invite_form")


def _reschedule_form(meeting: Meeting) -> RescheduleForm:
    local = meeting.local_start()
    return RescheduleForm(
        host_time_zone=meeting.host_time_zone,
        initial={
            "starts_on": local.date(),
            "start_time": local.time().replace(second=0, microsecond=0),
            "duration_minutes": meeting.duration_minutes,
            "location": meeting.location,
        },
    )


def _manager_panel(request: HttpRequest, meeting: Meeting, can: queries.MeetingActions, forms: Any) -> dict[str, Any]:
    """The managers' forms, a refused one (with its errors) in place of a fresh one."""
    panel = {
        "approvable": can.approvable,
        "agenda_form": forms.get("agenda_form") or AgendaItemForm(user=request.user, meeting=meeting),
        "reschedule_form": forms.get("reschedule_form") or _reschedule_form(meeting),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "invite_form": forms.get("invite_form") or ConfirmForm(),
        "approve_form": forms.get("approve_form") or ConfirmForm(),
    }
    return panel | {"refused_forms": [panel[name] for name in REFUSABLE]}


def _meeting_page(request: HttpRequest, meeting: Meeting, *, status: int = 200, **forms: Any) -> HttpResponse:
    page = queries.meeting_page(request.user, meeting)
    can = queries.meeting_actions(request.user, page)
    context: dict[str, Any] = {"page": page, "meeting": meeting, "can_manage": can.manage}
    if can.manage:
        context |= _manager_panel(request, meeting, can, forms)
    return render(request, "meetings/meeting.html", context, status=status)


@access("meetings.view")
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, meeting_or_404(request, pk))


@require_POST
@access("meetings.manage")
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    form = RescheduleForm(request.POST, host_time_zone=found.host_time_zone)

    def act() -> None:
        data = form.cleaned_data
        services.reschedule(
            meeting=found,
            by=request.user,
            starts_at=form.starts_at(),
            duration_minutes=data["duration_minutes"],
            location=data["location"],
        )

    def done(_result: Any) -> HttpResponse:
        queue_updates(found)  # those invited are sent the new version (a higher SEQUENCE)
        messages.success(request, _("Meeting moved; those invited are sent the new time."))
        return redirect("meetings:meeting", pk=found.pk)

    return submit(
        request,
        form,
        act,
        done=done,
        page=lambda status: _meeting_page(request, found, status=status, reschedule_form=form),
    )


@require_POST
@access("meetings.manage")
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    form = CancelForm(request.POST)

    def done(_result: Any) -> HttpResponse:
        queue_updates(found)  # those invited are sent the cancellation
        messages.success(request, _("Meeting cancelled; those invited are told."))
        return redirect("meetings:meeting", pk=found.pk)

    return submit(
        request,
        form,
        lambda: services.cancel(meeting=found, by=request.user, **form.cleaned_data),
        done=done,
        page=lambda status: _meeting_page(request, found, status=status, cancel_form=form),
    )


@require_POST
@access("meetings.manage")
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    form = ConfirmForm(request.POST)
    return submit(
        request,
        form,
        lambda: queue_invitations(meeting=found, by=request.user),
        done=then_redirect(request, _("Invitations queued."), "meetings:meeting", pk=found.pk),
        page=lambda status: _meeting_page(request, found, status=status, invite_form=form),
    )


@require_POST
@access("meetings.manage")
def add_agenda_item(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    form = AgendaItemForm(request.POST, user=request.user, meeting=found)

    def act() -> None:
        data = form.cleaned_data
        services.add_agenda_item(
            meeting=found,
            by=request.user,
            title=data["title"],
            description=data["description"],
            owner=data["owner"],
            activity=data["activity_code"],
        )

    return submit(
        request,
        form,
        act,
        done=then_redirect(request, _("Agenda item added."), "meetings:meeting", pk=found.pk),
        page=lambda status: _meeting_page(request, found, status=status, agenda_form=form),
    )


def _approve_previous(found: Meeting, by: Any) -> None:
    previous = services.previous_meeting(found)
    if previous is None or not policy.is_visible(by, previous):
        raise InvalidInput(_("This meeting has no earlier meeting in its series whose minutes it could approve."))
    services.approve_minutes(minutes_of=previous, at=found, by=by)


@require_POST
@access("meetings.manage")
def approve_previous(request: HttpRequest, pk: int) -> HttpResponse:
    """This meeting approves the circulated minutes of the series' previous meeting."""
    found = meeting_or_404(request, pk)
    form = ConfirmForm(request.POST)
    message = _("The previous meeting's minutes are approved.")
    return submit(
        request,
        form,
        lambda: _approve_previous(found, request.user),
        done=then_redirect(request, message, "meetings:meeting", pk=found.pk),
        page=lambda status: _meeting_page(request, found, status=status, approve_form=form),
    )


# --- Attendance -------------------------------------------------------------------------------------------------


@access("meetings.manage")
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    members, people = queries.attendance_lines(request.user, found)
    form = AttendanceForm(request.POST or None, lines=[*members, *people])

    def act() -> None:
        rows = [
            AttendanceRow(status=status, organisation=line.organisation, person=line.person)
            for line, status in form.rows()
        ]
        services.record_attendance(meeting=found, by=request.user, rows=rows)

    def page(status: int) -> HttpResponse:
        context = {
            "meeting": found,
            "form": form,
            "member_fields": [form[line.key] for line in members],
            "person_fields": [form[line.key] for line in people],
        }
        return render(request, "meetings/attendance.html", context, status=status)

    return submit(
        request,
        form,
        act,
        done=then_redirect(request, _("Attendance recorded."), "meetings:meeting", pk=found.pk),
        page=page,
    )
