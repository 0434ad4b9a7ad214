"""The programme's pages and forms: bad input gets a 400 naming the field and writes nothing, each POST refuses the
roles it is not for, and anonymous visitors see the public part only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from coalition.accounts.models import User
from coalition.core.models import Audience
from coalition.core.policy import Classification, Role
from coalition.directory.models import Participation
from coalition.directory.tests.factories import OrganisationFactory, government
from coalition.programme.models import (
    Activity,
    Goal,
    Objective,
    Programme,
    ProgressUpdate,
    Status,
    StatusProposal,
)
from coalition.programme.tests.counts import written

pytestmark = pytest.mark.django_db

SignedIn = Callable[..., Client]
TREE = "/programme/2023/"
PAGE = "/programme/2023/activities/1B.2/"
HIDDEN_PAGE = "/programme/2023/activities/1B.3/"


@pytest.fixture
def programme(db: Any) -> Programme:
    """2023: a public activity 1B.2 with a public, a coalition and a members-only update, and a members-only
    activity 1B.3."""
    programme = Programme.objects.create(
        title="Program of Action 2023", year=2023, starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 12, 31)
    )
    goal = Goal.objects.create(programme=programme, number=1, title="Promote internet freedom")
    objective = Objective.objects.create(goal=goal, code="1B", title="Coordinate the networks")
    public = Activity.objects.create(
        objective=objective, number=2, code="1B.2", title="Hold quarterly calls with the missions"
    )
    Activity.objects.create(
        objective=objective,
        number=3,
        code="1B.3",
        title="Agree a rapid response procedure",
        classification=Classification.MEMBERS,
    )
    author = User.objects.create_user(email="author@example.org", password="x" * 20)
    for reported_on, classification, narrative in [
        (dt.date(2023, 3, 14), Classification.PUBLIC, "Public call summary published."),
        (dt.date(2023, 5, 2), Classification.COALITION, "Coalition call held in Geneva."),
        (dt.date(2023, 8, 25), Classification.MEMBERS, "Members agreed the démarche text."),
    ]:
        ProgressUpdate.objects.create(
            activity=public, narrative=narrative, reported_on=reported_on, author=author, classification=classification
        )
    return programme


def an_update(**fields: Any) -> dict[str, Any]:
    return {
        "narrative": "Quarterly call held.",
        "reported_on": timezone.localdate().isoformat(),
        "classification": "members",
        "on_behalf_of": "",
        "proposed_status": "",
        "reason": "",
        **fields,
    }


# --- The update form ------------------------------------------------------------------------------------------


def test_a_member_official_posts_an_update_and_is_sent_back_to_the_activity(programme, signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    estonia = government("EE")
    response = client.post(PAGE + "updates/", an_update(on_behalf_of=str(estonia.pk), proposed_status="in_progress"))
    assert response.status_code == 302 and response["Location"] == PAGE
    update = ProgressUpdate.objects.get(narrative="Quarterly call held.")
    assert (update.author, update.on_behalf_of, update.classification) == (client.user, estonia, "members")
    assert StatusProposal.objects.get().status == Status.IN_PROGRESS
    page = client.get(PAGE)
    assert b"Update posted." in page.content
    assert b"Quarterly call held." in page.content


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"narrative": ""}, b"What happened: This field is required."),
        ({"narrative": "   "}, b"What happened: This field is required."),
        ({"narrative": "x" * 5001}, b"What happened: Ensure this value has at most 5000 characters"),
        ({"reported_on": "31/31/2023"}, b"Date: Enter a valid date."),
        ({"reported_on": "2199-01-01"}, b"Date: An update reports what has happened"),
        ({"classification": "restricted"}, b"Who may read this update: Select a valid choice."),
        ({"on_behalf_of": "999999"}, b"On behalf of: Select a valid choice."),
        ({"proposed_status": "finished"}, b"Propose a status change: Select a valid choice."),
        ({"proposed_status": "blocked"}, b"Give the reason the activity is blocked."),
        ({"proposed_status": "dropped", "reason": " "}, b"Give the reason the activity is dropped."),
    ],
    ids=[
        "empty",
        "blank",
        "too-long",
        "malformed-date",
        "future-date",
        "restricted",
        "someone-elses-behalf",
        "unknown-status",
        "blocked-without-reason",
        "dropped-with-blank-reason",
    ],
)
def test_bad_input_on_the_update_form_is_answered_with_400_naming_the_field(
    programme, signed_in_client, fields, message
):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    before = written()
    response = client.post(PAGE + "updates/", an_update(**fields))
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert message in response.content
    assert written() == before


def test_an_update_on_behalf_of_another_government_names_the_field(programme, signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)  # of Estonia
    before = written()
    response = client.post(PAGE + "updates/", an_update(on_behalf_of=str(government("GH").pk)))
    assert response.status_code == 400
    assert b"On behalf of: Select a valid choice." in response.content
    assert written() == before


# --- The status form ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, b"New status: This field is required."),
        ({"status": "finished"}, b"New status: Select a valid choice."),
        ({"status": "blocked"}, b"Give the reason the activity is blocked."),
        ({"status": "dropped", "reason": "  "}, b"Give the reason the activity is dropped."),
        ({"status": "not_started"}, b"1B.2 is already not started."),
        ({"status": "done", "reason": "x" * 501}, b"Ensure this value has at most 500 characters"),
    ],
    ids=["missing", "unknown", "blocked-without-reason", "dropped-blank-reason", "unchanged", "reason-too-long"],
)
def test_bad_input_on_the_status_form_is_answered_with_400_naming_the_problem(
    programme, signed_in_client, fields, message
):
    client = signed_in_client(Role.SUPPORT_UNIT)
    before = written()
    response = client.post(PAGE + "status/", fields)
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert message in response.content
    assert written() == before
    assert Activity.objects.get(code="1B.2").status == Status.NOT_STARTED


def test_the_support_unit_blocks_an_activity_with_a_reason(programme, signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    response = client.post(PAGE + "status/", {"status": "blocked", "reason": "Awaiting the donor principles."})
    assert response.status_code == 302
    activity = Activity.objects.get(code="1B.2")
    assert (activity.status, activity.status_reason) == (Status.BLOCKED, "Awaiting the donor principles.")
    assert b"Awaiting the donor principles." in client.get(TREE).content


# --- The evidence form ----------------------------------------------------------------------------------------


@pytest.fixture
def step(db: Any) -> Participation:
    return Participation.objects.create(
        organisation=OrganisationFactory.create(), status="member", effective_on=dt.date(2023, 6, 1)
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"record_type": "directory.nothing", "record_id": "{step}"}, b"Kind of record: Select a valid choice."),
        ({"record_type": "directory.participation", "record_id": ""}, b"Record number: This field is required."),
        ({"record_type": "directory.participation", "record_id": "999999"}, b"No such record that you can see."),
        ({"record_type": "directory.participation", "record_id": "abc"}, b"No such record that you can see."),
        ({"record_type": "directory.body", "record_id": "999999"}, b"No such record that you can see."),
        ({"record_type": "directory.participation", "record_id": "1" * 65}, b"at most 64 characters"),
    ],
    ids=["unknown-kind", "missing-number", "no-such-step", "not-a-number", "no-such-body", "too-long"],
)
def test_bad_input_on_the_evidence_form_is_answered_with_400_naming_the_problem(
    programme, step, signed_in_client, fields, message
):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    before = written()
    response = client.post(PAGE + "evidence/", {k: v.format(step=step.pk) for k, v in fields.items()})
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert message in response.content
    assert written() == before


def test_evidence_is_linked_once(programme, step, signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    fields = {"record_type": "directory.participation", "record_id": str(step.pk), "note": "Joined in June."}
    assert client.post(PAGE + "evidence/", fields).status_code == 302
    assert StatusProposal.objects.get().status == Status.IN_PROGRESS
    before = written()
    response = client.post(PAGE + "evidence/", fields)
    assert response.status_code == 400
    assert b"This record is already linked to the activity." in response.content
    assert written() == before


# --- Who may POST -----------------------------------------------------------------------------------------------


@pytest.fixture
def pending(programme) -> StatusProposal:
    activity = Activity.objects.get(code="1B.2")
    return StatusProposal.objects.create(
        activity=activity,
        status=Status.DONE,
        proposed_by=User.objects.get(email="author@example.org"),
        classification=Classification.COALITION,
    )


def posts(step: Participation, pending: StatusProposal) -> dict[str, tuple[str, dict[str, str]]]:
    return {
        "post_update": (PAGE + "updates/", an_update(classification="coalition")),
        "change_status": (PAGE + "status/", {"status": "done"}),
        "link_evidence": (PAGE + "evidence/", {"record_type": "directory.participation", "record_id": str(step.pk)}),
        "confirm": (PAGE + f"proposals/{pending.pk}/", {"decision": "confirm"}),
        "dismiss": (PAGE + f"proposals/{pending.pk}/", {"decision": "dismiss"}),
        "carry_over": (TREE + "carry-over/", {"year": "2024"}),
    }


# Each endpoint and the roles it refuses (signed in, so 403 rather than the sign-in page).
REFUSED = [
    ("post_update", Role.OBSERVER),
    ("post_update", Role.GUEST),
    ("post_update", None),
    ("change_status", Role.MEMBER_OFFICIAL),
    ("change_status", Role.FOCAL_POINT),
    ("change_status", Role.ADVISORY_NETWORK),
    ("change_status", Role.OBSERVER),
    ("link_evidence", Role.ADVISORY_NETWORK),
    ("link_evidence", Role.OBSERVER),
    ("link_evidence", Role.GUEST),
    ("confirm", Role.MEMBER_OFFICIAL),
    ("confirm", Role.ADVISORY_NETWORK),
    ("dismiss", Role.FOCAL_POINT),
    ("dismiss", Role.GUEST),
    ("carry_over", Role.MEMBER_OFFICIAL),
    ("carry_over", Role.ADVISORY_NETWORK),
]


@pytest.mark.parametrize(("endpoint", "role"), REFUSED, ids=[f"{e}-{r or 'no-role'}" for e, r in REFUSED])
def test_a_post_endpoint_refuses_the_wrong_roles_with_403_and_writes_nothing(
    step, pending, make_user, client, endpoint, role
):
    client.force_login(make_user(role))
    url, data = posts(step, pending)[endpoint]
    before = written()
    response = client.post(url, data)
    assert response.status_code == 403
    assert written() == before
    pending.refresh_from_db()
    assert pending.state == StatusProposal.State.PENDING
    assert Activity.objects.get(code="1B.2").status == Status.NOT_STARTED


@pytest.mark.parametrize("endpoint", ["post_update", "change_status", "link_evidence", "confirm", "carry_over"])
def test_an_anonymous_post_is_sent_to_sign_in_and_writes_nothing(step, pending, client, endpoint):
    url, data = posts(step, pending)[endpoint]
    before = written()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert written() == before


@pytest.mark.parametrize("endpoint", ["post_update", "change_status", "link_evidence", "confirm", "carry_over"])
def test_the_post_endpoints_refuse_get(step, pending, signed_in_client, endpoint):
    url, _ = posts(step, pending)[endpoint]
    assert signed_in_client(Role.SUPPORT_UNIT).get(url).status_code == 405


def test_posting_on_an_activity_the_user_cannot_see_is_not_found(programme, signed_in_client):
    client = signed_in_client(Role.ADVISORY_NETWORK)
    before = written()
    assert client.post(HIDDEN_PAGE + "updates/", an_update(classification="coalition")).status_code == 404
    assert written() == before


def test_an_advisory_network_member_may_post_an_update(programme, signed_in_client):
    client = signed_in_client(Role.ADVISORY_NETWORK)
    response = client.post(PAGE + "updates/", an_update(classification="coalition"))
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(author=client.user).count() == 1


def test_the_chair_confirms_a_proposal_once(pending, signed_in_client):
    client = signed_in_client(Role.CHAIR)
    url = PAGE + f"proposals/{pending.pk}/"
    assert client.post(url, {"decision": "confirm"}).status_code == 302
    assert Activity.objects.get(code="1B.2").status == Status.DONE
    before = written()
    response = client.post(url, {"decision": "dismiss"}, follow=True)
    assert b"This proposal has already been decided." in response.content
    assert written() == before
    assert StatusProposal.objects.get().state == StatusProposal.State.CONFIRMED


def test_a_proposal_the_manager_cannot_see_is_not_found(pending, signed_in_client):
    pending.classification = Classification.RESTRICTED
    pending.audience = Audience.objects.create(name="The Support Unit alone")
    pending.save()
    client = signed_in_client(Role.CHAIR)
    assert client.post(PAGE + f"proposals/{pending.pk}/", {"decision": "confirm"}).status_code == 404
    assert StatusProposal.objects.get().state == StatusProposal.State.PENDING


# --- What anonymous visitors see ------------------------------------------------------------------------------


def test_an_anonymous_visitor_sees_only_public_activities_on_the_tree(programme, client):
    response = client.get(TREE)
    assert response.status_code == 200
    content = response.content.decode()
    assert "1B.2" in content
    assert "1B.3" not in content and "rapid response" not in content
    assert "14 Mar 2023" in content  # the last public update
    assert "2 May 2023" not in content and "25 Aug 2023" not in content
    assert "1 activity listed" in content


def test_an_anonymous_visitor_sees_only_public_updates_on_an_activity(programme, client):
    response = client.get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Public call summary published." in content
    assert "Coalition call held in Geneva." not in content
    assert "Members agreed the démarche text." not in content
    assert "Post an update" not in content and "Change the status" not in content
    assert "Link a record as evidence" not in content


def test_an_anonymous_visitor_does_not_find_a_members_only_activity(programme, client):
    assert client.get(HIDDEN_PAGE).status_code == 404


def test_a_member_official_sees_every_update_and_may_post_but_not_change_the_status(programme, signed_in_client):
    content = signed_in_client(Role.MEMBER_OFFICIAL).get(PAGE).content.decode()
    for narrative in ["Public call summary published.", "Coalition call held in Geneva.", "Members agreed"]:
        assert narrative in content
    assert "Post an update" in content and "Link a record as evidence" in content
    assert "Change the status" not in content


def test_an_advisory_network_member_sees_coalition_updates_but_not_members_only_ones(programme, signed_in_client):
    client = signed_in_client(Role.ADVISORY_NETWORK)
    content = client.get(PAGE).content.decode()
    assert "Coalition call held in Geneva." in content
    assert "Members agreed the démarche text." not in content
    assert "Post an update" in content and "Link a record as evidence" not in content
    assert client.get(HIDDEN_PAGE).status_code == 404
    tree = client.get(TREE).content.decode()
    assert "2 May 2023" in tree and "25 Aug 2023" not in tree


def test_the_programme_index_sends_to_the_latest_programme(programme, client):
    response = client.get("/programme/")
    assert response.status_code == 302 and response["Location"] == TREE


def test_the_tree_links_the_programmes_before_and_after_it_that_the_viewer_may_see(programme, client, make_user):
    successor = Programme.objects.create(
        title="Program of Action 2024",
        year=2024,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2024, 12, 31),
        predecessor=programme,
    )
    assert b'continued in <a href="/programme/2024/">Program of Action 2024</a>' in client.get(TREE).content
    assert b'carried over from <a href="/programme/2023/">' in client.get("/programme/2024/").content
    successor.classification = Classification.MEMBERS
    successor.save()
    assert b"Program of Action 2024" not in client.get(TREE).content
    client.force_login(make_user(Role.MEMBER_OFFICIAL))
    assert b"Program of Action 2024" in client.get(TREE).content
