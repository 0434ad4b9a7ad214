"""Rapid response through its services: members' pledges, and civil-society reports with their own audience."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.core import policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification, Role
from coalition.directory.models import Organisation
from coalition.directory.tests.factories import OrganisationFactory
from coalition.response import queries, services
from coalition.response.models import PlaybookStep, Pledge, Situation, Tool
from coalition.response.tests.scenes import closed, tool

pytestmark = pytest.mark.django_db


# --- Pledges ------------------------------------------------------------------------------------------------------


def test_two_members_pledge_and_each_pledge_lands_on_the_timeline(situation, estonia, ghana, demarche_tool):
    first = services.pledge(
        situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="Démarche in Addis."
    )
    second = services.pledge(
        situation, by=ghana[1], organisation=ghana[0], tool=demarche_tool, description="Join the démarche."
    )

    assert list(situation.pledges.all()) == [first, second]
    assert first.person == estonia[1].person
    assert first.status == Pledge.Status.PLEDGED
    pledges = [entry.text for entry in situation.timeline.filter(kind="pledge")]
    assert pledges == [f"{estonia[0]} pledged: Joint démarche", f"{ghana[0]} pledged: Joint démarche"]


def test_pledging_an_action_moves_its_proposed_playbook_step_underway(
    situation, support, estonia, ghana, demarche_tool, statement_tool
):
    """Issue 15 (8): the step stayed “Proposed” after a member had pledged to take the action."""
    services.set_step(situation.steps.get(tool=statement_tool), by=support, status=PlaybookStep.Status.NOT_TAKEN)

    services.pledge(situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="Démarche.")
    services.pledge(situation, by=ghana[1], organisation=ghana[0], tool=demarche_tool, description="Join it.")
    services.pledge(situation, by=ghana[1], organisation=ghana[0], tool=statement_tool, description="Sign.")

    steps = {step.tool: step for step in situation.steps.all()}
    assert steps[demarche_tool].status == PlaybookStep.Status.UNDERWAY
    assert steps[demarche_tool].owner == "Members with an embassy"  # the owner the Support Unit had, kept
    assert steps[statement_tool].status == PlaybookStep.Status.NOT_TAKEN  # as the Support Unit decided
    moves = [entry.text for entry in situation.timeline.filter(kind="step")]
    assert moves == ["Public statement: Not taken", "Joint démarche: Underway"]


def test_an_action_pledged_from_outside_the_playbook_joins_it_underway(situation, support, estonia):
    extra = tool(support, "Fund circumvention tools", kind=Tool.Kind.DONOR_SUPPORT, in_playbook=False)

    services.pledge(situation, by=estonia[1], organisation=estonia[0], tool=extra, description="Fund VPNs.")

    step = situation.steps.get(tool=extra)
    assert step.status == PlaybookStep.Status.UNDERWAY and step.owner == str(estonia[0])


def test_a_member_pledging_the_same_tool_again_is_told_of_its_existing_pledge(situation, estonia, demarche_tool):
    organisation, account = estonia
    services.pledge(situation, by=account, organisation=organisation, tool=demarche_tool, description="Démarche.")

    with pytest.raises(InvalidInput) as refused:
        services.pledge(situation, by=account, organisation=organisation, tool=demarche_tool, description="Again.")

    assert refused.value.field == "tool"
    assert str(organisation) in refused.value.message
    assert "Joint démarche" in refused.value.message
    assert "(pledged)" in refused.value.message
    assert situation.pledges.count() == 1


def test_the_same_member_may_pledge_different_tools(situation, estonia, demarche_tool, statement_tool):
    organisation, account = estonia
    services.pledge(situation, by=account, organisation=organisation, tool=demarche_tool, description="Démarche.")
    services.pledge(situation, by=account, organisation=organisation, tool=statement_tool, description="Sign.")

    assert situation.pledges.count() == 2


def test_a_withdrawn_pledge_is_renewed_by_pledging_again(situation, estonia, demarche_tool):
    organisation, account = estonia
    made = services.pledge(situation, by=account, organisation=organisation, tool=demarche_tool, description="One.")
    services.set_pledge_status(made, by=account, status=Pledge.Status.WITHDRAWN)

    renewed = services.pledge(
        situation,
        by=account,
        organisation=organisation,
        tool=demarche_tool,
        description="Two.",
        amount=Decimal("5000"),
        currency="eur",
    )

    assert renewed.pk == made.pk
    assert (renewed.status, renewed.description) == (Pledge.Status.PLEDGED, "Two.")
    assert (renewed.amount, renewed.currency) == (Decimal("5000"), "EUR")
    assert situation.pledges.count() == 1
    assert [entry.text for entry in situation.timeline.filter(kind="pledge")][-2:] == [
        f"{organisation}: Joint démarche withdrawn",
        f"{organisation} pledged: Joint démarche",
    ]


def test_a_delivered_pledge_cannot_be_pledged_again(situation, estonia, demarche_tool):
    organisation, account = estonia
    made = services.pledge(situation, by=account, organisation=organisation, tool=demarche_tool, description="One.")
    services.set_pledge_status(made, by=account, status=Pledge.Status.DELIVERED)

    with pytest.raises(InvalidInput) as refused:
        services.pledge(situation, by=account, organisation=organisation, tool=demarche_tool, description="Two.")
    assert "(delivered)" in refused.value.message


def test_a_focal_point_cannot_pledge_for_another_member(situation, estonia, ghana, demarche_tool):
    with pytest.raises(AccessDenied):
        services.pledge(situation, by=estonia[1], organisation=ghana[0], tool=demarche_tool, description="For Ghana.")
    assert not Pledge.objects.exists()


def test_a_focal_point_cannot_change_another_members_pledge(situation, estonia, ghana, demarche_tool):
    made = services.pledge(situation, by=ghana[1], organisation=ghana[0], tool=demarche_tool, description="Ours.")

    with pytest.raises(AccessDenied):
        services.set_pledge_status(made, by=estonia[1], status=Pledge.Status.WITHDRAWN)


def test_a_member_official_pledges_for_their_own_member(situation, official, demarche_tool):
    estonia = Organisation.objects.get(country__code="EE", kind="government")

    made = services.pledge(situation, by=official, organisation=estonia, tool=demarche_tool, description="Ours.")

    assert made.organisation == estonia


def test_the_support_unit_records_a_pledge_for_any_member(situation, support, ghana, demarche_tool):
    made = services.pledge(
        situation, by=support, organisation=ghana[0], tool=demarche_tool, description="Received by email."
    )

    assert made.organisation == ghana[0]
    assert made.person == support.person


@pytest.mark.parametrize("role", [Role.ADVISORY_NETWORK, Role.CHAIR, Role.OBSERVER])
def test_others_cannot_pledge_for_a_member(widened, make_user, estonia, demarche_tool, role):
    with pytest.raises(AccessDenied):
        services.pledge(widened, by=make_user(role), organisation=estonia[0], tool=demarche_tool, description="x")


def test_pledges_are_made_by_member_governments(situation, support, demarche_tool):
    ngo = OrganisationFactory.create(kind=Organisation.Kind.CIVIL_SOCIETY)

    with pytest.raises(InvalidInput) as refused:
        services.pledge(situation, by=support, organisation=ngo, tool=demarche_tool, description="Help.")
    assert refused.value.field == "organisation"


def test_a_pledge_says_what_the_member_commits(situation, estonia, demarche_tool):
    with pytest.raises(InvalidInput) as refused:
        services.pledge(situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description=" ")
    assert refused.value.field == "description"


def test_an_amount_without_its_currency_is_refused(situation, estonia, demarche_tool):
    with pytest.raises(InvalidInput) as refused:
        services.pledge(
            situation,
            by=estonia[1],
            organisation=estonia[0],
            tool=demarche_tool,
            description="Funding.",
            amount=Decimal("10000"),
        )
    assert refused.value.field == "currency"
    assert not Pledge.objects.exists()


@pytest.mark.parametrize("amount", [Decimal("-100"), Decimal("0")])
def test_an_amount_of_zero_or_less_is_refused(situation, estonia, demarche_tool, amount):
    with pytest.raises(InvalidInput) as refused:
        services.pledge(
            situation,
            by=estonia[1],
            organisation=estonia[0],
            tool=demarche_tool,
            description="Funding.",
            amount=amount,
            currency="EUR",
        )
    assert refused.value.field == "amount"


def test_a_currency_without_an_amount_is_not_kept(situation, estonia, demarche_tool):
    made = services.pledge(
        situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="Words.", currency="EUR"
    )

    assert (made.amount, made.currency) == (None, "")


def test_pledges_to_a_closed_situation_are_refused(situation, support, estonia, demarche_tool):
    closed(situation, support)

    with pytest.raises(InvalidInput) as refused:
        services.pledge(situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="Late.")
    assert "closed" in refused.value.message


# --- Civil-society reports ----------------------------------------------------------------------------------------


@pytest.fixture
def report(widened: Situation, advisory: Any) -> Any:
    return services.add_report(widened, by=advisory, text="  Our partners in Bahir Dar are offline since 06:00. ")


def test_a_civil_society_report_is_restricted_to_the_support_unit_and_the_reporter(
    widened, report, support, advisory, official, chair
):
    assert report.classification == Classification.RESTRICTED
    assert report.text == "Our partners in Bahir Dar are offline since 06:00."
    assert list(queries.reports(support, widened)) == [report]
    assert list(queries.reports(advisory, widened)) == [report]
    assert not queries.reports(official, widened).exists()
    assert not queries.reports(chair, widened).exists()
    assert policy.is_visible(advisory, report)
    assert not policy.is_visible(official, report)


def test_another_advisory_network_member_does_not_see_the_report(widened, report, make_user):
    assert not queries.reports(make_user(Role.ADVISORY_NETWORK), widened).exists()


def test_sharing_a_report_lets_that_person_read_it(widened, report, support, official):
    services.share_report(report, by=support, person_ids=[official.person_id])

    assert list(queries.reports(official, widened)) == [report]


def test_sharing_a_report_twice_with_the_same_person_is_harmless(widened, report, support, official):
    services.share_report(report, by=support, person_ids=[official.person_id])
    services.share_report(report, by=support, person_ids=[official.person_id])

    assert list(queries.reports(official, widened)) == [report]


def test_only_the_support_unit_and_chair_share_reports(widened, report, advisory, official):
    with pytest.raises(AccessDenied):
        services.share_report(report, by=advisory, person_ids=[official.person_id])


def test_the_chair_cannot_share_a_report_it_cannot_read_not_even_with_itself(widened, report, chair):
    with pytest.raises(AccessDenied):
        services.share_report(report, by=chair, person_ids=[chair.person_id])
    assert not queries.reports(chair, widened).exists()


def test_widening_the_situation_does_not_widen_its_reports(widened, report, support, official):
    services.widen(widened, by=support, classification=Classification.PUBLIC)

    report.refresh_from_db()
    assert report.classification == Classification.RESTRICTED
    assert not queries.reports(official, widened).exists()
    assert not queries.reports(AnonymousUser(), widened).exists()


def test_the_advisory_network_cannot_report_in_a_situation_it_cannot_read(situation, advisory):
    with pytest.raises(AccessDenied):
        services.add_report(situation, by=advisory, text="A report.")


def test_a_report_needs_text(widened, advisory):
    with pytest.raises(InvalidInput) as refused:
        services.add_report(widened, by=advisory, text=" ")
    assert refused.value.field == "text"


def test_a_report_to_a_closed_situation_is_refused(widened, support, advisory):
    closed(widened, support)

    with pytest.raises(InvalidInput):
        services.add_report(widened, by=advisory, text="Late.")
