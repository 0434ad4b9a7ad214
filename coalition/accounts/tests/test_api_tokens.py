"""API tokens for service accounts: issued by the Support Unit, stored hashed, shown once, revocable."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coalition.accounts import services
from coalition.accounts.models import ServiceToken
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory.tests.factories import PersonFactory

PEOPLE = "/api/v1/people/"
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@pytest.fixture
def service_account(make_user):
    """A service account acting for a member government (so it reads coalition records the public cannot)."""
    account = make_user(Role.MEMBER_OFFICIAL, mfa=False, email="reporting-bot@example.org")
    account.is_service_account = True
    account.save(update_fields=["is_service_account"])
    return account


@pytest.fixture
def issued(service_account, make_user) -> tuple[ServiceToken, str]:
    return services.issue_service_token(user=service_account, name="reporting", by=make_user(Role.SUPPORT_UNIT))


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_is_shown_once_and_only_its_hash_is_stored(issued):
    token, raw = issued
    assert raw.startswith("coal_")
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = ServiceToken.objects.filter(pk=token.pk).values().get()
    assert raw not in {str(value) for value in stored.values()}


def test_issuing_a_token_is_recorded_without_the_token(issued):
    token, raw = issued
    event = AuditEvent.objects.get(action="auth.token_issued")
    assert event.data == {"token": token.prefix}
    assert raw not in str(event.data)


def test_tokens_are_issued_to_service_accounts_only(make_user):
    person_account = make_user(Role.MEMBER_OFFICIAL)
    with pytest.raises(InvalidInput) as refused:
        services.issue_service_token(user=person_account, name="mine", by=make_user(Role.SUPPORT_UNIT))
    assert refused.value.field == "user"
    assert not ServiceToken.objects.exists()


def test_only_the_support_unit_issues_tokens(service_account, make_user):
    with pytest.raises(AccessDenied):
        services.issue_service_token(user=service_account, name="sneaky", by=make_user(Role.FOCAL_POINT))
    assert not ServiceToken.objects.exists()


def test_a_bearer_token_acts_as_its_service_account(issued):
    PersonFactory.create(full_name="Coalition-only Person")
    _, raw = issued
    response = bearer(raw).get(PEOPLE)
    assert response.status_code == 200
    assert "Coalition-only Person" in {row["full_name"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_without_a_token_the_same_request_sees_only_public_records(client):
    PersonFactory.create(full_name="Coalition-only Person")
    response = client.get(PEOPLE)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_using_a_token_notes_when_it_was_last_used_without_writing_a_row(issued):
    """A GET writes nothing (issue 19): the last use is noted in the cache, which the admin shows."""
    token, raw = issued
    with CaptureQueriesContext(connection) as queries:
        assert bearer(raw).get(PEOPLE).status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if WRITES.match(q["sql"]) and "django_session" not in q["sql"]]
    assert writes == []
    token.refresh_from_db()
    assert token.last_used_at is None
    assert token.last_used is not None


def test_a_revoked_token_gets_401(issued):
    token, raw = issued
    ServiceToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    response = bearer(raw).get(PEOPLE)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
def test_an_unknown_token_gets_401(client):
    response = bearer("coal_not-a-token-we-issued").get(PEOPLE)
    assert response.status_code == 401


def test_the_token_of_a_disabled_account_gets_401(issued, service_account):
    _, raw = issued
    service_account.is_active = False
    service_account.save(update_fields=["is_active"])
    assert bearer(raw).get(PEOPLE).status_code == 401


def test_another_authorization_scheme_is_not_taken_for_a_token(issued):
    _, raw = issued
    response = Client(HTTP_AUTHORIZATION=f"Token {raw}").get(PEOPLE)
    assert response.status_code == 200
    assert response.json()["results"] == []
