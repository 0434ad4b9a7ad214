"""core.page_cache: a page kept for anonymous readers never shares a CSRF token or CSP nonce between them, is
the page they would have had rendered, and is never used for a signed-in reader or one with messages waiting."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.cache import cache
from django.http import HttpRequest
from django.test import RequestFactory

from coalition.core import page_cache

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _request(path: str = "/shared/", **extra: Any) -> HttpRequest:
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    for name, value in extra.items():
        setattr(request, name, value)
    return request


def _page(request: HttpRequest, seconds: int = 60) -> str:
    response = page_cache.render_shared(
        request, "core/base.html", dict, name="test.page", key_parts=lambda: ("the same",), seconds=seconds
    )
    assert response.status_code == 200
    return response.content.decode()


def _kept() -> list[str]:
    return [key for key in cache._cache if "test.page" in key]  # type: ignore[attr-defined]


def test_each_reader_gets_own_token_and_the_kept_page_is_the_rendered_one():
    first_request, second_request = _request(), _request()
    first, second = _page(first_request), _page(second_request)
    assert len(_kept()) == 1
    [first_token] = set(TOKEN.findall(first))
    [second_token] = set(TOKEN.findall(second))
    assert first_token != second_token and "placeholder" not in first + second
    # Each token is the one its own request's CSRF cookie will carry (get_token was called for it).
    assert first_request.META["CSRF_COOKIE"] != second_request.META["CSRF_COOKIE"]
    rendered = _page(_request(), seconds=0)  # nothing kept: rendered for this reader
    assert len(_kept()) == 1
    assert TOKEN.sub("-", first) == TOKEN.sub("-", second) == TOKEN.sub("-", rendered)


def test_a_nonce_on_the_page_is_each_responses_own():
    # The footer's language switch shows the path: a nonce in it stands for a nonce a template would show.
    path = "/shared/?n=firstnonce123"
    first = _page(_request(path, _csp_nonce="firstnonce123", csp_nonce="firstnonce123"))
    assert "firstnonce123" in first
    kept = cache.get(page_cache.page_key(_request(path), "test.page", ("the same",)))
    assert "firstnonce123" not in kept["html"] and kept["nonce_mark"] in kept["html"]
    second = _page(_request(path, _csp_nonce="secondnonce45", csp_nonce="secondnonce45"))
    assert "secondnonce45" in second and "firstnonce123" not in second


def test_signed_in_readers_and_readers_with_messages_are_never_served_a_kept_page():
    signed_in = _request()
    signed_in.user = SimpleNamespace(is_authenticated=True)  # type: ignore[assignment]
    assert not page_cache.shareable(signed_in, 60)
    assert not page_cache.shareable(_request(), 0)
    assert not page_cache.shareable(RequestFactory().post("/shared/"), 60)

    waiting = _request()
    messages.info(waiting, "Only for you")
    assert not page_cache.shareable(waiting, 60)
    assert "Only for you" in _page(waiting)
    assert _kept() == []
    assert "Only for you" not in _page(_request())
    assert len(_kept()) == 1


@pytest.fixture(autouse=True)
def _clear_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.mark.django_db
def test_a_bumped_version_is_new_and_a_version_started_before_the_commit_is_dropped_with_it(
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = page_cache.version("test.page", "record-1")
    assert page_cache.version("test.page", "record-1") == first  # stable while nothing changes
    assert page_cache.version("test.page", "record-2") != first  # each record its own
    with django_capture_on_commit_callbacks(execute=True):
        page_cache.bump("test.page", "record-1")
        during = page_cache.version("test.page", "record-1")  # a reader before the commit: rows not yet changed
        assert during != first
    assert page_cache.version("test.page", "record-1") not in (first, during)


@pytest.mark.django_db
def test_a_cache_that_fails_does_not_fail_the_write_that_bumps(monkeypatch: Any, caplog: Any) -> None:
    def broken(key: str) -> None:
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(page_cache.cache, "delete", broken)
    page_cache.bump("test.page", "record-1")  # no exception: the write goes on
    assert "could not drop a version" in caplog.text
