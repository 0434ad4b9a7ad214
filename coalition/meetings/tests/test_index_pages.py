"""The meetings index lists the upcoming meetings a page at a time (issue 20): every one of them is on a page a
reader reaches by following "Next page" from the first, once, in order of start."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coalition.core.policy import Role
from coalition.meetings.models import Meeting
from coalition.meetings.views.series import UPCOMING_PAGE

pytestmark = pytest.mark.django_db


def test_every_upcoming_meeting_is_reached_from_the_first_page(make_user: Any) -> None:
    support = make_user(Role.SUPPORT_UNIT)
    count = UPCOMING_PAGE * 2 + 3
    now = timezone.now()
    Meeting.objects.bulk_create(
        Meeting(
            title=f"Meeting {n:03d}",
            starts_at=now + dt.timedelta(hours=n + 1),
            host_time_zone="UTC",
            organiser=support,
            uid=f"m{n}@test",
        )
        for n in range(count)
    )
    client = Client()
    client.force_login(make_user(Role.MEMBER_OFFICIAL))
    seen: list[str] = []
    address, pages = "/meetings/", 0
    while address:
        page = client.get(address).content.decode()
        pages += 1
        upcoming = page[page.index('id="upcoming"') : page.index('id="past"')]
        seen += re.findall(r">(Meeting \d{3})</a>", upcoming)
        following = re.search(r'<a href="([^"]+)" rel="next">', upcoming)
        address = "/meetings/" + following.group(1).replace("&amp;", "&") if following else ""
        assert pages <= 3
    assert pages == 3
    assert seen == [f"Meeting {n:03d}" for n in range(count)]


def test_a_page_past_the_last_shows_the_last(make_user: Any) -> None:
    client = Client()
    client.force_login(make_user(Role.MEMBER_OFFICIAL))
    assert client.get("/meetings/?page=9").status_code == 200
    assert client.get("/meetings/?page=x").status_code == 200
