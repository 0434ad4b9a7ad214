from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.accounts import services
from coalition.accounts.forms import ConfirmForm, DisableAccountForm, TimeZoneForm
from coalition.accounts.middleware import mark_seen, seconds_left
from coalition.accounts.models import User, UserSession
from coalition.core import policy
from coalition.core.access import access
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit, then_redirect


def _account(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@access("account.self")
def me(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    data = request.POST if request.method == "POST" else None
    form = TimeZoneForm(data, initial={"time_zone": user.time_zone})
    return submit(
        request,
        form,
        lambda: services.set_time_zone(user=user, time_zone=form.cleaned_data["time_zone"]),
        done=then_redirect(request, _("Time zone saved."), "accounts:me"),
        page=lambda status: _me_page(request, user, form, status=status),
    )


def _me_page(request: HttpRequest, user: User, form: TimeZoneForm, *, status: int) -> HttpResponse:
    actor = policy.actor_for(user)
    rows = UserSession.objects.filter(user=user, ended_at__isnull=True)
    sessions = sorted(((row, services.last_seen(row)) for row in rows), key=lambda pair: pair[1], reverse=True)
    return render(
        request,
        "accounts/me.html",
        {
            "form": form,
            "roles": [policy.Role(r).label for r in sorted(actor.roles)],
            "sessions": sessions,  # each with when it was last used
            "current_key": request.session.session_key,
            "authenticators": Authenticator.objects.filter(user=user).order_by("type"),
        },
        status=status,
    )


@require_POST
@access("account.self")
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    user = _account(request)
    session = get_object_or_404(UserSession, pk=pk, user=user, ended_at__isnull=True)
    form = ConfirmForm(request.POST)
    # Only a refusal of the input lands on the page; ending another's session stays a 403.
    return submit(
        request,
        form,
        lambda: services.end_session(session=session, by=user),
        done=then_redirect(request, _("Session ended."), "accounts:me"),
        page=lambda status: _me_page(request, user, TimeZoneForm(initial={"time_zone": user.time_zone}), status=status),
        catching=InvalidInput,
    )


@require_POST
@access("account.self")
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    user = _account(request)
    form = ConfirmForm(request.POST)

    def done(count: int) -> HttpResponse:
        return then_redirect(request, _("%(count)d other sessions ended.") % {"count": count}, "accounts:me")(count)

    return submit(
        request,
        form,
        lambda: services.end_all_sessions(user=user, by=user, except_key=request.session.session_key),
        done=done,
        page=lambda status: _me_page(request, user, TimeZoneForm(initial={"time_zone": user.time_zone}), status=status),
        catching=InvalidInput,
    )


SECONDS_LEFT_HEADER = "Coalition-Session-Seconds-Left"


@require_POST
@access("account.self")
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The "Stay signed in" button of the warning before the idle limit: the person is there, so the limit starts
    again. 204 No Content leaves the page and whatever is typed in it as they are, with or without the script, which
    reads the time now left from the header."""
    now = time.time()

    def done(seen: None) -> HttpResponse:
        response = HttpResponse(status=204)
        response[SECONDS_LEFT_HEADER] = str(seconds_left(request, now))
        return response

    return submit(
        request,
        ConfirmForm(request.POST),
        lambda: mark_seen(request, now),
        done=done,
        page=lambda status: HttpResponse(status=status),  # never drawn: staying signed in has nothing to refuse
        catching=InvalidInput,
    )


def _users() -> QuerySet[User]:
    return User.objects.select_related("person__affiliation").order_by("email")


@access("accounts.manage")
def manage(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/manage.html", {"users": _users(), "form": DisableAccountForm()})


@require_POST
@access("accounts.manage")
def disable(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    form = DisableAccountForm(request.POST)
    by = _account(request)

    def done(ended: int) -> HttpResponse:
        message = _("%(user)s is disabled; %(n)d sessions ended.") % {"user": target, "n": ended}
        return then_redirect(request, message, "accounts:manage")(ended)

    return submit(
        request,
        form,
        lambda: services.disable_account(user=target, by=by, reason=form.cleaned_data["reason"]),
        done=done,
        page=lambda status: render(
            request, "accounts/manage.html", {"users": _users(), "form": form, "target": target}, status=status
        ),
    )
