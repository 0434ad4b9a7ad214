"""Calendar pages of meetings: one's own invitation file, replies (the meeting page's form, the emailed one-click
link, an uploaded calendar REPLY) and the personal calendar feed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from coalition.core import policy
from coalition.core.access import access, keep_private
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.forms import submit
from coalition.core.views import error_page
from coalition.directory.models import Person
from coalition.meetings import calendar, services
from coalition.meetings.calendar_forms import REPLY_CHOICES, FeedForm, IcsReplyForm, ReplyForm, RsvpForm
from coalition.meetings.invitations import read_rsvp_token
from coalition.meetings.models import CalendarFeed, Invitation, Meeting

ALLOW = {"Allow": "GET, HEAD, POST"}


def _person_id(request: HttpRequest) -> int | None:
    return getattr(request.user, "person_id", None)


def _reply_label(value: str) -> str:
    return str(Invitation.Reply(value).label)


def _recorded(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(request, _("Your reply is recorded: %(reply)s.") % {"reply": _reply_label(invitation.reply)})
    return redirect("meetings:meeting", pk=invitation.meeting_id)


# --- One's own invitation file -------------------------------------------------------------------------------------


@require_safe
@access("meetings.view")
def my_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    """The viewer's invitation as a calendar file, for adding the meeting by hand."""
    meeting = get_object_or_404(policy.visible_to(request.user, Meeting).select_related("organiser__person"), pk=pk)
    person_id = _person_id(request)
    if person_id is None:
        raise Http404("Not invited")
    invitation = get_object_or_404(
        Invitation.objects.select_related("person__account"), meeting=meeting, person_id=person_id
    )
    method = calendar.CANCEL if meeting.is_cancelled else calendar.REQUEST
    response = HttpResponse(
        calendar.invitation_ics(meeting, invitation, method),
        content_type=f"text/calendar; charset=utf-8; method={method}",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


# --- Replies ------------------------------------------------------------------------------------------------------


@require_POST
@access("meetings.rsvp")
def rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply form on the meeting page: the invited person accepts, declines or says tentative."""
    meeting = get_object_or_404(policy.visible_to(request.user, Meeting), pk=pk)
    invitation = get_object_or_404(Invitation, meeting=meeting, person_id=_person_id(request))
    form = RsvpForm(request.POST)
    return submit(
        request,
        form,
        lambda: services.record_reply(invitation=invitation, by=request.user, reply=form.cleaned_data["reply"]),
        done=lambda recorded: _recorded(request, recorded),
        page=lambda status: error_page(
            request, status=status, title=_("Your reply was not recorded"), message=form.problem()
        ),
        catching=InvalidInput,  # a refusal of access stays a 403
    )


def _bad_link(request: HttpRequest, message: str) -> HttpResponse:
    return error_page(request, status=400, title=_("This reply link cannot be used"), message=message)


@access("meetings.rsvp")
def rsvp_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-click link from the invitation email: GET asks to confirm, POST records. The link names the invitation
    and the version of the meeting it was sent for; only the person invited may use it."""
    try:
        claim = read_rsvp_token(token)
    except InvalidInput as error:
        return _bad_link(request, error.message)
    invitation = Invitation.objects.select_related("meeting", "person").filter(pk=claim.invitation_id).first()
    if invitation is None:
        return _bad_link(request, _("This reply link is for an invitation that no longer exists."))
    if invitation.person_id != _person_id(request):
        raise AccessDenied(_("This reply link was sent to someone else: sign in as the person invited to use it."))
    meeting = invitation.meeting
    if not policy.is_visible(request.user, meeting):
        raise Http404("No such meeting")
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers=ALLOW)
    form = ReplyForm(request.POST) if request.method == "POST" else ReplyForm(initial={"reply": claim.reply or None})

    def act() -> Invitation:
        reply = form.cleaned_data["reply"]
        return services.record_reply(invitation=invitation, by=request.user, reply=reply, sequence=claim.sequence)

    context = {"form": form, "invitation": invitation, "meeting": meeting, "choices": REPLY_CHOICES}
    return submit(
        request,
        form,
        act,
        done=lambda recorded: _recorded(request, recorded),
        page=lambda status: render(request, "meetings/calendar/rsvp_link.html", context, status=status),
        catching=InvalidInput,  # a refusal of access stays a 403
    )


def _record_ics_reply(request: HttpRequest, data: bytes) -> Invitation:
    """Parse an uploaded REPLY and record it; every refusal is an `InvalidInput` (or `AccessDenied`) naming why."""
    parsed = calendar.parse_reply(data)
    meeting = policy.visible_to(request.user, Meeting).filter(uid=parsed.uid).first()
    if meeting is None:
        raise InvalidInput(
            _("The reply is for a meeting (UID %(uid)s) that is not one of the meetings you can see.")
            % {"uid": parsed.uid[:200]},
            field="ics",
        )
    invitation = (
        meeting.invitations.select_related("person").filter(email__iexact=parsed.attendee_email).order_by("pk").first()
    )
    if invitation is None:
        raise InvalidInput(
            _("%(email)s was not invited to %(meeting)s: no invitation went to that address.")
            % {"email": parsed.attendee_email, "meeting": meeting.title},
            field="ics",
        )
    if invitation.person_id != _person_id(request) and not policy.can(request.user, "meetings.record_reply_for"):
        raise AccessDenied(
            _("This reply is %(name)s's; you may upload your own replies only.") % {"name": invitation.person.full_name}
        )
    # The Support Unit records a reply its mailbox received on the person's behalf; the ledger names who did.
    return services.record_reply(
        invitation=invitation, by=request.user, reply=parsed.partstat, sequence=parsed.sequence
    )


def _ics_recorded(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    messages.success(
        request,
        _("%(name)s's reply is recorded: %(reply)s.")
        % {"name": invitation.person.full_name, "reply": _reply_label(invitation.reply)},
    )
    return redirect("meetings:meeting", pk=invitation.meeting_id)


@access("meetings.view")
def ics_reply(request: HttpRequest) -> HttpResponse:
    """Upload the REPLY a calendar sent back (a person's own, or, for the Support Unit, one received by email)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers=ALLOW)
    form = IcsReplyForm(request.POST, request.FILES) if request.method == "POST" else IcsReplyForm()

    def act() -> Invitation:
        # Read one byte past the limit, so that a larger file is refused for its size without reading it all.
        return _record_ics_reply(request, form.cleaned_data["ics"].read(calendar.MAX_REPLY_BYTES + 1))

    return submit(
        request,
        form,
        act,
        done=lambda recorded: _ics_recorded(request, recorded),
        page=lambda status: render(
            request, "meetings/calendar/ics_reply.html", {"form": form}, status=403 if form.denied else status
        ),
    )


# --- The personal feed --------------------------------------------------------------------------------------------


def feed_url(raw: str) -> str:
    return settings.SITE_URL + reverse("meetings:feed", kwargs={"token": raw})


def _feeds_page(request: HttpRequest, person: Person | None, **context: Any) -> HttpResponse:
    context = {"person": person, "new_feed_url": "", "new_feed_webcal": "", **context}
    context["feeds"] = list(person.calendar_feeds.all()) if person is not None else []
    response = render(request, "meetings/calendar/feed_settings.html", context)
    add_never_cache_headers(response)  # the page may hold a secret address
    return response


def _act_on_feed(form: FeedForm, by: Any) -> Any:
    """Issue a feed (its record and secret address) or revoke the chosen one of the person's own."""
    if form.cleaned_data["action"] == FeedForm.CREATE:
        return calendar.issue_feed(person=form.person, by=by)  # type: ignore[arg-type]
    feeds = CalendarFeed.objects.select_related("person")
    chosen = get_object_or_404(feeds, pk=int(form.cleaned_data["feed"]), person=form.person)
    return calendar.revoke_feed(feed=chosen, by=by)


@access("meetings.calendar")
def feed_settings(request: HttpRequest) -> HttpResponse:
    """A person's calendar feeds: issue one (its address is shown once), see when each was last used, revoke."""
    person = getattr(request.user, "person", None)
    form = FeedForm(request.POST if request.method == "POST" else None, person=person)

    def done(result: Any) -> HttpResponse:
        if form.cleaned_data["action"] == FeedForm.CREATE:
            issued, raw = result
            url = feed_url(raw)
            webcal = "webcal://" + url.split("://", 1)[1]
            return _feeds_page(request, person, new_feed_url=url, new_feed_webcal=webcal, new_feed=issued)
        message = _("The feed %(prefix)s… is revoked: its address no longer works.") % {"prefix": result.prefix}
        messages.success(request, message)
        return redirect("meetings:feed_settings")

    def page(status: int) -> HttpResponse:
        if status == 200:
            return _feeds_page(request, person)
        title, message = form.problem()
        return error_page(request, status=status, title=title, message=message)

    # Issuing and revoking refuse only another person's feed: an AccessDenied, a 403.
    return submit(request, form, lambda: _act_on_feed(form, request.user), done=done, page=page, catching=InvalidInput)


@require_safe
@access("public")
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The subscribed calendar: the token is the gate (anonymous requests from calendar clients); what it shows is
    what the person's own account may see, so a leaked token reveals no more than that person reads."""
    found = calendar.feed_for_token(token)
    if found is None:
        raise Http404("No such calendar feed")
    meetings = calendar.feed_meetings(found.person)
    response = HttpResponse(calendar.feed_ics(found.person, meetings), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="coalition-meetings.ics"'
    keep_private(response)  # no session, but one person's meetings: the token stands for a sign-in
    response["X-Robots-Tag"] = "noindex"
    return response
