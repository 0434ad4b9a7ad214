"""Statements through their services: drafting, freezing under a deadline, sign-on and silence, the decision,
publication under embargo and late joiners — and who may commit a member (its focal point, no one else)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from coalition.accounts.models import User
from coalition.core import policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Classification, Role
from coalition.directory.models import Organisation, Position
from coalition.directory.tests.factories import PersonFactory, PositionFactory, government
from coalition.documents import services as documents
from coalition.documents.models import Document
from coalition.statements import services
from coalition.statements.models import Freeze, Response, Statement

pytestmark = pytest.mark.django_db

HOST_TZ = "Asia/Tokyo"  # the host capital's zone, far from UTC so a wrong zone shows
TEXT = "The coalition condemns the shutdown of the internet.\n\nIt calls for access to be restored."
_accounts = itertools.count(1)


# --- Helpers the other statement tests share --------------------------------------------------------------------


def focal_point(organisation: Organisation) -> Any:
    """An account whose person is the member's focal point today."""
    person = PersonFactory.create(affiliation=organisation)
    PositionFactory(person=person, kind=Position.Kind.FOCAL_POINT, organisation=organisation)
    return User.objects.create_user(email=f"focal-point-{next(_accounts)}@example.org", person=person)


def member(code: str) -> tuple[Organisation, Any]:
    """A member government and its focal point's account."""
    organisation = government(code)
    return organisation, focal_point(organisation)


def draft(by: Any, *, title: str = "On internet shutdowns", text: str = TEXT, **fields: Any) -> Statement:
    return services.create_statement(by=by, title=title, text=text, **fields)


def open_round(statement: Statement, by: Any, *, mode: str = Freeze.Mode.SIGN_ON, hours: float = 2) -> Freeze:
    return services.freeze(
        statement=statement,
        by=by,
        deadline=timezone.now() + dt.timedelta(hours=hours),
        deadline_time_zone=HOST_TZ,
        mode=mode,
    )


def past_deadline(freeze: Freeze) -> Freeze:
    """Move a round into the past, as if its deadline had passed a minute ago."""
    now = timezone.now()
    Freeze.objects.filter(pk=freeze.pk).update(
        frozen_at=now - dt.timedelta(hours=3), deadline=now - dt.timedelta(minutes=1)
    )
    return Freeze.objects.get(pk=freeze.pk)


def sign(freeze: Freeze, signer: tuple[Organisation, Any], **fields: Any) -> Response:
    organisation, account = signer
    return services.respond(freeze=freeze, by=account, organisation=organisation, kind="signed", **fields)


def published(
    support: Any,
    signers: list[tuple[Organisation, Any]],
    *,
    title: str = "On internet shutdowns",
    text: str = TEXT,
    embargo_until: dt.datetime | None = None,
) -> Statement:
    """A statement signed by `signers` and published (public now, or from `embargo_until`)."""
    statement = draft(support, title=title, text=text)
    freeze = open_round(statement, support)
    for signer in signers:
        sign(freeze, signer)
    past_deadline(freeze)
    return services.publish(statement=statement, by=support, embargo_until=embargo_until)


def signed_freeze(statement: Statement) -> Freeze:
    """The published round: the text members signed."""
    assert statement.published_freeze is not None
    return statement.published_freeze


def lift_embargo(statement: Statement) -> Statement:
    Statement.objects.filter(pk=statement.pk).update(published_at=timezone.now() - dt.timedelta(minutes=1))
    return Statement.objects.get(pk=statement.pk)


# --- Fixtures -------------------------------------------------------------------------------------------------------


@pytest.fixture
def support(make_user: Any) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def estonia() -> tuple[Organisation, Any]:
    return member("EE")


@pytest.fixture
def ghana() -> tuple[Organisation, Any]:
    return member("GH")


@pytest.fixture
def statement(support: Any) -> Statement:
    return draft(support)


@pytest.fixture
def freeze(statement: Statement, support: Any) -> Freeze:
    return open_round(statement, support)


def ledger_size() -> int:
    return AuditEvent.objects.count()


# --- Drafting -------------------------------------------------------------------------------------------------------


def test_a_drafted_statement_is_members_only_with_its_text_as_first_version(statement):
    assert statement.classification == Classification.MEMBERS
    assert statement.published_at is None
    assert statement.document.current_version().text == TEXT
    assert statement.slug.startswith("on-internet-shutdowns-")


def test_only_the_support_unit_and_chair_draft_statements(make_user):
    for role in (Role.FOCAL_POINT, Role.ADVISORY_NETWORK, Role.OBSERVER):
        with pytest.raises(AccessDenied):
            draft(make_user(role))
    assert draft(make_user(Role.CHAIR)).pk


def test_a_country_specific_statement_must_name_the_country(support):
    with pytest.raises(InvalidInput, match="names the country"):
        draft(support, kind=Statement.Kind.COUNTRY_SPECIFIC)


def test_fast_track_is_for_country_specific_statements_only(support):
    with pytest.raises(InvalidInput, match="Fast track"):
        draft(support, fast_track=True)


# --- Freezing -------------------------------------------------------------------------------------------------------


def test_freezing_opens_a_round_on_the_current_text_with_its_hash(statement, freeze):
    version = statement.document.current_version()
    assert freeze.number == 1
    assert freeze.version == version
    assert freeze.content_hash == version.content_hash
    assert freeze.outcome == Freeze.Outcome.OPEN and freeze.is_open
    assert freeze.deadline_time_zone == HOST_TZ
    event = AuditEvent.objects.filter(action="statements.frozen").latest("seq")
    assert event.data["hash"] == freeze.content_hash


def test_freezing_an_unchanged_open_text_is_refused(statement, freeze, support):
    with pytest.raises(InvalidInput, match="already frozen"):
        open_round(statement, support)
    assert statement.freezes.count() == 1


def test_a_deadline_leaves_members_at_least_an_hour(statement, support):
    with pytest.raises(InvalidInput, match="at least 60 minutes"):
        open_round(statement, support, hours=0.9)
    assert not statement.freezes.exists()
    assert open_round(statement, support, hours=1.1).is_open


def test_a_fast_track_deadline_may_be_fifteen_minutes_away(support):
    fast = draft(
        support,
        kind=Statement.Kind.COUNTRY_SPECIFIC,
        about_country=government("MM").country,
        fast_track=True,
    )
    with pytest.raises(InvalidInput, match="at least 15 minutes"):
        open_round(fast, support, hours=0.2)
    assert open_round(fast, support, hours=0.3).is_open


def test_a_deadline_without_its_zone_or_in_an_unknown_zone_is_refused(statement, support):
    naive = dt.datetime.now() + dt.timedelta(hours=5)  # naive: the point of the test
    with pytest.raises(InvalidInput, match="time zone"):
        services.freeze(statement=statement, by=support, deadline=naive, deadline_time_zone=HOST_TZ)
    with pytest.raises(InvalidInput, match="not a time zone"):
        services.freeze(
            statement=statement, by=support, deadline=timezone.now() + dt.timedelta(hours=5), deadline_time_zone="Mars"
        )


def test_a_focal_point_cannot_freeze_a_text(statement, estonia):
    with pytest.raises(AccessDenied):
        open_round(statement, estonia[1])


def test_refreezing_a_changed_text_supersedes_the_round_and_asks_every_member_again(
    statement, freeze, support, estonia
):
    first_signature = sign(freeze, estonia)
    documents.save_version(document=statement.document, by=support, text=TEXT + "\n\nA new paragraph.")

    second = open_round(statement, support)

    freeze.refresh_from_db()
    assert freeze.outcome == Freeze.Outcome.SUPERSEDED and freeze.superseded_at is not None
    assert list(freeze.responses.all()) == [first_signature]  # the old response stays on the old text
    assert second.number == 2 and second.content_hash != freeze.content_hash
    assert not second.responses.exists()
    assert statement.current_freeze() == second
    assert sign(second, estonia).freeze == second  # asked again, the member signs the new text


def test_refreezing_after_the_deadline_keeps_the_decided_outcome_of_the_old_round(statement, freeze, support, estonia):
    sign(freeze, estonia)
    past_deadline(freeze)
    documents.save_version(document=statement.document, by=support, text=TEXT + "\n\nAmended after the round.")

    second = open_round(statement, support)

    freeze.refresh_from_db()
    assert freeze.outcome == Freeze.Outcome.CLOSED and freeze.superseded_at is not None
    assert second.number == 2 and second.is_open


# --- Who may respond ------------------------------------------------------------------------------------------------


def test_a_focal_point_signs_for_its_member(freeze, estonia):
    response = sign(freeze, estonia, reservation="On paragraph 2, we read 'access' as including mobile data.")

    assert response.kind == Response.Kind.SIGNED
    assert response.organisation == estonia[0]
    assert response.person == estonia[1].person
    assert response.reservation.startswith("On paragraph 2")
    assert response.late is False


@pytest.mark.parametrize("who", ["member official", "Support Unit", "Chair", "another member's focal point"])
def test_no_one_but_the_members_focal_point_commits_the_member(freeze, estonia, ghana, make_user, who):
    account = {
        "member official": lambda: make_user(Role.MEMBER_OFFICIAL),  # an official of Estonia, not its focal point
        "Support Unit": lambda: make_user(Role.SUPPORT_UNIT),
        "Chair": lambda: make_user(Role.CHAIR),
        "another member's focal point": lambda: ghana[1],
    }[who]()
    before = ledger_size()

    for kind, reason in (("signed", ""), ("objected", "We cannot agree.")):
        with pytest.raises(AccessDenied):
            services.respond(freeze=freeze, by=account, organisation=estonia[0], kind=kind, reason=reason)

    assert not freeze.responses.exists()
    assert ledger_size() == before


def test_an_objection_must_give_its_reason(freeze, estonia):
    with pytest.raises(InvalidInput, match="gives its reason"):
        services.respond(freeze=freeze, by=estonia[1], organisation=estonia[0], kind="objected", reason="  ")
    assert not freeze.responses.exists()


def test_a_reservation_accompanies_a_signature_only(freeze, estonia):
    with pytest.raises(InvalidInput, match="reservation accompanies a signature"):
        services.respond(
            freeze=freeze, by=estonia[1], organisation=estonia[0], kind="objected", reason="No.", reservation="But"
        )
    assert not freeze.responses.exists()


def test_a_reason_accompanies_an_objection_only(freeze, estonia):
    with pytest.raises(InvalidInput, match="reason accompanies an objection"):
        sign(freeze, estonia, reason="Because.")
    assert not freeze.responses.exists()


def test_signing_twice_is_refused_and_changes_nothing(freeze, estonia):
    first = sign(freeze, estonia, reservation="First thoughts.")
    before = ledger_size()

    with pytest.raises(InvalidInput, match="already signed"):
        sign(freeze, estonia, reservation="Second thoughts.")

    assert list(freeze.responses.values_list("pk", "reservation")) == [(first.pk, "First thoughts.")]
    assert ledger_size() == before


def test_signing_after_the_deadline_is_refused_naming_the_deadline_in_the_host_zone(freeze, estonia):
    freeze = past_deadline(freeze)
    before = ledger_size()

    with pytest.raises(InvalidInput) as refused:
        sign(freeze, estonia)

    in_host_zone = freeze.deadline.astimezone(ZoneInfo(HOST_TZ))
    assert f"{in_host_zone:%d %B %Y, %H:%M} ({HOST_TZ})" in refused.value.message
    assert "deadline passed" in refused.value.message
    assert not freeze.responses.exists()
    assert ledger_size() == before


def test_signing_a_superseded_version_is_refused(statement, freeze, support, estonia):
    documents.save_version(document=statement.document, by=support, text=TEXT + "\n\nChanged.")
    open_round(statement, support)
    before = ledger_size()

    with pytest.raises(InvalidInput, match="superseded"):
        sign(freeze, estonia)

    assert not Response.objects.exists()
    assert ledger_size() == before


def test_a_signature_is_withdrawn_once_and_only_when_given(freeze, estonia):
    organisation, account = estonia
    with pytest.raises(InvalidInput, match="no signature to withdraw"):
        services.respond(freeze=freeze, by=account, organisation=organisation, kind="withdrawn")

    sign(freeze, estonia)
    withdrawn = services.respond(freeze=freeze, by=account, organisation=organisation, kind="withdrawn")
    assert withdrawn.kind == Response.Kind.WITHDRAWN

    with pytest.raises(InvalidInput, match="already withdrawn its signature"):
        services.respond(freeze=freeze, by=account, organisation=organisation, kind="withdrawn")
    assert freeze.responses.count() == 1


def test_a_member_may_turn_its_objection_into_a_signature_before_the_deadline(freeze, estonia):
    organisation, account = estonia
    services.respond(freeze=freeze, by=account, organisation=organisation, kind="objected", reason="Too weak.")
    response = sign(freeze, estonia)
    assert response.kind == Response.Kind.SIGNED and response.reason == ""
    assert freeze.responses.count() == 1


def test_every_response_writes_exactly_one_ledger_event_naming_the_freeze_and_its_hash(freeze, estonia, ghana):
    for signer, kind, reason in ((estonia, "signed", ""), (ghana, "objected", "Not now."), (estonia, "withdrawn", "")):
        before = ledger_size()
        organisation, account = signer
        response = services.respond(freeze=freeze, by=account, organisation=organisation, kind=kind, reason=reason)

        assert ledger_size() == before + 1
        event = AuditEvent.objects.latest("seq")
        assert event.action == f"statements.{kind}"
        assert event.data["freeze"] == freeze.number
        assert event.data["hash"] == freeze.content_hash
        assert event.data["organisation"] == organisation.pk
        assert event.on_behalf_of == organisation.name
        assert response.ledger_seq == event.seq
        assert Response.objects.get(pk=response.pk).ledger_seq == event.seq


# --- The decision ---------------------------------------------------------------------------------------------------


def test_under_silence_no_objection_adopts_the_text(statement, support, estonia):
    freeze = past_deadline(open_round(statement, support, mode=Freeze.Mode.SILENCE))
    assert services.decide(freeze).outcome == Freeze.Outcome.ADOPTED


def test_under_silence_one_objection_breaks_silence(statement, support, estonia, ghana):
    freeze = open_round(statement, support, mode=Freeze.Mode.SILENCE)
    services.respond(freeze=freeze, by=estonia[1], organisation=estonia[0], kind="objected", reason="Not agreed.")
    sign(freeze, ghana)
    assert services.decide(past_deadline(freeze)).outcome == Freeze.Outcome.SILENCE_BROKEN


def test_a_sign_on_with_signatures_closes_with_its_signatories(freeze, estonia):
    sign(freeze, estonia)
    decided = services.decide(past_deadline(freeze))
    assert decided.outcome == Freeze.Outcome.CLOSED and decided.decided_at is not None


def test_a_sign_on_nobody_signed_is_not_adopted(freeze):
    assert services.decide(past_deadline(freeze)).outcome == Freeze.Outcome.NOT_ADOPTED


def test_nothing_is_decided_before_the_deadline(freeze, estonia):
    sign(freeze, estonia)
    assert services.decide(freeze).outcome == Freeze.Outcome.OPEN
    assert services.decide_due() == 0


def test_decide_due_decides_the_rounds_whose_deadline_passed_once(freeze, estonia):
    sign(freeze, estonia)
    past_deadline(freeze)
    assert services.decide_due() == 1
    assert services.decide_due() == 0
    assert AuditEvent.objects.filter(action="statements.decided").count() == 1


# --- Publication and the embargo ------------------------------------------------------------------------------------


def test_publishing_before_the_deadline_is_refused(statement, freeze, support, estonia):
    sign(freeze, estonia)
    with pytest.raises(InvalidInput, match="publish after the deadline"):
        services.publish(statement=statement, by=support)
    statement.refresh_from_db()
    assert statement.published_at is None and statement.classification == Classification.MEMBERS


def test_a_text_nobody_signed_is_not_published(statement, freeze, support):
    past_deadline(freeze)
    with pytest.raises(InvalidInput, match="not adopted"):
        services.publish(statement=statement, by=support)


def test_a_statement_is_published_once(support, estonia):
    statement = published(support, [estonia])
    with pytest.raises(InvalidInput, match="already published"):
        services.publish(statement=statement, by=support)


def test_a_broken_silence_is_published_as_the_statement_of_its_signatories(statement, support, estonia, ghana):
    freeze = open_round(statement, support, mode=Freeze.Mode.SILENCE)
    services.respond(freeze=freeze, by=estonia[1], organisation=estonia[0], kind="objected", reason="Not agreed.")
    sign(freeze, ghana)
    past_deadline(freeze)

    statement = services.publish(statement=statement, by=support)

    assert signed_freeze(statement) == freeze
    assert list(freeze.responses.filter(kind="signed").values_list("organisation", flat=True)) == [ghana[0].pk]


def test_publication_makes_the_statement_public_and_records_the_signed_text(support, estonia):
    statement = published(support, [estonia])
    freeze = signed_freeze(statement)

    assert statement.classification == Classification.PUBLIC and statement.is_public
    assert freeze.outcome == Freeze.Outcome.CLOSED
    event = AuditEvent.objects.filter(action="statements.published").latest("seq")
    assert event.data["hash"] == freeze.content_hash
    assert policy.is_visible(None, statement)


def test_publication_leaves_the_document_and_its_drafts_members_only(support, estonia):
    statement = published(support, [estonia])
    document = Document.objects.get(pk=statement.document_id)
    assert document.phase == Document.Phase.FINAL
    assert document.classification == Classification.MEMBERS
    assert not policy.is_visible(None, document)


READERS_DURING_EMBARGO = [
    (Role.ANONYMOUS, False),
    (Role.ADVISORY_NETWORK, False),
    (Role.OBSERVER, False),
    (Role.GUEST, False),
    (Role.MEMBER_OFFICIAL, True),
    (Role.FOCAL_POINT, True),
    (Role.SUPPORT_UNIT, True),
]


@pytest.mark.parametrize(("role", "reads"), READERS_DURING_EMBARGO)
def test_the_embargo_keeps_a_published_statement_to_members_until_its_time(support, estonia, make_user, role, reads):
    statement = published(support, [estonia], embargo_until=timezone.now() + dt.timedelta(days=1))
    reader = None if role == Role.ANONYMOUS else make_user(role)

    assert statement.classification == Classification.PUBLIC and not statement.is_public
    assert policy.is_visible(reader, statement) is reads
    assert policy.visible_to(reader, Statement).filter(pk=statement.pk).exists() is reads

    statement = lift_embargo(statement)
    assert policy.is_visible(reader, statement)
    assert policy.visible_to(reader, Statement).filter(pk=statement.pk).exists()


def test_an_embargo_in_the_past_publishes_now(support, estonia):
    before = timezone.now()
    statement = published(support, [estonia], embargo_until=before - dt.timedelta(days=3))
    assert statement.published_at is not None and statement.published_at >= before


def test_a_naive_embargo_is_refused(statement, freeze, support, estonia):
    sign(freeze, estonia)
    past_deadline(freeze)
    with pytest.raises(InvalidInput, match="embargo must name its time zone"):
        services.publish(statement=statement, by=support, embargo_until=dt.datetime(2030, 1, 1))


def test_a_member_joining_after_publication_is_recorded_late_with_its_date(support, estonia, ghana):
    statement = published(support, [estonia])
    before = timezone.now()

    joined = sign(signed_freeze(statement), ghana)

    assert joined.late is True
    assert joined.at >= before
    assert joined.ledger_seq is not None
    event = AuditEvent.objects.get(seq=joined.ledger_seq)
    assert event.data["late"] is True and event.action == "statements.signed"


def test_a_government_that_became_a_member_after_the_freeze_may_join_after_publication(support, estonia):
    statement = published(support, [estonia])
    newcomer = government("CL", since=timezone.now().date())
    joined = sign(signed_freeze(statement), (newcomer, focal_point(newcomer)))
    assert joined.late is True


def test_objecting_or_withdrawing_after_publication_is_refused(support, estonia, ghana):
    statement = published(support, [estonia])
    freeze = signed_freeze(statement)
    before = ledger_size()

    with pytest.raises(InvalidInput, match="may still join it, nothing else"):
        services.respond(freeze=freeze, by=ghana[1], organisation=ghana[0], kind="objected", reason="Late no.")
    with pytest.raises(InvalidInput, match="may still join it, nothing else"):
        services.respond(freeze=freeze, by=estonia[1], organisation=estonia[0], kind="withdrawn")

    assert list(freeze.responses.values_list("organisation", "kind")) == [(estonia[0].pk, "signed")]
    assert ledger_size() == before


def test_a_published_text_is_not_frozen_again(support, estonia):
    statement = published(support, [estonia])
    with pytest.raises(InvalidInput, match="is published"):
        open_round(statement, support)


# --- Translations ---------------------------------------------------------------------------------------------------


def test_a_translation_is_added_once_per_language_and_replaced(support, estonia):
    statement = published(support, [estonia])
    services.add_translation(statement=statement, by=support, language="fr", title="Titre", text="Premier.")
    services.add_translation(statement=statement, by=support, language="fr", title="Titre", text="Second.")
    assert list(statement.translations.values_list("language", "text")) == [("fr", "Second.")]


def test_only_those_who_manage_statements_add_translations(support, estonia):
    statement = published(support, [estonia])
    with pytest.raises(AccessDenied):
        services.add_translation(statement=statement, by=estonia[1], language="fr", title="Titre", text="Texte.")
    with pytest.raises(InvalidInput, match="language the platform offers"):
        services.add_translation(statement=statement, by=support, language="xx", title="T", text="T.")
