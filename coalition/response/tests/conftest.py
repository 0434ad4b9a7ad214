"""Fixtures the rapid-response tests share: every country in the directory, a two-action toolkit, and the scene of
the service tests (countries, members, tools, a situation and an alert)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from coalition.core.policy import Classification
from coalition.directory.models import Country, Organisation
from coalition.directory.services import load_countries
from coalition.response import services
from coalition.response.models import Alert, Situation, Source, Tool
from coalition.response.tests.scenes import open_by_hand, signal, tool
from coalition.statements.tests.test_services import member


@pytest.fixture(autouse=True)
def _countries(db: Any) -> None:
    load_countries()


@pytest.fixture
def toolkit(support: Any) -> list[Tool]:
    return [
        services.save_tool(
            by=support,
            name="Joint statement",
            kind=Tool.Kind.PUBLIC_STATEMENT,
            when_to_use="A shutdown during an election",
            who_can_use="All members",
            suggested_lead="Chair",
            position=1,
        ),
        services.save_tool(
            by=support,
            name="Joint démarche",
            kind=Tool.Kind.JOINT_DEMARCHE,
            when_to_use="Members with embassies there",
            who_can_use="Members with an embassy",
            suggested_lead="Members with an embassy there",
            position=2,
        ),
    ]


# --- Fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture
def ethiopia() -> Country:
    return Country.objects.get(code="ET")


@pytest.fixture
def iran() -> Country:
    return Country.objects.get(code="IR")


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()


@pytest.fixture
def estonia() -> tuple[Organisation, Any]:
    return member("EE")


@pytest.fixture
def ghana() -> tuple[Organisation, Any]:
    return member("GH")


@pytest.fixture
def statement_tool(support: Any) -> Tool:
    return tool(support, "Public statement", suggested_lead="Chair", position=1)


@pytest.fixture
def demarche_tool(support: Any) -> Tool:
    return tool(support, "Joint démarche", kind=Tool.Kind.JOINT_DEMARCHE, suggested_lead="Members with an embassy")


@pytest.fixture
def situation(
    support: Any, ethiopia: Country, now: dt.datetime, statement_tool: Tool, demarche_tool: Tool
) -> Situation:
    return open_by_hand(
        support, ethiopia, title="Ethiopia: Amhara shutdown", first_signal_at=now - dt.timedelta(hours=6)
    )


@pytest.fixture
def widened(situation: Situation, support: Any) -> Situation:
    return services.widen(situation, by=support, classification=Classification.COALITION)


@pytest.fixture
def alert(ethiopia: Country, now: dt.datetime) -> Alert:
    signal(Source.IODA, ethiopia, starts_at=now - dt.timedelta(hours=7), ends_at=now - dt.timedelta(hours=1))
    signal(Source.CLOUDFLARE, ethiopia, starts_at=now - dt.timedelta(hours=6))
    (raised,) = services.raise_alerts(now=now)
    return raised
