"""The Program of Action API: read-only, the same policy as the pages (an update shows only where its own
classification and its activity's allow), and bad query parameters answered with a 400 naming them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from coalition.accounts.models import User
from coalition.core.policy import Classification, Role
from coalition.directory.models import Body
from coalition.directory.tests.factories import BodyFactory, OrganisationFactory, PersonFactory
from coalition.programme.models import Activity, EvidenceLink, Goal, Objective, Programme, ProgressUpdate

pytestmark = pytest.mark.django_db

API = "/api/v1"
PUBLIC_TEXT, COALITION_TEXT, MEMBERS_TEXT = (
    "Public call summary published.",
    "Coalition call held in Geneva.",
    "Members agreed the démarche text.",
)
HIDDEN_ACTIVITY_TEXT = "Public note on a members-only activity."


@pytest.fixture
def programme(db: Any) -> Programme:
    """2023: a public activity 1B.2 with a public, a coalition and a members-only update; a members-only activity
    1B.3 with a (mis-)classified public update; each with evidence."""
    programme = Programme.objects.create(
        title="Program of Action 2023", year=2023, starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31)
    )
    goal = Goal.objects.create(programme=programme, number=1, title="Promote internet freedom")
    objective = Objective.objects.create(goal=goal, code="1B", title="Coordinate the networks")
    public = Activity.objects.create(
        objective=objective, number=2, code="1B.2", title="Hold quarterly calls with the missions"
    )
    hidden = Activity.objects.create(
        objective=objective,
        number=3,
        code="1B.3",
        title="Agree a rapid response procedure",
        classification=Classification.MEMBERS,
        status="in_progress",
    )
    author = User.objects.create_user(email="author@example.org", password="x" * 20)
    for activity, reported_on, classification, narrative in [
        (public, dt.date(2023, 3, 14), Classification.PUBLIC, PUBLIC_TEXT),
        (public, dt.date(2023, 5, 2), Classification.COALITION, COALITION_TEXT),
        (public, dt.date(2023, 8, 25), Classification.MEMBERS, MEMBERS_TEXT),
        (hidden, dt.date(2023, 6, 1), Classification.PUBLIC, HIDDEN_ACTIVITY_TEXT),
    ]:
        ProgressUpdate.objects.create(
            activity=activity,
            narrative=narrative,
            reported_on=reported_on,
            author=author,
            classification=classification,
        )
    open_body = BodyFactory.create(slug="task-force-open", name="Open Task Force")
    closed_body = BodyFactory.create(
        slug="task-force-closed", name="Closed Task Force", classification=Classification.MEMBERS
    )
    for activity, record in [(public, open_body), (public, closed_body), (hidden, open_body)]:
        EvidenceLink.objects.create(
            activity=activity, record_type="directory.body", record_id=str(record.pk), linked_by=author
        )
    return programme


def client_for(role: Role, client: Client, signed_in_client: Any) -> Client:
    return client if role == Role.ANONYMOUS else signed_in_client(role)


def results(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


# --- What each reader sees --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "narratives"),
    [
        (Role.ANONYMOUS, {PUBLIC_TEXT}),
        (Role.GUEST, {PUBLIC_TEXT}),
        (Role.ADVISORY_NETWORK, {PUBLIC_TEXT, COALITION_TEXT}),
        (Role.OBSERVER, {PUBLIC_TEXT, COALITION_TEXT}),
        (Role.MEMBER_OFFICIAL, {PUBLIC_TEXT, COALITION_TEXT, MEMBERS_TEXT, HIDDEN_ACTIVITY_TEXT}),
        (Role.SUPPORT_UNIT, {PUBLIC_TEXT, COALITION_TEXT, MEMBERS_TEXT, HIDDEN_ACTIVITY_TEXT}),
    ],
)
def test_updates_reach_only_the_readers_their_classification_allows(
    programme, client, signed_in_client, role, narratives
):
    reader = client_for(role, client, signed_in_client)
    response = reader.get(f"{API}/updates/")
    assert {row["narrative"] for row in results(response)} == narratives


@pytest.mark.parametrize("role", [Role.ANONYMOUS, Role.ADVISORY_NETWORK])
def test_a_members_update_is_never_in_the_api_for_those_outside_the_governments(
    programme, client, signed_in_client, role
):
    reader = client_for(role, client, signed_in_client)
    members_update = ProgressUpdate.objects.get(narrative=MEMBERS_TEXT)
    for url in (f"{API}/updates/", f"{API}/updates/?activity=1B.2&programme=2023", f"{API}/activities/"):
        response = reader.get(url)
        assert response.status_code == 200
        assert MEMBERS_TEXT.encode() not in response.content
        assert b"2023-08-25" not in response.content  # not even its date, as the last update
    assert reader.get(f"{API}/updates/{members_update.pk}/").status_code == 404


def test_a_member_official_reads_the_members_update(programme, signed_in_client):
    reader = signed_in_client(Role.MEMBER_OFFICIAL)
    rows = results(reader.get(f"{API}/updates/", {"activity": "1B.2", "programme": 2023}))
    assert [row["narrative"] for row in rows] == [MEMBERS_TEXT, COALITION_TEXT, PUBLIC_TEXT]
    assert rows[0]["classification"] == "members" and rows[0]["activity"] == "1B.2" and rows[0]["programme"] == 2023
    members_update = ProgressUpdate.objects.get(narrative=MEMBERS_TEXT)
    assert reader.get(f"{API}/updates/{members_update.pk}/").json()["narrative"] == MEMBERS_TEXT
    activities = {row["code"]: row for row in results(reader.get(f"{API}/activities/"))}
    assert activities["1B.2"]["last_update_on"] == "2023-08-25"


def test_the_last_update_date_is_the_last_one_the_reader_may_see(programme, signed_in_client):
    rows = results(signed_in_client(Role.ADVISORY_NETWORK).get(f"{API}/activities/"))
    assert [(row["code"], row["last_update_on"]) for row in rows] == [("1B.2", "2023-05-02")]


def test_a_members_activity_and_its_updates_stay_hidden_from_the_advisory_network(programme, signed_in_client):
    reader = signed_in_client(Role.ADVISORY_NETWORK)
    hidden = Activity.objects.get(code="1B.3")
    assert reader.get(f"{API}/activities/{hidden.pk}/").status_code == 404
    response = reader.get(f"{API}/updates/", {"activity": "1B.3"})
    assert results(response) == []


def test_programmes_are_looked_up_by_year(programme, client):
    response = client.get(f"{API}/programmes/2023/")
    assert response.status_code == 200
    assert response.json()["title"] == "Program of Action 2023"
    assert client.get(f"{API}/programmes/2024/").status_code == 404


def test_a_members_only_programme_is_hidden_from_anonymous_callers(programme, client, signed_in_client):
    Programme.objects.filter(pk=programme.pk).update(classification=Classification.MEMBERS)
    assert client.get(f"{API}/programmes/2023/").status_code == 404
    assert results(client.get(f"{API}/activities/")) == []
    assert results(client.get(f"{API}/updates/")) == []
    assert results(client.get(f"{API}/evidence/")) == []
    assert [row["year"] for row in results(signed_in_client(Role.MEMBER_OFFICIAL).get(f"{API}/programmes/"))] == [2023]


def test_activities_filter_by_programme_and_status(programme, signed_in_client):
    reader = signed_in_client(Role.SUPPORT_UNIT)
    assert [row["code"] for row in results(reader.get(f"{API}/activities/", {"programme": 2023}))] == ["1B.2", "1B.3"]
    assert [row["code"] for row in results(reader.get(f"{API}/activities/", {"status": "in_progress"}))] == ["1B.3"]
    assert results(reader.get(f"{API}/activities/", {"programme": 2024})) == []


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ANONYMOUS, [("1B.2", "Open Task Force")]),
        (Role.ADVISORY_NETWORK, [("1B.2", "Open Task Force")]),
        (
            Role.MEMBER_OFFICIAL,
            [("1B.2", "Closed Task Force"), ("1B.2", "Open Task Force"), ("1B.3", "Open Task Force")],
        ),
    ],
)
def test_evidence_shows_only_records_and_activities_the_reader_may_see(
    programme, client, signed_in_client, role, expected
):
    reader = client_for(role, client, signed_in_client)
    rows = results(reader.get(f"{API}/evidence/"))
    assert sorted((row["activity"], row["title"]) for row in rows) == expected
    assert all(row["url"].startswith("/bodies/") and row["kind"] == "Body" for row in rows)


def test_hidden_evidence_is_not_found_by_its_id(programme, signed_in_client):
    reader = signed_in_client(Role.ADVISORY_NETWORK)
    closed = EvidenceLink.objects.get(record_id=str(Body.objects.get(slug="task-force-closed").pk))
    on_hidden_activity = EvidenceLink.objects.get(activity__code="1B.3")
    opened = EvidenceLink.objects.exclude(pk__in=[closed.pk, on_hidden_activity.pk]).get()
    assert reader.get(f"{API}/evidence/{closed.pk}/").status_code == 404
    assert reader.get(f"{API}/evidence/{on_hidden_activity.pk}/").status_code == 404
    assert reader.get(f"{API}/evidence/{opened.pk}/").json()["title"] == "Open Task Force"


def test_evidence_filters_by_activity(programme, signed_in_client):
    reader = signed_in_client(Role.SUPPORT_UNIT)
    rows = results(reader.get(f"{API}/evidence/", {"activity": "1B.3", "programme": 2023}))
    assert [row["activity"] for row in rows] == ["1B.3"]


# --- Bad input and writes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("activities", {"status": "finished"}, "status"),
        ("activities", {"programme": "twenty"}, "programme"),
        ("activities", {"programme": "-3"}, "programme"),
        ("updates", {"programme": "2023a"}, "programme"),
        ("updates", {"activity": "<script>"}, "activity"),
        ("updates", {"activity": "1B.2.3.4.5"}, "activity"),
        ("evidence", {"activity": "'; drop"}, "activity"),
        ("evidence", {"programme": "x"}, "programme"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_parameter(programme, client, url, params, field):
    response = client.get(f"{API}/{url}/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize("role", [Role.ANONYMOUS, Role.SUPPORT_UNIT])
def test_the_programme_api_is_read_only(programme, client, signed_in_client, role):
    writer = client_for(role, client, signed_in_client)
    activity = Activity.objects.get(code="1B.2")
    update = ProgressUpdate.objects.get(narrative=PUBLIC_TEXT)
    link = EvidenceLink.objects.filter(activity=activity).first()
    assert link is not None
    body = {"title": "Injected", "narrative": "Injected", "status": "done"}
    for collection, item in [
        ("programmes", "2023"),
        ("activities", activity.pk),
        ("updates", update.pk),
        ("evidence", link.pk),
    ]:
        assert writer.post(f"{API}/{collection}/", body, content_type="application/json").status_code == 405
        for method in (writer.put, writer.patch, writer.delete):
            response = method(f"{API}/{collection}/{item}/", body, content_type="application/json")
            assert response.status_code == 405, (method, collection)
    activity.refresh_from_db()
    assert (activity.title, activity.status) == ("Hold quarterly calls with the missions", "not_started")
    assert ProgressUpdate.objects.count() == 4 and EvidenceLink.objects.count() == 3


# --- Names: the API names an author or a member only where the page does ----------------------------------------


@pytest.fixture
def update_by_a_members_only_person(programme: Programme) -> ProgressUpdate:
    """A public update on the public activity 1B.2, written by a person the directory lists as members-only, for a
    member government that is itself members-only."""
    person = PersonFactory.create(full_name="Quiet Diplomat", classification=Classification.MEMBERS)
    author = User.objects.create_user(email="quiet@example.org", password="x" * 20, person=person)
    member = OrganisationFactory.create(name="Discreet Republic", classification=Classification.MEMBERS)
    return ProgressUpdate.objects.create(
        activity=Activity.objects.get(code="1B.2"),
        narrative="Public note by a discreet author.",
        reported_on=dt.date(2023, 9, 1),
        author=author,
        on_behalf_of=member,
        classification=Classification.PUBLIC,
    )


def _api_row(reader: Client, update: ProgressUpdate) -> dict[str, Any]:
    return next(row for row in results(reader.get(f"{API}/updates/")) if row["id"] == update.pk)


@pytest.mark.parametrize("role", [Role.ANONYMOUS, Role.GUEST, Role.ADVISORY_NETWORK])
def test_the_api_hides_an_author_and_member_the_page_hides(
    update_by_a_members_only_person, client, signed_in_client, role
):
    reader = client_for(role, client, signed_in_client)
    page = reader.get("/programme/2023/activities/1B.2/")
    assert "Public note by a discreet author." in page.content.decode()
    assert "Quiet Diplomat" not in page.content.decode() and "Discreet Republic" not in page.content.decode()
    row = _api_row(reader, update_by_a_members_only_person)
    assert row["author"] is None
    assert row["on_behalf_of"] is None
    assert "Quiet Diplomat" not in reader.get(f"{API}/updates/{update_by_a_members_only_person.pk}/").content.decode()


def test_the_api_names_an_author_and_member_the_reader_may_see(update_by_a_members_only_person, signed_in_client):
    reader = signed_in_client(Role.MEMBER_OFFICIAL)
    assert "Quiet Diplomat" in reader.get("/programme/2023/activities/1B.2/").content.decode()
    row = _api_row(reader, update_by_a_members_only_person)
    assert row["author"] == "Quiet Diplomat"
    assert row["on_behalf_of"] == update_by_a_members_only_person.on_behalf_of_id
