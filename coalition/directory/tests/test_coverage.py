"""PoA 1A.2: which member has a point of contact in which diplomatic network, the gaps, and terms ending soon."""

from __future__ import annotations

import datetime as dt

import pytest

from coalition.core.errors import AccessDenied
from coalition.core.policy import Role
from coalition.directory.models import Body, Organisation, Position
from coalition.directory.queries import ENDING_SOON_DAYS, CoverageCell, CoverageMatrix, poc_coverage
from coalition.directory.tests.factories import BodyFactory, PositionFactory, government

pytestmark = pytest.mark.django_db

ON = dt.date(2025, 6, 1)


@pytest.fixture
def geneva() -> Body:
    return BodyFactory.create(slug="geneva", name="Geneva network", kind=Body.Kind.DIPLOMATIC_NETWORK)


@pytest.fixture
def new_york() -> Body:
    return BodyFactory.create(slug="new-york", name="New York network", kind=Body.Kind.DIPLOMATIC_NETWORK)


@pytest.fixture
def support(make_user):
    return make_user(Role.SUPPORT_UNIT)


def poc(member: Organisation, network: Body, *, ends_on: dt.date | None = None, **fields: object) -> Position:
    return PositionFactory.create(
        kind=Position.Kind.NETWORK_POC,
        organisation=member,
        body=network,
        starts_on=dt.date(2020, 1, 1),
        ends_on=ends_on,
        **fields,
    )


def cell(matrix: CoverageMatrix, member: Organisation, network: Body) -> CoverageCell:
    row = dict(matrix.rows)[member]
    return row[matrix.networks.index(network)]


def test_a_member_with_a_point_of_contact_in_a_network_is_covered_there(support, geneva):
    ghana = government("GH")
    contact = poc(ghana, geneva)
    matrix = poc_coverage(support, on=ON)
    assert cell(matrix, ghana, geneva).pocs == [contact]
    assert matrix.gaps == 0


def test_a_member_without_a_point_of_contact_in_a_network_is_a_gap(support, geneva, new_york):
    ghana = government("GH")
    poc(ghana, geneva)
    matrix = poc_coverage(support, on=ON)
    assert cell(matrix, ghana, new_york).gap
    assert matrix.gaps == 1


def test_a_point_of_contact_whose_term_has_ended_leaves_a_gap(support, geneva):
    ghana = government("GH")
    poc(ghana, geneva, ends_on=ON - dt.timedelta(days=1))
    assert cell(poc_coverage(support, on=ON), ghana, geneva).gap


def test_a_term_ending_within_sixty_days_is_flagged(support, geneva):
    ghana = government("GH")
    poc(ghana, geneva, ends_on=ON + dt.timedelta(days=ENDING_SOON_DAYS))
    matrix = poc_coverage(support, on=ON)
    assert cell(matrix, ghana, geneva).ending_soon
    assert matrix.ending_soon == 1


def test_a_term_ending_after_sixty_days_is_not_flagged(support, geneva):
    ghana = government("GH")
    poc(ghana, geneva, ends_on=ON + dt.timedelta(days=ENDING_SOON_DAYS + 1))
    assert not cell(poc_coverage(support, on=ON), ghana, geneva).ending_soon


def test_a_cell_is_not_at_risk_while_another_point_of_contact_stays(support, geneva):
    ghana = government("GH")
    poc(ghana, geneva, ends_on=ON + dt.timedelta(days=10))
    poc(ghana, geneva)
    assert not cell(poc_coverage(support, on=ON), ghana, geneva).ending_soon


def test_a_gap_is_not_counted_as_ending_soon(support, geneva):
    government("GH")
    matrix = poc_coverage(support, on=ON)
    assert (matrix.gaps, matrix.ending_soon) == (1, 0)


def test_only_members_on_the_date_have_rows(support, geneva):
    ghana = government("GH")
    candidate = government("BR", status="candidate")
    poc(candidate, geneva)
    assert [member for member, _ in poc_coverage(support, on=ON).rows] == [ghana]


def test_coverage_on_a_past_date_uses_the_points_of_contact_of_that_date(support, geneva):
    ghana = government("GH")
    poc(ghana, geneva, ends_on=dt.date(2022, 12, 31))
    assert not cell(poc_coverage(support, on=dt.date(2022, 6, 1)), ghana, geneva).gap
    assert cell(poc_coverage(support, on=ON), ghana, geneva).gap


def test_member_governments_may_see_coverage(make_user, geneva):
    government("GH")
    assert poc_coverage(make_user(Role.MEMBER_OFFICIAL), on=ON).networks == [geneva]


@pytest.mark.parametrize("role", [Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST])
def test_coverage_is_refused_outside_the_member_governments(make_user, geneva, role):
    with pytest.raises(AccessDenied):
        poc_coverage(make_user(role), on=ON)


def test_the_networks_page_shows_coverage_to_the_support_unit(signed_in_client, geneva):
    government("GH")
    response = signed_in_client(Role.SUPPORT_UNIT).get("/networks/", {"on": ON.isoformat()})
    assert response.status_code == 200
    assert response.context["matrix"].gaps == 1


def test_the_networks_page_leaves_coverage_out_for_the_advisory_network(signed_in_client, geneva):
    response = signed_in_client(Role.ADVISORY_NETWORK).get("/networks/")
    assert response.status_code == 200
    assert response.context["matrix"] is None


def test_the_homes_coverage_without_people_finds_the_same_gaps_and_endings(support, geneva, new_york):
    ghana, kenya = government("GH"), government("KE")
    poc(ghana, geneva, ends_on=ON + dt.timedelta(days=ENDING_SOON_DAYS))
    poc(kenya, new_york)
    full, lean = poc_coverage(support, on=ON), poc_coverage(support, on=ON, with_people=False)

    def flags(matrix: CoverageMatrix) -> list[tuple[int, list[tuple[bool, bool]]]]:
        return [(member.pk, [(c.gap, c.ending_soon) for c in cells]) for member, cells in matrix.rows]

    assert flags(lean) == flags(full)
    assert (lean.gaps, lean.ending_soon) == (full.gaps, full.ending_soon)
