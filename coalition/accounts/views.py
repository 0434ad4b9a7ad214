from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.accounts import services
from coalition.accounts.forms import DisableAccountForm, TimeZoneForm
from coalition.accounts.middleware import mark_seen, seconds_left
from coalition.accounts.models import User, UserSession
from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import CoalitionError


@access("account.self")
def me(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = TimeZoneForm(initial={"time_zone": user.time_zone})
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            try:
                services.set_time_zone(user=user, time_zone=form.cleaned_data["time_zone"])
            except CoalitionError as error:
                form.add_error("time_zone", error.message)
            else:
                messages.success(request, _("Time zone saved."))
                return redirect("accounts:me")
    actor = policy.actor_for(user)
    return render(
        request,
        "accounts/me.html",
        {
            "form": form,
            "roles": [policy.Role(r).label for r in sorted(actor.roles)],
            "sessions": UserSession.objects.filter(user=user, ended_at__isnull=True),
            "current_key": request.session.session_key,
            "authenticators": Authenticator.objects.filter(user=user).order_by("type"),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@access("account.self")
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(UserSession, pk=pk, user=request.user, ended_at__isnull=True)
    assert isinstance(request.user, User)
    services.end_session(session=session, by=request.user)
    messages.success(request, _("Session ended."))
    return redirect("accounts:me")


@require_POST
@access("account.self")
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    count = services.end_all_sessions(user=request.user, by=request.user, except_key=request.session.session_key)
    messages.success(request, _("%(count)d other sessions ended.") % {"count": count})
    return redirect("accounts:me")


SECONDS_LEFT_HEADER = "Coalition-Session-Seconds-Left"


@require_POST
@access("account.self")
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The "Stay signed in" button of the warning before the idle limit: the person is there, so the limit starts
    again. 204 No Content leaves the page and whatever is typed in it as they are, with or without the script, which
    reads the time now left from the header."""
    now = time.time()
    mark_seen(request, now)
    response = HttpResponse(status=204)
    response[SECONDS_LEFT_HEADER] = str(seconds_left(request, now))
    return response


@access("accounts.manage")
def manage(request: HttpRequest) -> HttpResponse:
    users = User.objects.select_related("person__affiliation").order_by("email")
    return render(request, "accounts/manage.html", {"users": users, "form": DisableAccountForm()})


@require_POST
@access("accounts.manage")
def disable(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    form = DisableAccountForm(request.POST)
    assert isinstance(request.user, User)
    if form.is_valid():
        try:
            ended = services.disable_account(user=target, by=request.user, reason=form.cleaned_data["reason"])
        except CoalitionError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("%(user)s is disabled; %(n)d sessions ended.") % {"user": target, "n": ended})
            return redirect("accounts:manage")
    users = User.objects.select_related("person__affiliation").order_by("email")
    return render(request, "accounts/manage.html", {"users": users, "form": form, "target": target}, status=400)
