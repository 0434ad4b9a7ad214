"""The one-click unsubscribe link: it works once, without a session; forged, expired or used links change nothing."""

from __future__ import annotations

import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from coalition.core.tests.clients import text_of
from coalition.notifications import unsubscribe
from coalition.notifications.models import Mode, Preference
from coalition.notifications.tests.helpers import NOTED, OBLIGED, SECURITY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]

ONE_CLICK = "List-Unsubscribe=One-Click"


def _url(token: str) -> str:
    return reverse("notifications:unsubscribe", args=[token])


def _one_click(token: str):
    """What a mail client sends (RFC 8058): a POST without cookies or a CSRF token."""
    return Client(enforce_csrf_checks=True).post(
        _url(token), ONE_CLICK, content_type="application/x-www-form-urlencoded"
    )


def test_opening_the_link_asks_first_and_changes_nothing(official):
    response = Client().get(_url(unsubscribe.make_token(official, NOTED)))
    assert response.status_code == 200
    assert "Stop receiving “A person is noted”" in text_of(response)
    assert not Preference.objects.exists()


def test_a_mail_clients_one_click_post_switches_the_kind_off_without_a_session(official):
    response = _one_click(unsubscribe.make_token(official, NOTED))
    assert response.status_code == 200
    assert "You will no longer receive “A person is noted”" in text_of(response)
    assert Preference.objects.get(user=official, kind=NOTED).mode == Mode.OFF


def test_a_used_link_changes_nothing_and_says_so(official):
    token = unsubscribe.make_token(official, NOTED)
    _one_click(token)
    Preference.objects.filter(user=official).update(mode=Mode.IMMEDIATE)  # the person changed their mind since
    replayed = _one_click(token)
    assert replayed.status_code == 410 and "already used; nothing was changed" in text_of(replayed)
    assert Preference.objects.get(user=official, kind=NOTED).mode == Mode.IMMEDIATE
    assert Client().get(_url(token)).status_code == 410


def test_a_forged_link_changes_nothing_and_says_so(official):
    token = unsubscribe.make_token(official, NOTED)
    payload, rest = token.split(":", 1)
    forged = signing.dumps({"u": official.pk, "k": NOTED, "n": "x"}, salt="another salt", compress=True)
    for bad in (forged, payload[:-2] + "xx:" + rest, "not-a-token"):
        response = _one_click(bad)
        assert response.status_code == 400 and "not valid; nothing was changed" in text_of(response)
    assert not Preference.objects.exists()


def test_an_expired_link_changes_nothing_and_says_so(official, monkeypatch):
    made_at = time.time() - unsubscribe.MAX_AGE.total_seconds() - 60
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: made_at)  # the clock the signer reads
        token = unsubscribe.make_token(official, NOTED)
    response = _one_click(token)
    assert response.status_code == 410 and "expired; nothing was changed" in text_of(response)
    assert not Preference.objects.exists()


def test_a_link_for_a_kind_that_cannot_be_switched_off_changes_nothing(make_user, official):
    focal = make_user(None, email="focal@example.org")
    for user, kind in ((focal, OBLIGED), (official, SECURITY)):
        response = _one_click(unsubscribe.make_token(user, kind))
        assert response.status_code == 400 and "nothing was changed" in text_of(response)
    assert not Preference.objects.exists()
