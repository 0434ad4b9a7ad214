"""The weekly staleness digest: one email per lead per ISO week listing what they lead and may see, the same list on
the preview page, and nothing twice however many runs or workers. (The reminders other apps add to the same email:
coalition/meetings/tests/test_reminders.py.)"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from coalition.accounts.models import User
from coalition.core import digest as reminder_sections
from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification, Role
from coalition.core.tests.parallel import run_in_parallel
from coalition.directory.models import Body, Organisation
from coalition.directory.queries import today
from coalition.directory.tests.factories import body, government
from coalition.programme.models import Activity, DigestSent, Goal, Objective, Programme, ProgressUpdate
from coalition.programme.tasks import DigestsNotSent, iso_week, send_staleness_digests

pytestmark = pytest.mark.django_db

PREVIEW = "/programme/digest/"
CODE = re.compile(r"<strong>(\d[A-Z]\.\d+)</strong>")


@pytest.fixture(autouse=True)
def _stale_activities_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The staleness part of the digest alone: the sections other apps register (a quarterly call not recorded,
    which depends on the day of the quarter) are tested where they are registered (meetings/tests/test_reminders)."""
    monkeypatch.setattr(reminder_sections, "_SECTIONS", {})


@pytest.fixture
def objective(db: Any) -> Objective:
    """An objective of a programme that is running today and began long enough ago for anything to be stale."""
    on = today()
    programme = Programme.objects.create(
        title=f"Program of Action {on.year}",
        year=on.year,
        starts_on=on - dt.timedelta(days=300),
        ends_on=on + dt.timedelta(days=60),
    )
    goal = Goal.objects.create(programme=programme, number=1, title="Promote internet freedom")
    return Objective.objects.create(goal=goal, code="1A", title="Speak with one voice")


def activity(
    objective: Objective,
    number: int,
    *,
    lead_body: Body | None = None,
    lead_organisation: Organisation | None = None,
    classification: str = Classification.PUBLIC,
) -> Activity:
    return Activity.objects.create(
        objective=objective,
        number=number,
        code=f"{objective.code}.{number}",
        title=f"Activity number {number} of objective {objective.code}",
        lead_body=lead_body,
        lead_organisation=lead_organisation,
        classification=classification,
    )


def update(target: Activity, *, days_ago: int, narrative: str, classification: str = Classification.COALITION) -> None:
    author = User.objects.filter(email="author@example.org").first() or User.objects.create_user(
        email="author@example.org", password="x" * 20
    )
    ProgressUpdate.objects.create(
        activity=target,
        narrative=narrative,
        reported_on=today() - dt.timedelta(days=days_ago),
        author=author,
        classification=classification,
    )


def send() -> int:
    sent = send_staleness_digests.enqueue().return_value
    assert isinstance(sent, int)
    return sent


def html_of(message: mail.EmailMessage) -> str:
    assert isinstance(message, mail.EmailMultiAlternatives)
    html = message.alternatives[0][0]
    assert isinstance(html, str)
    return html


def codes(message: mail.EmailMessage) -> list[str]:
    """The activity codes an email lists, the same in its text and its HTML."""
    found = CODE.findall(html_of(message))
    assert sorted(found) == sorted(re.findall(r"^(\d[A-Z]\.\d+) ", str(message.body), flags=re.MULTILINE))
    return found


def test_a_lead_receives_one_email_listing_all_their_stale_activities(objective, make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    estonia = government("EE")
    for number in (1, 2, 3):
        activity(objective, number, lead_organisation=estonia)
    assert send() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [focal_point.email]
    assert codes(message) == ["1A.1", "1A.2", "1A.3"]
    assert "3 activities need an update" in message.subject and iso_week(today()) in message.subject
    assert f"/programme/{objective.goal.programme.year}/activities/1A.2/" in message.body
    assert DigestSent.objects.get().activities == 3


def test_each_lead_gets_their_own_email(objective, make_user):
    focal_point, advisor = make_user(Role.FOCAL_POINT), make_user(Role.ADVISORY_NETWORK)
    activity(objective, 1, lead_organisation=government("EE"))
    activity(objective, 2, lead_body=body("advisory_network"))
    assert send() == 2
    by_recipient = {tuple(m.to): codes(m) for m in mail.outbox}
    assert by_recipient == {(focal_point.email,): ["1A.1"], (advisor.email,): ["1A.2"]}


def test_a_second_run_in_the_same_week_sends_nothing(objective, make_user):
    make_user(Role.FOCAL_POINT)
    activity(objective, 1, lead_organisation=government("EE"))
    activity(objective, 2, lead_organisation=government("EE"))
    assert send() == 1
    assert send() == 0
    assert len(mail.outbox) == 1
    assert DigestSent.objects.filter(week=iso_week(today())).count() == 1


def test_a_recently_updated_activity_is_not_in_the_digest(objective, make_user):
    make_user(Role.FOCAL_POINT)
    quiet, busy = (
        activity(objective, 1, lead_organisation=government("EE")),
        activity(objective, 2, lead_organisation=government("EE")),
    )
    update(quiet, days_ago=90, narrative="Kick-off call.")
    update(busy, days_ago=3, narrative="Draft circulated.")
    send()
    assert codes(mail.outbox[0]) == ["1A.1"]
    assert "90 days ago" in mail.outbox[0].body


def test_finished_activities_and_ended_programmes_are_left_out(objective, make_user):
    make_user(Role.FOCAL_POINT)
    done = activity(objective, 1, lead_organisation=government("EE"))
    Activity.objects.filter(pk=done.pk).update(status="done")
    programme = objective.goal.programme
    ended = Programme.objects.create(
        title="An old programme", year=programme.year - 5, starts_on=dt.date(2000, 1, 1), ends_on=dt.date(2000, 12, 31)
    )
    old = Objective.objects.create(
        goal=Goal.objects.create(programme=ended, number=1, title="Old"), code="1A", title="x"
    )
    activity(old, 2, lead_organisation=government("EE"))
    assert send() == 0
    assert mail.outbox == []


def test_the_stale_period_is_configurable(objective, make_user):
    make_user(Role.FOCAL_POINT)
    target = activity(objective, 1, lead_organisation=government("EE"))
    update(target, days_ago=20, narrative="Call held.")
    assert send() == 0
    with override_settings(PROGRAMME_STALE_DAYS=10):
        assert send() == 1
    assert codes(mail.outbox[0]) == ["1A.1"]
    assert "at least 10 days" in mail.outbox[0].body


def test_an_advisory_network_digest_never_shows_members_activities_or_members_updates(objective, make_user):
    advisor = make_user(Role.ADVISORY_NETWORK)
    network = body("advisory_network")
    public = activity(objective, 1, lead_body=network)
    secret = activity(objective, 2, lead_body=network, classification=Classification.MEMBERS)
    Activity.objects.filter(pk=secret.pk).update(title="Démarche on the election shutdown")
    update(public, days_ago=200, narrative="Consultation opened.", classification=Classification.COALITION)
    update(public, days_ago=60, narrative="Members agreed the démarche text.", classification=Classification.MEMBERS)
    assert send() == 1
    message = mail.outbox[0]
    html = html_of(message)
    assert message.to == [advisor.email]
    assert codes(message) == ["1A.1"]
    for text in (message.body, html, message.subject):
        assert "1A.2" not in text and "shutdown" not in text
        assert "démarche" not in text and "Consultation opened" not in text  # no narrative at all
    # The last update it shows is the one the advisor may read, not the members-only one.
    seen_on = today() - dt.timedelta(days=200)
    assert f"Last update: {seen_on:%Y-%m-%d} (200 days ago)" in message.body
    assert f"{today() - dt.timedelta(days=60):%Y-%m-%d}" not in message.body


def test_a_members_activity_reaches_the_members_focal_point(objective, make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    target = activity(objective, 1, lead_organisation=government("EE"), classification=Classification.MEMBERS)
    update(target, days_ago=60, narrative="Members agreed the text.", classification=Classification.MEMBERS)
    send()
    assert [m.to for m in mail.outbox] == [[focal_point.email]]
    assert f"Last update: {today() - dt.timedelta(days=60):%Y-%m-%d} (60 days ago)" in mail.outbox[0].body
    assert "Members agreed" not in mail.outbox[0].body


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Any) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def test_a_digest_the_mail_server_refused_is_retried_by_the_next_run(objective, make_user):
    make_user(Role.FOCAL_POINT)
    activity(objective, 1, lead_organisation=government("EE"))
    refusing = override_settings(EMAIL_BACKEND="coalition.programme.tests.test_digest.RefusingBackend")
    with refusing, pytest.raises(DigestsNotSent, match="1 digest"):
        send_staleness_digests.call()
    assert DigestSent.objects.count() == 0
    assert send() == 1
    assert len(mail.outbox) == 1


# --- The preview page -------------------------------------------------------------------------------------------


def test_the_preview_shows_the_same_activities_as_the_email(objective, signed_in_client):
    client = signed_in_client(Role.FOCAL_POINT)
    estonia = government("EE")
    for number in (1, 2, 4):
        activity(objective, number, lead_organisation=estonia)
    update(Activity.objects.get(code="1A.4"), days_ago=2, narrative="Fresh news.")
    page = client.get(PREVIEW)
    assert page.status_code == 200
    shown = CODE.findall(page.content.decode())
    send()
    assert shown == codes(mail.outbox[0]) == ["1A.1", "1A.2"]
    assert mail.outbox[0].subject.encode() in page.content


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADVISORY_NETWORK, ["1A.1"]),
        (Role.CHAIR, ["1A.3", "1A.4"]),
        (Role.FOCAL_POINT, ["1A.5", "1A.6"]),
        (Role.SUPPORT_UNIT, ["1A.7", "1A.8"]),
    ],
)
def test_the_preview_matches_the_email_for_every_kind_of_lead(objective, signed_in_client, role, expected):
    """Led by a body, by a member (its focal points) or by nobody (the Support Unit answers), of any
    classification: the preview lists exactly what the email does."""
    network, chair = body("advisory_network"), body("chair")
    estonia = government("EE")
    leads: list[dict[str, Any]] = [{"lead_body": network}, {"lead_body": chair}, {"lead_organisation": estonia}, {}]
    number = 0
    for lead in leads:
        for classification in (Classification.PUBLIC, Classification.MEMBERS):
            number += 1
            activity(objective, number, classification=classification, **lead)
    client = signed_in_client(role)
    shown = CODE.findall(client.get(PREVIEW).content.decode())
    send()
    sent = [codes(m) for m in mail.outbox if m.to == [client.user.email]]
    assert [shown] == sent == [expected]


def test_the_preview_says_so_when_there_is_nothing_to_send(objective, signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    page = client.get(PREVIEW)
    assert page.status_code == 200
    assert b"you will receive no digest this week" in page.content


def test_a_non_manager_cannot_preview_another_persons_digest(objective, signed_in_client, make_user):
    other = make_user(Role.FOCAL_POINT)
    activity(objective, 1, lead_organisation=government("EE"))
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    assert client.get(PREVIEW, {"person": other.person.pk}).status_code == 403
    assert client.get(PREVIEW, {"person": client.user.person.pk}).status_code == 200


def test_the_support_unit_previews_anyones_digest(objective, signed_in_client, make_user):
    other = make_user(Role.FOCAL_POINT)
    activity(objective, 1, lead_organisation=government("EE"))
    client = signed_in_client(Role.SUPPORT_UNIT)
    page = client.get(PREVIEW, {"person": other.person.pk})
    assert page.status_code == 200
    assert CODE.findall(page.content.decode()) == ["1A.1"]
    assert other.email.encode() in page.content
    assert b'<select name="person"' in page.content


def test_the_chair_previews_an_advisors_digest_without_their_address(objective, signed_in_client, make_user):
    advisor = make_user(Role.ADVISORY_NETWORK)
    activity(objective, 1, lead_body=body("advisory_network"))
    client = signed_in_client(Role.CHAIR)
    page = client.get(PREVIEW, {"person": advisor.person.pk})
    assert page.status_code == 200
    assert CODE.findall(page.content.decode()) == ["1A.1"]
    assert advisor.email.encode() not in page.content


def test_a_manager_preview_leaves_out_what_the_manager_may_not_see(objective, signed_in_client, make_user):
    """A restricted activity whose audience names the recipient's member but not the Chair."""
    focal_point = make_user(Role.FOCAL_POINT)
    estonia = government("EE")
    audience = Audience.objects.create(name="Estonia only")
    AudienceMember.objects.create(audience=audience, principal=f"org:{estonia.pk}")
    activity(objective, 1, lead_organisation=estonia)
    restricted = activity(objective, 2, lead_organisation=estonia)
    Activity.objects.filter(pk=restricted.pk).update(
        classification=Classification.RESTRICTED, audience=audience, title="Quiet talks with the host"
    )
    client = signed_in_client(Role.CHAIR)
    page = client.get(PREVIEW, {"person": focal_point.person.pk})
    send()
    assert codes(mail.outbox[0]) == ["1A.1", "1A.2"]
    assert CODE.findall(page.content.decode()) == ["1A.1"]
    assert b"Quiet talks" not in page.content
    assert b"1 activity in this digest is one you may not see" in page.content


def test_an_unknown_person_is_a_400_naming_the_field(objective, signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    page = client.get(PREVIEW, {"person": "999999"})
    assert page.status_code == 400
    assert b"Whose digest: Select a valid choice." in page.content


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(PREVIEW)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_preview_stays_within_the_query_budget(objective, signed_in_client, django_assert_max_num_queries):
    client = signed_in_client(Role.FOCAL_POINT)
    for number in range(1, 6):
        activity(objective, number, lead_organisation=government("EE"))
    with django_assert_max_num_queries(15):
        assert client.get(PREVIEW).status_code == 200


# --- Through the database queue, as deployed --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_weekly_command_queues_the_digest_for_the_database_worker(objective, make_user):
    focal_point = make_user(Role.FOCAL_POINT)
    activity(objective, 1, lead_organisation=government("EE"))
    activity(objective, 2, lead_organisation=government("EE"))
    call_command("send_digests", verbosity=0)
    assert DBTaskResult.objects.count() == 1
    assert mail.outbox == []
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert [m.to for m in mail.outbox] == [[focal_point.email]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    call_command("send_digests", verbosity=0)
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert len(mail.outbox) == 1
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]


def test_the_command_refuses_a_day_that_is_not_a_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--on: '2026-13-01' is not a date"):
        call_command("send_digests", on="2026-13-01")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_digest_once(objective, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are real on PostgreSQL only")
    leads = [make_user(Role.FOCAL_POINT), make_user(Role.ADVISORY_NETWORK)]
    activity(objective, 1, lead_organisation=government("EE"))
    activity(objective, 2, lead_body=body("advisory_network"))
    results = run_in_parallel(6, lambda i: send_staleness_digests.call())
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 2  # type: ignore[arg-type]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in leads)
    assert DigestSent.objects.count() == 2
