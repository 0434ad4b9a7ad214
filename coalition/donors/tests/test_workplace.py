"""Donor coordination's section of the coalition queue (issue 19, My work): refused funding files, listed only where
the viewer may read the import report — the reporting member's own people (so the Chair for its own government's
files, never the Support Unit)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from coalition.core import workplace
from coalition.core.policy import Role
from coalition.directory.models import Position
from coalition.directory.tests.factories import government
from coalition.donors.models import ImportBatch

pytestmark = pytest.mark.django_db


def queue(user: Any) -> list[workplace.Item]:
    sections = {s.key: s for s in workplace.sections_for(user, timezone.now(), workplace.COALITION)}
    return sections["donors.imports"].items if "donors.imports" in sections else []


def batch(reporter: Any, by: Any, outcome: str, name: str) -> ImportBatch:
    return ImportBatch.objects.create(
        reporter=reporter,
        by=by,
        format=ImportBatch.Format.CSV,
        file_name=name,
        sha256="0" * 64,
        outcome=outcome,
        errors=[{"message": "No currency", "kind": "error", "line": 3, "identifier": "X-1"}],
    )


def test_a_refused_funding_file_is_in_the_queue_of_whoever_may_read_its_report(make_user: Any) -> None:
    support, chair = make_user(Role.SUPPORT_UNIT), make_user(Role.CHAIR)
    own, other = government("NO"), government("DE")
    Position.objects.create(
        person=chair.person, organisation=own, kind=Position.Kind.FOCAL_POINT, starts_on="2020-01-01"
    )
    refused = batch(own, chair, ImportBatch.Outcome.REFUSED, "ours.csv")
    batch(own, chair, ImportBatch.Outcome.ACCEPTED, "fine.csv")
    batch(other, support, ImportBatch.Outcome.REFUSED, "theirs.csv")
    [item] = queue(chair)
    assert item.subject == refused
    assert item.path == f"/donors/imports/{refused.pk}/"
    assert item.detail == "Refused with 1 error(s); nothing was saved."
    assert queue(support) == []  # an import report is its reporter's alone
