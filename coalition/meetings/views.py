"""Meetings pages: series, meetings, agendas, minutes, attendance. Each view declares its rule; reads go through
meetings.queries (access-filtered); every write is one service, whose error comes back on the form field it names
with a 400 and nothing saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import InvalidInput
from coalition.core.forms import attempt
from coalition.meetings import queries, services
from coalition.meetings.forms import (
    ActionForm,
    AgendaItemForm,
    AttendanceForm,
    CancelForm,
    CloseActionForm,
    ConfirmForm,
    DecisionForm,
    ItemMinutesForm,
    OutcomeForm,
    RescheduleForm,
    ReturnToDraftForm,
    SeriesForm,
)
from coalition.meetings.invitations import queue_invitations, queue_updates
from coalition.meetings.models import ActionItem, Meeting, MeetingSeries
from coalition.meetings.services import AttendanceRow


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    return get_object_or_404(queries.meetings(request.user), pk=pk)


def _series(request: HttpRequest, pk: int) -> MeetingSeries:
    return get_object_or_404(queries.series_list(request.user), pk=pk)


# --- Lists and series -------------------------------------------------------------------------------------------


@access("meetings.view")
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "meetings/index.html",
        {
            "upcoming": queries.upcoming(request.user),
            "upcoming_days": queries.UPCOMING_DAYS,
            "past": queries.past(request.user),
            "series_list": queries.series_list(request.user),
            "can_manage": policy.can(request.user, "meetings.manage"),
            # Links only to what the viewer may open: the compliance table is the governments' (PoA 1B.2).
            "can_see_calls": policy.can(request.user, "meetings.view_compliance"),
            "can_feed": policy.can(request.user, "meetings.calendar"),
        },
    )


@access("meetings.manage")
def series_new(request: HttpRequest) -> HttpResponse:
    viewer_tz = getattr(request, "viewer_tz", "UTC")
    form = SeriesForm(request.POST or None, user=request.user, initial={"host_time_zone": viewer_tz})
    if request.method == "POST":
        done = attempt(form, lambda: services.create_series(by=request.user, **form.cleaned_data))
        if done is not None:
            if not done.value.meetings.exists():  # the rotation is with the task worker
                messages.success(
                    request, _("Series created: its meetings follow once the fair rotation is worked out.")
                )
            else:
                messages.success(request, _("Series created with its meetings."))
            return redirect("meetings:series", pk=done.value.pk)
    return render(request, "meetings/series_new.html", {"form": form}, status=400 if form.errors else 200)


def _series_page(request: HttpRequest, found: MeetingSeries, *, status: int = 200, **forms: Any) -> HttpResponse:
    # A rotation the task worker has yet to finish has a `state` (services.ROTATION_QUEUED …) in place of the plan.
    pending = found.rotation if found.rotation and "state" in found.rotation else None
    return render(
        request,
        "meetings/series.html",
        {
            "series": found,
            "meetings": list(queries.series_meetings(request.user, found)),
            "rotation": None if pending else found.rotation,
            "rotation_pending": pending,
            "now": timezone.now(),
            "can_manage": policy.can(request.user, "meetings.manage"),
            "invite_form": forms.get("invite_form") or ConfirmForm(),
        },
        status=status,
    )


@access("meetings.view")
def series(request: HttpRequest, pk: int) -> HttpResponse:
    return _series_page(request, _series(request, pk))


@access("meetings.view")
def series_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    found = _series(request, pk)
    return render(
        request,
        "meetings/series_minutes.html",
        {
            "series": found,
            "compiled": queries.compiled_minutes(request.user, found),
            "drafts_shown": policy.can(request.user, "meetings.view_draft_minutes"),
        },
    )


@require_POST
@access("meetings.manage")
def series_invite(request: HttpRequest, pk: int) -> HttpResponse:
    found = _series(request, pk)
    upcoming = list(
        queries.series_meetings(request.user, found).filter(
            starts_at__gte=timezone.now(), state=Meeting.State.SCHEDULED
        )
    )
    form = ConfirmForm(request.POST)

    def act() -> None:
        if not upcoming:
            raise InvalidInput(_("The series has no upcoming meeting to invite to."))
        with transaction.atomic():  # every upcoming meeting, or none
            for meeting in upcoming:
                queue_invitations(meeting=meeting, by=request.user)

    if not attempt(form, act):
        return _series_page(request, found, status=400, invite_form=form)
    n = len(upcoming)
    messages.success(
        request,
        ngettext("Invitations queued for %(n)d upcoming meeting.", "Invitations queued for %(n)d upcoming meetings.", n)
        % {"n": n},
    )
    return redirect("meetings:series", pk=found.pk)


# --- A meeting --------------------------------------------------------------------------------------------------


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


def _meeting_page(request: HttpRequest, meeting: Meeting, *, status: int = 200, **forms: Any) -> HttpResponse:
    page = queries.meeting_page(request.user, meeting)
    can_manage = policy.can(request.user, "meetings.manage")
    context: dict[str, Any] = {"page": page, "meeting": meeting, "can_manage": can_manage}
    if can_manage:
        previous = page.previous
        context |= {
            "approvable": previous if previous and previous.minutes_state == Meeting.MinutesState.CIRCULATED else None,
            "agenda_form": forms.get("agenda_form") or AgendaItemForm(user=request.user, meeting=meeting),
            "reschedule_form": forms.get("reschedule_form") or _reschedule_form(meeting),
            "cancel_form": forms.get("cancel_form") or CancelForm(),
            "invite_form": forms.get("invite_form") or ConfirmForm(),
            "approve_form": forms.get("approve_form") or ConfirmForm(),
        }
        context["refused_forms"] = [
            context[name] for name in ("reschedule_form", "cancel_form", "agenda_form", "invite_form")
        ]
    return render(request, "meetings/meeting.html", context, status=status)


@access("meetings.view")
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return _meeting_page(request, _meeting(request, pk))


@require_POST
@access("meetings.manage")
def reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
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

    if not attempt(form, act):
        return _meeting_page(request, found, status=400, reschedule_form=form)
    queue_updates(found)  # those invited are sent the new version (a higher SEQUENCE)
    messages.success(request, _("Meeting moved; those invited are sent the new time."))
    return redirect("meetings:meeting", pk=found.pk)


@require_POST
@access("meetings.manage")
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
    form = CancelForm(request.POST)
    if not attempt(form, lambda: services.cancel(meeting=found, by=request.user, **form.cleaned_data)):
        return _meeting_page(request, found, status=400, cancel_form=form)
    queue_updates(found)  # those invited are sent the cancellation
    messages.success(request, _("Meeting cancelled; those invited are told."))
    return redirect("meetings:meeting", pk=found.pk)


@require_POST
@access("meetings.manage")
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
    form = ConfirmForm(request.POST)
    if not attempt(form, lambda: queue_invitations(meeting=found, by=request.user)):
        return _meeting_page(request, found, status=400, invite_form=form)
    messages.success(request, _("Invitations queued."))
    return redirect("meetings:meeting", pk=found.pk)


@require_POST
@access("meetings.manage")
def add_agenda_item(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
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

    if not attempt(form, act):
        return _meeting_page(request, found, status=400, agenda_form=form)
    messages.success(request, _("Agenda item added."))
    return redirect("meetings:meeting", pk=found.pk)


@require_POST
@access("meetings.manage")
def approve_previous(request: HttpRequest, pk: int) -> HttpResponse:
    """This meeting approves the circulated minutes of the series' previous meeting."""
    found = _meeting(request, pk)
    form = ConfirmForm(request.POST)

    def act() -> None:
        previous = services.previous_meeting(found)
        if previous is None or not policy.is_visible(request.user, previous):
            raise InvalidInput(_("This meeting has no earlier meeting in its series whose minutes it could approve."))
        services.approve_minutes(minutes_of=previous, at=found, by=request.user)

    if not attempt(form, act):
        return _meeting_page(request, found, status=400, approve_form=form)
    messages.success(request, _("The previous meeting's minutes are approved."))
    return redirect("meetings:meeting", pk=found.pk)


# --- Minutes ----------------------------------------------------------------------------------------------------


def _minutes_page(request: HttpRequest, meeting: Meeting, *, status: int = 200, **forms: Any) -> HttpResponse:
    """The manager's page for a meeting's minutes: decisions and actions, then each item's text with its revisions
    and outcome, then the workflow. A form that failed comes in `forms`, with its errors, in place of a fresh one
    (`failed_item` / `failed_action` say whose)."""
    page = queries.meeting_page(request.user, meeting, with_people=False)

    def failed(name: str, pk: int, whose: str) -> Any:
        return forms.get(name) if forms.get(whose) == pk else None

    item_rows = [
        (
            item,
            failed("minutes_form", item.pk, "failed_item") or ItemMinutesForm.for_item(item),
            failed("outcome_form", item.pk, "failed_item") or OutcomeForm.for_item(item),
        )
        for item in page.agenda
    ]
    close_rows = [
        (
            action,
            failed("close_form", action.pk, "failed_action")
            or CloseActionForm(prefix=f"close-{action.pk}", initial={"at": meeting.pk}),
        )
        for action in [*page.open_actions, *page.actions]
    ]
    return render(
        request,
        "meetings/minutes.html",
        {
            "page": page,
            "meeting": meeting,
            "item_rows": item_rows,
            "close_rows": close_rows,
            "decision_form": forms.get("decision_form")
            or DecisionForm(user=request.user, items=page.agenda, prefix="decision"),
            "action_form": forms.get("action_form")
            or ActionForm(user=request.user, items=page.agenda, meeting=meeting, prefix="action"),
            "circulate_form": forms.get("circulate_form") or ConfirmForm(),
            "return_form": forms.get("return_form") or ReturnToDraftForm(),
            "is_draft": meeting.minutes_state == Meeting.MinutesState.DRAFT,
            "is_approved": meeting.minutes_state == Meeting.MinutesState.APPROVED,
            # The circulate form only where circulating can succeed: not before the meeting, nor once cancelled.
            "may_circulate": not meeting.is_cancelled and meeting.starts_at <= timezone.now(),
        },
        status=status,
    )


@access("meetings.manage")
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the minutes page. POST: save one item's minutes as a new revision (the item named by `item`)."""
    found = _meeting(request, pk)
    if request.method != "POST":
        return _minutes_page(request, found)
    item_pk = request.POST.get("item", "")
    if not item_pk.isdigit():
        raise Http404("No such agenda item")
    item = get_object_or_404(found.agenda.all(), pk=int(item_pk))
    form = ItemMinutesForm.for_item(item, request.POST)
    done = attempt(form, lambda: services.save_minutes(item=item, by=request.user, **form.cleaned_data))
    if done is None:
        return _minutes_page(request, found, status=400, minutes_form=form, failed_item=item.pk)
    if done.value is None:  # the text was unchanged
        messages.info(request, _("No change to the minutes of “%(item)s”.") % {"item": item.title})
    else:
        saved = {"item": item.title, "n": done.value.number}
        messages.success(request, _("Minutes of “%(item)s” saved as revision %(n)d.") % saved)
    return redirect(f"{reverse('meetings:minutes', args=[found.pk])}#item-{item.pk}")


@require_POST
@access("meetings.manage")
def set_outcome(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    found = _meeting(request, pk)
    agenda_item = get_object_or_404(found.agenda.select_related("meeting"), pk=item)
    form = OutcomeForm.for_item(agenda_item, request.POST)
    done = attempt(form, lambda: services.set_outcome(item=agenda_item, by=request.user, **form.cleaned_data))
    if done is None:
        return _minutes_page(request, found, status=400, outcome_form=form, failed_item=agenda_item.pk)
    if done.value is not None:  # the copy carried to the next meeting
        messages.success(request, _("Not reached: the item is carried to the next meeting's agenda."))
    else:
        messages.success(request, _("Outcome recorded."))
    return redirect(f"{reverse('meetings:minutes', args=[found.pk])}#item-{agenda_item.pk}")


@require_POST
@access("meetings.manage")
def circulate(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
    form = ConfirmForm(request.POST)
    if not attempt(form, lambda: services.circulate_minutes(meeting=found, by=request.user)):
        return _minutes_page(request, found, status=400, circulate_form=form)
    messages.success(request, _("Minutes circulated; they are on the next meeting's agenda for approval."))
    return redirect("meetings:minutes", pk=found.pk)


@require_POST
@access("meetings.manage")
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
    form = ReturnToDraftForm(request.POST)
    if not attempt(form, lambda: services.return_to_draft(meeting=found, by=request.user, **form.cleaned_data)):
        return _minutes_page(request, found, status=400, return_form=form)
    messages.success(request, _("Minutes returned to draft."))
    return redirect("meetings:minutes", pk=found.pk)


@require_POST
@access("meetings.manage")
def add_decision(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
    form = DecisionForm(request.POST, user=request.user, items=list(found.agenda.all()), prefix="decision")

    def act() -> None:
        data = form.cleaned_data
        services.record_decision(
            meeting=found, by=request.user, text=data["text"], item=data["item"], activity=data["activity_code"]
        )

    if not attempt(form, act):
        return _minutes_page(request, found, status=400, decision_form=form)
    messages.success(request, _("Decision recorded."))
    return redirect("meetings:minutes", pk=found.pk)


@require_POST
@access("meetings.manage")
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
    form = ActionForm(request.POST, user=request.user, items=list(found.agenda.all()), meeting=found, prefix="action")

    def act() -> None:
        data = form.cleaned_data
        services.assign_action(
            meeting=found,
            by=request.user,
            text=data["text"],
            owner=data["owner"],
            owner_organisation=data["owner_organisation"],
            due_on=data["due_on"],
            item=data["item"],
            activity=data["activity_code"],
        )

    if not attempt(form, act):
        return _minutes_page(request, found, status=400, action_form=form)
    messages.success(request, _("Action item assigned; it stays on the agenda until it is closed."))
    return redirect("meetings:minutes", pk=found.pk)


@require_POST
@access("meetings.manage")
def close_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an action item from a meeting's minutes page: at that meeting when it is a later one."""
    visible = policy.visible_to(request.user, Meeting)
    action = get_object_or_404(ActionItem.objects.filter(meeting__in=visible).select_related("meeting"), pk=pk)
    form = CloseActionForm(request.POST, prefix=f"close-{action.pk}")
    raw_at = str(form.data.get(form.add_prefix("at")) or "")
    page_meeting = (
        queries.meetings(request.user).filter(pk=int(raw_at)).first() if raw_at.isdigit() else None
    ) or action.meeting
    at = page_meeting if page_meeting.pk != action.meeting_id else None

    def act() -> None:
        services.close_action(action=action, by=request.user, state=form.cleaned_data["state"], at=at)

    if not attempt(form, act):
        return _minutes_page(request, page_meeting, status=400, close_form=form, failed_action=action.pk)
    messages.success(request, _("Action item updated."))
    return redirect("meetings:minutes", pk=page_meeting.pk)


# --- Attendance -------------------------------------------------------------------------------------------------


@access("meetings.manage")
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    found = _meeting(request, pk)
    members, people = queries.attendance_lines(request.user, found)
    form = AttendanceForm(request.POST or None, lines=[*members, *people])
    if request.method == "POST":

        def act() -> None:
            rows = [
                AttendanceRow(status=status, organisation=line.organisation, person=line.person)
                for line, status in form.rows()
            ]
            services.record_attendance(meeting=found, by=request.user, rows=rows)

        if attempt(form, act):
            messages.success(request, _("Attendance recorded."))
            return redirect("meetings:meeting", pk=found.pk)
    return render(
        request,
        "meetings/attendance.html",
        {
            "meeting": found,
            "form": form,
            "member_fields": [form[line.key] for line in members],
            "person_fields": [form[line.key] for line in people],
        },
        status=400 if form.errors else 200,
    )
