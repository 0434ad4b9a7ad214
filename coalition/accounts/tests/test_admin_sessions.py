"""Sessions in the admin: listed read-only and ended, never opened, searched or exported by their key — a session
key is a sign-in past the second factor, so whoever could copy one could act as its owner (issue 16, item 1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from coalition.accounts.models import UserSession
from coalition.core.models import AuditEvent
from coalition.core.policy import Role

LIST = "/admin/accounts/usersession/"


@pytest.fixture
def focal_browser(make_user: Any) -> Client:
    """A focal point's browser, signed in: the session whose key must stay secret."""
    browser = Client()
    browser.force_login(make_user(Role.FOCAL_POINT))
    return browser


@pytest.fixture
def row(focal_browser: Client) -> UserSession:
    return UserSession.objects.get(session_key=focal_browser.session.session_key)


@pytest.fixture
def admin(signed_in_client: Any) -> Client:
    return signed_in_client(Role.SUPPORT_UNIT)


def is_signed_in(browser: Client) -> bool:
    return browser.get("/").wsgi_request.user.is_authenticated


def test_the_session_list_shows_whose_session_it_is_but_not_its_key(admin: Client, row: UserSession) -> None:
    response = admin.get(LIST)
    assert response.status_code == 200
    assert str(row.user) in response.content.decode()
    assert row.session_key not in response.content.decode()
    assert f"{LIST}{row.pk}/change/" not in response.content.decode()  # rows link nowhere


@pytest.mark.parametrize("page", ["change/", "history/", "delete/"])
def test_a_session_cannot_be_opened_in_the_admin(admin: Client, row: UserSession, page: str) -> None:
    response = admin.get(f"{LIST}{row.pk}/{page}")
    assert response.status_code in (403, 404)
    assert row.session_key not in response.content.decode()


def test_sessions_are_not_added_in_the_admin(admin: Client) -> None:
    assert admin.get(f"{LIST}add/").status_code == 403


@pytest.mark.parametrize("lookup", ["session_key", "session_key__startswith", "session_key__gt"])
def test_the_list_cannot_be_filtered_by_key_to_guess_one(admin: Client, row: UserSession, lookup: str) -> None:
    """A filter on the key would answer "is there a session whose key starts with …?", one character at a time."""
    response = admin.get(LIST, {lookup: row.session_key[:1]})
    assert response.status_code == 400
    assert row.session_key not in response.content.decode()


def test_the_only_action_on_sessions_is_ending_them(admin: Client, row: UserSession) -> None:
    """No export and no deletion (deleting the row would leave the session itself alive)."""
    choices = admin.get(LIST).context["action_form"].fields["action"].choices
    assert [name for name, _label in choices if name] == ["end_sessions"]


def test_the_support_unit_ends_a_session_from_the_list_and_the_ledger_records_it(
    admin: Any, row: UserSession, focal_browser: Client
) -> None:
    response = admin.post(LIST, {"action": "end_sessions", "_selected_action": [row.pk]})
    assert response.status_code == 302
    assert not is_signed_in(focal_browser)
    row.refresh_from_db()
    assert row.ended_at is not None
    event = AuditEvent.objects.get(action="auth.session_ended")
    assert event.actor_id == admin.user.pk
    assert event.subject_label == str(row.user)
    assert all(row.session_key not in json.dumps(data) for data in AuditEvent.objects.values_list("data", flat=True))
    assert row.session_key not in admin.get("/admin/core/auditevent/").content.decode()


def test_asking_for_the_action_by_get_ends_nothing(admin: Client, row: UserSession, focal_browser: Client) -> None:
    admin.get(LIST, {"action": "end_sessions", "_selected_action": str(row.pk)})
    assert is_signed_in(focal_browser)
