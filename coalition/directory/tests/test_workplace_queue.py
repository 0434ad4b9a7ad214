"""The directory's sections of the coalition-wide queue on the home page: members with no focal point in force
today and members missing a point of contact in a diplomatic network, each linking to the member's positions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coalition.core import workplace
from coalition.core.policy import Role as R
from coalition.core.tests.clients import client_for, text_of
from coalition.directory import queries
from coalition.directory import workplace as directory_workplace
from coalition.directory.models import Body, Organisation, Participation, Position
from coalition.directory.tests.factories import BodyFactory, PersonFactory, PositionFactory, government

pytestmark = pytest.mark.django_db


def _focal_point(member: Organisation, **fields: object) -> Position:
    return PositionFactory.create(person=PersonFactory(), organisation=member, kind=Position.Kind.FOCAL_POINT, **fields)


def _name(member: Organisation) -> str:
    assert member.country is not None
    return member.country.name  # "Ghana" with the reference data loaded, "Country GH" without


def _texts(user: object, key: str) -> dict[str, workplace.Item]:
    sections = workplace.sections_for(user, timezone.now(), workplace.COALITION)
    (section,) = [s for s in sections if s.key == key]
    return {item.text: item for item in section.items}


@pytest.fixture
def members() -> dict[str, Organisation]:
    """Estonia with a focal point; Ghana with none; Kenya whose focal point's term has ended; Latvia whose focal
    point awaits its confirmation; Brazil an observer and Chile withdrawn, neither with a focal point."""
    today = queries.today()
    found = {code: government(code) for code in ("EE", "GH", "KE", "LV")}
    found["BR"] = government("BR", status="observer")
    found["CL"] = government("CL")
    Participation.objects.create(organisation=found["CL"], status="withdrawn", effective_on=dt.date(2022, 1, 1))
    _focal_point(found["EE"])
    _focal_point(found["KE"], ends_on=today - dt.timedelta(days=1))
    _focal_point(found["LV"], consent=Position.Consent.AWAITED)
    return found


@pytest.mark.parametrize("role", [R.SUPPORT_UNIT, R.CHAIR])
def test_the_queue_lists_the_members_with_no_focal_point_in_force_today(members, make_user, role):
    items = _texts(make_user(role), "directory.no_focal_point")
    ghana, kenya, latvia = (f"{_name(members[code])} has no focal point" for code in ("GH", "KE", "LV"))
    assert set(items) == {ghana, kenya, latvia}
    assert items[ghana].path == f"/organisations/{members['GH'].pk}/#positions"
    assert items[latvia].detail == "A focal point is proposed and awaits the member's confirmation."
    assert items[kenya].detail == ""


def test_a_member_official_has_no_coalition_queue(members, official):
    assert workplace.sections_for(official, timezone.now(), workplace.COALITION) == []


def test_the_item_links_to_where_the_focal_point_is_appointed(members, support):
    items = _texts(support, "directory.no_focal_point")
    page = client_for(support).get(items[f"{_name(members['GH'])} has no focal point"].path)
    assert page.status_code == 200
    assert 'id="positions"' in page.content.decode() and "Propose a position" in text_of(page)


def test_the_home_shows_the_support_unit_the_members_with_no_focal_point(members, support):
    page = client_for(support).get("/")
    assert f"{_name(members['GH'])} has no focal point" in text_of(page)
    assert f'href="/organisations/{members["GH"].pk}/#positions"' in page.content.decode()


@pytest.fixture
def networks(members) -> dict[str, Body]:
    """Geneva and Vienna. Estonia has a contact in both; Ghana in Geneva only; Kenya in both, but its Geneva
    contact leaves in ten days."""
    today = queries.today()
    found = {
        city: BodyFactory.create(slug=city.lower(), name=f"{city} network", city=city, kind="diplomatic_network")
        for city in ("Geneva", "Vienna")
    }
    for code, city, ends_on in [
        ("EE", "Geneva", None),
        ("EE", "Vienna", None),
        ("GH", "Geneva", None),
        ("KE", "Geneva", today + dt.timedelta(days=10)),
        ("KE", "Vienna", None),
    ]:
        PositionFactory(
            person=PersonFactory(),
            organisation=members[code],
            body=found[city],
            kind=Position.Kind.NETWORK_POC,
            ends_on=ends_on,
        )
    return found


def test_the_queue_lists_each_member_missing_a_point_of_contact_in_a_network(members, networks, support):
    items = _texts(support, "directory.poc_vacancies")
    ghana = f"{_name(members['GH'])} has no point of contact in Vienna"
    kenya = f"{_name(members['KE'])}: points of contact leaving soon"
    assert set(items) == {ghana, kenya, f"{_name(members['LV'])} has no point of contact in Geneva, Vienna"}
    assert items[ghana].path == f"/organisations/{members['GH'].pk}/#positions"
    assert items[kenya].detail == "Every term ends within 60 days in Geneva."


def test_a_reader_without_the_coverage_matrix_gets_no_vacancies(members, networks, observer):
    assert directory_workplace.poc_vacancies(observer, None, timezone.now()) == []  # type: ignore[arg-type]


def test_the_queue_costs_the_same_queries_for_thirty_members_as_for_sixty(members, networks, support):
    def cost() -> int:
        with CaptureQueriesContext(connection) as run:
            workplace.sections_for(support, timezone.now(), workplace.COALITION)
        return len(run)

    def more(start: int) -> None:
        found = Organisation.objects.bulk_create(
            Organisation(name=f"Member {n}", kind="regional") for n in range(start, start + 27)
        )
        Participation.objects.bulk_create(
            Participation(organisation=o, status="member", effective_on=dt.date(2020, 1, 1)) for o in found
        )

    more(0)
    cost()  # the viewer's roles, resolved once per request
    few = cost()
    more(27)
    (section,) = [
        s
        for s in workplace.sections_for(support, timezone.now(), workplace.COALITION)
        if s.key == "directory.no_focal_point"
    ]
    assert (len(section.items), section.total) == (workplace.SHOWN, 3 + 27 + 27)
    assert cost() == few
