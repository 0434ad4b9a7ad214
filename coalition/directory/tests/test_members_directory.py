"""The members directory (/members/) is paged once it lists more governments than a page holds (issue 20: ~800 at
the load test's scale): every government stays reachable through the pages, each page keeps the filters, and the
table reads only what it shows without a query more per row."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalition.core.policy import Role
from coalition.core.tests.clients import client_for, text_of
from coalition.directory import views
from coalition.directory.models import Country
from coalition.directory.tests.factories import government

pytestmark = pytest.mark.django_db

CODES = ["AR", "BR", "DE", "EE", "FI", "FR", "GH", "IT", "NO"]  # six of them in Europe


@pytest.fixture
def three_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "MEMBERS_PER_PAGE", 3)


def _listed(html: str) -> list[str]:
    return re.findall(r'<td><a href="/organisations/(\d+)/">', html)


def _next(html: str) -> str | None:
    found = re.search(r'<a href="([^"]+)" rel="next">', html)
    return found.group(1).replace("&amp;", "&") if found else None


def test_every_member_is_reached_through_the_pages_with_the_filters_kept(three_a_page, make_user):
    members = [government(code) for code in CODES]
    Country.objects.filter(code__in=["AR", "BR"]).update(region="Americas")
    Country.objects.filter(code="GH").update(region="Africa")
    Country.objects.filter(code="NO").update(region="Europe")
    government("SE", status="observer")  # not a member: the filter keeps it out of every page
    Country.objects.filter(code="SE").update(region="Europe")
    client = client_for(make_user(Role.MEMBER_OFFICIAL))
    address: str | None = "?region=Europe&status=member&on=2024-01-01"
    region = dict(Country.objects.values_list("pk", "region"))
    european = {str(org.pk) for org in members if region.get(org.country_id or 0) == "Europe"}
    assert len(european) == 6
    seen: list[str] = []
    pages = 0
    while address is not None:
        response = client.get("/members/" + address)
        assert response.status_code == 200
        html = response.content.decode()
        assert f"{len(european)} governments" in text_of(response)  # the caption counts them all, on every page
        seen += _listed(html)
        address = _next(html)
        if address is not None:
            assert "region=Europe" in address and "status=member" in address and "on=2024-01-01" in address
        pages += 1
    assert sorted(seen) == sorted(european)  # each one once
    assert pages == 2


def test_all_members_unfiltered_are_reached_and_the_last_page_says_so(three_a_page, client):
    members = [government(code) for code in CODES]
    last = client.get("/members/?page=3")
    assert len(_listed(last.content.decode())) == 3
    assert "Page 3 of 3" in text_of(last)
    assert _next(last.content.decode()) is None
    shown = {pk for page in (1, 2, 3) for pk in _listed(client.get(f"/members/?page={page}").content.decode())}
    assert shown == {str(org.pk) for org in members}


def test_a_coalition_of_its_real_size_is_one_page_without_page_links(client):
    for code in CODES:
        government(code)
    html = client.get("/members/").content.decode()
    assert len(_listed(html)) == len(CODES)
    assert 'class="pages"' not in html


def test_a_page_number_past_the_end_shows_the_last_page(three_a_page, client):
    for code in CODES:
        government(code)
    assert "Page 3 of 3" in text_of(client.get("/members/?page=99"))


def test_the_page_costs_the_same_queries_for_two_governments_as_for_a_full_page(client):
    for code in CODES[:2]:
        government(code, since=dt.date(2012, 1, 1))

    def cost() -> int:
        with CaptureQueriesContext(connection) as run:
            assert client.get("/members/?status=all").status_code == 200
        return len(run)

    few = cost()
    for code in ["IN", "KE", "MX", "NZ", "PE", "SN"]:
        government(code, status="observer")
    assert cost() == few
