"""The statements pages (issue 5): who sees which page (members-only drafts, a published statement's public layout
after its embargo), the deadline in the host's zone and the reader's, sign-on through the page (reservation,
objection with its reason, withdrawal), refusals that change nothing (after the deadline, on a superseded text,
twice, by someone who is not the member's focal point), re-freezing, the silence procedure's outcome, publication
under embargo, late joiners and the fast track from draft to published within an hour."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory.models import Organisation
from coalition.directory.queries import today
from coalition.directory.tests.factories import chair_term
from coalition.documents import services as documents
from coalition.meetings.tests.factories import activity, focal_point, government
from coalition.statements import services
from coalition.statements.models import Freeze, Response, Statement, Translation
from coalition.statements.tasks import decide_due_rounds

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., Any]
TALLINN = "Europe/Tallinn"
SANTIAGO = "America/Santiago"
TEXT = "We, the members, welcome the report.\n\nWe call on all parties to protect the civic space."


# --- Helpers ----------------------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(slug: str) -> str:
    return reverse("statements:statement", args=[slug])


def draft(by: Any, **fields: Any) -> Statement:
    return services.create_statement(by=by, title=fields.pop("title", "On civic space"), text=TEXT, **fields)


def frozen(statement: Statement, by: Any, *, hours: float = 48, zone: str = TALLINN, mode: str = "sign_on") -> Freeze:
    return services.freeze(
        statement=statement,
        by=by,
        deadline=timezone.now() + dt.timedelta(hours=hours),
        deadline_time_zone=zone,
        mode=mode,
    )


def deadline_passes(freeze: Freeze) -> None:
    """Move a round into the past (frozen two hours ago, deadline an hour ago), as if time had gone by."""
    now = timezone.now()
    Freeze.objects.filter(pk=freeze.pk).update(
        frozen_at=now - dt.timedelta(hours=2), deadline=now - dt.timedelta(hours=1)
    )


def respond(client: Client, freeze: Freeze, member: Organisation, kind: str, **fields: str) -> Any:
    data = {"freeze": freeze.pk, "organisation": member.pk, "kind": kind, **fields}
    return client.post(reverse("statements:respond", args=[freeze.statement.slug]), data)


def written() -> tuple[int, ...]:
    """Everything sign-on could write, counted, to show that a refused response wrote nothing."""
    return Response.objects.count(), AuditEvent.objects.count(), Freeze.objects.count()


def shifted(monkeypatch: pytest.MonkeyPatch, by: dt.timedelta) -> None:
    """Move the clock the code reads (django.utils.timezone.now) forward by `by`."""
    real = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real() + by)


def account_of(person: Any) -> Any:
    """The person's account, with MFA set up as every account that signs in has it."""
    TOTP.activate(person.account, generate_totp_secret())
    return person.account


class World:
    """A Support Unit officer, two members (Netherlands, Japan) with a focal point each, and an official of the
    Netherlands who is not its focal point."""

    def __init__(self, make_user: MakeUser) -> None:
        self.manager = make_user(Role.SUPPORT_UNIT)
        self.nl, self.jp = government("NL"), government("JP")
        self.nl_focal = account_of(focal_point(self.nl))
        self.jp_focal = account_of(focal_point(self.jp, time_zone=SANTIAGO))
        self.nl_official = account_of(focal_point(self.nl, kind="official"))


@pytest.fixture
def world(make_user: MakeUser) -> World:
    return World(make_user)


@pytest.fixture
def open_round(world: World) -> Iterator[Freeze]:
    yield frozen(draft(world.manager), world.manager)


# --- Who sees what --------------------------------------------------------------------------------------------


def test_member_official_reads_the_text_but_gets_no_sign_form(world: World, open_round: Freeze) -> None:
    response = client_for(world.nl_official).get(page(open_round.statement.slug))
    assert response.status_code == 200
    body = response.content.decode()
    assert "We call on all parties to protect the civic space." in body
    assert reverse("statements:respond", args=[open_round.statement.slug]) not in body
    assert "Only a member's focal point signs" in body


def test_official_who_is_not_a_focal_point_posting_a_signature_gets_403_and_nothing_changes(
    world: World, open_round: Freeze
) -> None:
    official = client_for(world.nl_official)  # signing in is itself recorded: count after it
    before = written()
    response = respond(official, open_round, world.nl, "signed")
    assert response.status_code == 403
    assert "Only a member&#x27;s focal point may sign, object or withdraw on its behalf." in response.content.decode()
    assert written() == before


def test_focal_point_cannot_sign_for_another_member(world: World, open_round: Freeze) -> None:
    client = client_for(world.nl_focal)
    before = written()
    assert respond(client, open_round, world.jp, "signed").status_code == 403
    assert written() == before


def test_advisory_network_cannot_see_a_members_only_draft(
    world: World, open_round: Freeze, signed_in_client: Callable[..., Client]
) -> None:
    client = signed_in_client(Role.ADVISORY_NETWORK)
    assert client.get(page(open_round.statement.slug)).status_code == 404
    assert open_round.statement.title not in client.get(reverse("statements:index")).content.decode()


def test_anonymous_visitor_gets_404_for_a_draft_and_is_sent_to_sign_in_for_the_forms(
    world: World, open_round: Freeze
) -> None:
    client = Client()
    assert client.get(page(open_round.statement.slug)).status_code == 404
    assert client.get(reverse("statements:new")).status_code == 302
    before = written()
    response = respond(client, open_round, world.nl, "signed")
    assert response.status_code == 302 and "login" in response["Location"]
    assert written() == before


def test_members_index_lists_the_round_with_its_state_and_deadline(world: World, open_round: Freeze) -> None:
    body = client_for(world.nl_focal).get(reverse("statements:index")).content.decode()
    assert open_round.statement.title in body
    assert "Open for signature (text 1)" in body
    assert open_round.deadline.astimezone(dt.UTC).isoformat() in body


# --- The deadline in two zones ----------------------------------------------------------------------------------


def test_deadline_is_shown_in_the_host_zone_and_in_the_viewers_zone(world: World) -> None:
    statement = draft(world.manager)
    deadline = dt.datetime.combine(today() + dt.timedelta(days=5), dt.time(17, 0), tzinfo=ZoneInfo(TALLINN))
    services.freeze(statement=statement, by=world.manager, deadline=deadline, deadline_time_zone=TALLINN)
    body = client_for(world.jp_focal).get(page(statement.slug)).content.decode()  # the focal point reads in Santiago
    assert f"{date_format(deadline, 'j M Y, H:i')} {TALLINN}" in body
    assert date_format(deadline.astimezone(ZoneInfo(SANTIAGO)), "j M Y, H:i") in body
    assert SANTIAGO in body
    assert "adopted unless" not in body and "members that sign this text by the deadline" in body


def test_freeze_form_proposes_the_chairs_capital_zone(world: World) -> None:
    chair_term(government("KE"), today().year)
    statement = draft(world.manager)
    form = client_for(world.manager).get(page(statement.slug)).context["freeze_form"]
    assert form.initial["deadline_time_zone"] == "Africa/Nairobi"
    assert form.initial["mode"] == Freeze.Mode.SIGN_ON


# --- Responding through the page --------------------------------------------------------------------------------


def test_focal_point_signs_with_a_reservation(world: World, open_round: Freeze) -> None:
    client = client_for(world.nl_focal)
    response = respond(client, open_round, world.nl, "signed", reservation="Paragraph 2 read with our constitution.")
    assert response.status_code == 302
    signature = Response.objects.get(freeze=open_round, organisation=world.nl)
    assert signature.kind == Response.Kind.SIGNED
    assert signature.reservation == "Paragraph 2 read with our constitution."
    assert signature.person == world.nl_focal.person
    body = client.get(page(open_round.statement.slug)).content.decode()
    assert "Signed with a reservation" in body and "Paragraph 2 read with our constitution." in body
    assert "No response yet" in body  # Japan


def test_an_objection_needs_a_reason(world: World, open_round: Freeze) -> None:
    client = client_for(world.jp_focal)
    before = written()
    response = respond(client, open_round, world.jp, "objected", reason="  ")
    assert response.status_code == 400
    assert "An objection gives its reason." in response.content.decode()
    assert written() == before


def test_focal_point_objects_with_a_reason(world: World, open_round: Freeze) -> None:
    client = client_for(world.jp_focal)
    assert (
        respond(client, open_round, world.jp, "objected", reason="The text prejudges the inquiry.").status_code == 302
    )
    objection = Response.objects.get(freeze=open_round, organisation=world.jp)
    assert (objection.kind, objection.reason) == (Response.Kind.OBJECTED, "The text prejudges the inquiry.")
    assert (
        "The text prejudges the inquiry."
        in client_for(world.nl_official).get(page(open_round.statement.slug)).content.decode()
    )


def test_focal_point_withdraws_a_signature(world: World, open_round: Freeze) -> None:
    client = client_for(world.nl_focal)
    respond(client, open_round, world.nl, "signed")
    assert respond(client, open_round, world.nl, "withdrawn").status_code == 302
    assert Response.objects.get(freeze=open_round, organisation=world.nl).kind == Response.Kind.WITHDRAWN
    assert "Signature withdrawn" in client.get(page(open_round.statement.slug)).content.decode()


def test_focal_point_sees_forms_only_for_their_own_member(world: World, open_round: Freeze) -> None:
    body = client_for(world.nl_focal).get(page(open_round.statement.slug)).content.decode()
    assert "Sign for Government of NL" in body and "Object for Government of NL" in body
    assert "Government of JP</legend>" not in body and "Sign for Government of JP" not in body


# --- Refusals that change nothing -------------------------------------------------------------------------------


def test_a_signature_after_the_deadline_is_refused_and_changes_nothing(world: World, open_round: Freeze) -> None:
    deadline_passes(open_round)
    client = client_for(world.nl_focal)
    before = written()
    response = respond(client, open_round, world.nl, "signed")
    assert response.status_code == 400
    body = response.content.decode()
    assert "The deadline passed" in body
    # The page it comes back to says the deadline has passed, not that the round is still open; deciding it is the
    # scheduler's work (issue 19), so neither the refused signature nor the page wrote anything.
    assert "Deadline passed — being decided" in body and "Open for responses" not in body
    assert not AuditEvent.objects.filter(action="statements.decided").exists()
    assert written() == before
    decide_due_rounds.call()
    assert "Not adopted" in client.get(page(open_round.statement.slug)).content.decode()


def test_a_signature_on_a_superseded_version_is_refused_and_changes_nothing(world: World, open_round: Freeze) -> None:
    statement = open_round.statement
    documents.save_version(document=statement.document, by=world.manager, text=TEXT + "\n\nA third paragraph.")
    frozen(statement, world.manager)
    client = client_for(world.nl_focal)
    before = written()
    response = respond(client, open_round, world.nl, "signed")
    assert response.status_code == 400
    assert "superseded by a new text" in response.content.decode()
    assert written() == before


def test_signing_twice_is_refused_and_changes_nothing(world: World, open_round: Freeze) -> None:
    client = client_for(world.nl_focal)
    respond(client, open_round, world.nl, "signed", reservation="First")
    before = written()
    response = respond(client, open_round, world.nl, "signed", reservation="Second")
    assert response.status_code == 400
    assert "has already signed this text" in response.content.decode()
    assert written() == before
    assert Response.objects.get(freeze=open_round, organisation=world.nl).reservation == "First"


# --- Freezing again, deciding, publishing -----------------------------------------------------------------------


def test_refreezing_a_changed_text_asks_every_member_again(world: World, open_round: Freeze) -> None:
    statement = open_round.statement
    respond(client_for(world.nl_focal), open_round, world.nl, "signed")
    documents.save_version(document=statement.document, by=world.manager, text=TEXT + "\n\nA third paragraph.")
    manager = client_for(world.manager)
    assert "The text has changed since it was frozen" in manager.get(page(statement.slug)).content.decode()
    form = manager.get(page(statement.slug)).context["freeze_form"]
    response = manager.post(
        reverse("statements:freeze", args=[statement.slug]),
        {
            "deadline_on": (today() + dt.timedelta(days=3)).isoformat(),
            "deadline_time": "17:00",
            "deadline_time_zone": form.initial["deadline_time_zone"],
            "mode": "sign_on",
        },
    )
    assert response.status_code == 302
    current = statement.current_freeze()
    assert current is not None and current.number == 2
    assert Freeze.objects.get(pk=open_round.pk).outcome == Freeze.Outcome.SUPERSEDED
    body = client_for(world.nl_focal).get(page(statement.slug)).content.decode()
    assert "Your signature on text 1 no longer counts: the text changed. Please respond to text 2." in body
    assert "A third paragraph." in body


def test_freezing_with_a_deadline_too_soon_is_refused_on_the_field(world: World) -> None:
    statement = draft(world.manager)
    soon = timezone.now().astimezone(ZoneInfo(TALLINN)) + dt.timedelta(minutes=20)
    manager = client_for(world.manager)
    before = written()
    response = manager.post(
        reverse("statements:freeze", args=[statement.slug]),
        {
            "deadline_on": soon.date().isoformat(),
            "deadline_time": soon.strftime("%H:%M"),
            "deadline_time_zone": TALLINN,
            "mode": "sign_on",
        },
    )
    assert response.status_code == 400
    assert "at least 60 minutes to respond" in response.content.decode()
    assert written() == before


def test_silence_procedure_is_adopted_when_nobody_objects_by_the_deadline(world: World) -> None:
    freeze = frozen(draft(world.manager), world.manager, mode="silence")
    deadline_passes(freeze)
    decide_due_rounds.call()  # the scheduler's job
    response = client_for(world.manager).get(page(freeze.statement.slug))
    assert Freeze.objects.get(pk=freeze.pk).outcome == Freeze.Outcome.ADOPTED
    assert "Adopted" in response.content.decode()
    assert "publish_form" in response.context


def test_an_objection_breaks_the_silence(world: World) -> None:
    freeze = frozen(draft(world.manager), world.manager, mode="silence")
    respond(client_for(world.jp_focal), freeze, world.jp, "objected", reason="Not now.")
    deadline_passes(freeze)
    decide_due_rounds.call()
    body = client_for(world.nl_focal).get(page(freeze.statement.slug)).content.decode()
    assert Freeze.objects.get(pk=freeze.pk).outcome == Freeze.Outcome.SILENCE_BROKEN
    assert "Silence broken by an objection" in body


def test_publish_with_an_embargo_keeps_it_from_the_public_until_then(
    world: World, open_round: Freeze, monkeypatch: pytest.MonkeyPatch
) -> None:
    statement = open_round.statement
    respond(client_for(world.nl_focal), open_round, world.nl, "signed", reservation="With our reading of ¶2.")
    deadline_passes(open_round)
    embargo = (timezone.now() + dt.timedelta(hours=3)).astimezone(ZoneInfo(TALLINN)).replace(second=0, microsecond=0)
    response = client_for(world.manager).post(
        reverse("statements:publish", args=[statement.slug]),
        {
            "embargo_on": embargo.date().isoformat(),
            "embargo_time": embargo.strftime("%H:%M"),
            "embargo_time_zone": TALLINN,
        },
    )
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.published_at == embargo
    assert Client().get(page(statement.slug)).status_code == 404
    assert statement.title not in Client().get(reverse("statements:index")).content.decode()
    shifted(monkeypatch, dt.timedelta(hours=4))
    public = Client().get(page(statement.slug))
    assert public.status_code == 200
    assert "statements/published.html" in [t.name for t in public.templates]
    body = public.content.decode()
    assert "Government of NL" in body and "With our reading of ¶2." in body
    assert "Government of JP" not in body
    for name in ("text", "pdf", "json", "verify"):
        assert reverse(f"statements:{name}", args=[statement.slug]) in body
    assert reverse("statements:feed") in body


def test_publishing_an_open_round_is_refused_and_changes_nothing(world: World, open_round: Freeze) -> None:
    manager = client_for(world.manager)
    before = written()
    response = manager.post(
        reverse("statements:publish", args=[open_round.statement.slug]), {"embargo_time_zone": TALLINN}
    )
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert written() == before
    assert Statement.objects.get(pk=open_round.statement.pk).published_at is None


def test_focal_point_cannot_publish(world: World, open_round: Freeze) -> None:
    deadline_passes(open_round)
    response = client_for(world.nl_focal).post(reverse("statements:publish", args=[open_round.statement.slug]), {})
    assert response.status_code == 403


def test_late_joiner_is_recorded_with_the_date(world: World, open_round: Freeze) -> None:
    statement = open_round.statement
    respond(client_for(world.nl_focal), open_round, world.nl, "signed")
    deadline_passes(open_round)
    services.publish(statement=statement, by=world.manager)
    jp = client_for(world.jp_focal)
    assert "Join the statement for Government of JP" in jp.get(page(statement.slug)).content.decode()
    assert respond(jp, open_round, world.jp, "signed").status_code == 302
    joined = Response.objects.get(freeze=open_round, organisation=world.jp)
    assert joined.late
    body = Client().get(page(statement.slug)).content.decode()
    assert f"Government of JP — joined on {date_format(joined.at.astimezone(dt.UTC), 'j M Y')}" in body


def test_a_member_that_joined_the_coalition_after_the_freeze_may_join_the_published_statement(
    world: World, open_round: Freeze
) -> None:
    statement = open_round.statement
    respond(client_for(world.nl_focal), open_round, world.nl, "signed")
    now = timezone.now()
    Freeze.objects.filter(pk=open_round.pk).update(
        frozen_at=now - dt.timedelta(days=3), deadline=now - dt.timedelta(days=1)
    )
    newcomer = government("KE", since=today())
    client = client_for(account_of(focal_point(newcomer)))
    services.publish(statement=statement, by=world.manager)
    assert "Join the statement for Government of KE" in client.get(page(statement.slug)).content.decode()
    assert respond(client, open_round, newcomer, "signed").status_code == 302
    assert Response.objects.get(freeze=open_round, organisation=newcomer).late


def test_the_working_page_reads_a_fixed_number_of_queries_whatever_the_number_of_members(
    world: World, django_assert_max_num_queries: Any
) -> None:
    for code in ("KE", "CL", "NZ", "US"):
        government(code)
    freeze = frozen(draft(world.manager), world.manager)
    client = client_for(world.nl_focal)
    respond(client, freeze, world.nl, "signed")
    with django_assert_max_num_queries(25):
        assert client.get(page(freeze.statement.slug)).status_code == 200


def test_translation_is_offered_as_a_language_version(world: World, open_round: Freeze) -> None:
    statement = open_round.statement
    respond(client_for(world.nl_focal), open_round, world.nl, "signed")
    deadline_passes(open_round)
    services.publish(statement=statement, by=world.manager)
    response = client_for(world.manager).post(
        reverse("statements:translate", args=[statement.slug]),
        {"language": "fr", "title": "Sur l'espace civique", "text": "Nous, les membres, saluons le rapport."},
    )
    assert response.status_code == 302
    assert Translation.objects.filter(statement=statement, language="fr").exists()
    public = Client()
    assert "?lang=fr" in public.get(page(statement.slug)).content.decode()
    body = public.get(page(statement.slug) + "?lang=fr").content.decode()
    assert "Nous, les membres, saluons le rapport." in body and 'lang="fr"' in body


# --- Drafting and the fast track --------------------------------------------------------------------------------


def test_new_statement_links_activities_by_code(world: World) -> None:
    serves = activity("1A.5")
    response = client_for(world.manager).post(
        reverse("statements:new"),
        {"title": "Joint statement on the review", "kind": "joint", "activity_codes": "1A.5", "text": TEXT},
    )
    assert response.status_code == 302
    statement = Statement.objects.get(document__title="Joint statement on the review")
    assert list(statement.document.activities.all()) == [serves]


def test_new_statement_refuses_an_unknown_activity_and_a_country_statement_without_country(world: World) -> None:
    client = client_for(world.manager)
    response = client.post(
        reverse("statements:new"), {"title": "T", "kind": "joint", "activity_codes": "9Z.9", "text": TEXT}
    )
    assert response.status_code == 400 and "No programme activity with the code 9Z.9" in response.content.decode()
    response = client.post(reverse("statements:new"), {"title": "T", "kind": "country_specific", "text": TEXT})
    assert (
        response.status_code == 400 and "A country-specific statement names the country." in response.content.decode()
    )
    assert not Statement.objects.exists()


def test_focal_point_cannot_draft(world: World) -> None:
    assert client_for(world.nl_focal).get(reverse("statements:new")).status_code == 403


def test_fast_track_goes_from_draft_to_published_within_an_hour(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    started = timezone.now()
    manager = client_for(world.manager)
    response = manager.post(
        reverse("statements:new"),
        {
            "title": "On the arrest of journalists",
            "kind": "country_specific",
            "about_country": str(government("KE").country_id),
            "text": TEXT,
            "fast_track": "on",
        },
    )
    assert response.status_code == 302
    statement = Statement.objects.get(fast_track=True)
    form = manager.get(page(statement.slug)).context["freeze_form"]
    assert form.initial["mode"] == Freeze.Mode.SILENCE
    proposed = dt.datetime.combine(
        form.initial["deadline_on"], form.initial["deadline_time"], tzinfo=ZoneInfo(form.initial["deadline_time_zone"])
    )
    assert dt.timedelta(minutes=45) <= proposed - started <= dt.timedelta(minutes=47)
    response = manager.post(
        reverse("statements:freeze", args=[statement.slug]),
        {
            "deadline_on": form.initial["deadline_on"].isoformat(),
            "deadline_time": form.initial["deadline_time"].strftime("%H:%M"),
            "deadline_time_zone": form.initial["deadline_time_zone"],
            "mode": form.initial["mode"],
        },
    )
    assert response.status_code == 302
    shifted(monkeypatch, dt.timedelta(minutes=50))
    decide_due_rounds.call()  # the scheduler's next cycle
    assert "Adopted" in manager.get(page(statement.slug)).content.decode()
    assert (
        manager.post(reverse("statements:publish", args=[statement.slug]), {"embargo_time_zone": TALLINN}).status_code
        == 302
    )
    statement.refresh_from_db()
    assert statement.published_at is not None and statement.published_at - started < dt.timedelta(hours=1)
    public = Client().get(page(statement.slug))
    assert public.status_code == 200 and "Adopted under silence procedure" in public.content.decode()


@pytest.mark.parametrize("role", [Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST, Role.MEMBER_OFFICIAL])
def test_a_refused_response_never_shows_the_members_page_to_others(
    world: World, open_round: Freeze, make_user: MakeUser, role: Role
) -> None:
    """Whatever is posted, someone who is no focal point gets a 403 — never the working page with every member's
    position and objection reasons (a published statement is readable by all, so the slug resolves for them)."""
    respond(client_for(world.jp_focal), open_round, world.jp, "objected", reason="SECRET-OBJECTION-REASON")
    outsider = client_for(make_user(role))  # signing in is itself recorded: count after it
    before = written()
    response = outsider.post(reverse("statements:respond", args=[open_round.statement.slug]), {})
    assert response.status_code in (403, 404)
    assert "SECRET-OBJECTION-REASON" not in response.content.decode()
    assert written() == before


def test_a_draft_statement_page_is_kept_out_of_caches(world: World, open_round: Freeze) -> None:
    response = client_for(world.nl_focal).get(page(open_round.statement.slug))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
