"""Fixtures the donor-coordination tests share: every country, members' people, and small IATI files."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from coalition.core.policy import Tier
from coalition.directory.models import Organisation, Position
from coalition.directory.services import load_countries
from coalition.directory.tests.factories import PersonFactory, PositionFactory, government
from coalition.donors import services
from coalition.donors.models import ImportBatch

IATI = Path(settings.BASE_DIR).parent / "shared" / "data" / "iati"
HAS_STANDARD = IATI.is_dir()
needs_standard = pytest.mark.skipif(not HAS_STANDARD, reason="../shared/data/iati is not beside the repository")

_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def _countries(db: Any) -> None:
    load_countries()


def person_of(code: str, *, focal_point: bool = False) -> Any:
    """An account of a person holding a position for the government of `code` (an official, or its focal point)."""
    from coalition.accounts.models import User

    org = government(code)
    person = PersonFactory.create(affiliation=org)
    kind = Position.Kind.FOCAL_POINT if focal_point else Position.Kind.OFFICIAL
    PositionFactory(person=person, kind=kind, organisation=org, starts_on=dt.date(2020, 1, 1))
    return User.objects.create_user(
        email=f"{code.lower()}-{next(_emails)}@example.org", password="x" * 16, person=person
    )


@pytest.fixture
def member() -> Callable[..., Any]:
    """member("NL") → an official of the Netherlands' government (`.organisation` is the government)."""

    def make(code: str, *, focal_point: bool = False) -> Any:
        user = person_of(code, focal_point=focal_point)
        user.organisation = government(code)
        return user

    return make


def funding(
    identifier: str,
    *,
    reporter: str = "XM-DAC-7",
    title: str = "Digital rights defenders",
    description: str = "Support to human rights defenders working online.",
    country: str = "KE",
    sector: str = "15160",
    implementer: str = "Internews",
    implementer_ref: str = "",
    start: str = "2024-01-01",
    end: str = "2025-12-31",
    status: str = "2",
    currency: str = "EUR",
    budget: str = "1000000",
    extra: str = "",
) -> str:
    """One valid 2.03 <iati-activity> (schema order kept) with one budget and one commitment."""
    ref = f' ref="{implementer_ref}"' if implementer_ref else ""
    return f"""
  <iati-activity default-currency="{currency}" xml:lang="en" last-updated-datetime="2024-05-01T10:00:00">
    <iati-identifier>{identifier}</iati-identifier>
    <reporting-org ref="{reporter}" type="10"><narrative>Reporter {reporter}</narrative></reporting-org>
    <title><narrative>{title}</narrative></title>
    <description type="1"><narrative>{description}</narrative></description>
    <participating-org role="1" ref="{reporter}" type="10"><narrative>Funder</narrative></participating-org>
    <participating-org role="4" type="21"{ref}><narrative>{implementer}</narrative></participating-org>
    <activity-status code="{status}"/>
    <activity-date type="1" iso-date="{start}"/>
    <activity-date type="3" iso-date="{end}"/>
    <recipient-country code="{country}" percentage="100"/>
    <sector vocabulary="1" code="{sector}" percentage="100"/>
    <budget type="1" status="1">
      <period-start iso-date="{start}"/><period-end iso-date="{end}"/>
      <value value-date="{start}">{budget}</value>
    </budget>
    <transaction>
      <transaction-type code="2"/><transaction-date iso-date="{start}"/>
      <value value-date="{start}">{budget}</value>
    </transaction>{extra}
  </iati-activity>"""


def iati_file(*activities: str, version: str = "2.03") -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="{version}">'
    return f"{head}{''.join(activities)}\n</iati-activities>\n".encode()


def imported(
    user: Any, *activities: str, tier: str = Tier.MECHANISM, file_name: str = "activities.xml", **kwargs: Any
) -> ImportBatch:
    """Import activities as `user`'s member and insist it was accepted."""
    batch = services.import_file(
        iati_file(*activities), file_name=file_name, reporter=user.organisation, by=user, tier=tier, **kwargs
    )
    assert batch.outcome == ImportBatch.Outcome.ACCEPTED, batch.errors
    return batch


@pytest.fixture
def governments() -> Callable[[str], Organisation]:
    return government
