"""A meeting's minutes, for its managers: each item's text and outcome, decisions, action items, and the workflow
(circulate, return to draft)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access
from coalition.core.forms import submit, then_redirect
from coalition.meetings import queries, services
from coalition.meetings.forms import (
    ActionForm,
    CloseActionForm,
    ConfirmForm,
    DecisionForm,
    ItemMinutesForm,
    OutcomeForm,
    ReturnToDraftForm,
)
from coalition.meetings.models import ActionItem, AgendaItem, Meeting, MinutesRevision
from coalition.meetings.views.lookups import meeting_or_404


def _item_rows(page: queries.MeetingPage, forms: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each agenda item with its minutes and outcome forms; the refused one (`failed_item`) with its errors."""

    def failed(name: str, pk: int) -> Any:
        return forms.get(name) if forms.get("failed_item") == pk else None

    return [
        (
            item,
            failed("minutes_form", item.pk) or ItemMinutesForm.for_item(item),
            failed("outcome_form", item.pk) or OutcomeForm.for_item(item),
        )
        for item in page.agenda
    ]


def _close_rows(page: queries.MeetingPage, meeting: Meeting, forms: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Each action item to close from this page; the refused one (`failed_action`) with its errors."""
    return [
        (
            action,
            (forms.get("close_form") if forms.get("failed_action") == action.pk else None)
            or CloseActionForm(prefix=f"close-{action.pk}", initial={"at": meeting.pk}),
        )
        for action in [*page.open_actions, *page.actions]
    ]


def _record_panel(request: HttpRequest, page: queries.MeetingPage, meeting: Meeting, forms: dict[str, Any]) -> dict:
    """The forms for a new decision and a new action item."""
    return {
        "decision_form": forms.get("decision_form")
        or DecisionForm(user=request.user, items=page.agenda, prefix="decision"),
        "action_form": forms.get("action_form")
        or ActionForm(user=request.user, items=page.agenda, meeting=meeting, prefix="action"),
    }


def _workflow_panel(meeting: Meeting, forms: dict[str, Any]) -> dict[str, Any]:
    return {
        "circulate_form": forms.get("circulate_form") or ConfirmForm(),
        "return_form": forms.get("return_form") or ReturnToDraftForm(),
        "is_draft": meeting.minutes_state == Meeting.MinutesState.DRAFT,
        "is_approved": meeting.minutes_state == Meeting.MinutesState.APPROVED,
        # The circulate form only where circulating can succeed: not before the meeting, nor once cancelled.
        "may_circulate": not meeting.is_cancelled and meeting.starts_at <= timezone.now(),
    }


def _minutes_page(request: HttpRequest, meeting: Meeting, *, status: int = 200, **forms: Any) -> HttpResponse:
    """The manager's page for a meeting's minutes: decisions and actions, then each item's text with its revisions
    and outcome, then the workflow. A form that failed comes in `forms`, with its errors, in place of a fresh one
    (`failed_item` / `failed_action` say whose)."""
    page = queries.meeting_page(request.user, meeting, with_people=False)
    context = {
        "page": page,
        "meeting": meeting,
        "item_rows": _item_rows(page, forms),
        "close_rows": _close_rows(page, meeting, forms),
        **_record_panel(request, page, meeting, forms),
        **_workflow_panel(meeting, forms),
    }
    return render(request, "meetings/minutes.html", context, status=status)


def _posted_item(meeting: Meeting, raw: str) -> AgendaItem:
    if not raw.isdigit():
        raise Http404("No such agenda item")
    return get_object_or_404(meeting.agenda.all(), pk=int(raw))


def _at_item(meeting: Meeting, item: AgendaItem) -> str:
    return f"{reverse('meetings:minutes', args=[meeting.pk])}#item-{item.pk}"


@access("meetings.manage")
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the minutes page. POST: save one item's minutes as a new revision (the item named by `item`)."""
    found = meeting_or_404(request, pk)
    if request.method != "POST":
        return _minutes_page(request, found)
    item = _posted_item(found, request.POST.get("item", ""))
    form = ItemMinutesForm.for_item(item, request.POST)

    def done(revision: MinutesRevision | None) -> HttpResponse:
        if revision is None:  # the text was unchanged
            messages.info(request, _("No change to the minutes of “%(item)s”.") % {"item": item.title})
        else:
            saved = {"item": item.title, "n": revision.number}
            messages.success(request, _("Minutes of “%(item)s” saved as revision %(n)d.") % saved)
        return redirect(_at_item(found, item))

    return submit(
        request,
        form,
        lambda: services.save_minutes(item=item, by=request.user, **form.cleaned_data),
        done=done,
        page=lambda status: _minutes_page(request, found, status=status, minutes_form=form, failed_item=item.pk),
    )


@require_POST
@access("meetings.manage")
def set_outcome(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    agenda_item = get_object_or_404(found.agenda.select_related("meeting"), pk=item)
    form = OutcomeForm.for_item(agenda_item, request.POST)

    def done(carried: AgendaItem | None) -> HttpResponse:
        if carried is not None:  # the copy carried to the next meeting
            messages.success(request, _("Not reached: the item is carried to the next meeting's agenda."))
        else:
            messages.success(request, _("Outcome recorded."))
        return redirect(_at_item(found, agenda_item))

    return submit(
        request,
        form,
        lambda: services.set_outcome(item=agenda_item, by=request.user, **form.cleaned_data),
        done=done,
        page=lambda status: _minutes_page(request, found, status=status, outcome_form=form, failed_item=agenda_item.pk),
    )


@require_POST
@access("meetings.manage")
def circulate(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    form = ConfirmForm(request.POST)
    message = _("Minutes circulated; they are on the next meeting's agenda for approval.")
    return submit(
        request,
        form,
        lambda: services.circulate_minutes(meeting=found, by=request.user),
        done=then_redirect(request, message, "meetings:minutes", pk=found.pk),
        page=lambda status: _minutes_page(request, found, status=status, circulate_form=form),
    )


@require_POST
@access("meetings.manage")
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    form = ReturnToDraftForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.return_to_draft(meeting=found, by=request.user, **form.cleaned_data),
        done=then_redirect(request, _("Minutes returned to draft."), "meetings:minutes", pk=found.pk),
        page=lambda status: _minutes_page(request, found, status=status, return_form=form),
    )


@require_POST
@access("meetings.manage")
def add_decision(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
    form = DecisionForm(request.POST, user=request.user, items=list(found.agenda.all()), prefix="decision")

    def act() -> None:
        data = form.cleaned_data
        services.record_decision(
            meeting=found, by=request.user, text=data["text"], item=data["item"], activity=data["activity_code"]
        )

    return submit(
        request,
        form,
        act,
        done=then_redirect(request, _("Decision recorded."), "meetings:minutes", pk=found.pk),
        page=lambda status: _minutes_page(request, found, status=status, decision_form=form),
    )


@require_POST
@access("meetings.manage")
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    found = meeting_or_404(request, pk)
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

    message = _("Action item assigned; it stays on the agenda until it is closed.")
    return submit(
        request,
        form,
        act,
        done=then_redirect(request, message, "meetings:minutes", pk=found.pk),
        page=lambda status: _minutes_page(request, found, status=status, action_form=form),
    )


def _page_meeting(request: HttpRequest, action: ActionItem, form: CloseActionForm) -> Meeting:
    """The meeting whose minutes page the action was closed on (the form's `at`), else the action's own."""
    raw_at = str(form.data.get(form.add_prefix("at")) or "")
    found = queries.meetings(request.user).filter(pk=int(raw_at)).first() if raw_at.isdigit() else None
    return found or action.meeting


@require_POST
@access("meetings.manage")
def close_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an action item from a meeting's minutes page: at that meeting when it is a later one."""
    visible = policy.visible_to(request.user, Meeting)
    action = get_object_or_404(ActionItem.objects.filter(meeting__in=visible).select_related("meeting"), pk=pk)
    form = CloseActionForm(request.POST, prefix=f"close-{action.pk}")
    page_meeting = _page_meeting(request, action, form)
    at = page_meeting if page_meeting.pk != action.meeting_id else None
    return submit(
        request,
        form,
        lambda: services.close_action(action=action, by=request.user, state=form.cleaned_data["state"], at=at),
        done=then_redirect(request, _("Action item updated."), "meetings:minutes", pk=page_meeting.pk),
        page=lambda status: _minutes_page(
            request, page_meeting, status=status, close_form=form, failed_action=action.pk
        ),
    )
