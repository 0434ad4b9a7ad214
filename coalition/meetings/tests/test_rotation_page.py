"""The series page of a fair rotation reads in a glance (issue 17, item 6): a short explanation with the full
reasoning folded in a <details>, and the note that the host's zone differs from the viewer's said once above the
meetings, not in red on every row."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from coalition.core.policy import Role
from coalition.meetings.models import MeetingSeries
from coalition.meetings.tests.factories import members
from coalition.meetings.tests.test_views import series_form

pytestmark = pytest.mark.django_db

AMSTERDAM = "Europe/Amsterdam"


@pytest.fixture
def series_page(make_user: Any) -> str:
    """The page of a rotating series hosted in Amsterdam, as a Support Unit officer in Tokyo reads it."""
    members("NL", "US", "JP", "KE")
    support = make_user(Role.SUPPORT_UNIT)
    support.person.time_zone = "Asia/Tokyo"
    support.person.save(update_fields=["time_zone"])
    client = Client()
    client.force_login(support)
    response = client.post("/meetings/series/new/", series_form(rotate="on"))
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_the_rotations_reasoning_is_folded_under_a_short_explanation(series_page: str) -> None:
    rotation_record = MeetingSeries.objects.get().rotation
    assert rotation_record is not None
    explanation = rotation_record["explanation"]
    rotation = series_page[series_page.index('<h2 id="rotation">') :]
    details = rotation[rotation.index("<details") : rotation.index("</details>")]
    assert explanation in details
    assert "<summary>How the times were chosen</summary>" in details
    lead = rotation[: rotation.index("<details")]
    assert explanation not in lead


def test_the_zone_note_is_said_once_and_no_row_warns_in_red(series_page: str) -> None:
    meetings = series_page[series_page.index('<h2 id="meetings">') : series_page.index("</table>")]
    assert "differs from your zone" not in meetings
    assert '<strong class="warn">' not in meetings.replace('<strong class="warn">cancelled', "")
    assert meetings.count(f"the host's time in {AMSTERDAM}, which differs from yours") == 1
    assert meetings.count(f" {AMSTERDAM})") == 4  # each row still gives the host's time
