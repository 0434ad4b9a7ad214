"""A long section of the home shows its first few items (workplace.SHOWN), how many there are in all, and a "See
all" link through which every item is reached (issue 20, page cost): the home's own pages of the section, or the
page of its app that lists them all (the networks page's coverage matrix for point-of-contact vacancies)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from coalition.core import workplace
from coalition.core.tests.clients import client_for, text_of
from coalition.directory import views_work
from coalition.directory.models import Body, Organisation, Participation
from coalition.directory.tests.factories import BodyFactory

pytestmark = pytest.mark.django_db

MEMBERS = 13


@pytest.fixture
def members() -> list[Organisation]:
    """Thirteen members, none with a focal point or a point of contact."""
    found = Organisation.objects.bulk_create(Organisation(name=f"Member {n:02d}", kind="regional") for n in range(13))
    Participation.objects.bulk_create(
        Participation(organisation=o, status="member", effective_on=dt.date(2020, 1, 1)) for o in found
    )
    return found


def _see_all(page: str, key: str) -> str:
    section = page.split(f'id="work-{key.replace(".", "")}"')[1].split("</section>")[0]
    (href,) = re.findall(r'<a href="([^"]+)">See all', section)
    return href


def test_the_home_shows_the_first_members_the_count_and_a_link_to_every_one(members, support, monkeypatch):
    home = client_for(support).get("/")
    page = home.content.decode()
    section = page.split('id="work-directoryno_focal_point"')[1].split("</section>")[0]
    assert section.count("has no focal point") == workplace.SHOWN
    assert f"See all {MEMBERS}" in text_of(home)
    href = _see_all(page, "directory.no_focal_point")
    assert href == "/work/directory.no_focal_point/"
    monkeypatch.setattr(views_work, "PER_PAGE", 5)
    client, reached, address = client_for(support), set(), href
    while address:
        listing = client.get(address)
        assert listing.status_code == 200
        reached |= set(re.findall(r"Member \d\d has no focal point", listing.content.decode()))
        following = re.findall(r'<a href="([^"]+)" rel="next">', listing.content.decode())
        address = href + following[0].replace("&amp;", "&") if following else ""
    assert reached == {f"Member {n:02d} has no focal point" for n in range(MEMBERS)}


def test_the_point_of_contact_vacancies_lead_to_the_networks_matrix_with_every_member(members, support):
    BodyFactory.create(slug="geneva", name="Geneva network", city="Geneva", kind=Body.Kind.DIPLOMATIC_NETWORK)
    client = client_for(support)
    page = client.get("/").content.decode()
    assert page.count("has no point of contact in Geneva") == workplace.SHOWN
    assert f"See all {MEMBERS}" in page
    href = _see_all(page, "directory.poc_vacancies")
    assert href == "/networks/#coverage"
    matrix = text_of(client.get(href))
    assert all(f"Member {n:02d}" in matrix for n in range(MEMBERS))


def test_a_short_section_has_no_see_all_link(support):
    page = client_for(support).get("/").content.decode()
    assert "See all" not in page


def test_a_section_is_listed_only_to_whom_the_home_shows_it(members, official, support):
    assert client_for(support).get("/work/directory.no_focal_point/").status_code == 200
    assert client_for(official).get("/work/directory.no_focal_point/").status_code == 404
    assert client_for(official).get("/work/no.such.section/").status_code == 404
    anonymous = client_for(None).get("/work/directory.no_focal_point/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert workplace.listing_for(AnonymousUser(), timezone.now(), "directory.no_focal_point") is None


def test_a_listing_is_read_with_its_count_in_one_query(django_assert_num_queries, members):
    section = workplace.Section(key="t", title="T", empty_text="", collect=lambda *args: [])
    for rows, total in ((Organisation.objects.order_by("name"), MEMBERS), (Organisation.objects.none(), 0)):
        listing = workplace.Listing(rows=rows, items=lambda rows: [workplace.Item(o.name, "/") for o in rows])
        with django_assert_num_queries(1 if total else 0):
            shown = workplace._shown(section, listing)
        assert (len(shown.items), shown.total, shown.more) == (min(total, workplace.SHOWN), total, bool(total))
