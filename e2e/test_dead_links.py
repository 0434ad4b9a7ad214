"""No dead ends: signed in as each demo role (and as nobody), every link a page shows leads somewhere that answers.

The crawl starts at home and follows same-origin links breadth-first. Links are fetched through the browser
context's request client, which shares the signed-in session's cookies, instead of rendering each page: what is
checked is the answer to the link, and rendering would multiply the run time for nothing. GETs never write, so every
link is safe to follow; signing out is the one link skipped, since it would end the crawl's session. Forms are not
sent (a POST writes): each one's view is looked up instead, and the rule it declares asked for the viewer.

It is bounded so that every route is reached without visiting every record: at most `PER_ROUTE` addresses per
resolved URL pattern and query (numbers in the query counted as one), and `PER_ROLE` addresses in all.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import APIRequestContext, Page

from coalition.core import policy
from coalition.core.access import declared_policy

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]
PER_ROUTE = 2
PER_ROLE = 150
# Following these would end the session the crawl runs in, or leave the site for a third party's pages.
SKIPPED_PREFIXES = ("/accounts/logout/", "/static/")
ANONYMOUS = "anonymous"
SIGN_IN = "/accounts/login/"
DEMO_ROLES = ["support", "chair", "focal", "official", "observer", "advisory", "guest"]


class _Links(HTMLParser):
    """The href of every <a> on a page, and the action of every form that posts."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "a" and named.get("href"):
            self.hrefs.append(named["href"] or "")
        elif tag == "form" and (named.get("method") or "get").lower() == "post":
            self.actions.append(named.get("action") or "")


def links_on(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


@dataclass(frozen=True)
class DeadLink:
    role: str
    page: str
    link: str
    outcome: str  # "answered 403", or "sent to sign in" (a link its viewer cannot follow, anonymous or not)

    def __str__(self) -> str:
        return f"{self.role}: {self.page} → {self.link} {self.outcome}"


@dataclass(frozen=True)
class RefusedForm:
    role: str
    page: str
    action: str
    rule: str

    def __str__(self) -> str:
        return f"{self.role}: {self.page} shows a form posting to {self.action}, which {self.rule!r} refuses them"


@dataclass
class Crawl:
    """One role's breadth-first walk: what was fetched, under which route, the links that answered 4xx/5xx, and the
    forms shown whose view's declared rule refuses the viewer (a POST would meet the same 403 as a dead link; forms
    are not sent, since a POST writes)."""

    role: str
    origin: str
    user: Any
    fetched: int = 0
    seen: set[str] = field(default_factory=set)
    per_route: Counter[tuple[str, str]] = field(default_factory=Counter)
    dead: list[DeadLink] = field(default_factory=list)
    refused: list[RefusedForm] = field(default_factory=list)

    def local(self, page: str, href: str) -> str | None:
        """The link as a path with its query on this site, or None when it leads elsewhere or is skipped."""
        if href.startswith("webcal:"):  # the calendar subscription: the same address over HTTP
            href = "http:" + href.removeprefix("webcal:")
        absolute, _fragment = urldefrag(urljoin(self.origin + page, href))
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != self.origin:
            return None
        if parts.path.startswith(SKIPPED_PREFIXES):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def admit(self, link: str) -> bool:
        """Whether the bounds let the crawl fetch this address (once, and a few per route)."""
        if link in self.seen or len(self.seen) >= PER_ROLE:
            return False
        parts = urlsplit(link)
        try:
            route = resolve(parts.path).route
        except Resolver404:
            route = parts.path  # unresolvable: fetched once, and it will answer 404
        key = (route, re.sub(r"\d+", "N", parts.query))  # ids in the query are ids of the same route too
        if self.per_route[key] >= PER_ROUTE:
            return False
        self.per_route[key] += 1
        self.seen.add(link)
        return True

    def run(self, client: APIRequestContext) -> None:
        queue: deque[tuple[str, str]] = deque([("(start)", "/")])
        self.seen.add("/")
        while queue:
            page, link = queue.popleft()
            response = client.get(link, timeout=30_000)
            self.fetched += 1
            if response.status >= 400:
                self.dead.append(DeadLink(self.role, page, link, f"answered {response.status}"))
                continue
            if urlsplit(response.url).path == SIGN_IN and urlsplit(link).path != SIGN_IN:
                self.dead.append(DeadLink(self.role, page, link, "sent to sign in"))
                continue
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            landed = self.local(link, response.url) or link
            found = links_on(response.text())
            for href in found.hrefs:
                target = self.local(landed, href)
                if target is not None and self.admit(target):
                    queue.append((landed, target))
            for action in dict.fromkeys(found.actions):
                self.check_form(landed, action)

    def check_form(self, page: str, action: str) -> None:
        """The rule the form's view declares (`@access`) is the one its POST meets first, asked without an object."""
        target = self.local(page, action) or page
        try:
            callback = resolve(urlsplit(target).path).func
        except Resolver404:
            self.refused.append(RefusedForm(self.role, page, target, "no such address"))
            return
        rule = declared_policy(callback)
        if rule and not policy.can(self.user, rule):
            self.refused.append(RefusedForm(self.role, page, target, rule))


@pytest.fixture
def crawled(page: Page, sign_in: SignIn, live_server: Any, demo: dict[str, Any]) -> Callable[[str], Crawl]:
    """crawled("chair") → the walk done as that demo login (signed in through the real pages), or as nobody."""
    from django.contrib.auth.models import AnonymousUser

    from coalition.accounts.models import User

    def crawl(role: str) -> Crawl:
        signed_in = page if role == ANONYMOUS else sign_in(role)
        user = AnonymousUser() if role == ANONYMOUS else User.objects.get(email=demo[role].email)
        walk = Crawl(role=role, origin=live_server.url, user=user)
        walk.run(signed_in.request)
        return walk

    return crawl


@pytest.mark.parametrize("role", [ANONYMOUS, *DEMO_ROLES])
def test_every_link_and_form_a_role_is_shown_leads_somewhere(crawled: Callable[[str], Crawl], role: str) -> None:
    """Issue 17 (4): no link shown answers 4xx/5xx or sends its viewer to sign in, and no form shown posts to a view
    whose rule refuses the viewer."""
    walk = crawled(role)
    assert walk.fetched > 10, "the crawl barely started: is home reachable?"
    problems = [*walk.dead, *walk.refused]
    assert not problems, "dead ends:\n" + "\n".join(str(problem) for problem in problems)


def test_a_form_posting_to_a_view_whose_rule_refuses_the_viewer_is_reported(make_user: Callable[..., Any]) -> None:
    """The form check itself, without a browser: the Advisory Network may not start a meeting series."""
    from coalition.core.policy import Role

    walk = Crawl(role="advisory", origin="http://testserver", user=make_user(Role.ADVISORY_NETWORK))
    walk.check_form("/meetings/", "/meetings/series/new/")
    walk.check_form("/meetings/", "/i18n/setlang/")
    walk.check_form("/meetings/", "")  # a form that posts back to its page
    assert [(form.action, form.rule) for form in walk.refused] == [("/meetings/series/new/", "meetings.manage")]
