"""Fixtures the donor-coordination tests share: every country, members' people, and small IATI files."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from coalition.accounts.models import User
from coalition.core.policy import Tier
from coalition.directory.models import Organisation, Position
from coalition.directory.services import load_countries
from coalition.directory.tests.factories import PersonFactory, PositionFactory, government
from coalition.donors import services
from coalition.donors.models import ImportBatch
from coalition.donors.tests.files import funding, iati_file

__all__ = ["funding", "iati_file"]  # the tests import them from here too

IATI = Path(settings.BASE_DIR).parent / "shared" / "data" / "iati"
HAS_STANDARD = IATI.is_dir()
needs_standard = pytest.mark.skipif(not HAS_STANDARD, reason="../shared/data/iati is not beside the repository")

_emails = itertools.count(1)


@pytest.fixture(autouse=True)
def _countries(db: Any) -> None:
    load_countries()


def person_of(code: str, *, focal_point: bool = False) -> Any:
    """An account of a person holding a position for the government of `code` (an official, or its focal point)."""

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
