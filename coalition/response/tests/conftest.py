"""Fixtures the rapid-response tests share: every country in the directory, and a two-action toolkit."""

from __future__ import annotations

from typing import Any

import pytest

from coalition.directory.services import load_countries
from coalition.response import services
from coalition.response.models import Tool


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
