"""A position on behalf of a government starts only with that government's consent, given by its own focal points,
and the government is told of every change (issue 16, item 2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from coalition.core import policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory import services
from coalition.directory.models import Position
from coalition.directory.tests.factories import PersonFactory, body, government

START = dt.date(2024, 1, 1)


@pytest.fixture
def estonia():
    return government("EE")  # the government of `make_user(Role.FOCAL_POINT)`


def fresh(user):
    """The account as the next request sees it (the policy caches a user's roles for the length of a request)."""
    return type(user).objects.get(pk=user.pk)


def propose_self_as_focal_point(support, member) -> Position:
    return services.appoint(
        person=support.person, kind=Position.Kind.FOCAL_POINT, organisation=member, by=support, starts_on=START
    )


def test_the_support_unit_giving_itself_a_members_focal_point_position_cannot_sign_for_it(support, estonia):
    position = propose_self_as_focal_point(support, estonia)

    assert position.consent == Position.Consent.AWAITED
    assert not policy.can(support, "statements.sign", estonia)
    assert not policy.can(support, "donors.report", estonia)


def test_a_proposed_official_position_reads_nothing_as_the_member(support, estonia):
    services.appoint(
        person=support.person, kind=Position.Kind.OFFICIAL, organisation=estonia, by=support, starts_on=START
    )
    roles = policy.actor_for(fresh(support)).roles
    assert Role.MEMBER_OFFICIAL not in roles and Role.FOCAL_POINT not in roles


def test_the_members_focal_point_confirming_starts_the_position(support, make_user, estonia):
    focal_point = make_user(Role.FOCAL_POINT)
    position = propose_self_as_focal_point(support, estonia)

    services.confirm_position(position=position, by=focal_point)

    assert policy.can(fresh(support), "statements.sign", estonia)
    assert AuditEvent.objects.filter(action="role.position_granted", actor_label=str(focal_point)).exists()


def test_the_support_unit_cannot_confirm_what_it_proposed(support, estonia):
    position = propose_self_as_focal_point(support, estonia)
    with pytest.raises(AccessDenied):
        services.confirm_position(position=position, by=support)
    position.refresh_from_db()
    assert position.consent == Position.Consent.AWAITED


def test_an_official_of_the_member_cannot_confirm_for_it(support, make_user, estonia):
    official = make_user(Role.MEMBER_OFFICIAL)
    position = propose_self_as_focal_point(support, estonia)
    with pytest.raises(AccessDenied):
        services.confirm_position(position=position, by=official)


def test_another_members_focal_point_cannot_confirm(support, make_user):
    make_user(Role.FOCAL_POINT)  # Estonia's
    finland = government("FI")
    position = propose_self_as_focal_point(support, finland)
    estonian = make_user(Role.FOCAL_POINT)
    with pytest.raises(AccessDenied):
        services.confirm_position(position=position, by=estonian)


def test_a_declined_position_never_starts_and_cannot_be_confirmed_later(support, make_user, estonia):
    focal_point = make_user(Role.FOCAL_POINT)
    position = propose_self_as_focal_point(support, estonia)
    services.decline_position(position=position, by=focal_point)
    with pytest.raises(InvalidInput, match="declined"):
        services.confirm_position(position=position, by=focal_point)
    assert not policy.can(fresh(support), "statements.sign", estonia)


def test_a_focal_point_appointing_for_its_own_government_needs_no_further_consent(make_user, estonia):
    focal_point = make_user(Role.FOCAL_POINT)
    newcomer = make_user(None)
    newcomer.person = PersonFactory.create()
    newcomer.save()
    position = services.appoint(
        person=newcomer.person, kind=Position.Kind.OFFICIAL, organisation=estonia, by=focal_point, starts_on=START
    )
    assert position.consent == Position.Consent.GIVEN
    assert Role.MEMBER_OFFICIAL in policy.actor_for(fresh(newcomer)).roles


def test_a_focal_point_cannot_appoint_for_another_government(make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    with pytest.raises(AccessDenied):
        services.appoint(
            person=focal_point.person,
            kind=Position.Kind.FOCAL_POINT,
            organisation=government("FI"),
            by=focal_point,
            starts_on=START,
        )


def test_the_member_is_told_by_email_of_each_change(
    support, make_user, estonia, mailoutbox, django_capture_on_commit_callbacks
):
    focal_point = make_user(Role.FOCAL_POINT)
    with django_capture_on_commit_callbacks(execute=True):
        position = propose_self_as_focal_point(support, estonia)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_position(position=position, by=focal_point)
    with django_capture_on_commit_callbacks(execute=True):
        services.end_position(position=position, ends_on=dt.date(2025, 1, 1), by=support)

    # One email per focal point and change, through the notification service; once confirmed, the new one is told
    # too (until the position ends).
    told = [message.to for message in mailoutbox]
    assert told == [[focal_point.email], [focal_point.email], [support.email], [focal_point.email]]
    proposed, confirmed, _also_confirmed, ended = (message.body for message in mailoutbox)
    assert "Proposed by" in proposed and "confirms it" in proposed and support.person.full_name in proposed
    assert "Confirmed by" in confirmed
    assert "Ended on 2025-01-01" in ended
    assert all("/organisations/" in body and "#positions" in body for body in (proposed, confirmed, ended))


def test_a_position_for_no_government_starts_at_once_and_tells_no_member(support, mailoutbox):
    position = services.appoint(
        person=PersonFactory.create(), kind=Position.Kind.GUEST, body=body("task_force"), by=support, starts_on=START
    )
    assert position.consent == Position.Consent.GIVEN
    assert mailoutbox == []


# --- Through the pages --------------------------------------------------------------------------------------------


def test_the_focal_point_confirms_on_the_organisation_page(client, support, make_user, estonia):
    focal_point = make_user(Role.FOCAL_POINT)
    position = propose_self_as_focal_point(support, estonia)
    client.force_login(focal_point)

    page = client.get(reverse("directory:organisation", args=[estonia.pk]))
    assert reverse("directory:decide_position", args=[position.pk, "confirm"]).encode() in page.content

    response = client.post(reverse("directory:decide_position", args=[position.pk, "confirm"]))
    assert response.status_code == 302
    position.refresh_from_db()
    assert position.consent == Position.Consent.GIVEN


def test_the_support_unit_cannot_confirm_through_the_page(client, support, estonia):
    position = propose_self_as_focal_point(support, estonia)
    client.force_login(support)
    response = client.post(reverse("directory:decide_position", args=[position.pk, "confirm"]))
    assert response.status_code == 403
    position.refresh_from_db()
    assert position.consent == Position.Consent.AWAITED


def test_confirming_is_never_done_by_a_get(client, support, make_user, estonia):
    focal_point = make_user(Role.FOCAL_POINT)
    position = propose_self_as_focal_point(support, estonia)
    client.force_login(focal_point)
    assert client.get(reverse("directory:decide_position", args=[position.pk, "confirm"])).status_code == 405
    position.refresh_from_db()
    assert position.consent == Position.Consent.AWAITED


def test_the_support_unit_proposes_on_the_organisation_page(client, support, estonia):
    client.force_login(support)
    response = client.post(
        reverse("directory:appoint", args=[estonia.pk]),
        {"person": support.person.pk, "kind": "focal_point", "starts_on": "2024-01-01"},
    )
    assert response.status_code == 302
    position = Position.objects.get(person=support.person, organisation=estonia)
    assert position.consent == Position.Consent.AWAITED


def test_a_proposal_with_a_bad_date_names_the_field_and_saves_nothing(client, support, estonia):
    client.force_login(support)
    response = client.post(
        reverse("directory:appoint", args=[estonia.pk]),
        {"person": support.person.pk, "kind": "focal_point", "starts_on": "2024-01-01", "ends_on": "2023-01-01"},
    )
    assert response.status_code == 400
    assert b"The term cannot end before it starts." in response.content
    assert not Position.objects.filter(person=support.person, organisation=estonia).exists()


def test_the_api_says_a_proposed_position_is_not_in_force(client, support, estonia):
    position = propose_self_as_focal_point(support, estonia)
    client.force_login(support)
    rows = client.get("/api/v1/positions/").json()["results"]
    assert {row["id"]: row["consent"] for row in rows}[position.pk] == "awaited"
    on = client.get("/api/v1/positions/", {"on": "2024-06-01"}).json()["results"]
    assert position.pk not in {row["id"] for row in on}
