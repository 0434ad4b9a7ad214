"""Every write to the Program of Action: who may make it, what it refuses (naming the field, writing nothing), and
what it records (the row, the status history, the ledger)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.evidence import visible_evidence
from coalition.core.models import Audience, AuditEvent
from coalition.core.policy import Classification, Role
from coalition.directory.models import Body, Participation
from coalition.directory.tests.factories import OrganisationFactory, government
from coalition.programme import queries, services
from coalition.programme.models import (
    Activity,
    EvidenceLink,
    Goal,
    Objective,
    PolicyTopic,
    Programme,
    ProgressUpdate,
    Status,
    StatusChange,
    StatusProposal,
)
from coalition.programme.tests.counts import written

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., Any]


def make_programme(year: int = 2023) -> Programme:
    return Programme.objects.create(
        title=f"Program of Action {year}", year=year, starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31)
    )


def make_activity(
    programme: Programme,
    code: str = "1A.1",
    *,
    status: str = Status.NOT_STARTED,
    status_reason: str = "",
    classification: str = Classification.PUBLIC,
    weight: str = "1",
) -> Activity:
    objective_code, number = code.split(".")
    goal, _ = Goal.objects.get_or_create(
        programme=programme, number=int(objective_code[0]), defaults={"title": f"Goal {objective_code[0]}"}
    )
    objective, _ = Objective.objects.get_or_create(
        goal=goal, code=objective_code, defaults={"title": f"Objective {objective_code}"}
    )
    return Activity.objects.create(
        objective=objective,
        number=int(number),
        code=code,
        title=f"Activity {code}",
        status=status,
        status_reason=status_reason,
        classification=classification,
        weight=Decimal(weight),
        target_on=programme.ends_on,
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action))


@pytest.fixture
def activity() -> Activity:
    return make_activity(make_programme())


@pytest.fixture
def official(make_user: MakeUser) -> Any:
    """A member official of Estonia (the factories' member government)."""
    return make_user(Role.MEMBER_OFFICIAL)


@pytest.fixture
def support(make_user: MakeUser) -> Any:
    return make_user(Role.SUPPORT_UNIT)


# --- post_update --------------------------------------------------------------------------------------------------


def test_an_update_is_posted_on_behalf_of_the_authors_government_and_recorded_in_the_ledger(activity, official):
    estonia = government("EE")
    update = services.post_update(
        activity=activity,
        by=official,
        narrative="  Held the first workshop.  ",
        reported_on=dt.date(2023, 5, 2),
        classification=Classification.MEMBERS,
        on_behalf_of=estonia,
    )
    update.refresh_from_db()
    assert update.narrative == "Held the first workshop."
    assert (update.reported_on, update.classification, update.author, update.on_behalf_of) == (
        dt.date(2023, 5, 2),
        Classification.MEMBERS,
        official,
        estonia,
    )
    [event] = events("programme.update_posted")
    assert event.actor_id == official.pk
    assert (event.subject_type, event.subject_id) == ("programme.progressupdate", str(update.pk))
    assert event.on_behalf_of == str(estonia)
    assert event.data == {"activity": "1A.1", "classification": "members", "proposed_status": ""}


def test_an_update_without_a_date_is_dated_today(activity, official):
    update = services.post_update(activity=activity, by=official, narrative="Done something.")
    assert update.reported_on == timezone.localdate()
    assert update.classification == Classification.COALITION


@pytest.mark.parametrize("narrative", ["", "   ", "\n\t"])
def test_a_blank_narrative_is_refused_naming_the_field_and_nothing_is_written(activity, official, narrative):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.post_update(activity=activity, by=official, narrative=narrative, proposed_status=Status.DONE)
    assert refused.value.field == "narrative"
    assert written() == before


def test_a_future_date_is_refused_naming_the_field(activity, official):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.post_update(
            activity=activity,
            by=official,
            narrative="We will have met.",
            reported_on=timezone.localdate() + dt.timedelta(days=3),
        )
    assert refused.value.field == "reported_on"
    assert written() == before


def test_tomorrow_is_tolerated_for_authors_ahead_of_the_servers_time_zone(activity, official):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    update = services.post_update(activity=activity, by=official, narrative="Met in Auckland.", reported_on=tomorrow)
    assert update.reported_on == tomorrow


def test_an_update_on_behalf_of_an_organisation_the_author_does_not_act_for_is_refused(activity, official):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.post_update(activity=activity, by=official, narrative="Ghana met.", on_behalf_of=government("GH"))
    assert refused.value.field == "on_behalf_of"
    assert written() == before


def test_the_support_unit_may_post_on_behalf_of_any_member(activity, support):
    ghana = government("GH")
    update = services.post_update(activity=activity, by=support, narrative="Ghana reported.", on_behalf_of=ghana)
    assert update.on_behalf_of == ghana


def test_a_restricted_update_is_refused(activity, official):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.post_update(
            activity=activity, by=official, narrative="Secret.", classification=Classification.RESTRICTED
        )
    assert refused.value.field == "classification"
    assert written() == before


def test_a_proposal_to_block_without_a_reason_is_refused_and_nothing_is_written(activity, official):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.post_update(activity=activity, by=official, narrative="Stuck.", proposed_status=Status.BLOCKED)
    assert refused.value.field == "reason"
    assert written() == before


def test_an_unknown_proposed_status_is_refused(activity, official):
    with pytest.raises(InvalidInput) as refused:
        services.post_update(activity=activity, by=official, narrative="Hm.", proposed_status="finished")
    assert refused.value.field == "proposed_status"
    assert not ProgressUpdate.objects.exists()


def test_an_update_proposing_a_status_raises_a_pending_proposal_with_the_updates_classification(activity, official):
    update = services.post_update(
        activity=activity,
        by=official,
        narrative="Started.",
        classification=Classification.MEMBERS,
        proposed_status=Status.IN_PROGRESS,
    )
    [proposal] = StatusProposal.objects.all()
    assert (proposal.status, proposal.state, proposal.update, proposal.proposed_by) == (
        Status.IN_PROGRESS,
        StatusProposal.State.PENDING,
        update,
        official,
    )
    assert proposal.classification == Classification.MEMBERS
    activity.refresh_from_db()
    assert activity.status == Status.NOT_STARTED  # nothing changes until a person confirms


def test_proposing_the_current_status_raises_no_proposal(activity, official):
    services.post_update(activity=activity, by=official, narrative="Still not started.", proposed_status="not_started")
    assert ProgressUpdate.objects.count() == 1
    assert not StatusProposal.objects.exists()


def test_an_advisory_network_member_may_post_an_update(activity, make_user):
    advisory = make_user(Role.ADVISORY_NETWORK)
    update = services.post_update(activity=activity, by=advisory, narrative="Civil society consulted.")
    assert update.author == advisory
    assert len(events("programme.update_posted")) == 1


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.GUEST, None])
def test_observers_guests_and_accounts_without_a_role_may_not_post(activity, make_user, role):
    before = written()
    with pytest.raises(AccessDenied):
        services.post_update(activity=activity, by=make_user(role), narrative="Observed.")
    assert written() == before


def test_an_anonymous_visitor_may_not_post(activity):
    with pytest.raises(AccessDenied):
        services.post_update(activity=activity, by=AnonymousUser(), narrative="Hello.")
    assert not ProgressUpdate.objects.exists()


def test_nobody_posts_on_an_activity_they_cannot_see(make_user):
    members_only = make_activity(make_programme(), classification=Classification.MEMBERS)
    with pytest.raises(AccessDenied):
        services.post_update(activity=members_only, by=make_user(Role.ADVISORY_NETWORK), narrative="Hm.")
    assert not ProgressUpdate.objects.exists()


# --- change_status --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.BLOCKED, Status.DROPPED])
@pytest.mark.parametrize("reason", ["", "   "])
def test_blocking_or_dropping_needs_a_reason(activity, support, status, reason):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.change_status(activity=activity, status=status, by=support, reason=reason)
    assert refused.value.field == "reason"
    assert written() == before
    activity.refresh_from_db()
    assert activity.status == Status.NOT_STARTED


@pytest.mark.parametrize("status", [Status.BLOCKED, Status.DROPPED])
def test_the_database_also_refuses_a_blocked_or_dropped_activity_without_a_reason(activity, status):
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(status=status, status_reason="")
    activity.refresh_from_db()
    assert activity.status == Status.NOT_STARTED


def test_a_status_change_is_kept_in_the_history_and_the_ledger(activity, support):
    change = services.change_status(
        activity=activity, status=Status.BLOCKED, by=support, reason=" Awaiting the donor principles. "
    )
    activity.refresh_from_db()
    assert (activity.status, activity.status_reason) == (Status.BLOCKED, "Awaiting the donor principles.")
    assert (change.from_status, change.to_status, change.changed_by, change.proposal) == (
        Status.NOT_STARTED,
        Status.BLOCKED,
        support,
        None,
    )
    [event] = events("programme.status_changed")
    assert (event.actor_id, event.subject_id) == (support.pk, str(activity.pk))
    assert event.data["from"] == "not_started" and event.data["to"] == "blocked"


def test_unblocking_clears_the_reason(activity, support):
    services.change_status(activity=activity, status=Status.BLOCKED, by=support, reason="Waiting.")
    services.change_status(activity=activity, status=Status.IN_PROGRESS, by=support)
    activity.refresh_from_db()
    assert (activity.status, activity.status_reason) == (Status.IN_PROGRESS, "")
    assert StatusChange.objects.count() == 2


def test_setting_the_status_an_activity_already_has_is_refused(activity, support):
    with pytest.raises(InvalidInput) as refused:
        services.change_status(activity=activity, status=Status.NOT_STARTED, by=support)
    assert refused.value.field == "status"
    assert not StatusChange.objects.exists()


def test_an_unknown_status_is_refused(activity, support):
    with pytest.raises(InvalidInput) as refused:
        services.change_status(activity=activity, status="finished", by=support)
    assert refused.value.field == "status"


def test_the_chair_may_change_a_status(activity, make_user):
    services.change_status(activity=activity, status=Status.DONE, by=make_user(Role.CHAIR))
    activity.refresh_from_db()
    assert activity.status == Status.DONE


@pytest.mark.parametrize(
    "role", [Role.FOCAL_POINT, Role.MEMBER_OFFICIAL, Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST]
)
def test_only_the_support_unit_and_the_chair_change_a_status(activity, make_user, role):
    before = written()
    with pytest.raises(AccessDenied):
        services.change_status(activity=activity, status=Status.DONE, by=make_user(role))
    assert written() == before
    activity.refresh_from_db()
    assert activity.status == Status.NOT_STARTED


# --- Proposals ------------------------------------------------------------------------------------------------


@pytest.fixture
def proposal(activity, official) -> StatusProposal:
    services.post_update(
        activity=activity,
        by=official,
        narrative="The toolkit is out.",
        classification=Classification.MEMBERS,
        proposed_status=Status.DONE,
    )
    return StatusProposal.objects.get()


def test_confirming_a_proposal_changes_the_status_with_history_and_ledger(proposal, support):
    change = services.confirm_proposal(proposal=proposal, by=support)
    proposal.refresh_from_db()
    proposal.activity.refresh_from_db()
    assert proposal.activity.status == Status.DONE
    assert (proposal.state, proposal.decided_by) == (StatusProposal.State.CONFIRMED, support)
    assert proposal.decided_at is not None
    assert (change.from_status, change.to_status, change.proposal, change.changed_by) == (
        Status.NOT_STARTED,
        Status.DONE,
        proposal,
        support,
    )
    [event] = events("programme.status_changed")
    assert event.data["to"] == "done"


def test_a_proposal_is_confirmed_once(proposal, support, make_user):
    services.confirm_proposal(proposal=proposal, by=support)
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.confirm_proposal(proposal=proposal, by=make_user(Role.CHAIR))
    assert refused.value.field == "proposal"
    assert written() == before
    assert StatusChange.objects.count() == 1


def test_dismissing_a_proposal_leaves_the_status_and_is_recorded(proposal, support):
    services.dismiss_proposal(proposal=proposal, by=support)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.decided_by) == (StatusProposal.State.DISMISSED, support)
    proposal.activity.refresh_from_db()
    assert proposal.activity.status == Status.NOT_STARTED
    assert not StatusChange.objects.exists()
    [event] = events("programme.proposal_dismissed")
    assert event.data == {"proposal": proposal.pk}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (services.dismiss_proposal, services.dismiss_proposal),
        (services.dismiss_proposal, services.confirm_proposal),
        (services.confirm_proposal, services.dismiss_proposal),
    ],
    ids=["dismissed-twice", "confirmed-after-dismissal", "dismissed-after-confirmation"],
)
def test_a_decided_proposal_cannot_be_decided_again(proposal, support, first, second):
    first(proposal=proposal, by=support)
    state = StatusProposal.objects.get().state
    status = Activity.objects.get().status
    before = written()
    with pytest.raises(InvalidInput) as refused:
        second(proposal=proposal, by=support)
    assert refused.value.field == "proposal"
    assert written() == before
    assert (StatusProposal.objects.get().state, Activity.objects.get().status) == (state, status)


@pytest.mark.parametrize("decide", [services.confirm_proposal, services.dismiss_proposal])
def test_a_member_official_cannot_decide_a_proposal(proposal, official, decide):
    before = written()
    with pytest.raises(AccessDenied):
        decide(proposal=proposal, by=official)
    assert written() == before
    assert StatusProposal.objects.get().state == StatusProposal.State.PENDING


# --- Evidence -------------------------------------------------------------------------------------------------


@pytest.fixture
def new_member() -> Participation:
    """A participation step of an organisation classified members-only: the step itself is public."""
    org = OrganisationFactory.create(classification=Classification.MEMBERS)
    return Participation.objects.create(organisation=org, status="member", effective_on=dt.date(2023, 6, 1))


def test_linking_a_participation_step_suggests_in_progress_through_a_proposal(activity, official, new_member):
    link = services.link_evidence(
        activity=activity, record_type="directory.participation", record_id=str(new_member.pk), by=official, note=" "
    )
    assert (link.record_type, link.record_id, link.linked_by, link.note) == (
        "directory.participation",
        str(new_member.pk),
        official,
        "",
    )
    [proposal] = StatusProposal.objects.all()
    assert (proposal.status, proposal.evidence, proposal.state) == (
        Status.IN_PROGRESS,
        link,
        StatusProposal.State.PENDING,
    )
    assert proposal.classification == Classification.PUBLIC  # the activity's: participation has no classification
    assert proposal.reason == "Suggested by a linked participation step."  # no record title outlives its visibility
    activity.refresh_from_db()
    assert activity.status == Status.NOT_STARTED
    [event] = events("programme.evidence_linked")
    assert event.data == {"record": f"directory.participation:{new_member.pk}", "suggests": "in_progress"}


def test_evidence_that_suggests_the_current_status_raises_no_proposal(official, new_member):
    started = make_activity(make_programme(), status=Status.IN_PROGRESS)
    services.link_evidence(
        activity=started, record_type="directory.participation", record_id=str(new_member.pk), by=official
    )
    assert EvidenceLink.objects.count() == 1
    assert not StatusProposal.objects.exists()


def test_a_step_that_suggests_nothing_raises_no_proposal(activity, official):
    candidate = Participation.objects.create(
        organisation=OrganisationFactory.create(), status="candidate", effective_on=dt.date(2023, 2, 1)
    )
    services.link_evidence(
        activity=activity, record_type="directory.participation", record_id=str(candidate.pk), by=official
    )
    assert EvidenceLink.objects.count() == 1
    assert not StatusProposal.objects.exists()


def test_an_unknown_kind_of_record_is_refused(activity, official, new_member):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.link_evidence(
            activity=activity, record_type="directory.nothing", record_id=str(new_member.pk), by=official
        )
    assert refused.value.field == "record_type"
    assert written() == before


@pytest.mark.parametrize("record_id", ["999999", "not-a-number"])
def test_a_missing_record_is_refused(activity, official, record_id):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.link_evidence(
            activity=activity, record_type="directory.participation", record_id=record_id, by=official
        )
    assert refused.value.field == "record_id"
    assert written() == before


def test_a_record_the_linker_cannot_see_is_refused(activity, official):
    private = Body.objects.create(
        name="Closed group",
        slug="closed-group",
        kind=Body.Kind.TASK_FORCE,
        classification=Classification.RESTRICTED,
        audience=Audience.objects.create(name="Nobody here"),
    )
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.link_evidence(activity=activity, record_type="directory.body", record_id=str(private.pk), by=official)
    assert refused.value.field == "record_id"
    assert written() == before


def test_the_same_record_is_linked_once(activity, official, support, new_member):
    services.link_evidence(
        activity=activity, record_type="directory.participation", record_id=str(new_member.pk), by=official
    )
    before = written()
    with pytest.raises(InvalidInput) as refused:
        services.link_evidence(
            activity=activity, record_type="directory.participation", record_id=str(new_member.pk), by=support
        )
    assert refused.value.field == "record_id"
    assert written() == before


@pytest.mark.parametrize("role", [Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST])
def test_only_governments_and_the_support_unit_link_evidence(activity, make_user, new_member, role):
    with pytest.raises(AccessDenied):
        services.link_evidence(
            activity=activity, record_type="directory.participation", record_id=str(new_member.pk), by=make_user(role)
        )
    assert not EvidenceLink.objects.exists()


def test_evidence_is_hidden_from_whoever_cannot_see_the_record(activity, official, make_user):
    members_body = Body.objects.create(
        name="Members' caucus", slug="members-caucus", kind=Body.Kind.WORKING_GROUP, classification="members"
    )
    services.link_evidence(activity=activity, record_type="directory.body", record_id=str(members_body.pk), by=official)
    assert not StatusProposal.objects.exists()  # a body suggests nothing

    [seen] = queries.activity_page(official, activity).evidence
    assert seen.record == members_body and seen.title == "Members' caucus"
    assert seen.url == f"/bodies/{members_body.slug}/"
    advisory = make_user(Role.ADVISORY_NETWORK)
    assert queries.activity_page(advisory, activity).evidence == []
    assert visible_evidence(AnonymousUser(), activity.evidence.all()) == []


def test_a_participation_step_is_evidence_only_for_those_who_may_see_its_organisation(activity, official, new_member):
    services.link_evidence(
        activity=activity, record_type="directory.participation", record_id=str(new_member.pk), by=official
    )
    assert queries.activity_page(AnonymousUser(), activity).evidence == []
    [seen] = queries.activity_page(official, activity).evidence
    assert seen.record == new_member


# --- Carry-over -----------------------------------------------------------------------------------------------


@pytest.fixture
def finished_year(support) -> Programme:
    """2023, with one activity in each status and a policy topic on the unfinished ones."""
    previous = make_programme(2023)
    topic = PolicyTopic.objects.create(programme=previous, code="AI", title="Artificial intelligence")
    make_activity(previous, "1A.1", status=Status.NOT_STARTED)
    make_activity(previous, "1A.2", status=Status.IN_PROGRESS, weight="3")
    make_activity(previous, "1B.1", status=Status.BLOCKED, status_reason="Awaiting the donor principles.")
    make_activity(previous, "2A.1", status=Status.DONE)
    make_activity(previous, "3A.1", status=Status.DROPPED, status_reason="Overtaken by events.")
    for unfinished in Activity.objects.filter(code__in=["1A.1", "1A.2", "1B.1"]):
        unfinished.topics.add(topic)
    return previous


def test_the_next_programme_starts_with_the_unfinished_activities_each_linked_to_its_history(finished_year, support):
    chile = government("CL")
    successor = services.start_next_programme(previous=finished_year, year=2024, by=support, chair=chile)
    assert (successor.year, successor.predecessor, successor.chair) == (2024, finished_year, chile)
    assert successor.title == "Program of Action 2024"
    assert (successor.starts_on, successor.ends_on) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    carried = {a.code: a for a in Activity.objects.filter(objective__goal__programme=successor)}
    assert set(carried) == {"1A.1", "1A.2", "1B.1"}
    originals = {a.code: a for a in Activity.objects.filter(objective__goal__programme=finished_year)}
    for code, copy in carried.items():
        assert copy.carried_from == originals[code]
        assert (copy.status, copy.status_reason, copy.weight) == (
            originals[code].status,
            originals[code].status_reason,
            originals[code].weight,
        )
        assert copy.target_on == dt.date(2024, 12, 31)
        assert [t.programme for t in copy.topics.all()] == [successor]
    assert Goal.objects.filter(programme=successor).count() == 3
    [event] = events("programme.carried_over")
    assert event.data == {"from": 2023, "activities": 3}
    # The previous year is left as it was.
    assert Activity.objects.filter(objective__goal__programme=finished_year).count() == 5


def test_a_second_programme_for_the_same_year_is_refused(finished_year, support):
    services.start_next_programme(previous=finished_year, year=2024, by=support)
    before = (written(), Activity.objects.count())
    with pytest.raises(InvalidInput) as refused:
        services.start_next_programme(previous=finished_year, year=2024, by=support)
    assert refused.value.field == "year"
    assert (written(), Activity.objects.count()) == before


@pytest.mark.parametrize("year", [2023, 2022])
def test_the_next_programme_comes_after_the_previous_one(finished_year, support, year):
    with pytest.raises(InvalidInput) as refused:
        services.start_next_programme(previous=finished_year, year=year, by=support)
    assert refused.value.field == "year"
    assert Programme.objects.count() == 1


def test_only_the_support_unit_and_the_chair_start_the_next_programme(finished_year, official):
    with pytest.raises(AccessDenied):
        services.start_next_programme(previous=finished_year, year=2024, by=official)
    assert Programme.objects.count() == 1
