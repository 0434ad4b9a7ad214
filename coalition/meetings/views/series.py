"""The meetings index and the series pages: creating a series, its meetings and compiled minutes, inviting to it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit
from coalition.meetings import queries, services
from coalition.meetings.forms import ConfirmForm, SeriesForm
from coalition.meetings.invitations import queue_invitations
from coalition.meetings.models import Meeting, MeetingSeries
from coalition.meetings.views.lookups import series_or_404
from coalition.meetings.views.rows import IndexRows

UPCOMING_PAGE = 50  # upcoming meetings a page of the index lists


@access("meetings.view")
def index(request: HttpRequest) -> HttpResponse:
    can = queries.index_actions(request.user)
    # A page of the upcoming meetings at a time, each linking to the next: the 90 days can hold hundreds, each a
    # row to write (issue 20).
    upcoming_page = Paginator(queries.upcoming(request.user), UPCOMING_PAGE).get_page(request.GET.get("page"))
    upcoming = list(upcoming_page)
    past = queries.past(request.user)
    rows = IndexRows(getattr(request, "viewer_tz", "UTC"))
    return render(
        request,
        "meetings/index.html",
        {
            "upcoming": upcoming,
            "upcoming_rows": rows.upcoming(upcoming),
            "upcoming_page": upcoming_page,
            "upcoming_days": queries.UPCOMING_DAYS,
            "past": past,
            "past_rows": rows.past(past),
            "series_list": queries.series_list(request.user),
            "can_manage": can.manage,
            "can_see_calls": can.see_calls,
            "can_feed": can.feed,
        },
    )


@access("meetings.manage")
def series_new(request: HttpRequest) -> HttpResponse:
    viewer_tz = getattr(request, "viewer_tz", "UTC")
    form = SeriesForm(request.POST or None, user=request.user, initial={"host_time_zone": viewer_tz})

    def done(created: MeetingSeries) -> HttpResponse:
        if not created.meetings.exists():  # the rotation is with the task worker
            messages.success(request, _("Series created: its meetings follow once the fair rotation is worked out."))
        else:
            messages.success(request, _("Series created with its meetings."))
        return redirect("meetings:series", pk=created.pk)

    return submit(
        request,
        form,
        lambda: services.create_series(form.spec(), by=request.user),
        done=done,
        page=lambda status: render(request, "meetings/series_new.html", {"form": form}, status=status),
    )


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
    return _series_page(request, series_or_404(request, pk))


@access("meetings.view")
def series_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    found = series_or_404(request, pk)
    return render(
        request,
        "meetings/series_minutes.html",
        {
            "series": found,
            "compiled": queries.compiled_minutes(request.user, found),
            "drafts_shown": policy.can(request.user, "meetings.view_draft_minutes"),
        },
    )


def _invite_all(upcoming: list[Meeting], by: Any) -> int:
    if not upcoming:
        raise InvalidInput(_("The series has no upcoming meeting to invite to."))
    with transaction.atomic():  # every upcoming meeting, or none
        for meeting in upcoming:
            queue_invitations(meeting=meeting, by=by)
    return len(upcoming)


@require_POST
@access("meetings.manage")
def series_invite(request: HttpRequest, pk: int) -> HttpResponse:
    found = series_or_404(request, pk)
    upcoming = list(
        queries.series_meetings(request.user, found).filter(
            starts_at__gte=timezone.now(), state=Meeting.State.SCHEDULED
        )
    )
    form = ConfirmForm(request.POST)

    def done(n: int) -> HttpResponse:
        message = ngettext(
            "Invitations queued for %(n)d upcoming meeting.", "Invitations queued for %(n)d upcoming meetings.", n
        )
        messages.success(request, message % {"n": n})
        return redirect("meetings:series", pk=found.pk)

    return submit(
        request,
        form,
        lambda: _invite_all(upcoming, request.user),
        done=done,
        page=lambda status: _series_page(request, found, status=status, invite_form=form),
    )
