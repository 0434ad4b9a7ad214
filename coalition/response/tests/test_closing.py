"""Rapid response through its services: the fast-tracked statement, and closing a situation with an after-action
review as programme evidence."""

from __future__ import annotations

import pytest

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.policy import Classification, Role
from coalition.programme.models import EvidenceLink
from coalition.programme.services import load_programme
from coalition.response import queries, services
from coalition.response.models import PlaybookStep, Situation
from coalition.response.tests.scenes import closed, kinds, publish
from coalition.statements.models import Statement

pytestmark = pytest.mark.django_db


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
    load_programme()
    closed(situation, support)

    links = EvidenceLink.objects.filter(record_type="response.situation", record_id=str(situation.pk))
    assert [link.activity.code for link in links] == ["1B.3"]
    assert links.get().linked_by == support


def test_a_closed_situation_with_a_published_statement_is_also_evidence_for_country_statements(
    situation, support, estonia
):
    load_programme()
    publish(services.fast_track_statement(situation, by=support, title="On Ethiopia", text="Access."), support, estonia)
    situation.refresh_from_db()
    closed(situation, support)

    links = EvidenceLink.objects.filter(record_type="response.situation", record_id=str(situation.pk))
    assert sorted(link.activity.code for link in links) == ["1A.5", "1B.3"]


def test_a_drafted_but_unpublished_statement_is_no_evidence_for_country_statements(situation, support):
    load_programme()
    services.fast_track_statement(situation, by=support, title="On Ethiopia", text="Access.")
    situation.refresh_from_db()
    closed(situation, support)

    links = EvidenceLink.objects.filter(record_type="response.situation", record_id=str(situation.pk))
    assert [link.activity.code for link in links] == ["1B.3"]


def test_closing_without_a_programme_loaded_links_nothing(situation, support):
    closed(situation, support)

    assert not EvidenceLink.objects.exists()
