"""Declaring each view's access rule where the view is defined.

`@access("directory.manage")` both enforces the object-less part of the rule and labels the view, so the test that
walks the URL resolver can prove every view and endpoint declares one. Object-level reads then go through
`policy.visible_to` / `policy.require` inside the view.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from coalition.core import policy
from coalition.core.errors import AccessDenied
from coalition.core.return_to import page_to_return_to


def access(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    if action not in policy.RULES:
        raise LookupError(f"No access rule is declared for {action!r}")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not policy.can(request.user, action):
                if not request.user.is_authenticated:
                    # A form sent without a session comes back to the page it was on, not to its POST-only address.
                    return redirect_to_login(page_to_return_to(request))
                raise AccessDenied("You do not have access to this page.")
            return view(request, *args, **kwargs)

        wrapped.access_policy = action  # type: ignore[attr-defined]
        return wrapped

    return decorate


def personal(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages whose content depends on who reads them (drafts, members-only records, restricted reports): for a
    signed-in person the answer is never stored by a browser or a shared cache. (`PrivateAnswersMiddleware` now
    does this for every answer to a signed-in person; the decorator stays as a label on the views that had it.)"""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            keep_private(response)
        return response

    return wrapped


# Directives that would let a cache keep or share an answer; `private, no-store` replaces them.
_REPLACED = {"public", "private", "no-store", "max-age", "s-maxage", "stale-while-revalidate", "stale-if-error"}


def keep_private(response: HttpResponse) -> None:
    """Mark an answer `private, no-store`, keeping the directives that do not let it be stored."""
    directives = [part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()]
    kept = [part for part in directives if part.split("=")[0].strip().lower() not in _REPLACED]
    response["Cache-Control"] = ", ".join(["private", "no-store", *kept])
    if "Expires" in response:
        del response["Expires"]


# Views we do not write ourselves, and the rule that governs them. The URL-walking test accepts a view from these
# modules only; everything else must carry `access_policy`.
THIRD_PARTY_VIEWS: dict[str, str] = {
    "allauth.": "authentication",
    "django.contrib.admin": "admin.use",  # CoalitionAdminSite.has_permission asks the policy
    "django.views.static": "public",
    "django.views.i18n": "public",
    "django.contrib.staticfiles": "public",
    "drf_spectacular.": "public",
}


# Routes whose every view another component guards: the admin site asks the policy in has_permission
# (CoalitionAdminSite), including its redirects and the content-type shortcut.
THIRD_PARTY_ROUTES: dict[str, str] = {"admin/": "admin.use"}


def declared_policy(callback: Any, route: str = "") -> str | None:
    for candidate in (callback, getattr(callback, "view_class", None), getattr(callback, "cls", None)):
        declared = getattr(candidate, "access_policy", None)
        if declared:
            return str(declared)
    module = getattr(callback, "__module__", "") or ""
    for prefix, rule in THIRD_PARTY_VIEWS.items():
        if module.startswith(prefix):
            return rule
    for prefix, rule in THIRD_PARTY_ROUTES.items():
        if route.startswith(prefix):
            return rule
    return None


def routes(patterns: list[Any] | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every route of the site with its view (for the checks that each one declares its rule)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback
