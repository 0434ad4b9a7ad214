"""Rapid response through its services and queries: alerts from corroborating signals, situations opened from them or
by hand, who reads a situation, and its playbook and notes. Pledges and reports, the fast-tracked statement and
closing, and the metrics, the brief and the toolkit have their own modules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from coalition.core import policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification, Role
from coalition.response import queries, services
from coalition.response.models import Alert, PlaybookStep, SignalKind, Situation, Source, Tool
from coalition.response.tests.scenes import closed, kinds, open_by_hand, signal, tool

pytestmark = pytest.mark.django_db


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
