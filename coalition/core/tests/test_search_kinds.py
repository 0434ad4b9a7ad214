"""Generated over every kind the platform search offers, on the demo coalition: as four roles, a query finds exactly
the records of the kind that the reader's list page shows and whose text matches, and the list page's query is the
one the kind searches in."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from coalition.accounts.models import User
from coalition.core import search
from coalition.core.models import SearchEntry
from coalition.core.search.index import texts_of
from coalition.core.tests.clients import client_for
from coalition.demo.loader import DEMO_DOMAIN
from coalition.demo.tests.snapshot import demo_coalition
from coalition.directory.models import Country
from coalition.meetings import queries as meeting_queries
from coalition.response import services
from coalition.response.models import Situation

ROLES = ("support", "focal", "advisory", None)  # Support Unit, a member's focal point, Advisory Network, anonymous

# Each kind's list page, and the named query that page reads its rows from (the kind's `readable` must return the
# same rows as that query does for the page).
LIST_PAGES: dict[str, tuple[str, dict[str, str], str, str]] = {
    "directory.organisation": (
        "directory:members",
        {"status": "all"},
        "coalition.directory.queries",
        "participants_on",
    ),
    "directory.person": ("directory:people", {}, "coalition.directory.queries", "people_for"),
    "programme.activity": ("programme:index", {}, "coalition.programme.queries", "visible_activities"),
    "meetings.meeting": ("meetings:index", {}, "coalition.meetings.queries", "meetings"),
    "documents.document": ("documents:index", {}, "coalition.documents.queries", "index"),
    "statements.statement": ("statements:index", {}, "coalition.statements.queries", "listed"),
    "library.paragraph": ("library:search", {"q": "freedom"}, "coalition.library.visibility", "visible_paragraphs"),
    "response.situation": ("response:index", {}, "coalition.response.queries", "situations"),
    "donors.activity": ("donors:activities", {}, "coalition.donors.queries", "activities"),
}
KINDS = sorted(search.registered())


@pytest.fixture
def demo(transactional_db: Any) -> dict[str | None, Any]:
    demo_coalition()
    users: dict[str | None, Any] = {login: User.objects.get(email=f"{login}@{DEMO_DOMAIN}") for login in ROLES if login}
    users[None] = AnonymousUser()
    _situations(users["support"])
    return users


def _situations(support: Any) -> None:
    """The demo opens no rapid-response situation: three, read by the members, the coalition and everyone."""
    countries = Country.objects.order_by("code")[:3]
    for country, classification, summary in zip(
        countries,
        ("members", "coalition", "public"),
        (
            "Mobile networks shut down during the vote",
            "Journalists detained; mobile data throttled",
            "Social media blocked",
        ),
        strict=True,
    ):
        found = services.open_situation(
            by=support, country=country, title=f"Shutdown in {country.name}", summary=summary
        )
        Situation.objects.filter(pk=found.pk).update(classification=classification)


def _ids(rows: Any) -> set[int]:
    return set(rows.values_list("pk", flat=True))


def _queries(kind: search.Kind) -> list[search.Query]:
    """Queries drawn from the kind's indexed words: the commonest word's prefix, the two longest words of the
    record fewest readers see, and two common words together."""
    entries = list(SearchEntry.objects.filter(kind=kind.key).values_list("object_id", "words"))
    counts = Counter(word for _pk, words in entries for word in set(words.split()) if len(word) >= 4 and word.isalpha())
    common = [word for word, _n in counts.most_common(2)]
    raw = [common[0][:4], " ".join(common)] if common else []
    everyone = _ids(kind.readable(AnonymousUser()))
    narrow = [words for pk, words in entries if pk not in everyone and words]
    if narrow:
        raw.append(" ".join(sorted(set(narrow[0].split()), key=len)[-2:]))
    return [search.parse(text) for text in raw]


def test_every_kind_the_issue_names_is_registered() -> None:
    assert set(KINDS) >= {*LIST_PAGES, "meetings.minutes"}


@pytest.mark.parametrize("key", KINDS)
def test_a_query_finds_exactly_the_matching_records_each_reader_may_list(key: str, demo: dict[str | None, Any]) -> None:
    kind = search.registered()[key]
    queries = _queries(kind)
    assert queries, f"the demo has no words indexed for {key}"
    found_somewhere = False
    for role in ROLES:
        user = demo[role]
        readable = _ids(kind.readable(user))
        texts = texts_of(kind, readable)
        for query in queries:
            expected = {pk for pk, text in texts.items() if query.matches(search.words_of(text))}
            found = _ids(search.matching(user, kind, query))
            assert found == expected, (key, role, query.terms)
            grouped = search.find(user, query, kinds=[key], limit=3).groups
            assert (grouped[0].count if grouped else 0) == len(expected)
            found_somewhere |= bool(found)
    assert found_somewhere, f"no query found any {key}"


@pytest.mark.parametrize("key", sorted(LIST_PAGES))
def test_each_kind_searches_the_rows_its_list_page_reads(key: str, demo: dict[str | None, Any]) -> None:
    kind = search.registered()[key]
    url, params, module_name, function_name = LIST_PAGES[key]
    module = importlib.import_module(module_name)
    original: Callable[..., Any] = getattr(module, function_name)
    for role in ROLES:
        user = demo[role]
        returned: list[Any] = []

        def spy(
            *args: Any,
            _original: Callable[..., Any] = original,
            _user: Any = user,
            _returned: list[Any] = returned,
            **kwargs: Any,
        ) -> Any:
            rows = _original(*args, **kwargs)
            if (args and args[0] == _user) or kwargs.get("user") == _user:
                _returned.append(rows)
            return rows

        with mock.patch.object(module, function_name, spy):
            client = client_for(user if role else None)
            response = client.get(reverse(url), params)
            if response.status_code == 302 and not response["Location"].startswith(reverse("account_login")):
                response = client.get(response["Location"])  # the programme's index opens the current programme
        if response.status_code != 200:  # a page the reader may not open: the search finds nothing of its kind
            assert response.status_code in {302, 403}
            assert not _ids(kind.readable(user)), (key, role)
            continue
        assert returned, f"{url} did not read {function_name} as {role}"
        assert _ids(returned[0]) == _ids(kind.readable(user)), (key, role)


def test_minutes_are_found_by_those_the_meeting_page_shows_them_to(demo: dict[str | None, Any]) -> None:
    kind = search.registered()["meetings.minutes"]
    for role in ROLES:
        user = demo[role]
        shown = {m.pk for m in meeting_queries.meetings(user) if meeting_queries.may_see_minutes(user, m)}
        assert _ids(kind.readable(user)) == shown, role


def test_the_readers_see_different_records(demo: dict[str | None, Any]) -> None:
    # The demo holds records of several classifications, so the generated test above compares real differences.
    kinds = search.registered().values()
    assert any(_ids(k.readable(demo[None])) < _ids(k.readable(demo["support"])) for k in kinds)
    assert any(_ids(k.readable(demo["advisory"])) < _ids(k.readable(demo["focal"])) for k in kinds)
