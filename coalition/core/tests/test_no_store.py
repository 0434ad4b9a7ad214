"""Nothing said to a signed-in person is kept by a browser or a shared cache: every answer to an authenticated
request — pages, redirects, errors, downloads and API answers — carries `Cache-Control: private, no-store`
(issue 16, item 11). The rule lives in one middleware, so these tests walk every route rather than a list of
pages, and then follow the links of the demo coalition to reach the pages that need real records."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse
from rest_framework.test import APIClient

from coalition.accounts.models import ServiceToken, User
from coalition.core.policy import Role
from coalition.demo.loader import DEMO_DOMAIN, load_demo

pytestmark = pytest.mark.django_db

# Values tried for a route's parameters until `reverse` accepts them: a number, a year, an activity code, a word, an
# app of the admin and a format suffix. A route's record need not exist: a 404 is an answer too.
CANDIDATES = ["1", "2023", "1A.1", "x", "accounts", "json"]


def not_stored(response: Any) -> bool:
    directives = {part.strip().split("=")[0] for part in response.get("Cache-Control", "").lower().split(",")}
    return {"private", "no-store"} <= directives and "public" not in directives


ALTERNATIVES = re.compile(r"\(\?P<(\w+)>([\w-]+(?:\|[\w-]+)+)\)")


Params = tuple[tuple[str, tuple[str, ...]], ...]


def named_routes(
    patterns: list[Any] | None = None, namespace: str = "", params: Params = (), prefix: str = "/"
) -> Iterator[tuple[str, Params]]:
    """Every route of the site with the parameters it takes (from every level of the resolver), each with the
    words its pattern lists when it is a choice of words (`(?P<fmt>xlsx|csv)`). An unnamed route (the admin's
    old object address) comes as its path, with its parameters filled in."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        regex = pattern.pattern.regex
        choices = {name: tuple(words.split("|")) for name, words in ALTERNATIVES.findall(regex.pattern)}
        found = params + tuple((name, choices.get(name, ())) for name in regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_routes(pattern.url_patterns, inner, found, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", found
        elif isinstance(pattern, URLPattern):
            yield re.sub(r"<[^>]+>", "1", prefix + str(pattern.pattern)), ()


def some_url(name: str, params: Params) -> str:
    if name.startswith("/"):
        return name
    for values in itertools.product(*([*choices, *CANDIDATES] for _param, choices in params)):
        try:
            return reverse(name, kwargs={param: value for (param, _c), value in zip(params, values, strict=True)})
        except NoReverseMatch:
            continue
    raise AssertionError(f"no sample values reach {name} {params}: add one to CANDIDATES")


def every_url() -> list[str]:
    return sorted({some_url(name, params) for name, params in named_routes()})


@pytest.mark.parametrize("role", [Role.SUPPORT_UNIT, Role.FOCAL_POINT, Role.ADVISORY_NETWORK])
def test_every_route_answers_a_signed_in_person_with_no_store(signed_in_client: Any, role: Role) -> None:
    client = signed_in_client(role)
    stored = []
    for url in every_url():
        response = client.get(url)
        if not not_stored(response):
            stored.append(f"{url} {response.status_code} {response.get('Cache-Control', '(none)')!r}")
    assert stored == []


def test_every_route_answers_an_api_token_with_no_store(make_user: Any) -> None:
    account = User.objects.create_user(email="robot@example.org", password=None, is_service_account=True)
    _token, raw = ServiceToken.issue(user=account, name="feed reader")
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    stored = [url for url in every_url() if url.startswith("/api/") and not not_stored(caller.get(url))]
    assert stored == []


def test_an_anonymous_visitor_may_still_be_served_from_a_cache(client: Client) -> None:
    """The rule is about who is signed in: a public page for a visitor is not forced out of caches."""
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_the_sign_out_and_a_signed_out_session_are_not_stored(signed_in_client: Any, settings: Any) -> None:
    """A session that ends during the request (here: past the absolute limit) answered its owner."""
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    session = client.session
    session["coalition_auth_at"] = 0
    session.save()
    response = client.get("/accounts/me/")
    assert response.status_code == 302 and not_stored(response)


def test_the_personal_calendar_feed_is_not_stored(signed_in_client: Any) -> None:
    """The feed is fetched without a session, but it is one person's meetings: the token stands for a sign-in."""
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    page = client.post(reverse("meetings:feed_settings"), {"action": "create"})
    address = re.search(r"https?://[^\s\"<]+\.ics", page.content.decode())
    assert address is not None
    feed = Client().get(urlsplit(address.group(0)).path)
    assert feed.status_code == 200 and not_stored(feed)


# --- Following links in the demo coalition: the pages that need real records -----------------------------------

LINK = re.compile(r"""href="(/[^"#]*)""")
MUST_REACH = {
    "accounts:me",
    "core:audit",
    "directory:organisation",  # contact details of its people
    "documents:document",
    "documents:version",
    "meetings:meeting",
    "meetings:minutes",
    "meetings:my_invitation",  # an .ics download
    "programme:export_csv",
    "statements:statement",
}


def crawl(client: Client, start: list[str], per_view: int = 3) -> dict[str, Any]:
    """GET the same-site links reachable from `start` (GET never writes here), a few for each view, keeping each
    answer."""
    seen: dict[str, Any] = {}
    views: dict[str, int] = {}
    queue = list(start)
    while queue:
        url = queue.pop(0)
        if url in seen or url.startswith(("/admin/", "/static/", "/accounts/logout/", "/i18n/")):
            continue
        view = resolve(urlsplit(url).path).view_name
        views[view] = views.get(view, 0) + 1
        if views[view] > per_view:
            continue
        response = client.get(url)
        seen[url] = response
        if response.get("Content-Type", "").startswith("text/html"):
            queue.extend(LINK.findall(response.content.decode().replace("&amp;", "&")))
    return seen


@pytest.mark.parametrize("login", ["support", "focal"])
def test_every_page_reached_by_a_link_in_the_demo_is_not_stored(login: str) -> None:
    load_demo()
    client = Client()
    client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
    answers = crawl(client, ["/", "/accounts/me/", "/audit/", "/meetings/", "/documents/", "/support/accounts/"])
    reached = {resolve(urlsplit(url).path).view_name for url in answers}
    if login == "support":
        assert reached >= MUST_REACH
    stored = [url for url, response in answers.items() if not not_stored(response)]
    assert stored == []


def test_every_api_answer_about_a_demo_record_is_not_stored() -> None:
    """Each API list, and the first record of each, as a signed-in person of the demo."""
    load_demo()
    client = Client()
    client.force_login(User.objects.get(email=f"support@{DEMO_DOMAIN}"))
    lists = [reverse(name) for name, params in named_routes() if name.endswith("-list") and not params]
    assert len(lists) >= 10
    stored = []
    for url in lists:
        answer = client.get(url)
        rows = answer.json().get("results", []) if answer.status_code == 200 else []
        details = [url + str(rows[0]["id"]) + "/"] if rows and "id" in rows[0] else []
        for checked, response in [(url, answer), *((d, client.get(d)) for d in details)]:
            if not not_stored(response):
                stored.append(checked)
    assert stored == []
