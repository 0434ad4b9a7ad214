"""Where a person goes back to after signing in, and what a browser gets when it asks to see a POST-only address.

A form sent with an expired session is answered with the sign-in page. Its `next` must be the page the form was on,
not the address the form posted to: after signing in the browser GETs `next`, and a POST-only view answers a GET
with 405 and an empty page — the person loses their place (and, without the draft script, their text)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

SAFE_METHODS = ("GET", "HEAD")


def same_origin_path(url: str, request: HttpRequest) -> str | None:
    """The path and query of `url` when it points at this site, else None (so it can never send anyone away)."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    # "https://site//evil.example/" has the path "//evil.example/", which a browser reads as another host.
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    return f"{path}?{parts.query}" if parts.query else path


def page_to_return_to(request: HttpRequest) -> str:
    """The page to come back to after signing in: the address itself for a GET; for a form sent with POST (or any
    other method) the page the form was on, as the browser's same-origin Referer names it. Without one, the posted
    address: `PostOnlyFallbackMiddleware` turns a GET of it into a redirect to the page it belongs to."""
    if request.method in SAFE_METHODS:
        return request.get_full_path()
    referer = same_origin_path(request.META.get("HTTP_REFERER", ""), request)
    if referer and not referer.startswith(reverse(settings.LOGIN_URL)):
        return referer
    return request.path


def page_above(path: str) -> str:
    """The nearest address above `path` that the site routes ("/programme/2023/activities/1B.2/updates/" →
    "/programme/2023/activities/1B.2/"), ending at the home page."""
    segments = [segment for segment in path.split("/") if segment]
    while segments:
        segments.pop()
        candidate = "/" + "".join(f"{segment}/" for segment in segments)
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"


class PostOnlyFallbackMiddleware:
    """A browser that GETs a POST-only address (a `next` after signing in, a bookmark, a language switch on a page
    re-rendered after a POST) is sent to the page the address belongs to, with a word of why, instead of an empty
    405. Programs (the API, anything that does not ask for HTML) still get the 405 that tells them the method."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method in SAFE_METHODS
            and "text/html" in request.META.get("HTTP_ACCEPT", "")
            and not request.path.startswith("/api/")
        ):
            messages.info(
                request, _("That address only receives forms; this is the page it belongs to."), fail_silently=True
            )
            return HttpResponseRedirect(page_above(request.path))
        return response
