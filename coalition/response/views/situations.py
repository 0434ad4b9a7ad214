"""The situation room list with its alerts, an alert, dismissing it, and opening a situation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coalition.core import policy
from coalition.core.access import access, personal
from coalition.core.errors import InvalidInput
from coalition.core.forms import submit, then_redirect
from coalition.response import queries, services
from coalition.response.forms import DismissForm, OpenSituationForm
from coalition.response.models import Alert, Situation
from coalition.response.views.display import statement_state


@dataclass(frozen=True)
class Row:
    situation: Situation
    statement_state: str


@personal
@access("response.view")
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    alerts = list(
        policy.visible_to(user, Alert).filter(status=Alert.Status.OPEN).select_related("country").order_by("-raised_at")
    )
    found = (
        queries.situations(user)
        .select_related("statement__document")
        .annotate(pledge_count=Count("pledges"))
        .order_by("-opened_at")
    )
    rows = [Row(s, statement_state(queries.readable_statement(user, s))) for s in found]
    can_manage = policy.can(user, "response.manage")
    return render(
        request,
        "response/index.html",
        {
            "alerts": [(a, DismissForm(alert_id=a.pk) if can_manage else None) for a in alerts],
            "open_rows": [r for r in rows if r.situation.status == Situation.Status.OPEN],
            "closed_rows": [r for r in rows if r.situation.status == Situation.Status.CLOSED],
            "can_open": policy.can(user, "response.open_situation"),
            "can_signals": policy.can(user, "response.view_signals"),
        },
    )


def _alert(request: HttpRequest, pk: int) -> Alert:
    return get_object_or_404(policy.visible_to(request.user, Alert).select_related("country"), pk=pk)


@require_POST
@access("response.manage")
def dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    found = _alert(request, pk)
    form = DismissForm(request.POST, alert_id=found.pk)
    return submit(
        request,
        form,
        lambda: services.dismiss_alert(found, by=request.user, reason=form.cleaned_data["reason"]),
        done=then_redirect(
            request, _("Alert on %(country)s dismissed.") % {"country": found.country.name}, "response:index"
        ),
        page=lambda status: _dismiss_page(request, found, form, status),
    )


def _dismiss_page(request: HttpRequest, found: Alert, form: DismissForm, status: int) -> HttpResponse:
    response = render(request, "response/dismiss.html", {"alert": found, "form": form}, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _from_alert(found: Alert) -> dict[str, Any]:
    sources = found.get_sources_display()
    since = f"{found.first_signal_at:%Y-%m-%d}" + (
        "" if found.first_signal_whole_day else f" {found.first_signal_at:%H:%M} UTC"
    )
    return {
        "alert": found.pk,
        "title": f"{found.country.name}: network disruption",
        "summary": f"Signals from {sources} since {since}.",
    }


@personal
@access("response.view")
def alert(request: HttpRequest, pk: int) -> HttpResponse:
    found = _alert(request, pk)
    shown = policy.visible_to(request.user, found.signals.all()).select_related("country").order_by("starts_at", "pk")
    can_open = policy.can(request.user, "response.open_situation") and found.status == Alert.Status.OPEN
    situation = None
    if found.status == Alert.Status.SITUATION:
        situation = queries.situations(request.user).filter(alert=found).first()
    return render(
        request,
        "response/alert.html",
        {
            "alert": found,
            "signals": list(shown),
            "situation": situation,
            "form": OpenSituationForm(initial=_from_alert(found), from_alert=True) if can_open else None,
            "dismiss_form": DismissForm(alert_id=found.pk)
            if policy.can(request.user, "response.manage") and found.status == Alert.Status.OPEN
            else None,
        },
    )


@personal
@access("response.open_situation")
def open_situation(request: HttpRequest) -> HttpResponse:
    posted = request.method == "POST"
    raw = (request.POST if posted else request.GET).get("alert", "")
    found = _alert(request, int(raw)) if raw.isdigit() else None
    if posted:
        form = OpenSituationForm(request.POST, from_alert=found is not None)
    else:
        form = OpenSituationForm(initial=_from_alert(found) if found else None, from_alert=found is not None)

    def act() -> Situation:
        data = form.cleaned_data
        return services.open_situation(
            by=request.user,
            country=found.country if found else data["country"],
            title=data["title"],
            summary=data["summary"],
            alert=found,
            first_signal_at=None if found else data["first_signal_at"],
        )

    return submit(
        request,
        form,
        act,
        done=lambda opened: then_redirect(
            request,
            _("Situation opened. The playbook is ready; members can pledge."),
            "response:situation",
            pk=opened.pk,
        )(opened),
        page=lambda status: render(request, "response/open.html", {"form": form, "alert": found}, status=status),
        catching=InvalidInput,
    )
