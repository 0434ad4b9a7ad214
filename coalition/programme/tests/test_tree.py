"""The programme tree: progress rolled up by explicit weights, the filters, what each viewer's "last update" is made
of, and the whole 2023 programme within the query and page-weight budgets."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import Client

from coalition.accounts.models import User
from coalition.core.policy import Classification, Role
from coalition.core.tests.test_page_weight import BUDGET_BYTES, weight
from coalition.demo.loader import DEMO_DOMAIN
from coalition.directory.tests.factories import BodyFactory, government
from coalition.programme import queries
from coalition.programme.models import (
    Activity,
    Goal,
    Objective,
    PolicyTopic,
    Programme,
    ProgressUpdate,
    Status,
)
from coalition.programme.tests.budget_data import load_demo_with_two_hundred_updates

MakeUser = Callable[..., Any]
ON = dt.date(2023, 9, 1)  # the day the tree is looked at, inside the 2023 programme
MAX_QUERIES = 15


def codes(tree: queries.Tree) -> list[str]:
    """The activities the tree lists, in order."""
    return [a.code for goal in tree.goals for objective in goal.children for a in objective.children]


def listed(html: bytes) -> list[str]:
    return re.findall(r"<strong>(\d[A-Z]\.\d+)</strong>", html.decode())


class Build:
    """A small programme, built goal by goal with explicit weights."""

    def __init__(self, year: int = 2023) -> None:
        self.programme = Programme.objects.create(
            title=f"Program of Action {year}", year=year, starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31)
        )
        self.objectives: dict[str, Objective] = {}

    def objective(self, code: str, *, weight: str = "1", goal_weight: str | None = None) -> Objective:
        goal, _ = Goal.objects.get_or_create(
            programme=self.programme, number=int(code[0]), defaults={"title": f"Goal {code[0]}"}
        )
        if goal_weight is not None:
            goal.weight = Decimal(goal_weight)
            goal.save(update_fields=["weight"])
        self.objectives[code] = Objective.objects.create(
            goal=goal, code=code, title=f"Objective {code}", weight=Decimal(weight)
        )
        return self.objectives[code]

    def activity(self, code: str, status: str = Status.NOT_STARTED, *, weight: str = "1", **fields: Any) -> Activity:
        objective_code, number = code.split(".")
        if objective_code not in self.objectives:
            self.objective(objective_code)
        if status in {Status.BLOCKED, Status.DROPPED}:
            fields.setdefault("status_reason", "Because.")
        fields.setdefault("target_on", self.programme.ends_on)
        return Activity.objects.create(
            objective=self.objectives[objective_code],
            number=int(number),
            code=code,
            title=f"Activity {code}",
            status=status,
            weight=Decimal(weight),
            **fields,
        )


# --- Roll-up ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_progress_rolls_up_by_the_weights_of_activities_objectives_and_goals():
    build = Build()
    build.objective("1A", weight="1", goal_weight="1")
    build.activity("1A.1", Status.DONE, weight="1")
    build.activity("1A.2", Status.NOT_STARTED, weight="3")  # 1A: (1×1 + 3×0) / 4 = 0.25
    build.objective("1B", weight="2")
    build.activity("1B.1", Status.IN_PROGRESS, weight="1")
    build.activity("1B.2", Status.DROPPED, weight="5")  # 1B: dropped leaves the denominator → 0.5
    build.objective("2A", weight="1", goal_weight="3")
    build.activity("2A.1", Status.DROPPED)  # 2A: nothing to count → None, and it leaves goal 2's denominator
    build.objective("2B", weight="1")
    build.activity("2B.1", Status.BLOCKED, weight="2")
    build.activity("2B.2", Status.DONE, weight="2")  # 2B: (2×0 + 2×1) / 4 = 0.5
    build.activity("2B.3", Status.DONE, weight="0")  # weight 0 never counts

    tree = queries.tree(AnonymousUser(), build.programme, on=ON)

    goal_1, goal_2 = tree.goals
    assert [o.progress for o in goal_1.children] == [pytest.approx(0.25), pytest.approx(0.5)]
    assert goal_1.progress == pytest.approx((1 * 0.25 + 2 * 0.5) / 3)  # 0.41666…
    assert goal_2.children[0].progress is None
    assert goal_2.progress == pytest.approx(0.5)
    assert tree.progress == pytest.approx((1 * (1.25 / 3) + 3 * 0.5) / 4)  # 0.47916…
    assert tree.counts == {"not_started": 1, "in_progress": 1, "done": 3, "blocked": 1, "dropped": 2}
    assert tree.shown == 8


@pytest.mark.django_db
def test_a_programme_with_only_dropped_activities_has_no_progress_to_count():
    build = Build()
    build.activity("1A.1", Status.DROPPED)
    tree = queries.tree(AnonymousUser(), build.programme, on=ON)
    assert tree.progress is None
    assert tree.goals[0].progress is None


@pytest.mark.django_db
def test_the_roll_up_counts_only_the_activities_the_viewer_may_see(make_user):
    build = Build()
    build.activity("1A.1", Status.DONE)
    build.activity("1A.2", Status.NOT_STARTED, classification=Classification.MEMBERS)
    assert queries.tree(AnonymousUser(), build.programme, on=ON).progress == pytest.approx(1.0)
    assert queries.tree(make_user(Role.MEMBER_OFFICIAL), build.programme, on=ON).progress == pytest.approx(0.5)


# --- Filters --------------------------------------------------------------------------------------------------


@pytest.fixture
def filtered(db: Any) -> Build:
    """Six activities with different statuses, leads, topics, targets and updates."""
    build = Build()
    ghana, toolkit = government("GH"), BodyFactory.create(slug="wg-toolkit", name="Toolkit working group")
    topic = PolicyTopic.objects.create(programme=build.programme, code="AI", title="Artificial intelligence")
    author = User.objects.create_user(email="author@example.org", password="x" * 20)
    build.activity("1A.1", Status.DONE, lead_organisation=ghana, target_on=dt.date(2023, 3, 1))
    late = build.activity("1A.2", Status.IN_PROGRESS, lead_organisation=ghana, target_on=dt.date(2023, 6, 30))
    build.activity("1A.3", Status.BLOCKED, lead_body=toolkit, target_on=dt.date(2023, 8, 1))
    fresh = build.activity("1B.1", Status.NOT_STARTED, lead_body=toolkit)
    quiet = build.activity("1B.2", Status.IN_PROGRESS)
    build.activity("1B.3", Status.DROPPED, target_on=dt.date(2023, 1, 31))
    late.topics.add(topic)
    fresh.topics.add(topic)
    for activity, reported_on in [(fresh, dt.date(2023, 8, 20)), (quiet, dt.date(2023, 5, 1))]:
        ProgressUpdate.objects.create(
            activity=activity, narrative="Progress.", reported_on=reported_on, author=author, classification="public"
        )
    return build


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "in_progress"}, ["1A.2", "1B.2"]),
        ({"status": "dropped"}, ["1B.3"]),
        ({"lead": "org:{ghana}"}, ["1A.1", "1A.2"]),
        ({"lead": "body:{toolkit}"}, ["1A.3", "1B.1"]),
        ({"topic": "AI"}, ["1A.2", "1B.1"]),
        # Past its target and unfinished: done and dropped activities are never overdue.
        ({"overdue": True}, ["1A.2", "1A.3"]),
        # Unfinished with no update for 30 days before 1 Sep: 1B.1 was updated on 20 Aug, 1B.2 on 1 May.
        ({"stale_days": 30}, ["1A.2", "1A.3", "1B.2"]),
        ({"stale_days": 200}, ["1A.2", "1A.3"]),
        ({"status": "in_progress", "overdue": True}, ["1A.2"]),
        ({"lead": "body:999999"}, []),
    ],
)
def test_filters_narrow_the_list_but_not_the_roll_up(filtered, filters, expected):
    ghana = government("GH").pk
    toolkit = Activity.objects.get(code="1A.3").lead_body_id
    if "lead" in filters:
        filters = {**filters, "lead": filters["lead"].format(ghana=ghana, toolkit=toolkit)}
    whole = queries.tree(AnonymousUser(), filtered.programme, on=ON)
    tree = queries.tree(AnonymousUser(), filtered.programme, filters=queries.TreeFilters(**filters), on=ON)
    assert codes(tree) == expected
    assert tree.shown == len(expected)
    assert (tree.progress, tree.counts) == (whole.progress, whole.counts)
    # The tree filters the rows it has loaded; filter_activities, the same rules in SQL, agrees.
    rows = queries.filter_activities(
        queries.activities(AnonymousUser(), filtered.programme), queries.TreeFilters(**filters), on=ON
    )
    assert [a.code for a in rows] == expected


@pytest.mark.django_db
def test_the_tree_page_applies_its_filters_from_the_query_string(filtered, client):
    response = client.get("/programme/2023/", {"status": "in_progress"})
    assert response.status_code == 200
    assert listed(response.content) == ["1A.2", "1B.2"]
    assert b"2 activities listed" in response.content


@pytest.mark.django_db
def test_a_bad_filter_is_answered_with_400_naming_the_field(filtered, client):
    response = client.get("/programme/2023/", {"stale_days": "0", "status": "finished"})
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert b"No update for (days)" in response.content
    assert b"Status" in response.content
    assert len(listed(response.content)) == 6  # the whole tree, unfiltered


# --- What "last update" is made of ------------------------------------------------------------------------------


@pytest.fixture
def updated(db: Any) -> Activity:
    """A public activity whose latest update is members-only."""
    build = Build()
    activity = build.activity("1B.2", Status.IN_PROGRESS)
    author = User.objects.create_user(email="author@example.org", password="x" * 20)
    for reported_on, classification in [
        (dt.date(2023, 3, 14), Classification.PUBLIC),
        (dt.date(2023, 5, 2), Classification.COALITION),
        (dt.date(2023, 8, 25), Classification.MEMBERS),
    ]:
        ProgressUpdate.objects.create(
            activity=activity,
            narrative=f"Update of {reported_on}.",
            reported_on=reported_on,
            author=author,
            classification=classification,
        )
    return activity


def last_update(user: Any, activity: Activity) -> tuple[dt.date | None, int | None]:
    [row] = queries.activities(user, activity.objective.goal.programme).filter(pk=activity.pk)
    return row.last_update_on, row.update_count  # type: ignore[attr-defined]


def test_a_members_only_update_does_not_count_in_the_last_update_an_advisory_network_member_sees(updated, make_user):
    assert last_update(make_user(Role.MEMBER_OFFICIAL), updated) == (dt.date(2023, 8, 25), 3)
    assert last_update(make_user(Role.ADVISORY_NETWORK), updated) == (dt.date(2023, 5, 2), 2)
    assert last_update(make_user(Role.OBSERVER), updated) == (dt.date(2023, 5, 2), 2)
    assert last_update(AnonymousUser(), updated) == (dt.date(2023, 3, 14), 1)


def test_an_activity_with_no_update_the_viewer_may_see_shows_none(updated, make_user):
    ProgressUpdate.objects.exclude(classification=Classification.MEMBERS).delete()
    assert last_update(make_user(Role.ADVISORY_NETWORK), updated) == (None, None)


def test_the_tree_page_shows_the_advisory_network_its_own_last_update(updated, signed_in_client):
    response = signed_in_client(Role.ADVISORY_NETWORK).get("/programme/2023/")
    assert response.status_code == 200
    row = re.search(rb"<strong>1B\.2</strong>.*?</tr>", response.content, re.S)
    assert row is not None
    assert b"2 May 2023" in row.group(0)
    assert b"25 Aug 2023" not in response.content


def test_staleness_for_a_viewer_counts_only_the_updates_they_may_see(updated, make_user):
    stale = queries.TreeFilters(stale_days=30)
    programme = updated.objective.goal.programme
    assert codes(queries.tree(make_user(Role.MEMBER_OFFICIAL), programme, filters=stale, on=ON)) == []
    assert codes(queries.tree(make_user(Role.ADVISORY_NETWORK), programme, filters=stale, on=ON)) == ["1B.2"]


# --- The whole 2023 programme: query and weight budgets ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo_with_updates(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo coalition and 200 updates of every classification on the 2023 programme, loaded once for the
    module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo_with_two_hundred_updates()
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("login", ["support", "official", "advisory", None], ids=lambda login: login or "anonymous")
@pytest.mark.parametrize("query", ["", "?status=in_progress&overdue=on&stale_days=30"], ids=["whole", "filtered"])
def test_the_2023_tree_stays_within_the_query_and_weight_budgets(
    demo_with_updates, db, django_assert_max_num_queries, login, query
):
    assert ProgressUpdate.objects.filter(activity__objective__goal__programme__year=2023).count() >= 200
    client = Client()
    if login:
        client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
        client.get("/")  # the session's first request records when it was seen; the page is measured after that
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(f"/programme/2023/{query}")
    assert response.status_code == 200
    if not query:
        assert len(listed(response.content)) == 33
    page_weight = weight(response.content)
    print(f"\n{login or 'anonymous'} /programme/2023/{query}: {len(captured)} queries, {page_weight} bytes gzipped")
    assert page_weight <= BUDGET_BYTES, page_weight
