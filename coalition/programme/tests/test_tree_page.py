"""The programme page lists at most ROWS_PER_OBJECTIVE activities of each objective (issue 20), with a link to all
of that objective's, page by page, its filters kept: every activity stays reachable. Its roll-up and rows agree with
the whole tree's (queries.tree, which the annual report reads)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.core.policy import Classification, Role
from coalition.directory.tests.factories import government
from coalition.programme import queries
from coalition.programme.models import Status
from coalition.programme.tests.test_tree import ON, Build, filtered, listed  # noqa: F401  # `filtered`: a fixture

TREE = "/programme/2023/"
STATUSES = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.DONE, Status.BLOCKED, Status.DROPPED]


def _rows(page: queries.TreePage) -> list[tuple[str, Any, Any, bool]]:
    return [
        (a.code, a.last_update_on, a.update_count, a.is_overdue_now)
        for goal in page.tree.goals
        for objective in goal.children
        for a in objective.children
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [
        None,
        {"status": "in_progress"},
        {"lead": "org:{ghana}"},
        {"topic": "AI"},
        {"overdue": True},
        {"stale_days": 30},
        {"stale_days": 200},
        {"lead": "body:999999"},
    ],
)
@pytest.mark.parametrize("role", [None, Role.MEMBER_OFFICIAL, Role.SUPPORT_UNIT])
def test_the_page_lists_and_rolls_up_what_the_whole_tree_does(filtered, make_user, filters, role):  # noqa: F811
    user = AnonymousUser() if role is None else make_user(role)
    if filters and "lead" in filters:
        filters = {**filters, "lead": filters["lead"].format(ghana=government("GH").pk)}
    chosen = queries.TreeFilters(**filters) if filters else None
    whole = queries.tree(user, filtered.programme, filters=chosen, on=ON)
    page = queries.tree_page(user, filtered.programme, filters=chosen, on=ON)
    assert (page.tree.progress, page.tree.counts, page.tree.shown) == (whole.progress, whole.counts, whole.shown)
    for goal, whole_goal in zip(page.tree.goals, whole.goals, strict=True):
        assert (goal.item, goal.progress, goal.counts) == (whole_goal.item, whole_goal.progress, whole_goal.counts)
        for objective, whole_objective in zip(goal.children, whole_goal.children, strict=True):
            assert (objective.item, objective.progress, objective.counts, objective.shown) == (
                whole_objective.item,
                whole_objective.progress,
                whole_objective.counts,
                whole_objective.shown,
            )
    rows = [
        (a.code, a.last_update_on, a.update_count, a.is_overdue_now)
        for goal in whole.goals
        for objective in goal.children
        for a in objective.children
    ]
    assert _rows(page) == rows


@pytest.fixture
def crowded(db: Any) -> Build:
    """Objective 1A with 23 activities (some members-only, one blocked in three), 1B with 3."""
    build = Build()
    for n in range(1, 24):
        build.activity(
            f"1A.{n}",
            STATUSES[n % 4] if n % 3 else Status.BLOCKED,
            classification=Classification.MEMBERS if n % 5 == 0 else Classification.PUBLIC,
        )
    for n in range(1, 4):
        build.activity(f"1B.{n}", Status.DONE)
    return build


def _links(html: str, text: str) -> list[str]:
    return [unescape(href) for href in re.findall(rf'<a href="([^"]*)"[^>]*>{text}', html)]


def _every_activity_reached(client: Any, query: str) -> list[str]:
    """Follow the page's "see all" links, then each objective's next pages: the activities met on the way."""
    page = client.get(TREE + query).content.decode()
    seen = listed(page.encode())
    for see_all in _links(page, "See all"):
        address: str | None = TREE + see_all
        while address:
            response = client.get(address)
            assert response.status_code == 200
            html = response.content.decode()
            seen += listed(response.content)
            following = _links(html, "Next page")
            address = TREE + following[0] if following else None
    return seen


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, Role.MEMBER_OFFICIAL])
def test_every_activity_is_reachable_from_the_bounded_page(crowded, make_user, client, monkeypatch, role):
    monkeypatch.setattr(queries, "ROWS_PER_PAGE", 10)
    if role is not None:
        client.force_login(make_user(role))
    user = AnonymousUser() if role is None else make_user(role)
    everything = [a.code for a in queries.activities(user, crowded.programme)]
    page = client.get(TREE).content.decode()
    shown = listed(page.encode())
    assert len([code for code in shown if code.startswith("1A.")]) == queries.ROWS_PER_OBJECTIVE
    assert [code for code in shown if code.startswith("1B.")] == ["1B.1", "1B.2", "1B.3"]
    in_1a = len([code for code in everything if code.startswith("1A.")])
    assert f"See all {in_1a} activities of objective 1A" in page
    assert f"{len(everything)} activities listed" in page
    assert _links(page, "See all") == ["?objective=1A"]  # 1B is shown whole: no link
    reached = _every_activity_reached(client, "")
    # Each 1A activity on the programme page and again on its objective's pages; 1B's once.
    assert sorted(set(reached)) == sorted(everything)
    assert [code for code in reached if code.startswith("1A.")][queries.ROWS_PER_OBJECTIVE :] == [
        code for code in everything if code.startswith("1A.")
    ]


@pytest.mark.django_db
def test_the_filters_are_kept_on_the_way_to_every_matching_activity(crowded, client, monkeypatch):
    monkeypatch.setattr(queries, "ROWS_PER_OBJECTIVE", 3)
    monkeypatch.setattr(queries, "ROWS_PER_PAGE", 2)
    blocked = [a.code for a in queries.activities(AnonymousUser(), crowded.programme) if a.status == Status.BLOCKED]
    page = client.get(TREE, {"status": "blocked"}).content.decode()
    assert _links(page, "See all") == ["?status=blocked&objective=1A"]
    assert f"{len(blocked)} activities listed" in page
    objective = client.get(TREE, {"status": "blocked", "objective": "1A"}).content.decode()
    assert '<input type="hidden" name="objective" value="1A">' in objective  # filtering again stays on 1A
    assert _links(objective, "All objectives") == ["?status=blocked"]
    reached = _every_activity_reached(client, "?status=blocked")
    assert reached[3:] == blocked and reached[:3] == blocked[:3]


@pytest.mark.django_db
def test_an_unknown_objective_or_page_shows_the_whole_programme_or_the_last_page(crowded, client, monkeypatch):
    monkeypatch.setattr(queries, "ROWS_PER_PAGE", 10)
    assert listed(client.get(TREE, {"objective": "9Z"}).content) == listed(client.get(TREE).content)
    last = client.get(TREE, {"objective": "1A", "page": "99"})
    assert last.status_code == 200
    assert b"Page 2 of 2" in last.content
    assert listed(last.content) == [f"1A.{n}" for n in range(1, 24) if n % 5][10:]
