"""Bad input gets a 4xx naming the field, and nothing is written."""

from __future__ import annotations

import pytest
from django.test import override_settings

from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory.models import Participation
from coalition.directory.tests.factories import government


@pytest.mark.django_db
def test_member_filter_with_an_impossible_year_names_the_field(client):
    response = client.get("/members/", {"joined": "1900"})
    assert response.status_code == 400
    assert b"Joined in (year)" in response.content
    assert b"error-summary" in response.content


@pytest.mark.django_db
def test_member_filter_with_a_malformed_date_names_the_field(client):
    response = client.get("/members/", {"on": "31/31/2020"})
    assert response.status_code == 400
    assert b"On (date)" in response.content


def test_a_participation_step_with_a_malformed_date_writes_nothing(signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    org = government("GH")
    before = (Participation.objects.count(), AuditEvent.objects.count())
    response = client.post(f"/organisations/{org.pk}/", {"status": "member", "effective_on": "not-a-date"})
    assert response.status_code == 400
    assert b"Effective on" in response.content
    assert (Participation.objects.count(), AuditEvent.objects.count()) == before


def test_a_participation_step_before_the_coalition_existed_is_refused(signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    org = government("GH")
    response = client.post(f"/organisations/{org.pk}/", {"status": "member", "effective_on": "1999-01-01"})
    assert response.status_code == 400
    assert b"founded in 2011" in response.content
    assert not Participation.objects.filter(effective_on="1999-01-01").exists()


def test_a_second_participation_step_on_the_same_day_is_refused_with_the_field_named(signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    org = government("GH", since=__import__("datetime").date(2015, 1, 1))
    response = client.post(f"/organisations/{org.pk}/", {"status": "withdrawn", "effective_on": "2015-01-01"})
    assert response.status_code == 400
    assert b"already has a participation step" in response.content
    assert org.participation.count() == 1


def test_a_valid_participation_step_is_recorded_with_a_ledger_entry(signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    org = government("GH")
    response = client.post(f"/organisations/{org.pk}/", {"status": "withdrawn", "effective_on": "2026-01-05"})
    assert response.status_code == 302
    assert org.participation.filter(status="withdrawn").exists()
    assert AuditEvent.objects.filter(action="directory.participation_recorded").exists()


def test_a_member_official_cannot_record_participation(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    org = government("GH")
    response = client.post(f"/organisations/{org.pk}/", {"status": "withdrawn", "effective_on": "2026-01-05"})
    assert response.status_code == 403
    assert not org.participation.filter(status="withdrawn").exists()


@pytest.mark.django_db
def test_api_rejects_a_malformed_date_parameter_naming_it(client):
    response = client.get("/api/v1/organisations/", {"on": "yesterday"})
    assert response.status_code == 400
    assert "on" in response.json()


@pytest.mark.django_db
def test_api_rejects_an_unknown_status_naming_it(client):
    response = client.get("/api/v1/organisations/", {"status": "overlord"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_api_is_read_only_and_a_write_changes_nothing(signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    org = government("GH")
    response = client.post("/api/v1/organisations/", {"name": "Injected"}, content_type="application/json")
    assert response.status_code == 405
    response = client.patch(f"/api/v1/organisations/{org.pk}/", {"name": "Renamed"}, content_type="application/json")
    assert response.status_code == 405
    org.refresh_from_db()
    assert org.name != "Renamed"


@pytest.mark.django_db
def test_api_rejects_malformed_json_with_a_4xx(client):
    response = client.post("/api/v1/organisations/", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


@pytest.mark.django_db
@override_settings(COALITION_MAX_REQUEST_BYTES=1024)
def test_an_oversized_request_body_is_refused_before_it_is_read(client):
    response = client.post("/members/", data="x" * 5000, content_type="text/plain")
    assert response.status_code == 413
    assert b"too large" in response.content


@pytest.mark.django_db
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024, COALITION_MAX_REQUEST_BYTES=10**6)
def test_a_form_body_over_djangos_limit_is_refused(client):
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x" * 5000})
    assert response.status_code == 400


def test_an_unknown_time_zone_is_refused_naming_the_field(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    response = client.post("/accounts/me/", {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert b"Your time zone" in response.content
    client.user.person.refresh_from_db()
    assert client.user.person.time_zone == "Europe/Tallinn"


@pytest.mark.parametrize("url", ["/networks/?on=9999-12-31", "/chairs/?on=9999-12-31", "/members/?on=9999-12-31"])
def test_dates_beyond_reason_are_refused_not_crashed(signed_in_client, url):
    assert signed_in_client(Role.MEMBER_OFFICIAL).get(url).status_code == 400


def test_the_audit_filter_refuses_dates_beyond_reason(signed_in_client):
    assert signed_in_client(Role.SUPPORT_UNIT).get("/audit/", {"until": "9999-12-31"}).status_code == 400
