"""Issue 17 (4): in production (DEBUG off) every error answers with the platform's own page, never Django's bare
"Server Error (500)" — the 500 page included, which must render with no request, no user and no database.

This module is also the URL configuration of its tests: the site's routes plus views that fail on purpose."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client
from django.urls import path

from coalition.core.policy import Role
from config import urls as site_urls


def _raises(error: Exception) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        raise error

    return view


urlpatterns = [
    path("test-errors/bug/", _raises(RuntimeError("a bug in a view"))),
    path("test-errors/database/", _raises(DatabaseError("the database went away"))),
    path("test-errors/denied/", _raises(PermissionDenied())),
    path("test-errors/suspicious/", _raises(SuspiciousOperation("a forged request"))),
    *site_urls.urlpatterns,
]
handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404

PLATFORM_PAGE = 'class="site-header"'


@pytest.fixture
def production(settings: Any) -> Client:
    """A client of the site as deployed: DEBUG off, and an error answered as a page, not raised into the test."""
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    return Client(raise_request_exception=False)


@pytest.mark.django_db
@pytest.mark.parametrize("failing", ["/test-errors/bug/", "/test-errors/database/"])
def test_a_server_error_answers_the_platforms_page(production: Client, failing: str) -> None:
    response = production.get(failing)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Server Error (500)" not in page
    assert PLATFORM_PAGE in page and "Something went wrong" in page
    assert '<link rel="stylesheet" href="/static/core/coalition.css">' in page


def test_the_500_page_renders_without_a_request_or_the_database() -> None:
    """Django renders 500.html with an empty context; outside `django_db` any query would raise here."""
    page = loader.get_template("500.html").render()
    assert "Something went wrong" in page and 'href="/"' in page


@pytest.mark.django_db
def test_a_missing_page_answers_the_platforms_404(production: Client) -> None:
    response = production.get("/no-such-page/")
    assert response.status_code == 404
    assert PLATFORM_PAGE in response.content.decode() and "Not found" in response.content.decode()


@pytest.mark.django_db
def test_a_refusal_answers_the_platforms_403(production: Client, make_user: Any) -> None:
    production.force_login(make_user(Role.ADVISORY_NETWORK))
    for refused in ("/audit/", "/test-errors/denied/"):
        response = production.get(refused)
        assert response.status_code == 403, refused
        assert PLATFORM_PAGE in response.content.decode() and "Access denied" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "host"), [("/test-errors/suspicious/", "testserver"), ("/", "x.evil")])
def test_a_bad_request_answers_the_platforms_400(production: Client, path: str, host: str) -> None:
    """A host not allowed is refused before any middleware knows the user: the page must not fail on that."""
    response = production.get(path, HTTP_HOST=host)
    assert response.status_code == 400
    assert PLATFORM_PAGE in response.content.decode() and "Bad request" in response.content.decode()


@pytest.mark.django_db
def test_a_form_with_an_expired_token_answers_the_platforms_page(settings: Any) -> None:
    """Django's own CSRF refusal is a bare page; a form left open while its sender signed in elsewhere meets it."""
    settings.DEBUG = False
    response = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "fr"})
    assert response.status_code == 403
    page = response.content.decode()
    assert PLATFORM_PAGE in page and "This form has expired" in page
    assert "CSRF verification failed" not in page


DRAFTS_SCRIPT = '<script src="/static/core/drafts.js" defer></script>'


@pytest.mark.django_db
def test_the_pages_of_a_form_not_taken_keep_its_draft(production: Client, make_user: Any) -> None:
    """A form refused (its token expired, a server error, a 4xx) was not taken: each of these pages runs the drafts
    script marked data-form-refused, so the text typed is back when the person goes back and reloads (see
    core/drafts.js); the bare pages link it by its plain name, as they do the stylesheet."""
    bare = loader.get_template("500.html").render()
    assert DRAFTS_SCRIPT in bare and "<body data-form-refused>" in bare
    expired = Client(enforce_csrf_checks=True).post("/i18n/setlang/", {"language": "fr"}).content.decode()
    assert DRAFTS_SCRIPT in expired and "<body data-form-refused>" in expired
    production.force_login(make_user(Role.ADVISORY_NETWORK))
    denied = production.post("/test-errors/denied/")
    assert denied.status_code == 403 and " data-form-refused>" in denied.content.decode()
