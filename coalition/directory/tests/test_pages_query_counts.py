"""Every directory page stays within 15 SQL queries with the whole demo coalition loaded (DESIGN quality bar)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import Client

from coalition.accounts.models import User
from coalition.demo.loader import DEMO_DOMAIN, load_demo
from coalition.directory.models import Organisation

MAX_QUERIES_PER_PAGE = 15


@pytest.fixture(scope="module")
def demo_coalition(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo, loaded once for this module inside a transaction that is rolled back at its end (each test still
    runs in its own savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def support_unit(demo_coalition, db) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=f"support@{DEMO_DOMAIN}"))
    client.get("/")  # the session's first request records when it was seen; pages are measured after that
    return client


HOME_BUDGET = 45  # the home's sections, each a fixed number of queries (see core/tests/test_query_counts.py)

PAGES = [
    "/members/",
    "/members/?status=all&on=2015-06-01",
    "/organisations/{estonia}/",
    "/bodies/",
    "/bodies/support-unit/",
    "/bodies/geneva/",
    "/networks/",
    "/chairs/",
    "/members/history/",
    "/people/",
    "/people/?member={estonia}",
    "/people/?network=geneva&role=network_poc",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_directory_page_for_the_support_unit_stays_within_the_query_budget(
    support_unit, django_assert_max_num_queries, page
):
    url = page.format(estonia=Organisation.objects.get(country__code="EE", kind="government").pk)
    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
        response = support_unit.get(url)
    assert response.status_code == 200


def test_the_home_for_the_support_unit_stays_within_its_budget(support_unit, django_assert_max_num_queries):
    with django_assert_max_num_queries(HOME_BUDGET):
        response = support_unit.get("/")
    assert response.status_code == 200
