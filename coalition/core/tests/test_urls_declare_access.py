"""Every view and API endpoint declares its access rule, and the rule exists in the policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from coalition.core import policy
from coalition.core.access import declared_policy
from coalition.core.api import PolicyPermission


def walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_url_declares_an_access_rule():
    undeclared = [
        route for route, callback in walk(get_resolver().url_patterns) if not declared_policy(callback, route)
    ]
    assert undeclared == []


def test_every_declared_rule_exists_in_the_policy():
    unknown = {
        (route, declared_policy(callback, route))
        for route, callback in walk(get_resolver().url_patterns)
        if declared_policy(callback, route) not in policy.RULES
    }
    assert unknown == set()


def test_our_own_views_declare_their_rule_themselves():
    """Only third-party modules may rely on the module allow-list; ours carry `access_policy`."""
    ours = [
        route
        for route, callback in walk(get_resolver().url_patterns)
        if (getattr(callback, "__module__", "") or "").startswith("coalition.")
        and not any(getattr(c, "access_policy", None) for c in (callback, getattr(callback, "cls", None)))
    ]
    assert ours == []


def test_the_walker_sees_the_api_and_the_admin():
    routes = [route for route, _ in walk(get_resolver().url_patterns)]
    assert any(route.startswith("api/v1/") and "people" in route for route in routes)
    assert any(route.startswith("admin/") for route in routes)


@pytest.mark.django_db
def test_an_endpoint_without_a_declared_rule_serves_nobody():
    class Undeclared(APIView):
        permission_classes = [PolicyPermission]

        def get(self, request):  # pragma: no cover - must never run
            raise AssertionError("reached")

    response = Undeclared.as_view()(APIRequestFactory().get("/x"))
    assert response.status_code in (401, 403)
