"""The public home is the same for every anonymous visitor, so it is kept rendered (PUBLIC_HOME_CACHE_SECONDS): a
visitor served from it costs no query of its own, and nobody signed in is ever served it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from coalition.core.policy import Role
from coalition.core.tests.clients import client_for

pytestmark = pytest.mark.django_db


def _queries(client: Client, **headers: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", headers=headers)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content.decode()


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_public_home_is_kept_rendered_and_never_served_to_someone_signed_in(settings, make_user):
    settings.PUBLIC_HOME_CACHE_SECONDS = 60
    first, page = _queries(Client())
    again, page_again = _queries(Client())
    assert again < first
    assert _main(page_again) == _main(page) and "At a glance" in page  # the rest holds the visitor's CSRF token

    signed_in = client_for(make_user(Role.MEMBER_OFFICIAL))
    _n, own = _queries(signed_in)
    assert "My work" in own


def test_each_language_has_its_own_public_home(settings):
    settings.PUBLIC_HOME_CACHE_SECONDS = 60
    english, _page = _queries(Client(), accept_language="en")
    french, page = _queries(Client(), accept_language="fr")
    assert 'lang="fr"' in page
    assert french == english  # worked out again, not the English page's
    assert _queries(Client(), accept_language="fr")[0] < french
