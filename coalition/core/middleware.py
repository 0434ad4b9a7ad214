from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from coalition.core.access import keep_private


class RequestSizeLimitMiddleware:
    """Refuse an oversized body from its Content-Length, before anything reads it (413). A browser gets a short
    page naming the limit with a way back; anything else a line of text. (Sessions and the user are not known yet
    at this point, so the page stands alone rather than in the base layout.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Invalid Content-Length.", status=400, content_type="text/plain")
        if length > settings.COALITION_MAX_REQUEST_BYTES:
            return too_large(request)
        return self.get_response(request)


def too_large(request: HttpRequest) -> HttpResponse:
    limit_mb = settings.COALITION_MAX_REQUEST_BYTES // (1024 * 1024)
    if "text/html" not in request.META.get("HTTP_ACCEPT", ""):
        return HttpResponse(
            f"Request body too large: the limit is {limit_mb} MB.", status=413, content_type="text/plain"
        )
    back = request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        back = referer
    html = render_to_string("core/too_large.html", {"limit_mb": limit_mb, "back": back})
    response = HttpResponse(html, status=413, content_type="text/html; charset=utf-8")
    # The CSP middleware has not run for this response: the page allows only our stylesheet.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'"
    return response


class PrivateAnswersMiddleware:
    """Whatever is said to a signed-in person is said to that person alone: every answer to an authenticated
    request — a page, a redirect, an error, a download, an API answer (a request with an `Authorization` header
    counts as signed in, whether or not the view got as far as reading the token) — is
    `private, no-store`, so no browser history, disk cache or shared proxy keeps it. Static files are the only
    exception (public assets, the same for everyone, served before this runs by WhiteNoise in production).

    One rule here rather than a decorator per view: a view added tomorrow is covered without anyone remembering.
    The person is asked for both before the view (a session that ends during the request, by sign-out or a
    session limit, answered its owner) and after it (a sign-in, or an API token read by the view)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated or "HTTP_AUTHORIZATION" in request.META
        response = self.get_response(request)
        if (signed_in or request.user.is_authenticated) and not request.path.startswith(settings.STATIC_URL):
            keep_private(response)
        return response


def viewer_time_zone(request: HttpRequest) -> str:
    zone = getattr(request.user, "time_zone", "") if request.user.is_authenticated else ""
    return zone or request.session.get("time_zone", "") or "UTC"


class ViewerTimeZoneMiddleware:
    """Every time on a page is shown in the viewer's zone, and pages name that zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = viewer_time_zone(request)
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = "UTC"
            timezone.activate(zoneinfo.ZoneInfo(zone))
        request.viewer_tz = zone  # type: ignore[attr-defined]
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
