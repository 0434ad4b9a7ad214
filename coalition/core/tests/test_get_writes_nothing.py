"""No GET request writes to the database (issue 19): every route of the URL resolver is asked for by GET as each
role and as an anonymous visitor, over the demo coalition, and any INSERT, UPDATE, DELETE or REPLACE sent while a
page is served fails the test with the statement and the page.

A route with parameters gets them from the pages themselves: each role's walk follows the links and form targets its
pages show (so the records are ones that role reaches, as a person would), and the ids in the JSON API's lists to its
detail routes, one address per route. Routes linked only from pages deeper than that, and those reached from an
email (a signed token), are given to every role as seeds built from the demo's records (`deep_seeds`): whatever the
page answers (200, 403, 404, 405), it must write nothing. The walk must reach every route with parameters as one role
or another, except those in UNREACHED with the reason; the admin's object pages are Django's own and not walked.

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
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection, models
from django.test import Client
from django.urls import Resolver404, resolve, reverse

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
# Routes with parameters the walk does not reach, with the reason: the admin's object pages are Django's own, and:
NOT_WALKED_PREFIXES = ("admin/",)
EMAILED = "reached from an email's link, with a key allauth makes and keeps"
NO_KEY = "the demo registers no security key"
UNREACHED: dict[str, str] = {
    "accounts/2fa/webauthn/keys/<int:pk>/edit/": NO_KEY,
    "accounts/2fa/webauthn/keys/<int:pk>/remove/": NO_KEY,
    "accounts/confirm-email/(?P<key>[-:\\w]+)/": EMAILED,
    "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/": EMAILED,
}


def first(model: type[models.Model], **filters: Any) -> Any:
    return model._default_manager.filter(**filters).order_by("pk").first()


def deep_seeds() -> list[str]:
    """Addresses the links of the walk's first pages do not lead to, built from the demo's records (made before the
    walk, outside its guard): every role asks for each of them."""
    from coalition.accounts.models import UserSession
    from coalition.directory.models import Position
    from coalition.donors.models import FundingActivity
    from coalition.library.models import QueuedImport, Source
    from coalition.meetings.calendar import issue_feed
    from coalition.meetings.models import Invitation, Meeting
    from coalition.meetings.rsvp import rsvp_url
    from coalition.notifications.unsubscribe import make_token
    from coalition.programme.models import StatusProposal
    from coalition.response.models import PlaybookStep, Pledge, Situation
    from coalition.statements.models import Statement

    def pk(record: Any) -> int:
        return record.pk if record is not None else 1  # no such record in the demo: the page answers 404

    seeds: list[str] = []
    situation = pk(first(Situation))
    for name in ("situation", "close", "note", "pledge", "report", "fast_track", "widen"):
        seeds.append(reverse(f"response:{name}", args=[situation]))
    step, pledge = first(PlaybookStep), first(Pledge)
    seeds.append(reverse("response:step", args=[step.situation_id if step else situation, pk(step)]))
    seeds.append(reverse("response:pledge_status", args=[pledge.situation_id if pledge else situation, pk(pledge)]))
    statement = first(Statement)
    for name in ("publish", "respond"):
        seeds.append(reverse(f"statements:{name}", args=[statement.slug if statement else "none"]))
    meeting = pk(first(Meeting))
    for name in ("approve_previous", "return_to_draft"):
        seeds.append(reverse(f"meetings:{name}", args=[meeting]))
    proposal = first(StatusProposal)
    if proposal is not None:
        activity = proposal.activity
        year = activity.objective.goal.programme.year
        seeds.append(reverse("programme:decide_proposal", args=[year, activity.code, proposal.pk]))
    else:
        seeds.append(reverse("programme:decide_proposal", args=[2000, "none", 1]))
    seeds.append(reverse("donors:tier", args=[pk(first(FundingActivity))]))
    seeds.append(reverse("library:queued_import", args=[pk(first(QueuedImport))]))
    seeds.append(reverse("library:delete", args=[pk(first(Source))]))
    seeds.append(reverse("accounts:end_session", args=[pk(first(UserSession))]))
    for decision in ("confirm", "decline"):
        seeds.append(reverse("directory:decide_position", args=[pk(first(Position)), decision]))
    # The emailed links, with tokens made as the apps make them for a demo account.
    account = User.objects.get(email=f"{LOGINS[0][1]}@{DEMO_DOMAIN}")
    seeds.append(reverse("notifications:unsubscribe", args=[make_token(account, "digest")]))
    invitation = first(Invitation)
    if invitation is not None:
        seeds.append(rsvp_url(invitation, sequence=getattr(invitation.meeting, "sequence", 0)))
    assert account.person is not None
    _feed, raw = issue_feed(person=account.person, by=account)
    seeds.append(reverse("meetings:feed", args=[raw]))
    return [seed.removeprefix(settings.SITE_URL) for seed in seeds]


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
        links: list[str] = []
        if path.startswith("/api/") and not path.endswith(".json"):
            links.append(f"{path.rstrip('/')}.json")  # the same answer with a format suffix, whatever it was
        kind = response.get("Content-Type", "") if response.status_code == 200 else ""
        if "html" in kind:
            links += HREF.findall(response.content.decode(errors="replace"))
        elif "json" in kind and path.startswith("/api/"):
            links += api_details(path, response.json())
        queue.extend(link for link in links if not link.startswith(SKIP_PREFIXES) and link not in seen)


def api_details(path: str, body: Any) -> list[str]:
    """Where a JSON API list leads (DRF's paged `results`): its first record's detail address, by the view set's
    lookup field or the record's `url`, with the detail's extra actions (`…/participation/`)."""
    found: list[str] = []
    viewset = getattr(resolve(path).func, "cls", None)
    results = body.get("results") if isinstance(body, dict) else body
    if viewset is None or not isinstance(results, list) or resolve(path).kwargs:
        return found  # a detail, or not a view set's list
    for record in results[:PER_ROUTE]:
        field = "id" if viewset.lookup_field == "pk" else viewset.lookup_field
        lookup = record.get(field) if isinstance(record, dict) else None
        if lookup is not None:
            detail = f"{path.rstrip('/')}/{lookup}/"
        elif isinstance(record, dict) and isinstance(record.get("url"), str):
            detail = urlsplit(record["url"]).path
        else:
            continue
        found.append(detail)
        found.extend(f"{detail}{action.url_path}/" for action in viewset.get_extra_actions() if action.detail)
    return found


def test_no_get_request_writes_to_the_database() -> None:
    load_demo()
    started = time.monotonic()
    every = [route for route, _view in routes()]
    # A router's routes are spelt "api/v1/^bodies/$": key() takes every anchor out, not only the outer ones.
    plain = sorted({"/" + key(route) for route in every if "<" not in route and "(" not in route})
    clients: list[tuple[str, Client]] = [("anonymous", Client())]
    for role, login, _name, _zone in LOGINS:
        browser = Client()
        browser.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
        clients.append((role, browser))

    seeds = plain + deep_seeds()
    found: list[str] = []
    visited: dict[str, set[str]] = defaultdict(set)
    for _role, browser in clients:
        walk(browser, seeds, visited, found)

    assert found == [], "\n".join(found)
    with_parameters = {key(route) for route in every if "<" in route or "(" in route}
    print(f"walked {sum(len(paths) for paths in visited.values())} addresses in {time.monotonic() - started:.0f} s")
    unreached = sorted(
        route
        for route in with_parameters - visited.keys() - UNREACHED.keys()
        if not route.startswith(NOT_WALKED_PREFIXES)
    )
    assert unreached == [], "the walk reached none of these routes: give it a record, or say why in UNREACHED"
