"""The library's section of the coalition queue (issue 19, My work): queued imports the task worker refused, for the
Support Unit and the Chair, as far as each may read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coalition.core import workplace
from coalition.core.policy import Classification, Role
from coalition.library.models import QueuedImport, Source

pytestmark = pytest.mark.django_db


def queue(user: Any) -> list[workplace.Item]:
    sections = {s.key: s for s in workplace.sections_for(user, timezone.now(), workplace.COALITION)}
    return sections["library.imports"].items if "library.imports" in sections else []


def queued(by: Any, state: str, **fields: Any) -> QueuedImport:
    fields.setdefault("classification", Classification.COALITION)
    return QueuedImport.objects.create(
        by=by, state=state, file_name=f"{state}.pdf", kind=Source.Kind.values[0], title=f"A {state} text", **fields
    )


def test_refused_imports_of_the_last_30_days_are_in_the_queue(make_user: Any) -> None:
    support, chair, focal = make_user(Role.SUPPORT_UNIT), make_user(Role.CHAIR), make_user(Role.FOCAL_POINT)
    refused = queued(support, QueuedImport.State.REFUSED, error="The date is not a date.", error_field="date")
    queued(support, QueuedImport.State.DONE)
    old = queued(support, QueuedImport.State.REFUSED, error="Too old to matter.")
    QueuedImport.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))
    [item] = queue(support)
    assert item.subject == refused
    assert item.detail == "Refused: The date is not a date."
    assert item.path == f"/library/imports/{refused.pk}/"
    assert [i.subject for i in queue(chair)] == [refused]
    assert queue(focal) == []


def test_a_refused_import_the_viewer_may_not_read_is_not_listed(make_user: Any) -> None:
    support, chair = make_user(Role.SUPPORT_UNIT), make_user(Role.CHAIR)
    from coalition.core.models import Audience

    queued(
        support,
        QueuedImport.State.REFUSED,
        error="Unreadable.",
        classification=Classification.RESTRICTED,
        audience=Audience.objects.create(name="Support Unit only"),
    )
    assert len(queue(support)) == 1
    assert queue(chair) == []
