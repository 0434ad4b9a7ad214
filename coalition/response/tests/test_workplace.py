"""Rapid response's home sections (issue 19, My work): the open situations a person's member has not pledged to,
for that member's people only, and signal imports with errors in the Support Unit's and the Chair's queue."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from coalition.core import workplace
from coalition.core.policy import Role
from coalition.directory.models import Country, Organisation
from coalition.response import services
from coalition.response.models import ImportBatch, Source
from coalition.response.tests.scenes import open_by_hand, tool

pytestmark = pytest.mark.django_db


def items(user: Any, key: str, scope: str = workplace.PERSONAL) -> list[workplace.Item]:
    sections = {s.key: s for s in workplace.sections_for(user, timezone.now(), scope)}
    return sections[key].items if key in sections else []


def test_an_open_situation_waits_on_the_home_of_a_member_that_has_not_pledged(make_user: Any) -> None:
    support, focal, official = (
        make_user(Role.SUPPORT_UNIT),
        make_user(Role.FOCAL_POINT),
        make_user(Role.MEMBER_OFFICIAL),
    )
    advisor, observer = make_user(Role.ADVISORY_NETWORK), make_user(Role.OBSERVER)
    situation = open_by_hand(support, Country.objects.get(code="MM"), title="Myanmar shutdown")
    [item] = items(focal, "response.pledges")
    assert item.text == "Myanmar shutdown"
    assert item.path == f"/response/situations/{situation.pk}/#pledge"
    member = Organisation.objects.get(pk=focal.person.positions.get().organisation_id)
    assert member.name in item.detail
    assert len(items(official, "response.pledges")) == 1  # officials pledge for their member too
    assert items(advisor, "response.pledges") == []  # a members-only situation
    assert items(observer, "response.pledges") == []
    assert items(support, "response.pledges") == []  # the Support Unit is no member asked to pledge
    services.pledge(
        situation, by=focal, organisation=member, tool=tool(support, "Joint statement"), description="We sign."
    )
    assert items(focal, "response.pledges") == []


def test_a_closed_situation_waits_for_no_pledge(make_user: Any) -> None:
    support, focal = make_user(Role.SUPPORT_UNIT), make_user(Role.FOCAL_POINT)
    situation = open_by_hand(support, Country.objects.get(code="MM"), title="Myanmar shutdown")
    services.close(situation, by=support, review="Over within a day.")
    assert items(focal, "response.pledges") == []


def test_signal_imports_with_errors_are_in_the_queue(make_user: Any) -> None:
    support, chair, focal = make_user(Role.SUPPORT_UNIT), make_user(Role.CHAIR), make_user(Role.FOCAL_POINT)
    ImportBatch.objects.create(source=Source.OONI, file_name="clean.csv", sha256="a" * 64, created=3)
    ImportBatch.objects.create(source=Source.OONI, file_name="refused.csv", sha256="b" * 64, refusal="No header row")
    ImportBatch.objects.create(
        source=Source.IODA, file_name="partly.csv", sha256="c" * 64, created=2, skipped=[{"row": 4, "reason": "?"}]
    )
    texts = sorted(item.text for item in items(support, "response.imports", workplace.COALITION))
    assert texts == ["IODA: partly.csv", "OONI: refused.csv"]
    assert len(items(chair, "response.imports", workplace.COALITION)) == 2
    assert items(focal, "response.imports", workplace.COALITION) == []
