"""Every view and API endpoint declares its access rule, and the rule exists in the policy."""

from __future__ import annotations

import pytest
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from coalition.core import policy
from coalition.core.access import declared_policy, routes
from coalition.core.api import PolicyPermission


def test_every_url_declares_an_access_rule():
    undeclared = [route for route, callback in routes() if not declared_policy(callback, route)]
    assert undeclared == []


def test_every_declared_rule_exists_in_the_policy():
    unknown = {
        (route, declared_policy(callback, route))
        for route, callback in routes()
        if declared_policy(callback, route) not in policy.RULES
    }
    assert unknown == set()


def test_our_own_views_declare_their_rule_themselves():
    """Only third-party modules may rely on the module allow-list; ours carry `access_policy`."""
    ours = [
        route
        for route, callback in routes()
        if (getattr(callback, "__module__", "") or "").startswith("coalition.")
        and not any(getattr(c, "access_policy", None) for c in (callback, getattr(callback, "cls", None)))
    ]
    assert ours == []


def test_the_walker_sees_the_api_and_the_admin():
    seen = [route for route, _ in routes()]
    assert any(route.startswith("api/v1/") and "people" in route for route in seen)
    assert any(route.startswith("admin/") for route in seen)


@pytest.mark.django_db
def test_an_endpoint_without_a_declared_rule_serves_nobody():
    class Undeclared(APIView):
        permission_classes = [PolicyPermission]

        def get(self, request):  # pragma: no cover - must never run
            raise AssertionError("reached")

    response = Undeclared.as_view()(APIRequestFactory().get("/x"))
    assert response.status_code in (401, 403)
