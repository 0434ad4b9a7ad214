"""The troika (past, current and next chairs) on any date, and the PoA 3A.1 flag when no next chair is named
by 31 March of the current chair's year."""

from __future__ import annotations

import datetime as dt

import pytest

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory import services
from coalition.directory.models import ChairTerm, Organisation
from coalition.directory.queries import troika_on
from coalition.directory.tests.factories import OrganisationFactory, chair_term, government

pytestmark = pytest.mark.django_db


@pytest.fixture
def chairs() -> dict[int, ChairTerm]:
    """Canada chaired in 2022, the United States in 2023; Estonia is named for 2024."""
    return {
        2022: chair_term(government("CA"), 2022),
        2023: chair_term(government("US"), 2023),
        2024: chair_term(government("EE"), 2024),
    }


def test_the_troika_is_last_years_this_years_and_next_years_chair(chairs):
    troika = troika_on(dt.date(2023, 7, 1))
    assert (troika.past, troika.current, troika.next) == (chairs[2022], chairs[2023], chairs[2024])


def test_the_troika_moves_on_new_years_day(chairs):
    assert troika_on(dt.date(2023, 12, 31)).current == chairs[2023]
    assert troika_on(dt.date(2024, 1, 1)).current == chairs[2024]


def test_the_chair_after_the_last_recorded_term_is_unknown(chairs):
    troika = troika_on(dt.date(2024, 2, 1))
    assert (troika.past, troika.current, troika.next) == (chairs[2023], chairs[2024], None)


def test_a_year_without_a_chair_has_no_current_chair():
    troika = troika_on(dt.date(2030, 6, 1))
    assert (troika.past, troika.current, troika.next) == (None, None, None)
    assert not troika.next_chair_overdue


def test_a_missing_next_chair_is_not_overdue_on_30_march(chairs):
    assert not troika_on(dt.date(2024, 3, 30)).next_chair_overdue


def test_a_missing_next_chair_is_overdue_on_31_march(chairs):
    assert troika_on(dt.date(2024, 3, 31)).next_chair_overdue


def test_a_missing_next_chair_stays_overdue_for_the_rest_of_the_year(chairs):
    assert troika_on(dt.date(2024, 12, 31)).next_chair_overdue


def test_a_named_next_chair_is_never_overdue(chairs):
    assert not troika_on(dt.date(2023, 11, 1)).next_chair_overdue


def test_naming_the_next_chair_clears_the_flag(chairs, make_user):
    services.set_chair_term(organisation=government("CL"), year=2025, by=make_user(Role.SUPPORT_UNIT))
    assert not troika_on(dt.date(2024, 4, 1)).next_chair_overdue


def test_the_chairs_page_flags_an_overdue_next_chair(client, chairs):
    response = client.get("/chairs/", {"on": "2024-04-01"})
    assert response.status_code == 200
    assert response.context["troika"].next_chair_overdue


def test_the_api_reports_the_troika_on_a_date(client, chairs):
    response = client.get("/api/v1/chair-terms/troika/", {"on": "2024-03-31"})
    body = response.json()
    assert (body["past"]["year"], body["current"]["year"], body["next"]) == (2023, 2024, None)
    assert body["next_chair_overdue"] is True


def test_setting_a_chair_term_covers_the_calendar_year_and_is_recorded(make_user):
    term = services.set_chair_term(organisation=government("CL"), year=2026, by=make_user(Role.SUPPORT_UNIT))
    assert (term.starts_on, term.ends_on) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert AuditEvent.objects.get(action="directory.chair_term_set").data == {"year": 2026}


def test_setting_a_chair_term_again_replaces_the_chair_for_that_year(make_user):
    support = make_user(Role.SUPPORT_UNIT)
    services.set_chair_term(organisation=government("CL"), year=2026, by=support)
    services.set_chair_term(organisation=government("KR"), year=2026, by=support)
    assert ChairTerm.objects.filter(year=2026).values_list("organisation__country__code", flat=True).get() == "KR"


def test_only_a_government_can_chair(make_user):
    forum = OrganisationFactory.create(kind=Organisation.Kind.REGIONAL)
    with pytest.raises(InvalidInput) as refused:
        services.set_chair_term(organisation=forum, year=2026, by=make_user(Role.SUPPORT_UNIT))
    assert refused.value.field == "organisation"
    assert not ChairTerm.objects.exists()


def test_only_the_support_unit_sets_chair_terms(make_user):
    with pytest.raises(AccessDenied):
        services.set_chair_term(organisation=government("CL"), year=2026, by=make_user(Role.CHAIR))
    assert not ChairTerm.objects.exists()
