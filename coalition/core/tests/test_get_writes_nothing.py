"""No GET request writes to the database (issue 19): every route of the URL resolver is asked for by GET as each
role and as an anonymous visitor, over the demo coalition, and any INSERT, UPDATE, DELETE or REPLACE sent while a
page is served fails the test with the statement and the page.

A route with parameters gets them from the pages themselves: each role's walk follows the links and form targets its
pages show (so the records are ones that role reaches, as a person would), one address per route. The walk must reach
every route with parameters as one role or another, except those listed in UNREACHED with the reason (the JSON API's
detail routes and the admin's object pages are not walked yet).

One write is allowed, because it is the session itself: the session middleware records, at most once a minute, that
the session was used (`coalition_seen_at`, which the idle limit reads), and Django saves a modified session to its
store (`django_session`). The cache is left out for the same reason (the database cache's table, when configured:
rate limits and MFA replay protection live there). Nothing else may be written.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve

from coalition.accounts.models import User
from coalition.core.access import routes
from coalition.demo.loader import DEMO_DOMAIN, LOGINS, load_demo

pytestmark = pytest.mark.django_db

WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# The session's own bookkeeping (see the module's docstring): its store and the cache, nothing of ours.
BOOKKEEPING = ("django_session", "coalition_cache")
PER_ROUTE = 1  # addresses tried per route and role: one record of each kind, fast enough for CI
# Links and forms' targets: asking for a form's target by GET must write nothing either (it answers 405 or a page).
HREF = re.compile(r'(?:href|action)="(/[^"#?]*)')
SKIP_PREFIXES = ("/static/", "/media/", "/__")
# Routes with parameters the walk does not reach, with the reason (a gap to close, not a permission): the JSON API's
# ids are not links, the admin's object pages are Django's own, and these pages of ours:
NOT_WALKED_PREFIXES = ("api/", "admin/")
EMAILED = "reached from an email's link, with a token or key"
DEEP = "linked only from pages past the walk's one address per route"
NO_KEY = "the demo registers no security key"
UNREACHED: dict[str, str] = {
    "accounts/2fa/webauthn/keys/<int:pk>/edit/": NO_KEY,
    "accounts/2fa/webauthn/keys/<int:pk>/remove/": NO_KEY,
    "accounts/confirm-email/(?P<key>[-:\\w]+)/": EMAILED,
    "accounts/me/sessions/<int:pk>/end/": DEEP,
    "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/": EMAILED,
    "donors/activities/<int:pk>/sharing/": DEEP,
    "library/imports/<int:pk>/": DEEP,
    "library/sources/<int:pk>/delete/": DEEP,
    "meetings/<int:pk>/minutes/approve/": DEEP,
    "meetings/<int:pk>/minutes/return/": DEEP,
    "meetings/calendar/<str:token>.ics": EMAILED,
    "meetings/rsvp/<str:token>/": EMAILED,
    "notifications/unsubscribe/<str:token>/": EMAILED,
    "positions/<int:pk>/<str:decision>/": DEEP,
    "programme/<int:year>/activities/<str:code>/proposals/<int:pk>/": DEEP,
    "response/situations/<int:pk>/": DEEP,
    "response/situations/<int:pk>/close/": DEEP,
    "response/situations/<int:pk>/note/": DEEP,
    "response/situations/<int:pk>/pledge/": DEEP,
    "response/situations/<int:pk>/pledges/<int:item>/": DEEP,
    "response/situations/<int:pk>/report/": DEEP,
    "response/situations/<int:pk>/statement/": DEEP,
    "response/situations/<int:pk>/steps/<int:step>/": DEEP,
    "response/situations/<int:pk>/widen/": DEEP,
    "statements/<slug:slug>/publish/": DEEP,
    "statements/<slug:slug>/respond/": DEEP,
}


class Written(AssertionError):
    pass


@contextmanager
def refusing_writes(path: str, found: list[str]) -> Iterator[None]:
    def guard(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if WRITES.match(sql) and not any(table in sql for table in BOOKKEEPING):
            found.append(f"GET {path}: {sql[:200]}")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(guard):
        yield


def key(route: str) -> str:
    """A route as the resolver's walk and a match both spell it (a regular expression's anchors left out)."""
    return route.replace("^", "").replace("$", "").replace("\\Z", "")


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return key(match.route)


def walk(client: Client, seeds: list[str], visited: dict[str, set[str]], found: list[str]) -> None:
    """Ask for every seed, then for the links the pages show, at most PER_ROUTE addresses per route."""
    queue = deque(seeds)
    seen: set[str] = set()
    tried: dict[str, int] = defaultdict(int)
    while queue:
        path = queue.popleft()
        route = route_of(path)
        if path in seen or route is None or tried[route] >= PER_ROUTE:
            continue
        seen.add(path)
        tried[route] += 1
        visited[route].add(path)
        with refusing_writes(path, found):
            response = client.get(path)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for link in HREF.findall(response.content.decode(errors="replace")):
                if not link.startswith(SKIP_PREFIXES) and link not in seen:
                    queue.append(link)


def test_no_get_request_writes_to_the_database() -> None:
    load_demo()
    started = time.monotonic()
    every = [route for route, _view in routes()]
    plain = sorted({"/" + route.lstrip("^").rstrip("$") for route in every if "<" not in route and "(" not in route})
    clients: list[tuple[str, Client]] = [("anonymous", Client())]
    for role, login, _name, _zone in LOGINS:
        browser = Client()
        browser.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
        clients.append((role, browser))

    found: list[str] = []
    visited: dict[str, set[str]] = defaultdict(set)
    for _role, browser in clients:
        walk(browser, plain, visited, found)

    assert found == [], "\n".join(found)
    with_parameters = {key(route) for route in every if "<" in route or "(" in route}
    print(f"walked {sum(len(paths) for paths in visited.values())} addresses in {time.monotonic() - started:.0f} s")
    unreached = sorted(
        route
        for route in with_parameters - visited.keys() - UNREACHED.keys()
        if not route.startswith(NOT_WALKED_PREFIXES)
    )
    assert unreached == [], "the walk reached none of these routes: give it a record, or say why in UNREACHED"
    print(f"walked {sum(len(paths) for paths in visited.values())} addresses in {time.monotonic() - started:.0f} s")
