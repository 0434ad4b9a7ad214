"""Rapid response through its services and queries: alerts from corroborating signals, situations opened from them or
by hand, who reads a situation and its civil-society reports, members' pledges, the fast-tracked statement, closing
with an after-action review as programme evidence, the metrics, the brief and the toolkit."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from coalition.core import policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification, Role
from coalition.directory.models import Country, Office, Organisation
from coalition.directory.tests.factories import OrganisationFactory
from coalition.response import queries, services
from coalition.response.models import Alert, PlaybookStep, Pledge, Signal, SignalKind, Situation, Source, Tool
from coalition.statements import services as statements
from coalition.statements.models import Statement
from coalition.statements.tests.test_services import draft, member, open_round, past_deadline, sign

pytestmark = pytest.mark.django_db

_external_ids = itertools.count(1)


# --- Helpers ------------------------------------------------------------------------------------------------------


def signal(
    source: str,
    country: Country,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    kind: str = SignalKind.OUTAGE,
) -> Signal:
    return Signal.objects.create(
        source=source,
        external_id=f"test:{next(_external_ids)}",
        country=country,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def tool(by: Any, name: str, **fields: Any) -> Tool:
    fields.setdefault("kind", Tool.Kind.PUBLIC_STATEMENT)
    fields.setdefault("when_to_use", "When a shutdown is confirmed.")
    fields.setdefault("who_can_use", "Any member.")
    return services.save_tool(by=by, name=name, **fields)


def open_by_hand(by: Any, country: Country, **fields: Any) -> Situation:
    return services.open_situation(by=by, country=country, **fields)


def closed(situation: Situation, by: Any, review: str = "The statement came out in a day; pledges were slow.") -> Any:
    return services.close(situation, by=by, review=review)


def publish(statement: Statement, support: Any, signer: tuple[Organisation, Any]) -> Statement:
    """Take a drafted statement through a sign-on round to publication, as the statements tests do."""
    freeze = open_round(statement, support)
    sign(freeze, signer)
    past_deadline(freeze)
    return statements.publish(statement=statement, by=support)


def set_times(situation: Situation, **times: dt.datetime | None) -> Situation:
    Situation.objects.filter(pk=situation.pk).update(**times)
    return Situation.objects.get(pk=situation.pk)


def kinds(situation: Situation) -> list[str]:
    return list(situation.timeline.values_list("kind", flat=True))


# --- Fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture
def ethiopia() -> Country:
    return Country.objects.get(code="ET")


@pytest.fixture
def iran() -> Country:
    return Country.objects.get(code="IR")


@pytest.fixture
def now() -> dt.datetime:
    return timezone.now()


@pytest.fixture
def estonia() -> tuple[Organisation, Any]:
    return member("EE")


@pytest.fixture
def ghana() -> tuple[Organisation, Any]:
    return member("GH")


@pytest.fixture
def statement_tool(support: Any) -> Tool:
    return tool(support, "Public statement", suggested_lead="Chair", position=1)


@pytest.fixture
def demarche_tool(support: Any) -> Tool:
    return tool(support, "Joint démarche", kind=Tool.Kind.JOINT_DEMARCHE, suggested_lead="Members with an embassy")


@pytest.fixture
def situation(
    support: Any, ethiopia: Country, now: dt.datetime, statement_tool: Tool, demarche_tool: Tool
) -> Situation:
    return open_by_hand(
        support, ethiopia, title="Ethiopia: Amhara shutdown", first_signal_at=now - dt.timedelta(hours=6)
    )


@pytest.fixture
def widened(situation: Situation, support: Any) -> Situation:
    return services.widen(situation, by=support, classification=Classification.COALITION)


@pytest.fixture
def alert(ethiopia: Country, now: dt.datetime) -> Alert:
    signal(Source.IODA, ethiopia, starts_at=now - dt.timedelta(hours=7), ends_at=now - dt.timedelta(hours=1))
    signal(Source.CLOUDFLARE, ethiopia, starts_at=now - dt.timedelta(hours=6))
    (raised,) = services.raise_alerts(now=now)
    return raised


# --- Alerts -------------------------------------------------------------------------------------------------------


def test_signals_from_two_sources_overlapping_in_time_raise_one_alert_with_both(ethiopia, now):
    ioda = signal(Source.IODA, ethiopia, starts_at=now - dt.timedelta(hours=7), ends_at=now - dt.timedelta(hours=1))
    radar = signal(Source.CLOUDFLARE, ethiopia, starts_at=now - dt.timedelta(hours=6))

    raised = services.raise_alerts(now=now)

    assert len(raised) == 1
    alert = raised[0]
    assert alert.country == ethiopia
    assert alert.status == Alert.Status.OPEN
    assert alert.sources == [Source.CLOUDFLARE, Source.IODA]
    assert set(alert.signals.all()) == {ioda, radar}
    assert alert.first_signal_at == ioda.starts_at
    assert Alert.objects.count() == 1


def test_signals_within_the_corroboration_window_but_not_overlapping_still_corroborate(ethiopia, now):
    signal(Source.IODA, ethiopia, starts_at=now - dt.timedelta(hours=20), ends_at=now - dt.timedelta(hours=18))
    signal(Source.STOP, ethiopia, starts_at=now - dt.timedelta(hours=8), ends_at=now - dt.timedelta(hours=7))

    assert len(services.raise_alerts(now=now)) == 1


def test_signals_from_one_source_alone_raise_no_alert(ethiopia, now):
    signal(Source.IODA, ethiopia, starts_at=now - dt.timedelta(hours=7))
    signal(Source.IODA, ethiopia, starts_at=now - dt.timedelta(hours=5))

    assert services.raise_alerts(now=now) == []
    assert not Alert.objects.exists()


def test_signals_far_apart_in_time_raise_no_alert(ethiopia, now):
    signal(
        Source.IODA,
        ethiopia,
        starts_at=now - dt.timedelta(days=20),
        ends_at=now - dt.timedelta(days=20) + dt.timedelta(hours=2),
    )
    signal(Source.OONI, ethiopia, starts_at=now - dt.timedelta(days=2), ends_at=now - dt.timedelta(days=1))

    assert services.raise_alerts(now=now) == []
    assert not Alert.objects.exists()


def test_signals_in_two_countries_do_not_corroborate_each_other(ethiopia, iran, now):
    signal(Source.IODA, ethiopia, starts_at=now - dt.timedelta(hours=3))
    signal(Source.OONI, iran, starts_at=now - dt.timedelta(hours=3))

    assert services.raise_alerts(now=now) == []


def test_each_country_gets_its_own_alert(ethiopia, iran, now):
    for country in (ethiopia, iran):
        signal(Source.IODA, country, starts_at=now - dt.timedelta(hours=3))
        signal(Source.CLOUDFLARE, country, starts_at=now - dt.timedelta(hours=2))

    raised = services.raise_alerts(now=now)

    assert {alert.country for alert in raised} == {ethiopia, iran}


def test_signals_older_than_thirty_days_are_not_considered(ethiopia, now):
    old = now - dt.timedelta(days=31)
    signal(Source.IODA, ethiopia, starts_at=old, ends_at=old + dt.timedelta(hours=2))
    signal(Source.OONI, ethiopia, starts_at=old, ends_at=old + dt.timedelta(hours=3))

    assert services.raise_alerts(now=now) == []


def test_raising_again_adds_no_duplicate_alert(alert, now):
    assert services.raise_alerts(now=now) == []
    assert services.raise_alerts(now=now + dt.timedelta(hours=1)) == []
    assert Alert.objects.count() == 1
    assert alert.signals.count() == 2


def test_new_corroborating_signals_for_a_country_with_an_open_alert_join_it(alert, ethiopia, now):
    stop = signal(Source.STOP, ethiopia, starts_at=now - dt.timedelta(hours=2), kind=SignalKind.FULL_SHUTDOWN)
    radar = signal(Source.CLOUDFLARE, ethiopia, starts_at=now - dt.timedelta(hours=1))

    assert services.raise_alerts(now=now) == []

    alert.refresh_from_db()
    assert Alert.objects.count() == 1
    assert {stop, radar} <= set(alert.signals.all())
    assert alert.signals.count() == 4
    assert alert.sources == sorted([Source.CLOUDFLARE, Source.IODA, Source.STOP])


def test_a_new_signal_from_one_source_joins_the_open_alert_of_its_country(alert, ethiopia, now):
    stop = signal(Source.STOP, ethiopia, starts_at=now - dt.timedelta(hours=2), kind=SignalKind.FULL_SHUTDOWN)

    assert services.raise_alerts(now=now) == []

    alert.refresh_from_db()
    assert stop in alert.signals.all()
    assert Source.STOP in alert.sources


def test_an_earlier_new_signal_moves_the_alerts_first_signal_back(alert, ethiopia, now):
    earlier = now - dt.timedelta(hours=9)
    signal(Source.STOP, ethiopia, starts_at=earlier, ends_at=now - dt.timedelta(hours=8))
    signal(Source.CLOUDFLARE, ethiopia, starts_at=earlier + dt.timedelta(minutes=10))

    services.raise_alerts(now=now)

    alert.refresh_from_db()
    assert alert.first_signal_at == earlier


def test_signals_after_a_situation_was_opened_raise_a_new_alert(alert, support, ethiopia, now):
    services.open_situation(by=support, country=ethiopia, alert=alert)
    signal(Source.STOP, ethiopia, starts_at=now - dt.timedelta(hours=1))
    signal(Source.CLOUDFLARE, ethiopia, starts_at=now - dt.timedelta(minutes=30))

    (raised,) = services.raise_alerts(now=now)

    assert raised != alert
    assert raised.status == Alert.Status.OPEN


def test_the_support_unit_dismisses_an_alert_with_a_reason(alert, support):
    services.dismiss_alert(alert, by=support, reason="  A planned maintenance window. ")

    alert.refresh_from_db()
    assert alert.status == Alert.Status.DISMISSED
    assert alert.dismissed_reason == "A planned maintenance window."


def test_dismissing_an_alert_needs_a_reason(alert, support):
    with pytest.raises(InvalidInput) as refused:
        services.dismiss_alert(alert, by=support, reason="  ")
    assert refused.value.field == "reason"


def test_a_focal_point_cannot_dismiss_an_alert(alert, estonia):
    with pytest.raises(AccessDenied):
        services.dismiss_alert(alert, by=estonia[1], reason="Not a shutdown.")


def test_a_dismissed_alert_cannot_open_a_situation(alert, support, ethiopia):
    services.dismiss_alert(alert, by=support, reason="Not a shutdown.")

    with pytest.raises(InvalidInput) as refused:
        services.open_situation(by=support, country=ethiopia, alert=alert)
    assert refused.value.field == "alert"


# --- Opening a situation ------------------------------------------------------------------------------------------


def test_opening_from_an_alert_marks_it_and_copies_the_first_signal(alert, support, ethiopia):
    situation = services.open_situation(by=support, country=ethiopia, alert=alert)

    alert.refresh_from_db()
    assert alert.status == Alert.Status.SITUATION
    assert situation.alert == alert
    assert situation.first_signal_at == alert.first_signal_at
    assert situation.country == ethiopia
    assert situation.title == "Ethiopia: network disruption"
    assert situation.status == Situation.Status.OPEN
    assert situation.opened_by == support


def test_an_alert_opens_a_situation_in_its_own_country_whatever_country_is_given(alert, support, iran):
    situation = services.open_situation(by=support, country=iran, alert=alert)

    assert situation.country == alert.country


def test_the_playbook_holds_the_toolkits_standing_actions_with_their_suggested_owners(
    alert, support, ethiopia, statement_tool, demarche_tool
):
    tool(support, "Private engagement", kind=Tool.Kind.PRIVATE_ENGAGEMENT, in_playbook=False)

    situation = services.open_situation(by=support, country=ethiopia, alert=alert)

    steps = {step.tool.name: step for step in situation.steps.all()}
    assert set(steps) == {"Public statement", "Joint démarche"}
    assert steps["Public statement"].owner == "Chair"
    assert steps["Joint démarche"].owner == "Members with an embassy"
    assert {step.status for step in steps.values()} == {PlaybookStep.Status.PROPOSED}


def test_the_timeline_of_a_situation_from_an_alert_starts_with_the_first_signal_then_the_opening(
    alert, support, ethiopia
):
    situation = services.open_situation(by=support, country=ethiopia, alert=alert)

    entries = list(situation.timeline.all())
    assert [entry.kind for entry in entries] == ["signal", "opened"]
    assert entries[0].at == alert.first_signal_at
    assert "Cloudflare Radar, IODA" in entries[0].text  # the sources by name
    assert entries[0].at < entries[1].at
    assert entries[1].by == support


def test_an_alert_with_a_situation_cannot_open_a_second_one(alert, support, ethiopia):
    services.open_situation(by=support, country=ethiopia, alert=alert)

    with pytest.raises(InvalidInput) as refused:
        services.open_situation(by=support, country=ethiopia, alert=alert)
    assert refused.value.field == "alert"


def test_a_focal_point_opens_a_situation_by_hand(estonia, ethiopia, now):
    first = now - dt.timedelta(hours=2)

    situation = open_by_hand(
        estonia[1], ethiopia, title="  Tigray blackout ", summary=" Mobile data cut. ", first_signal_at=first
    )

    assert situation.title == "Tigray blackout"
    assert situation.summary == "Mobile data cut."
    assert situation.alert is None
    assert situation.first_signal_at == first
    assert kinds(situation) == ["signal", "opened"]
    assert situation.timeline.values_list("at", flat=True)[0] == first


def test_a_situation_opened_by_hand_without_a_first_signal_has_only_its_opening(official, ethiopia):
    situation = open_by_hand(official, ethiopia)

    assert situation.first_signal_at is None
    assert kinds(situation) == ["opened"]


def test_a_second_open_situation_for_the_same_country_is_refused(situation, support, ethiopia):
    with pytest.raises(InvalidInput) as refused:
        open_by_hand(support, ethiopia)
    assert refused.value.field == "country"
    assert "Ethiopia" in refused.value.message
    assert Situation.objects.count() == 1


def test_a_country_may_have_a_new_situation_once_the_last_one_closed(situation, support, ethiopia):
    closed(situation, support)

    assert open_by_hand(support, ethiopia).status == Situation.Status.OPEN


def test_a_first_signal_in_the_future_is_refused(support, ethiopia, now):
    with pytest.raises(InvalidInput) as refused:
        open_by_hand(support, ethiopia, first_signal_at=now + dt.timedelta(hours=1))
    assert refused.value.field == "first_signal_at"
    assert not Situation.objects.exists()


@pytest.mark.parametrize("role", [Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST])
def test_only_governments_and_the_support_unit_open_situations(make_user, ethiopia, role):
    with pytest.raises(AccessDenied):
        open_by_hand(make_user(role), ethiopia)
    assert not Situation.objects.exists()


def test_anonymous_visitors_cannot_open_situations(ethiopia):
    with pytest.raises(AccessDenied):
        open_by_hand(AnonymousUser(), ethiopia)


def test_the_chair_opens_a_situation(chair, ethiopia):
    assert open_by_hand(chair, ethiopia).opened_by == chair


# --- Who reads a situation ----------------------------------------------------------------------------------------


def test_a_new_situation_is_members_only(situation, official, advisory):
    assert situation.classification == Classification.MEMBERS
    assert policy.is_visible(official, situation)
    assert not policy.is_visible(advisory, situation)
    assert not policy.is_visible(AnonymousUser(), situation)
    assert situation in policy.visible_to(official, Situation)
    assert not policy.visible_to(advisory, Situation).exists()
    assert not policy.visible_to(AnonymousUser(), Situation).exists()


def test_widening_to_the_coalition_lets_the_advisory_network_read_it(situation, support, advisory):
    services.widen(situation, by=support, classification=Classification.COALITION)

    assert situation in policy.visible_to(advisory, Situation)
    assert situation in queries.situations(advisory)
    assert not policy.visible_to(AnonymousUser(), Situation).exists()
    assert kinds(situation)[-1] == "widened"


def test_widening_to_the_public_lets_anyone_read_it(situation, support):
    services.widen(situation, by=support, classification=Classification.PUBLIC)

    assert situation in policy.visible_to(AnonymousUser(), Situation)


@pytest.mark.parametrize("role", [Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL, Role.ADVISORY_NETWORK])
def test_only_the_support_unit_widens_a_situation(situation, make_user, role):
    with pytest.raises(AccessDenied):
        services.widen(situation, by=make_user(role), classification=Classification.COALITION)

    situation.refresh_from_db()
    assert situation.classification == Classification.MEMBERS


def test_a_situation_cannot_be_restricted_by_widening(situation, support):
    with pytest.raises(InvalidInput) as refused:
        services.widen(situation, by=support, classification=Classification.RESTRICTED)
    assert refused.value.field == "classification"


# --- The playbook and notes ---------------------------------------------------------------------------------------


def test_the_support_unit_moves_a_step_on_and_it_lands_on_the_timeline(situation, support):
    step = situation.steps.get(tool__name="Public statement")

    services.set_step(step, by=support, status=PlaybookStep.Status.UNDERWAY, owner=" Estonia ", note=" Drafting. ")

    step.refresh_from_db()
    assert (step.status, step.owner, step.note) == (PlaybookStep.Status.UNDERWAY, "Estonia", "Drafting.")
    assert situation.timeline.last().text == "Public statement: Underway"


def test_a_focal_point_cannot_move_a_step_on(situation, estonia):
    with pytest.raises(AccessDenied):
        services.set_step(situation.steps.first(), by=estonia[1], status=PlaybookStep.Status.DONE)


def test_a_step_needs_a_known_status(situation, chair):
    with pytest.raises(InvalidInput):
        services.set_step(situation.steps.first(), by=chair, status="finished")


def test_a_member_official_adds_a_note(situation, official):
    entry = services.add_note(situation, by=official, text="  Our embassy confirms mobile data is down. ")

    assert entry.text == "Our embassy confirms mobile data is down."
    assert kinds(situation)[-1] == "note"


def test_an_empty_or_overlong_note_is_refused(situation, official):
    with pytest.raises(InvalidInput):
        services.add_note(situation, by=official, text="  ")
    with pytest.raises(InvalidInput) as refused:
        services.add_note(situation, by=official, text="x" * 501)
    assert "501" in refused.value.message


def test_the_advisory_network_cannot_add_notes_even_to_a_widened_situation(widened, advisory):
    with pytest.raises(AccessDenied):
        services.add_note(widened, by=advisory, text="We see it too.")


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


# --- The fast-tracked statement -----------------------------------------------------------------------------------


def test_a_fast_tracked_statement_is_about_the_situations_country_and_linked_to_it(situation, support, ethiopia):
    statement = services.fast_track_statement(situation, by=support, title="On Ethiopia", text="We call for access.")

    situation.refresh_from_db()
    assert situation.statement == statement
    assert statement.kind == Statement.Kind.COUNTRY_SPECIFIC
    assert statement.fast_track
    assert statement.about_country == ethiopia
    assert statement.situation == situation.title
    assert statement.classification == Classification.MEMBERS
    assert kinds(situation)[-1] == "statement"


def test_a_situation_has_only_one_fast_tracked_statement(situation, support):
    services.fast_track_statement(situation, by=support, title="On Ethiopia", text="We call for access.")

    with pytest.raises(InvalidInput):
        services.fast_track_statement(situation, by=support, title="Again", text="Again.")
    assert Statement.objects.count() == 1


def test_a_focal_point_cannot_fast_track_a_statement(situation, estonia):
    with pytest.raises(AccessDenied):
        services.fast_track_statement(situation, by=estonia[1], title="On Ethiopia", text="We call for access.")
    assert not Statement.objects.exists()


def test_publishing_the_fast_tracked_statement_lands_on_the_timeline_and_gives_the_time_to_statement(
    situation, support, estonia
):
    statement = services.fast_track_statement(situation, by=support, title="On Ethiopia", text="We call for access.")
    assert queries.metrics_of(situation.opened_by, situation).to_statement is None

    statement = publish(statement, support, estonia)

    situation.refresh_from_db()
    entry = situation.timeline.get(kind="published")
    assert entry.at == statement.published_at
    assert (
        queries.metrics_of(situation.opened_by, situation).to_statement
        == statement.published_at - situation.first_signal_at
    )


def test_the_published_entry_is_made_once(situation, support, estonia):
    statement = publish(
        services.fast_track_statement(situation, by=support, title="On Ethiopia", text="Access."), support, estonia
    )
    statement.save()  # any later save of the published statement

    assert situation.timeline.filter(kind="published").count() == 1


# --- Closing ------------------------------------------------------------------------------------------------------


def test_closing_needs_an_after_action_review(situation, support):
    with pytest.raises(InvalidInput) as refused:
        services.close(situation, by=support, review="   ")
    assert refused.value.field == "review"
    situation.refresh_from_db()
    assert situation.status == Situation.Status.OPEN


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.MEMBER_OFFICIAL, Role.ADVISORY_NETWORK])
def test_only_the_support_unit_and_chair_close_a_situation(situation, make_user, role):
    with pytest.raises(AccessDenied):
        closed(situation, make_user(role))


def test_closing_keeps_the_review_and_who_closed(situation, chair):
    closed(situation, chair, review="  Worked: speed. Change: earlier donor outreach. ")

    situation.refresh_from_db()
    assert situation.status == Situation.Status.CLOSED
    assert situation.review == "Worked: speed. Change: earlier donor outreach."
    assert situation.closed_by == chair
    assert situation.closed_at is not None
    assert kinds(situation)[-1] == "closed"


def test_a_closed_situation_cannot_be_closed_again(situation, support):
    closed(situation, support)

    with pytest.raises(InvalidInput):
        closed(situation, support)


def test_after_closing_notes_steps_and_statements_are_refused(situation, support, official):
    closed(situation, support)

    with pytest.raises(InvalidInput):
        services.add_note(situation, by=official, text="Too late.")
    with pytest.raises(InvalidInput):
        services.set_step(situation.steps.first(), by=support, status=PlaybookStep.Status.DONE)
    with pytest.raises(InvalidInput):
        services.fast_track_statement(situation, by=support, title="Late", text="Late.")


def test_a_closed_situation_is_evidence_for_the_rapid_response_mechanism(situation, support):
    from coalition.programme.models import EvidenceLink
    from coalition.programme.services import load_programme

    load_programme()
    closed(situation, support)

    links = EvidenceLink.objects.filter(record_type="response.situation", record_id=str(situation.pk))
    assert [link.activity.code for link in links] == ["1B.3"]
    assert links.get().linked_by == support


def test_a_closed_situation_with_a_published_statement_is_also_evidence_for_country_statements(
    situation, support, estonia
):
    from coalition.programme.models import EvidenceLink
    from coalition.programme.services import load_programme

    load_programme()
    publish(services.fast_track_statement(situation, by=support, title="On Ethiopia", text="Access."), support, estonia)
    situation.refresh_from_db()
    closed(situation, support)

    links = EvidenceLink.objects.filter(record_type="response.situation", record_id=str(situation.pk))
    assert sorted(link.activity.code for link in links) == ["1A.5", "1B.3"]


def test_a_drafted_but_unpublished_statement_is_no_evidence_for_country_statements(situation, support):
    from coalition.programme.models import EvidenceLink
    from coalition.programme.services import load_programme

    load_programme()
    services.fast_track_statement(situation, by=support, title="On Ethiopia", text="Access.")
    situation.refresh_from_db()
    closed(situation, support)

    links = EvidenceLink.objects.filter(record_type="response.situation", record_id=str(situation.pk))
    assert [link.activity.code for link in links] == ["1B.3"]


def test_closing_without_a_programme_loaded_links_nothing(situation, support):
    from coalition.programme.models import EvidenceLink

    closed(situation, support)

    assert not EvidenceLink.objects.exists()


# --- Metrics ------------------------------------------------------------------------------------------------------


def test_metrics_count_from_the_first_signal(situation, estonia, demarche_tool):
    first = dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC)
    situation = set_times(situation, first_signal_at=first, opened_at=first + dt.timedelta(hours=3))
    made = services.pledge(
        situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="Démarche."
    )
    Pledge.objects.filter(pk=made.pk).update(pledged_at=first + dt.timedelta(hours=5))

    metrics = queries.metrics_of(situation.opened_by, situation)

    assert metrics.to_opened == dt.timedelta(hours=3)
    assert metrics.to_first_pledge == dt.timedelta(hours=5)
    assert metrics.to_statement is None


def test_the_first_pledge_is_the_earliest(situation, estonia, ghana, demarche_tool):
    first = dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC)
    situation = set_times(situation, first_signal_at=first, opened_at=first + dt.timedelta(hours=1))
    for (organisation, account), hours in ((estonia, 9), (ghana, 4)):
        made = services.pledge(situation, by=account, organisation=organisation, tool=demarche_tool, description="x")
        Pledge.objects.filter(pk=made.pk).update(pledged_at=first + dt.timedelta(hours=hours))

    assert queries.metrics_of(situation.opened_by, situation).to_first_pledge == dt.timedelta(hours=4)


def test_without_a_first_signal_metrics_count_from_the_opening(support, ethiopia, estonia, demarche_tool):
    situation = open_by_hand(support, ethiopia)
    opened = dt.datetime(2024, 3, 1, 6, 0, tzinfo=dt.UTC)
    situation = set_times(situation, opened_at=opened)
    made = services.pledge(situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="x")
    Pledge.objects.filter(pk=made.pk).update(pledged_at=opened + dt.timedelta(hours=2))

    metrics = queries.metrics_of(situation.opened_by, situation)

    assert metrics.to_opened is None
    assert metrics.to_first_pledge == dt.timedelta(hours=2)


def test_the_time_to_statement_counts_to_its_publication(situation, support, estonia):
    statement = publish(
        services.fast_track_statement(situation, by=support, title="On Ethiopia", text="Access."), support, estonia
    )
    published_at = statement.published_at
    assert published_at is not None
    situation = set_times(situation, first_signal_at=published_at - dt.timedelta(hours=30))

    assert queries.metrics_of(situation.opened_by, situation).to_statement == dt.timedelta(hours=30)


def test_metrics_give_per_year_medians(support, official, estonia, demarche_tool):
    def one(code: str, opened_at: dt.datetime, to_opened: float, to_pledge: float | None = None) -> None:
        first_signal_at = opened_at - dt.timedelta(hours=to_opened)
        situation = open_by_hand(support, Country.objects.get(code=code))
        situation = set_times(situation, opened_at=opened_at, first_signal_at=first_signal_at)
        if to_pledge is not None:
            made = services.pledge(
                situation, by=estonia[1], organisation=estonia[0], tool=demarche_tool, description="x"
            )
            Pledge.objects.filter(pk=made.pk).update(pledged_at=first_signal_at + dt.timedelta(hours=to_pledge))

    one("ET", dt.datetime(2024, 2, 1, tzinfo=dt.UTC), 1, to_pledge=10)
    one("IR", dt.datetime(2024, 6, 1, tzinfo=dt.UTC), 2, to_pledge=20)
    one("MM", dt.datetime(2024, 9, 1, tzinfo=dt.UTC), 6)
    one("SD", dt.datetime(2023, 5, 1, tzinfo=dt.UTC), 4, to_pledge=8)

    each, by_year = queries.metrics(official)

    assert len(each) == 4
    assert set(by_year) == {"2023", "2024"}
    assert by_year["2024"].count == 3
    assert by_year["2024"].median_to_opened == dt.timedelta(hours=2)
    assert by_year["2024"].median_to_first_pledge == dt.timedelta(hours=15)
    assert by_year["2024"].median_to_statement is None
    assert by_year["2023"].count == 1
    assert by_year["2023"].median_to_opened == dt.timedelta(hours=4)
    assert by_year["2023"].median_to_first_pledge == dt.timedelta(hours=8)


def test_metrics_only_count_situations_the_reader_may_see(situation, advisory, support):
    assert queries.metrics(advisory) == ([], {})

    services.widen(situation, by=support, classification=Classification.COALITION)

    each, _ = queries.metrics(advisory)
    assert [m.situation for m in each] == [situation]


# --- The brief ----------------------------------------------------------------------------------------------------


def embassy(organisation: Organisation, country: Country, city: str) -> Office:
    return Office.objects.create(
        organisation=organisation,
        kind=Office.Kind.EMBASSY,
        name=f"Embassy of {organisation} in {city}",
        city=city,
        host_country=country,
        time_zone="Africa/Addis_Ababa",
    )


def test_the_brief_lists_members_embassies_in_the_country(situation, official, estonia, ghana, iran):
    in_addis = [embassy(estonia[0], situation.country, "Addis Ababa"), embassy(ghana[0], situation.country, "Addis")]
    embassy(estonia[0], iran, "Tehran")
    ngo = OrganisationFactory.create(kind=Organisation.Kind.CIVIL_SOCIETY)
    Office.objects.create(
        organisation=ngo,
        kind=Office.Kind.EMBASSY,
        name="Not a government",
        city="Addis Ababa",
        host_country=situation.country,
        time_zone="Africa/Addis_Ababa",
    )

    brief = queries.brief(official, situation)

    assert sorted(brief.embassies, key=lambda office: office.pk) == in_addis


def test_the_brief_lists_earlier_statements_about_the_country_the_reader_may_see(
    widened, support, official, advisory, estonia, iran
):
    drafted = draft(support, title="Draft on Ethiopia", kind="country_specific", about_country=widened.country)
    out = publish(
        draft(support, title="Published on Ethiopia", kind="country_specific", about_country=widened.country),
        support,
        estonia,
    )
    draft(support, title="On Iran", kind="country_specific", about_country=iran)

    assert set(queries.brief(official, widened).statements) == {drafted, out}
    assert queries.brief(advisory, widened).statements == [out]


def test_the_brief_lists_past_situations_in_the_country_the_reader_may_see(support, official, advisory, ethiopia, iran):
    earlier = open_by_hand(support, ethiopia, title="Ethiopia 2023")
    closed(earlier, support)
    elsewhere = open_by_hand(support, iran)
    current = services.widen(open_by_hand(support, ethiopia), by=support, classification=Classification.COALITION)

    assert queries.brief(official, current).past == [earlier]
    assert elsewhere not in queries.brief(official, current).past
    assert queries.brief(advisory, current).past == []


def test_the_room_reads_its_situation_and_the_briefs_past_ones_together(support, official, advisory, ethiopia, iran):
    """The situation room reads the situation and its country's others in one query (issue 17 item 8): the same
    past situations the brief reads for that reader, and nothing at all for a situation the reader may not see."""
    earlier = open_by_hand(support, ethiopia, title="Ethiopia 2023")
    closed(earlier, support)
    open_by_hand(support, iran)
    hidden = open_by_hand(support, ethiopia, title="Members only")
    closed(hidden, support)
    current = services.widen(open_by_hand(support, ethiopia), by=support, classification=Classification.COALITION)

    for reader in (support, official, advisory):
        rows = queries.situations(reader)
        found, past = queries.with_past(rows, current.pk)
        assert found == current and past == queries.brief(reader, current).past, reader
    assert queries.with_past(queries.situations(support), current.pk)[1] == [hidden, earlier]
    assert queries.with_past(queries.situations(advisory), hidden.pk) == (None, [])
    assert queries.with_past(queries.situations(advisory), current.pk)[1] == []


def test_the_brief_lists_the_signals_behind_the_situation_in_time_order(alert, support, ethiopia, official):
    situation = services.open_situation(by=support, country=ethiopia, alert=alert)

    signals = queries.brief(official, situation).signals

    assert signals == sorted(alert.signals.all(), key=lambda s: s.starts_at)
    assert len(signals) == 2


def test_a_situation_opened_by_hand_has_no_signals_in_its_brief(situation, official):
    assert queries.brief(official, situation).signals == []


# --- The toolkit --------------------------------------------------------------------------------------------------


def test_the_support_unit_adds_a_tool(support):
    made = tool(support, "  Donor support ", kind=Tool.Kind.DONOR_SUPPORT, in_playbook=False)

    assert made.pk is not None
    assert made.name == "Donor support"
    assert not made.in_playbook
    assert made.classification == Classification.MEMBERS


def test_the_support_unit_edits_a_tool_keeping_what_it_does_not_change(support, demarche_tool):
    services.save_tool(by=support, tool=demarche_tool, suggested_lead="The Chair")

    demarche_tool.refresh_from_db()
    assert demarche_tool.suggested_lead == "The Chair"
    assert demarche_tool.name == "Joint démarche"


@pytest.mark.parametrize("role", [Role.CHAIR, Role.FOCAL_POINT, Role.ADVISORY_NETWORK])
def test_only_the_support_unit_keeps_the_toolkit(make_user, role):
    with pytest.raises(AccessDenied):
        tool(make_user(role), "A tool")
    assert not Tool.objects.exists()


@pytest.mark.parametrize("missing", ["name", "when_to_use", "who_can_use"])
def test_a_tool_missing_a_needed_field_is_refused_naming_it(support, missing):
    fields: dict[str, Any] = {
        "name": "A tool",
        "kind": Tool.Kind.OTHER,
        "when_to_use": "Always.",
        "who_can_use": "Anyone.",
        missing: "  ",
    }

    with pytest.raises(InvalidInput) as refused:
        services.save_tool(by=support, **fields)
    assert refused.value.field == missing
    assert not Tool.objects.exists()


def test_a_tool_needs_a_known_kind(support):
    with pytest.raises(InvalidInput) as refused:
        tool(support, "A tool", kind="sanctions")
    assert refused.value.field == "kind"


def test_a_second_tool_of_the_same_name_is_refused(support, demarche_tool):
    with pytest.raises(InvalidInput) as refused:
        tool(support, "Joint démarche")
    assert refused.value.field == "name"
    assert Tool.objects.filter(name="Joint démarche").count() == 1
