"""The 2023 Program of Action loads with every goal, objective and activity of the published text."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from coalition.programme.models import Activity, Goal, Objective, PolicyTopic
from coalition.programme.services import DATA, load_programme

SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seed" / "foc-program-of-action-2023.txt"


def seed_codes() -> dict[str, str]:
    """Codes and titles as the seed's "Detailed Overview of Goals" states them."""
    codes, objective = {}, None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if match := re.match(r"^GOAL (\d+): (.+)$", line):
            codes[match.group(1)] = match.group(2).strip()
        elif match := re.match(r"^Objective (\d[A-Z]): (.+)$", line):
            objective = match.group(1)
            codes[objective] = match.group(2).strip()
        elif (match := re.match(r"^- Activity (\d+): (.+)$", line)) and objective:
            codes[f"{objective}.{match.group(1)}"] = match.group(2).strip()
    return codes


def data_file_codes() -> dict[str, str]:
    data = tomllib.loads((DATA / "poa-2023.toml").read_text(encoding="utf-8"))
    codes = {}
    for goal in data["goals"]:
        codes[str(goal["number"])] = goal["title"]
        for objective in goal["objectives"]:
            codes[objective["code"]] = objective["title"]
            for activity in objective["activities"]:
                codes[f"{objective['code']}.{activity['number']}"] = activity["title"]
    return codes


@pytest.mark.realdata
@pytest.mark.skipif(not SEED.exists(), reason="the shared seed is not beside the repository")
def test_the_data_file_matches_the_seed_code_for_code_and_word_for_word():
    assert data_file_codes() == seed_codes()


def test_the_data_file_has_three_goals_seven_objectives_and_thirty_three_activities():
    codes = data_file_codes()
    assert sorted(c for c in codes if c.isdigit()) == ["1", "2", "3"]
    assert sorted(c for c in codes if len(c) == 2) == ["1A", "1B", "2A", "3A", "3B", "3C", "3D"]
    assert len([c for c in codes if "." in c]) == 33


@pytest.mark.django_db
def test_loading_creates_every_goal_objective_activity_and_topic_once():
    first = load_programme()
    again = load_programme()
    assert first == again
    assert Goal.objects.count() == 3
    assert Objective.objects.count() == 7
    assert Activity.objects.count() == 33
    assert PolicyTopic.objects.count() == 4
    codes = set(Activity.objects.values_list("code", flat=True))
    assert {"1A.1", "1A.10", "1B.2", "2A.4", "3B.5", "3D.3"} <= codes
    assert Activity.objects.get(code="1A.5").title.startswith("Issue country-specific statements")
