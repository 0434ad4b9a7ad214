"""The activity page, with its updates, evidence, proposals and history, stays within 15 SQL queries."""

from __future__ import annotations

import pytest

from coalition.core.policy import Role
from coalition.demo.loader import load_demo
from coalition.programme.models import Programme


@pytest.mark.parametrize("role", [Role.SUPPORT_UNIT, Role.MEMBER_OFFICIAL, Role.ADVISORY_NETWORK, None])
def test_the_activity_page_needs_at_most_15_queries(signed_in_client, client, django_assert_max_num_queries, role):
    load_demo()
    viewer = signed_in_client(role) if role else client
    year = Programme.objects.order_by("-year").values_list("year", flat=True).first()
    url = f"/programme/{year}/activities/1B.2/"
    assert viewer.get(url).status_code == 200
    with django_assert_max_num_queries(15):
        assert viewer.get(url).status_code == 200
