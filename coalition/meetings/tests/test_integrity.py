"""Approved minutes stay what was approved (issue 16, item 6): the database refuses to rewrite them, even to raw SQL;
every page that shows them recomputes their hash and warns, instead of showing them approved, where someone got past
the database's guards; attendance changed after approval is shown as a later change, with who and when; and the
ledger, whose events a signed Merkle tree publishes, carries each approved revision's hash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from coalition.core import ledger
from coalition.core.models import AuditEvent
from coalition.core.policy import Role
from coalition.directory.queries import today
from coalition.meetings import integrity, services
from coalition.meetings.models import AgendaItem, Attendance, Meeting, MeetingSeries, MinutesApproval, MinutesRevision
from coalition.meetings.tests.factories import create_series, members

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., Any]
MINUTES = "Welcome by the Chair; the programme review was agreed."
TAMPERED = "Welcome by the Chair; the programme review was rejected."
WARNING = "Warning: these minutes are not the minutes that were approved."


@pytest.fixture
def support(make_user: MakeUser) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def approved(support: Any) -> Meeting:
    """The first meeting of a weekly series, Kenya present, its minutes written, circulated and approved at the
    second meeting."""
    series = create_series(
        by=support,
        title="Strategy and Coordination",
        first_on=today() - dt.timedelta(days=10),
        count=3,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone="Europe/Amsterdam",
        agenda_template="Welcome\nProgramme review",
    )
    first, second, _ = series.meetings.order_by("starts_at")
    present = services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=members("KE")[0])
    services.record_attendance(meeting=first, by=support, rows=[present])
    services.save_minutes(item=first_item(first), by=support, text=MINUTES)
    services.circulate_minutes(meeting=first, by=support)
    services.approve_minutes(minutes_of=first, at=second, by=support)
    return first


def first_item(meeting: Meeting) -> AgendaItem:
    return meeting.agenda.order_by("position", "pk")[0]


def revision_of(meeting: Meeting) -> MinutesRevision:
    return MinutesRevision.objects.get(item__meeting=meeting)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_sql(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused(sql: str, params: list[Any]) -> str:
    """Run raw SQL as the database owner might; it must be refused, and the refusal leaves the test's transaction
    usable."""
    with pytest.raises(DatabaseError) as refusal, transaction.atomic():
        run_sql(sql, params)
    return str(refusal.value)


def lift_guards(table: str) -> None:
    """Lift a table's triggers inside the test's transaction (rolled back with it), as someone with the database
    owner's rights could: to show that what gets past the guards is still caught on the page."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred foreign-key check
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            return
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TRIGGER {name}")


# --- (a) The database refuses to rewrite approved minutes -------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "params", "says"),
    [
        ("UPDATE meetings_minutesrevision SET text = %s WHERE id = {revision}", [TAMPERED], "never changed"),
        ("DELETE FROM meetings_minutesrevision WHERE id = {revision}", [], "cannot be removed"),
        (
            "INSERT INTO meetings_minutesrevision (item_id, number, text, author_id, saved_at) "
            "VALUES ({item}, 2, %s, {author}, %s)",
            [TAMPERED, "2026-01-01 00:00:00+00:00"],
            "take no new revision",
        ),
        ("UPDATE meetings_minutesapproval SET content_hash = %s WHERE id = {approval}", ["0" * 64], "never changed"),
        ("DELETE FROM meetings_minutesapproval WHERE id = {approval}", [], "never changed nor removed"),
    ],
    ids=["update-revision", "delete-revision", "add-revision", "update-approval-hash", "delete-approval"],
)
def test_raw_sql_cannot_rewrite_approved_minutes(approved: Meeting, sql: str, params: list[Any], says: str) -> None:
    revision, approval = revision_of(approved), MinutesApproval.objects.get(minutes_of=approved)
    statement = sql.format(revision=revision.pk, item=revision.item_id, author=revision.author_id, approval=approval.pk)
    assert says in refused(statement, params)
    assert list(MinutesRevision.objects.filter(item__meeting=approved).values_list("number", "text")) == [(1, MINUTES)]
    assert (
        MinutesApproval.objects.get(pk=approval.pk).content_hash
        == approval.content_hash
        == services.minutes_hash(approved)
    )


def test_no_minutes_revision_is_ever_updated_even_in_draft(support: Any, approved: Meeting) -> None:
    draft = Meeting.objects.filter(series=approved.series).order_by("starts_at")[1]
    revision = services.save_minutes(item=first_item(draft), by=support, text="Draft.")
    assert revision is not None
    assert "never changed" in refused("UPDATE meetings_minutesrevision SET text = %s WHERE id = %s", ["X", revision.pk])


def test_draft_minutes_still_go_with_their_item(support: Any, approved: Meeting) -> None:
    draft = Meeting.objects.filter(series=approved.series).order_by("starts_at")[1]
    item = first_item(draft)
    services.save_minutes(item=item, by=support, text="Draft.")
    run_sql("DELETE FROM meetings_minutesrevision WHERE item_id = %s", [item.pk])
    assert not MinutesRevision.objects.filter(item__meeting=draft).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_truncate_cannot_empty_approved_minutes(approved: Meeting) -> None:
    run_sql("SET CONSTRAINTS ALL IMMEDIATE", [])  # else PostgreSQL refuses before the trigger is asked
    for table in ("meetings_minutesrevision", "meetings_minutesapproval"):
        assert "cannot be removed" in refused(f"TRUNCATE {table}", [])
    assert revision_of(approved).text == MINUTES


# --- (b) Pages check what they show against the approval and the ledger -----------------------------------------


PAGES = ["/meetings/{meeting}/", "/meetings/{meeting}/minutes/", "/meetings/series/{series}/minutes/"]


@pytest.mark.parametrize("path", PAGES)
def test_approved_minutes_show_their_approval_and_no_warning(support: Any, approved: Meeting, path: str) -> None:
    page = client_for(support).get(path.format(meeting=approved.pk, series=approved.series_id)).content.decode()
    assert 'class="ok">Approved at' in page
    assert MinutesApproval.objects.get(minutes_of=approved).content_hash in page
    assert WARNING not in page


@pytest.mark.parametrize("path", PAGES)
def test_minutes_rewritten_past_the_database_guards_are_shown_with_a_warning_not_as_approved(
    support: Any, approved: Meeting, path: str
) -> None:
    lift_guards("meetings_minutesrevision")
    run_sql("UPDATE meetings_minutesrevision SET text = %s WHERE id = %s", [TAMPERED, revision_of(approved).pk])
    page = client_for(support).get(path.format(meeting=approved.pk, series=approved.series_id)).content.decode()
    assert WARNING in page
    assert "their content hash no longer matches" in page
    assert services.minutes_hash(approved) in page  # the hash of what is shown, beside the approved one
    assert 'class="ok">Approved at' not in page
    assert "Minutes: Changed since approval" in page
    assert "Minutes: Approved" not in page


def test_rewriting_the_approvals_hash_too_is_caught_by_the_ledgers_record(support: Any, approved: Meeting) -> None:
    lift_guards("meetings_minutesrevision")
    lift_guards("meetings_minutesapproval")
    run_sql("UPDATE meetings_minutesrevision SET text = %s WHERE id = %s", [TAMPERED, revision_of(approved).pk])
    forged = services.minutes_hash(approved)
    run_sql("UPDATE meetings_minutesapproval SET content_hash = %s WHERE minutes_of_id = %s", [forged, approved.pk])
    page = client_for(support).get(f"/meetings/{approved.pk}/").content.decode()
    assert WARNING in page
    assert "not the one the ledger recorded" in page
    assert 'class="ok">Approved at' not in page


def test_a_second_approval_appended_to_the_ledger_is_caught(support: Any, approved: Meeting) -> None:
    forged = MinutesApproval.objects.get(minutes_of=approved).content_hash
    with transaction.atomic():
        ledger.record(integrity.APPROVED, actor=support, subject=approved, data={"hash": forged})
    page = client_for(support).get(f"/meetings/{approved.pk}/").content.decode()
    assert "more than one approval" in page
    assert 'class="ok">Approved at' not in page


# --- (c) Attendance changed after approval is shown as a later change -------------------------------------------


def test_attendance_changed_after_approval_is_shown_as_a_later_change_with_who_and_when(
    make_user: MakeUser, support: Any, approved: Meeting
) -> None:
    chair = make_user(Role.CHAIR)
    kenya, japan = members("KE", "JP")
    services.record_attendance(
        meeting=approved,
        by=chair,
        rows=[
            services.AttendanceRow(status=Attendance.Status.ABSENT, organisation=kenya),
            services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=japan),
        ],
    )
    page = client_for(support).get(f"/meetings/{approved.pk}/").content.decode()
    kenya_line = next(line for line in page.split("<li>") if line.startswith(kenya.name))
    assert "Absent" in kenya_line
    assert "changed after the minutes were approved (then: Present)" in kenya_line
    assert chair.person.full_name in kenya_line
    japan_line = next(line for line in page.split("<li>") if line.startswith(japan.name))
    assert "recorded after the minutes were approved" in japan_line and chair.person.full_name in japan_line
    event = AuditEvent.objects.filter(action="meetings.attendance_recorded").order_by("-seq").first()
    assert event is not None and event.data["after_approval"] is True
    assert event.data["changes"] == [
        {"person": None, "organisation": kenya.pk, "to": "absent", "from": "present"},
        {"person": None, "organisation": japan.pk, "to": "present", "from": None},
    ]


def test_attendance_saved_again_unchanged_after_approval_is_not_a_change(
    make_user: MakeUser, support: Any, approved: Meeting
) -> None:
    kenya = members("KE")[0]
    before = Attendance.objects.get(meeting=approved, organisation=kenya)
    present = services.AttendanceRow(status=Attendance.Status.PRESENT, organisation=kenya)
    services.record_attendance(meeting=approved, by=make_user(Role.CHAIR), rows=[present])
    after = Attendance.objects.get(pk=before.pk)
    assert (after.recorded_by, after.recorded_at) == (before.recorded_by, before.recorded_at)
    page = client_for(support).get(f"/meetings/{approved.pk}/").content.decode()
    assert "after the minutes were approved" not in page


def test_attendance_removed_past_the_guards_is_shown_as_removed(support: Any, approved: Meeting) -> None:
    run_sql("DELETE FROM meetings_attendance WHERE meeting_id = %s", [approved.pk])
    page = client_for(support).get(f"/meetings/{approved.pk}/").content.decode()
    assert f"{members('KE')[0].name}: " in page
    assert "removed after the minutes were approved (then: Present)" in page


# --- (d) The ledger carries what was approved --------------------------------------------------------------------


def test_the_approval_event_carries_each_approved_revisions_hash_and_the_frozen_attendance(
    approved: Meeting,
) -> None:
    approval = MinutesApproval.objects.get(minutes_of=approved)
    revision = revision_of(approved)
    event = AuditEvent.objects.get(action="meetings.minutes_approved", subject_id=str(approved.pk))
    assert event.data["hash"] == approval.content_hash
    assert event.data["revisions"] == [{"item": revision.item_id, "revision": 1, "sha256": integrity.sha256(MINUTES)}]
    saved = AuditEvent.objects.get(action="meetings.minutes_saved", subject_id=str(approved.pk))
    assert saved.data["sha256"] == event.data["revisions"][0]["sha256"]  # the same hash as when it was written
    kenya = members("KE")[0]
    assert approval.attendance == [{"organisation": kenya.pk, "person": None, "status": "present"}]
    assert event.data["attendance"] == integrity.attendance_digest(approval.attendance)
    assert ledger.verify_chain().ok
