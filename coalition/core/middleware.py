from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class RequestSizeLimitMiddleware:
    """Refuse an oversized body from its Content-Length, before anything reads it (413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponse("Invalid Content-Length.", status=400, content_type="text/plain")
        if length > settings.COALITION_MAX_REQUEST_BYTES:
            limit_mb = settings.COALITION_MAX_REQUEST_BYTES // (1024 * 1024)
            return HttpResponse(
                f"Request body too large: the limit is {limit_mb} MB.", status=413, content_type="text/plain"
            )
        return self.get_response(request)


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
