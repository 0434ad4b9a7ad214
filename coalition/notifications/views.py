"""The notification centre, the preferences page and the unsubscribe page of an email's link."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from coalition.core import throttle
from coalition.core.access import access
from coalition.core.forms import submit, then_redirect
from coalition.core.return_to import same_origin_path
from coalition.notifications import service, unsubscribe
from coalition.notifications.forms import ActionForm, PreferencesForm, UnsubscribeForm

PAGE_SIZE = 20
UNSUBSCRIBE_PER_MINUTE = 30  # from one address: enough for a mail client, too few to guess tokens


@access("notifications.own")
def centre(request: HttpRequest) -> HttpResponse:
    return _centre_page(request)


def _centre_page(request: HttpRequest, status: int = 200, form: ActionForm | None = None) -> HttpResponse:
    listing = service.listing(request.user)
    paginator = Paginator(listing.notifications.prefetch_related("subject"), PAGE_SIZE)
    paginator.count = listing.total  # counted with the unread ones, in one query
    page = paginator.get_page(request.GET.get("page"))
    items = service.rendered(list(page.object_list), request.user, filtered=True)
    unread = listing.unread > 0 or any(item.notification.read_at is None for item in items)
    # The header's count too (the view's context comes before the context processor's): the same query's.
    context = {"page": page, "items": items, "any_unread": unread, "form": form, "notifications_unread": listing.unread}
    return render(request, "notifications/centre.html", context, status=status)


@require_POST
@access("notifications.own")
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    form = ActionForm(request.POST)
    return submit(
        request,
        form,
        lambda: service.mark_read(user=request.user, notification_id=pk),
        done=then_redirect(request, _("Marked read."), "notifications:centre"),
        page=lambda status: _centre_page(request, status, form),
    )


@require_POST
@access("notifications.own")
def mark_all_read(request: HttpRequest) -> HttpResponse:
    form = ActionForm(request.POST)
    return submit(
        request,
        form,
        lambda: service.mark_all_read(user=request.user),
        done=then_redirect(request, _("All notifications marked read."), "notifications:centre"),
        page=lambda status: _centre_page(request, status, form),
    )


@require_POST
@access("notifications.own")
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go where the person acts on it (a path on this site, never elsewhere)."""
    form = ActionForm(request.POST)

    def go(notification: Any) -> HttpResponse:
        shown = service.rendered([notification], request.user)
        target = same_origin_path(shown[0].message.path, request) if shown else None
        return HttpResponseRedirect(target or "/notifications/")

    return submit(
        request,
        form,
        lambda: service.mark_read(user=request.user, notification_id=pk),
        done=go,
        page=lambda status: _centre_page(request, status, form),
    )


@access("notifications.own")
def preferences(request: HttpRequest) -> HttpResponse:
    current = service.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, user=request.user, current=current)
    return submit(
        request,
        form,
        lambda: service.set_preferences(user=request.user, choices=form.cleaned_data),
        done=then_redirect(request, _("Your choices are saved."), "notifications:preferences"),
        page=lambda status: render(request, "notifications/preferences.html", {"form": form}, status=status),
    )


# A mail client's one-click unsubscribe (RFC 8058) POSTs without a session or a CSRF token; the signed, single-use
# token in the address is what authorises it, so this one view is exempt.
@csrf_exempt
@access("notifications.unsubscribe")
def unsubscribe_link(request: HttpRequest, token: str) -> HttpResponse:
    client = request.META.get("REMOTE_ADDR", "")
    if not throttle.allow(f"notifications.unsubscribe:{client}", UNSUBSCRIBE_PER_MINUTE, 60):
        return render(
            request,
            "notifications/unsubscribe.html",
            {"refused": _("Too many attempts from your address; try again in a minute. Nothing was changed.")},
            status=429,
        )
    form = UnsubscribeForm(request.POST if request.method == "POST" else None)
    return submit(
        request,
        form,
        lambda: unsubscribe.apply(token),
        done=lambda link: render(request, "notifications/unsubscribe.html", {"done": link}),
        page=lambda status: _unsubscribe_page(request, token, form),
    )


def _unsubscribe_page(request: HttpRequest, token: str, form: UnsubscribeForm) -> HttpResponse:
    try:
        link = unsubscribe.read(token)
    except unsubscribe.Refused as refused:
        return render(request, "notifications/unsubscribe.html", {"refused": refused.message}, status=refused.status)
    if form.errors:  # read() passed, apply() refused (e.g. the kind became one the person cannot switch off)
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return render(request, "notifications/unsubscribe.html", {"refused": message}, status=400)
    return render(request, "notifications/unsubscribe.html", {"link": link, "form": form})
