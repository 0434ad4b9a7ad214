"""The access policy, generated as a matrix: role × classification × action.

The expectations below are written out independently of `coalition.core.policy`, so loosening any rule there (a role
added to a classification's readers, a role added to an action) makes these tests fail."""

from __future__ import annotations

import pytest

from coalition.core import policy
from coalition.core.models import Audience, AudienceMember, Classified
from coalition.core.policy import Classification as C
from coalition.core.policy import Role as R
from coalition.directory.models import Person
from coalition.directory.tests.factories import PersonFactory, government
from coalition.meetings.models import Invitation

SIGNED_IN_ROLES = [r for r in R if r != R.ANONYMOUS]

# Who reads a record of each classification. RESTRICTED here: a named audience that does NOT include the reader.
EXPECTED_READERS: dict[str, set[R]] = {
    C.PUBLIC: set(R),
    C.COALITION: {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL, R.OBSERVER, R.ADVISORY_NETWORK},
    C.MEMBERS: {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL},
    C.RESTRICTED: {R.SUPPORT_UNIT},
}

# Rules that do not depend on a record: which roles may perform each action.
EXPECTED_ACTIONS: dict[str, set[R]] = {
    "public": set(R),
    "authentication": set(R),
    "api.use": set(R),
    "search.use": set(R),  # the search page for anyone; each kind's results then filtered as its list page
    "directory.view": set(R),  # listing pages: rows are then filtered by classification
    "account.self": set(SIGNED_IN_ROLES),
    "directory.view_coverage": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL},
    "directory.manage": {R.SUPPORT_UNIT},
    "accounts.manage": {R.SUPPORT_UNIT},
    "audit.view": {R.SUPPORT_UNIT},
    "admin.use": {R.SUPPORT_UNIT},
    "programme.view": set(R),  # the tree for anyone; rows then filtered by classification
    "programme.post_update": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL, R.ADVISORY_NETWORK},
    "programme.link_evidence": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL},
    "programme.manage": {R.SUPPORT_UNIT, R.CHAIR},
    "meetings.view": set(R),  # listing pages: meetings then filtered by classification
    "meetings.manage": {R.SUPPORT_UNIT, R.CHAIR},
    "meetings.view_draft_minutes": {R.SUPPORT_UNIT, R.CHAIR},
    "meetings.calendar": set(SIGNED_IN_ROLES),
    "meetings.view_compliance": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL},
    "meetings.record_reply_for": {R.SUPPORT_UNIT},
    "documents.view": set(R),
    "documents.manage": {R.SUPPORT_UNIT, R.CHAIR},
    "documents.comment": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL, R.ADVISORY_NETWORK},
    "statements.view": set(R),
    "statements.manage": {R.SUPPORT_UNIT, R.CHAIR},
    "statements.freeze": {R.SUPPORT_UNIT, R.CHAIR},
    "statements.verify": set(R),
    "library.view": set(R),
    "library.assist": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL, R.OBSERVER, R.ADVISORY_NETWORK},
    "library.import": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL},
    "library.detect": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL},
    "library.manage": {R.SUPPORT_UNIT},
    "response.view": set(R),
    "response.view_signals": {
        R.SUPPORT_UNIT,
        R.CHAIR,
        R.FOCAL_POINT,
        R.MEMBER_OFFICIAL,
        R.OBSERVER,
        R.ADVISORY_NETWORK,
    },
    "response.import": {R.SUPPORT_UNIT},
    "response.open_situation": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL},
    "response.manage": {R.SUPPORT_UNIT, R.CHAIR},
    "response.widen": {R.SUPPORT_UNIT},
    "response.report": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL, R.ADVISORY_NETWORK},
    "response.toolkit": {R.SUPPORT_UNIT},
    "donors.view": set(R),  # listing: rows are filtered by sharing tier (coalition/donors/tests)
    "donors.align": {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL},
    "donors.manage": {R.SUPPORT_UNIT},
    "notifications.own": set(SIGNED_IN_ROLES),  # one's own centre and preferences: rows are the viewer's own
    "notifications.unsubscribe": set(R),  # the email's link works without a session; the signed token decides
    "ops.health": set(R),  # load balancers ask without signing in; the bodies name check states, never a secret
    "ops.metrics": set(R),  # the operator's network or METRICS_TOKEN, checked in the view; anyone else gets 404
}
# Covered by their own tests below: test_contact_details_matrix, test_only_the_invited_person_replies,
# test_a_quarterly_call_is_recorded_for_ones_own_member_only, test_only_a_members_focal_point_signs_for_it.
RECORD_RULES = {
    "directory.view_contact",
    "directory.consent",  # coalition/directory/tests/test_positions.py: a government's own focal points only
    "meetings.rsvp",
    "meetings.record_call",
    "statements.sign",
    "response.pledge",
    "documents.view_history",  # coalition/documents/tests/test_views.py: a published document's drafts
    "donors.take_part",  # test_a_member_acts_for_itself_in_donor_coordination, below
    "donors.report",
    "donors.assess",
    "donors.share",
    "donors.review",  # coalition/donors/tests: either reporter's people and the Support Unit, who read both
}


@pytest.fixture
def viewer(make_user):
    def build(role: R):
        return None if role == R.ANONYMOUS else make_user(role)

    return build


def _record(classification: str, audience_principal: str | None = None) -> Person:
    audience = None
    if classification == C.RESTRICTED:
        audience = Audience.objects.create(name="Named audience")
        AudienceMember.objects.create(audience=audience, principal=audience_principal or "org:999999")
    return PersonFactory.create(classification=classification, audience=audience)


def test_every_declared_rule_has_expectations():
    assert set(policy.RULES) == set(EXPECTED_ACTIONS) | RECORD_RULES


def test_every_role_and_classification_is_in_the_matrix():
    assert set(EXPECTED_READERS) == set(C)
    assert set(R) == {*SIGNED_IN_ROLES, R.ANONYMOUS}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(R))
@pytest.mark.parametrize("classification", list(C))
@pytest.mark.parametrize("action", ["list", "read", "api"])
def test_classification_matrix(viewer, client, role, classification, action):
    user = viewer(role)
    record = _record(classification)
    expected = role in EXPECTED_READERS[classification]
    if action == "list":
        assert policy.visible_to(user, Person).filter(pk=record.pk).exists() is expected
    elif action == "read":
        assert policy.can(user, "directory.view", record) is expected
    else:
        if user is not None:
            client.force_login(user)
        response = client.get(f"/api/v1/people/{record.pk}/")
        assert response.status_code == (200 if expected else 404)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(R))
@pytest.mark.parametrize("action", sorted(EXPECTED_ACTIONS))
def test_action_matrix(viewer, role, action):
    assert policy.can(viewer(role), action) is (role in EXPECTED_ACTIONS[action])


@pytest.mark.django_db
@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_a_named_audience_reads_its_restricted_record(make_user, role):
    user = make_user(role)
    principal = next(iter(sorted(policy.actor_for(user).principals)))
    record = _record(C.RESTRICTED, audience_principal=principal)
    assert policy.visible_to(user, Person).filter(pk=record.pk).exists()
    assert policy.can(user, "directory.view", record)


@pytest.mark.django_db
def test_a_restricted_record_for_one_member_is_hidden_from_another_members_official(make_user):
    estonia_official = make_user(R.MEMBER_OFFICIAL)  # factories put member officials in Estonia's government
    ghana = government("GH")
    record = _record(C.RESTRICTED, audience_principal=f"org:{ghana.pk}")
    assert not policy.visible_to(estonia_official, Person).filter(pk=record.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(R))
@pytest.mark.parametrize("civil_society", [True, False], ids=["civil-society person", "government person"])
def test_contact_details_matrix(viewer, role, civil_society):
    user = viewer(role)
    affiliation = None if civil_society else government("GH")
    person = PersonFactory(classification=C.PUBLIC, affiliation=affiliation, email="someone@example.org")
    governments = {R.SUPPORT_UNIT, R.CHAIR, R.FOCAL_POINT, R.MEMBER_OFFICIAL}
    expected = role == R.SUPPORT_UNIT if civil_society else role in governments
    assert policy.can(user, "directory.view_contact", person) is expected


@pytest.mark.django_db
def test_a_person_sees_their_own_contact_details(make_user):
    user = make_user(R.ADVISORY_NETWORK)
    assert policy.can(user, "directory.view_contact", user.person)


@pytest.mark.django_db
def test_a_disabled_account_is_treated_as_anonymous(make_user):
    user = make_user(R.SUPPORT_UNIT)
    user.is_active = False
    assert policy.actor_for(user).roles == {R.ANONYMOUS}
    assert not policy.can(user, "audit.view")


def test_an_undeclared_action_is_an_error_not_a_silent_no():
    with pytest.raises(LookupError):
        policy.can(None, "directory.launch_missiles")


@pytest.mark.django_db
def test_every_classified_model_is_filtered_by_the_policy():
    from django.apps import apps

    for model in apps.get_models():
        if issubclass(model, Classified):
            sql = str(policy.visible_to(None, model).query)
            assert "classification" in sql, model


@pytest.mark.django_db
@pytest.mark.parametrize("role", SIGNED_IN_ROLES)
def test_only_the_invited_person_replies(make_user, role):
    invited, other = make_user(R.MEMBER_OFFICIAL), make_user(role)
    invitation = Invitation(person=invited.person)
    assert policy.can(invited, "meetings.rsvp", invitation)
    assert not policy.can(other, "meetings.rsvp", invitation)  # not even the Support Unit replies for someone
    assert not policy.can(None, "meetings.rsvp", invitation)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(R))
def test_a_quarterly_call_is_recorded_for_ones_own_member_only(viewer, role):
    user = viewer(role)
    own, other = government("EE"), government("GH")  # the factories' focal points and officials act for EE
    may_record = role in {R.SUPPORT_UNIT, R.FOCAL_POINT, R.MEMBER_OFFICIAL}
    assert policy.can(user, "meetings.record_call", own) is may_record
    assert policy.can(user, "meetings.record_call", other) is (role == R.SUPPORT_UNIT)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(R))
def test_only_a_members_focal_point_signs_for_it(viewer, role):
    user = viewer(role)
    own, other = government("EE"), government("GH")  # the factories' focal points act for EE
    assert policy.can(user, "statements.sign", own) is (role == R.FOCAL_POINT)
    assert not policy.can(user, "statements.sign", other)  # not another member's focal point, not the Support Unit


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(R))
def test_a_member_acts_for_itself_in_donor_coordination(viewer, role):
    user = viewer(role)
    own, other = government("EE"), government("GH")  # the factories' focal points and officials act for EE
    people = role in {R.FOCAL_POINT, R.MEMBER_OFFICIAL}
    for action in ("donors.take_part", "donors.assess"):
        assert policy.can(user, action, own) is (people or role == R.SUPPORT_UNIT)  # the Support Unit records
        assert policy.can(user, action, other) is (role == R.SUPPORT_UNIT)
    for action in ("donors.report", "donors.share"):  # what it reports and who reads it: the member alone
        assert policy.can(user, action, own) is people
        assert not policy.can(user, action, other)
