from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coalition.core import checkpoints, ledger
from coalition.core.access import access
from coalition.core.forms import AuditFilterForm
from coalition.core.models import AuditEvent, LedgerCheckpoint

AUDIT_PAGE_SIZE = 50  # a phone's few screens; the ledger runs to thousands of events


@access("audit.view")
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.all()
    status = 200
    if form.is_bound:
        if form.is_valid():
            data = form.cleaned_data
            if data["action"]:
                events = events.filter(action__startswith=data["action"])
            if data["actor"]:
                events = events.filter(actor_label__icontains=data["actor"])
            zone = timezone.get_current_timezone()
            if data["since"]:
                events = events.filter(at__gte=dt.datetime.combine(data["since"], dt.time.min, zone))
            if data["until"]:
                events = events.filter(
                    at__lt=dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, zone)
                )
        else:
            events, status = events.none(), 400
    return render(
        request,
        "core/audit.html",
        {
            "form": form,
            "page": Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page")),
            "verification": ledger.verify_chain() if "verify" in request.GET else None,
        },
        status=status,
    )


CHECKPOINTS_LISTED = 30


@access("public")
def ledger_checkpoints(request: HttpRequest) -> HttpResponse:
    """The audit ledger's signed checkpoints and the key that verifies them, for anyone to keep and compare."""
    context = {
        "latest": checkpoints.latest(),
        "earlier": LedgerCheckpoint.objects.order_by("-size")[1:CHECKPOINTS_LISTED],
        "verifier_key": checkpoints.verifier_key(),
    }
    return render(request, "core/checkpoints.html", context)


@access("public")
def latest_checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest checkpoint as the signed note itself (C2SP tlog-checkpoint), as tools expect it."""
    checkpoint = checkpoints.latest()
    if checkpoint is None:
        return HttpResponse("No checkpoint has been issued yet.\n", status=404, content_type="text/plain")
    return HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")


def error_page(request: HttpRequest, *, status: int, title: str, message: str) -> HttpResponse:
    """The platform's page for a 4xx. A request refused before the authentication middleware ran (a host that is
    not allowed, answered 400) has no user yet: the page is drawn for an anonymous visitor, since the layout's
    context processors ask who is reading, rather than failing into a 500."""
    if not hasattr(request, "user"):
        request.user = AnonymousUser()
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(
        request,
        status=403,
        title="Access denied",
        message=str(exception) if exception and str(exception) else "You do not have access to this.",
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, status=404, title="Not found", message="There is nothing at this address.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, status=400, title="Bad request", message="The request could not be understood.")
