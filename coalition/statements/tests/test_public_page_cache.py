"""The public page of a published statement is kept rendered for anonymous readers (PUBLIC_STATEMENT_CACHE_SECONDS,
issue 20's publication spike), under a key that changes with everything the page shows: a late signature or a
corrected translation shows at once, an embargoed statement is never served from it, and nobody signed in is ever
served it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from coalition.core.page_cache import page_key
from coalition.core.policy import Classification, Role
from coalition.core.tests.clients import client_for
from coalition.statements import queries, services
from coalition.statements.models import Statement
from coalition.statements.page_stamps import PUBLIC_PAGE
from coalition.statements.tests.test_services import lift_embargo, member, published, sign, signed_freeze
from coalition.statements.views.working import public_page_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def support(make_user: Any) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def kept(settings: Any) -> None:
    settings.PUBLIC_STATEMENT_CACHE_SECONDS = 60


def _get(client: Client, statement: Statement, query: str = "") -> tuple[int, int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/statements/{statement.slug}/{query}")
    return response.status_code, len(captured.captured_queries), response.content.decode()


def _main(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def _kept_fragments() -> list[str]:
    kept = [key for key in cache._cache if "statements.public" in key]  # type: ignore[attr-defined]
    return [key for key in kept if ":version:" not in key]


def _page_key(statement: Statement) -> str:
    """The cache key of the anonymous English page in UTC, as the view makes it."""
    request = RequestFactory().get(f"/statements/{statement.slug}/")
    row = queries.public_row(AnonymousUser(), statement.slug)
    assert row is not None
    with translation.override("en"), timezone.override("UTC"):
        return page_key(request, PUBLIC_PAGE, public_page_key(request, row, statement.slug))


def test_anonymous_readers_share_the_kept_page_and_signed_in_readers_never_get_it(kept, support, make_user):
    statement = published(support, [member("EE")], title="Kept statement")
    status, first, page = _get(Client(), statement)
    status_again, again, page_again = _get(Client(), statement)
    assert status == status_again == 200
    assert again == 1 < first  # one light row through the policy: neither the signatories nor the text again
    assert _main(page_again) == _main(page) and "Kept statement" in page  # the rest holds the reader's CSRF token
    _get(Client(), statement, "?lang=xx")  # its own page (the language switch returns to the path), then kept:
    assert _get(Client(), statement, "?lang=xx")[1] == again

    key = _page_key(statement)
    kept = cache.get(key)
    cache.set(key, {**kept, "html": kept["html"].replace("Kept statement", "FROM THE CACHE")}, 60)
    assert "FROM THE CACHE" in _get(Client(), statement)[2]  # the key is the one the view uses
    for role in (Role.ADVISORY_NETWORK, Role.GUEST):
        _status, _n, own = _get(client_for(make_user(role)), statement)
        assert "FROM THE CACHE" not in own and "Kept statement" in own


def test_an_embargoed_statement_is_never_kept_or_served_before_its_embargo_lifts(kept, support, make_user):
    statement = published(
        support, [member("EE")], title="Embargoed text", embargo_until=timezone.now() + dt.timedelta(days=1)
    )
    official = client_for(make_user(Role.MEMBER_OFFICIAL))
    assert _get(official, statement)[0] == 200  # members read it before its time, on their own page
    status, _n, page = _get(Client(), statement)
    assert status == 404 and "Embargoed text" not in page
    assert _kept_fragments() == []

    public = lift_embargo(statement)
    status, _n, page = _get(Client(), public)
    assert status == 200 and "Embargoed text" in page
    assert len(_kept_fragments()) == 1

    # Put back under embargo (a later embargo time): the kept page is never served, and no new one is kept.
    Statement.objects.filter(pk=statement.pk).update(published_at=timezone.now() + dt.timedelta(hours=1))
    status, _n, page = _get(Client(), statement)
    assert status == 404 and "Embargoed text" not in page
    assert len(_kept_fragments()) == 1


def test_a_statement_made_non_public_without_its_signals_is_never_served_from_the_kept_page(kept, support):
    statement = published(support, [member("EE")], title="Public for now")
    assert _get(Client(), statement)[0] == 200 and len(_kept_fragments()) == 1
    Statement.objects.filter(pk=statement.pk).update(classification=Classification.MEMBERS)  # no signal, no stamp
    status, _n, page = _get(Client(), statement)
    assert status == 404 and "Public for now" not in page


def test_a_retitled_document_shows_at_once(kept, support):
    statement = published(support, [member("EE")], title="The first title")
    assert "The first title" in _get(Client(), statement)[2]
    document = statement.document
    document.title = "The better title"
    document.save()
    page = _get(Client(), statement)[2]
    assert "The better title" in page and "The first title" not in page


def test_a_late_signature_shows_at_once(kept, support):
    statement = published(support, [member("EE")])
    latvia = member("LV")
    assert latvia[0].name not in _get(Client(), statement)[2]
    sign(signed_freeze(statement), latvia)
    status, _n, page = _get(Client(), statement)
    assert status == 200 and latvia[0].name in _main(page) and "Joined after publication" in page


def test_a_corrected_translation_shows_at_once(kept, support):
    statement = published(support, [member("EE")])
    services.add_translation(statement=statement, by=support, language="fr", title="Déclaration", text="Le texte.")
    assert "Le texte." in _get(Client(), statement, "?lang=fr")[2]
    services.add_translation(statement=statement, by=support, language="fr", title="Déclaration", text="Le bon texte.")
    page = _get(Client(), statement, "?lang=fr")[2]
    assert "Le bon texte." in page and "Le texte." not in page
    assert "Le bon texte." not in _get(Client(), statement)[2]  # the original keeps its own page


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _token(page: str) -> str:
    [token] = set(TOKEN.findall(page))
    return token


def test_each_anonymous_reader_of_the_kept_page_gets_a_token_valid_for_their_own_cookie_only(kept, support):
    statement = published(support, [member("EE")], title="Kept statement")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token, second_token = _token(_get(first, statement)[2]), _token(_get(second, statement)[2])
    assert len(_kept_fragments()) == 1 and first_token != second_token

    def switch(client: Client, token: str) -> int:
        data = {"language": "fr", "next": "/", "csrfmiddlewaretoken": token}
        return client.post("/i18n/setlang/", data).status_code

    assert switch(first, second_token) == 403 and switch(second, first_token) == 403
    assert switch(first, first_token) == 302 and switch(second, second_token) == 302


def test_the_kept_page_is_the_page_rendered_for_the_reader_but_for_the_token(kept, support, settings):
    statement = published(support, [member("EE")], title="Kept statement")
    services.add_translation(statement=statement, by=support, language="fr", title="Déclaration", text="Le texte.")
    for query in ("", "?lang=fr"):
        _get(Client(), statement, query)
        kept_page = _get(Client(), statement, query)[2]  # from the cache
        settings.PUBLIC_STATEMENT_CACHE_SECONDS = 0
        rendered = _get(Client(), statement, query)[2]
        settings.PUBLIC_STATEMENT_CACHE_SECONDS = 60
        assert TOKEN.sub("-", kept_page) == TOKEN.sub("-", rendered) and _token(kept_page) != _token(rendered)
    headers = []
    for seconds in (60, 0):
        settings.PUBLIC_STATEMENT_CACHE_SECONDS = seconds
        response = Client().get(f"/statements/{statement.slug}/?lang=fr")
        assert response.cookies["csrftoken"].value  # the reader's CSRF cookie is set, kept page or not
        headers.append({k: v for k, v in response.items() if k not in ("Server-Timing", "X-Request-ID")})
    assert headers[0] == headers[1] and headers[0]["Content-Language"] == "en" and "Cookie" in headers[0]["Vary"]
