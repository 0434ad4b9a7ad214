"""Membership on any date: the status on a date is the latest participation step on or before it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Classification, Role
from coalition.directory import queries, services
from coalition.directory.models import Organisation, Participation
from coalition.directory.tests.factories import OrganisationFactory, government

pytestmark = pytest.mark.django_db

ANONYMOUS = AnonymousUser()
FOUNDED = dt.date(2011, 12, 9)


def step(org: Organisation, status: str, on: dt.date) -> None:
    Participation.objects.create(organisation=org, status=status, effective_on=on)


def members_on(on: dt.date, user=ANONYMOUS) -> list[Organisation]:
    return list(queries.participants_on(user, on=on))


def test_a_founder_is_a_member_on_the_founding_day():
    estonia = government("EE", since=FOUNDED)
    assert members_on(FOUNDED) == [estonia]


def test_a_government_is_not_a_member_the_day_before_it_joins():
    government("EE", since=FOUNDED)
    assert members_on(FOUNDED - dt.timedelta(days=1)) == []


def test_a_member_that_withdrew_counts_before_the_withdrawal_and_not_after():
    latvia = government("LV", since=dt.date(2012, 12, 7))
    step(latvia, "withdrawn", dt.date(2020, 6, 1))
    assert members_on(dt.date(2020, 5, 31)) == [latvia]
    assert members_on(dt.date(2020, 6, 1)) == []


def test_a_government_that_rejoins_counts_again_and_keeps_its_first_joining_date():
    latvia = government("LV", since=dt.date(2012, 12, 7))
    step(latvia, "withdrawn", dt.date(2016, 1, 1))
    step(latvia, "member", dt.date(2019, 1, 1))
    [row] = members_on(dt.date(2020, 1, 1))
    assert row == latvia
    assert row.joined_on == dt.date(2012, 12, 7)  # type: ignore[attr-defined]


def test_the_status_on_a_date_is_the_latest_step_before_it():
    brazil = government("BR", status="candidate", since=dt.date(2024, 1, 1))
    step(brazil, "invited", dt.date(2024, 6, 1))
    step(brazil, "member", dt.date(2025, 1, 1))
    statuses = {
        on: queries.with_status_on(Organisation.objects.filter(pk=brazil.pk), on).get().status  # type: ignore[attr-defined]
        for on in (dt.date(2023, 12, 31), dt.date(2024, 3, 1), dt.date(2024, 12, 31), dt.date(2025, 1, 1))
    }
    assert list(statuses.values()) == [None, "candidate", "invited", "member"]


def test_observers_are_listed_apart_from_members():
    estonia = government("EE")
    drf = OrganisationFactory.create(kind=Organisation.Kind.REGIONAL, name="Regional Forum")
    step(drf, "observer", dt.date(2022, 6, 1))
    on = dt.date(2023, 1, 1)
    assert members_on(on) == [estonia]
    assert list(queries.participants_on(ANONYMOUS, on=on, statuses=("observer",))) == [drf]
    assert set(queries.participants_on(ANONYMOUS, on=on, statuses=("member", "observer"))) == {estonia, drf}


def test_candidates_and_invited_governments_are_not_members():
    government("BR", status="candidate")
    government("AR", status="invited")
    assert members_on(dt.date(2024, 1, 1)) == []


def test_statuses_on_a_date_ignore_who_is_asking():
    estonia = government("EE", since=FOUNDED)
    germany = government("DE", since=dt.date(2013, 1, 1))
    assert queries.statuses_on({estonia.pk, germany.pk}, on=dt.date(2012, 1, 1)) == {
        estonia.pk: "member",
        germany.pk: None,
    }


def test_an_organisation_classified_for_members_is_listed_only_to_those_who_may_read_it(make_user):
    hidden = government("CH")
    Organisation.objects.filter(pk=hidden.pk).update(classification=Classification.MEMBERS)
    on = dt.date(2024, 1, 1)
    assert hidden not in members_on(on)
    assert hidden in members_on(on, make_user(Role.SUPPORT_UNIT))


def test_the_members_page_answers_for_a_past_date(client):
    government("EE", since=FOUNDED)
    government("DE", since=dt.date(2013, 1, 1))
    response = client.get("/members/", {"on": "2012-01-01"})
    assert response.status_code == 200
    assert [org.name for org in response.context["rows"]] == ["Government of EE"]


def test_the_support_unit_records_a_participation_step_in_the_ledger(make_user):
    estonia = government("EE", since=FOUNDED)
    support = make_user(Role.SUPPORT_UNIT)

    services.record_participation(
        organisation=estonia, status="withdrawn", effective_on=dt.date(2025, 1, 1), by=support
    )

    assert members_on(dt.date(2025, 1, 1)) == []
    event = AuditEvent.objects.get(action="directory.participation_recorded")
    assert event.data == {"status": "withdrawn", "effective_on": "2025-01-01"}
    assert event.on_behalf_of == str(estonia)


def test_only_the_support_unit_records_participation(make_user):
    ghana = government("GH", since=FOUNDED)
    with pytest.raises(AccessDenied):
        services.record_participation(
            organisation=ghana, status="withdrawn", effective_on=dt.date(2025, 1, 1), by=make_user(Role.FOCAL_POINT)
        )
    assert ghana.participation.count() == 1


def test_a_second_step_on_the_same_day_is_refused_naming_the_date(make_user):
    estonia = government("EE", since=FOUNDED)
    with pytest.raises(InvalidInput) as refused:
        services.record_participation(
            organisation=estonia, status="withdrawn", effective_on=FOUNDED, by=make_user(Role.SUPPORT_UNIT)
        )
    assert refused.value.field == "effective_on"
    assert estonia.participation.get().status == "member"


def test_an_unknown_status_is_refused_naming_the_field(make_user):
    estonia = government("EE", since=FOUNDED)
    with pytest.raises(InvalidInput) as refused:
        services.record_participation(
            organisation=estonia, status="overlord", effective_on=dt.date(2025, 1, 1), by=make_user(Role.SUPPORT_UNIT)
        )
    assert refused.value.field == "status"
    assert not AuditEvent.objects.filter(action="directory.participation_recorded").exists()
