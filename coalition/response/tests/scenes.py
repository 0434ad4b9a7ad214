"""Helpers the rapid-response service tests share: signals, tools, situations opened, closed and timed."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from coalition.directory.models import Country, Organisation
from coalition.response import services
from coalition.response.models import Signal, SignalKind, Situation, Tool
from coalition.statements import services as statements
from coalition.statements.models import Statement
from coalition.statements.tests.test_services import open_round, past_deadline, sign

_external_ids = itertools.count(1)


# --- Helpers ------------------------------------------------------------------------------------------------------


def signal(
    source: str,
    country: Country,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    kind: str = SignalKind.OUTAGE,
) -> Signal:
    return Signal.objects.create(
        source=source,
        external_id=f"test:{next(_external_ids)}",
        country=country,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def tool(by: Any, name: str, **fields: Any) -> Tool:
    fields.setdefault("kind", Tool.Kind.PUBLIC_STATEMENT)
    fields.setdefault("when_to_use", "When a shutdown is confirmed.")
    fields.setdefault("who_can_use", "Any member.")
    return services.save_tool(by=by, name=name, **fields)


def open_by_hand(by: Any, country: Country, **fields: Any) -> Situation:
    return services.open_situation(by=by, country=country, **fields)


def closed(situation: Situation, by: Any, review: str = "The statement came out in a day; pledges were slow.") -> Any:
    return services.close(situation, by=by, review=review)


def publish(statement: Statement, support: Any, signer: tuple[Organisation, Any]) -> Statement:
    """Take a drafted statement through a sign-on round to publication, as the statements tests do."""
    freeze = open_round(statement, support)
    sign(freeze, signer)
    past_deadline(freeze)
    return statements.publish(statement=statement, by=support)


def set_times(situation: Situation, **times: dt.datetime | None) -> Situation:
    Situation.objects.filter(pk=situation.pk).update(**times)
    return Situation.objects.get(pk=situation.pk)


def kinds(situation: Situation) -> list[str]:
    return list(situation.timeline.values_list("kind", flat=True))
