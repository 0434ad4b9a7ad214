"""How the directory words what it shows (issue 17, item 6): a country's short name takes "the" where English
gives it one ("the Government of the United States"), counts agree with their noun ("1 observer"), and the warning
that no next chair is identified reaches only those who can act on it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pycountry
import pytest
from django.test import Client

from coalition.core.policy import Role
from coalition.directory.models import Country, takes_the
from coalition.directory.tests.factories import chair_term, country, government

pytestmark = pytest.mark.django_db

WITH_THE = ["US", "GB", "NL", "PH", "GM", "BS", "DO", "MV", "CF", "AE", "RU", "KM", "MH", "VA"]
WITHOUT = ["KE", "DE", "FR", "CZ", "BB", "CY", "HN", "MU", "EE", "CA", "MD", "KR", "CV"]


def _iso(code: str) -> dict[str, str]:
    """A country's names as the directory's reference data gives them (pycountry, as directory.reference reads it)."""
    found = pycountry.countries.get(alpha_2=code)
    assert found is not None
    name = getattr(found, "common_name", None) or found.name
    return {"code": code, "name": name, "official_name": getattr(found, "official_name", "")}


@pytest.mark.parametrize("code", WITH_THE)
def test_short_names_that_are_descriptions_or_plurals_take_the(code: str) -> None:
    assert takes_the(**_iso(code))


@pytest.mark.parametrize("code", WITHOUT)
def test_proper_names_take_no_article(code: str) -> None:
    assert not takes_the(**_iso(code))


def test_the_former_short_name_of_czechia_takes_the() -> None:
    assert takes_the(code="CZ", name="Czech Republic", official_name="")


def test_a_countrys_name_in_running_text_carries_its_article() -> None:
    united_states = Country(code="US", name="United States", official_name="United States of America")
    kenya = Country(code="KE", name="Kenya", official_name="Republic of Kenya")
    assert f"Government of {united_states.name_in_text}" == "Government of the United States"
    assert f"Government of {kenya.name_in_text}" == "Government of Kenya"


def _home(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_one_observer_is_counted_in_the_singular(client: Client) -> None:
    government("EE")
    government("FI", status="observer")
    body = _home(client)
    assert "<strong>1</strong> member government</li>" in body
    assert "<strong>1</strong> observer</li>" in body


def test_several_observers_are_counted_in_the_plural(client: Client) -> None:
    government("FI", status="observer")
    government("SE", status="observer")
    assert "<strong>2</strong> observers</li>" in _home(client)


@pytest.fixture
def overdue_next_chair(db: Any) -> None:
    """This year's chair is recorded, next year's is not, and 31 March has passed."""
    today = dt.date.today()
    country("EE")
    chair_term(government("EE"), today.year)
    if today < dt.date(today.year, 3, 31):
        pytest.skip("the next chair is overdue only from 31 March")


@pytest.mark.parametrize("path", ["/", "/chairs/"])
def test_the_public_is_not_warned_of_a_missing_next_chair(overdue_next_chair: None, client: Client, path: str) -> None:
    assert "No next chair has been identified" not in client.get(path).content.decode()


@pytest.mark.parametrize("role", [Role.MEMBER_OFFICIAL, Role.ADVISORY_NETWORK])
def test_those_who_cannot_name_the_next_chair_are_not_warned(
    overdue_next_chair: None, signed_in_client: Callable[..., Client], role: Role
) -> None:
    assert "No next chair has been identified" not in signed_in_client(role).get("/").content.decode()


@pytest.mark.parametrize("path", ["/", "/chairs/"])
def test_the_support_unit_who_records_chair_terms_is_warned(
    overdue_next_chair: None, signed_in_client: Callable[..., Client], path: str
) -> None:
    assert "No next chair has been identified" in signed_in_client(Role.SUPPORT_UNIT).get(path).content.decode()
