"""The page a person returns to: same-origin paths only, and the page a POST-only address belongs to."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from coalition.core.return_to import page_above, page_to_return_to, same_origin_path


@pytest.mark.parametrize(
    ("posted_to", "page"),
    [
        ("/programme/2023/activities/1B.2/updates/", "/programme/2023/activities/1B.2/"),
        ("/accounts/me/sessions/end-others/", "/accounts/me/"),
        ("/no/such/place/", "/"),
        ("/", "/"),
    ],
)
def test_the_page_above_a_post_only_address_is_the_nearest_routed_one(posted_to, page):
    assert page_above(posted_to) == page


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("http://testserver/members/?on=2024-01-01", "/members/?on=2024-01-01"),
        ("http://testserver.evil.example/members/", None),
        ("http://evil.example/members/", None),
        ("//evil.example/members/", None),
        ("http://testserver//evil.example/", None),
        ("/members/", "/members/"),
        ("", None),
    ],
)
def test_only_addresses_of_this_site_give_a_path(url, path):
    assert same_origin_path(url, RequestFactory().get("/")) == path


def test_a_page_over_https_never_returns_to_plain_http():
    assert same_origin_path("http://testserver/members/", RequestFactory().get("/", secure=True)) is None
    assert same_origin_path("https://testserver/members/", RequestFactory().get("/", secure=True)) == "/members/"


def test_a_form_sent_from_the_sign_in_page_does_not_return_to_it():
    request = RequestFactory().post(
        "/accounts/me/sessions/end-others/", HTTP_REFERER="http://testserver/accounts/login/"
    )

    assert page_to_return_to(request) == "/accounts/me/sessions/end-others/"
