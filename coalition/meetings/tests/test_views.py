"""The meetings pages (issue 4): who sees which page, classification and draft minutes kept from those who may not
read them, series with a fair rotation made from the form (and an impossible one explained, saving nothing), the
minutes workflow through the views, actions and items not reached carried to the next meeting, attendance, and
times in the viewer's zone beside the host's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils.formats import date_format

from coalition.core.models import AuditEvent
from coalition.core.policy import Classification, Role
from coalition.directory.models import Body, Position
from coalition.directory.queries import today
from coalition.directory.tests.factories import PersonFactory, PositionFactory, body
from coalition.meetings import services
from coalition.meetings.forms import ActionForm
from coalition.meetings.models import (
    ActionItem,
    AgendaItem,
    Attendance,
    Decision,
    Invitation,
    Meeting,
    MeetingSeries,
    MinutesApproval,
    MinutesRevision,
)
from coalition.meetings.tests.factories import activity, create_series, focal_point, government, members

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., Any]
AMSTERDAM = "Europe/Amsterdam"
MAX_QUERIES_PER_PAGE = 15
OUTSIDERS = [Role.OBSERVER, Role.ADVISORY_NETWORK, Role.GUEST]


# --- Helpers ----------------------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def written() -> tuple[int, ...]:
    """Everything a meetings page could write, counted, to show that a refused write wrote nothing."""
    models = (MeetingSeries, Meeting, AgendaItem, MinutesRevision, MinutesApproval, Decision, ActionItem, Attendance)
    return (*(model.objects.count() for model in models), AuditEvent.objects.count())


def series_form(**fields: Any) -> dict[str, Any]:
    """The new-series form as a browser posts it: monthly on the second Tuesday, from two months ago."""
    return {
        "title": "Strategy and Coordination",
        "body": "",
        "participation": MeetingSeries.Participation.MEMBERS,
        "classification": Classification.MEMBERS,
        "agenda_template": "Welcome\nProgramme review",
        "first_on": (today() - dt.timedelta(days=60)).isoformat(),
        "count": "4",
        "frequency": MeetingSeries.Frequency.MONTHLY,
        "interval": "1",
        "weekday": "1",
        "week_of_month": "2",
        "local_start": "14:00",
        "duration_minutes": "60",
        "host_time_zone": AMSTERDAM,
        "virtual": "on",
        "location": "",
        "host_organisation": "",
        "max_nights_per_quarter": "",
        **fields,
    }


@pytest.fixture
def support(make_user: MakeUser) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def manager(support: Any) -> Client:
    return client_for(support)


@pytest.fixture
def official(make_user: MakeUser) -> Client:
    return client_for(make_user(Role.MEMBER_OFFICIAL))


@pytest.fixture
def series(support: Any) -> MeetingSeries:
    """A weekly members' series at 14:00 Amsterdam: meetings 10 and 3 days ago, and one in 4 days."""
    return create_series(
        by=support,
        title="Strategy and Coordination",
        first_on=today() - dt.timedelta(days=10),
        count=3,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone=AMSTERDAM,
        agenda_template="Welcome\nProgramme review",
    )


@pytest.fixture
def meetings(series: MeetingSeries) -> list[Meeting]:
    return list(series.meetings.order_by("starts_at"))


def first_item(meeting: Meeting) -> AgendaItem:
    return meeting.agenda.order_by("position", "pk").first()  # type: ignore[return-value]


def write_minutes(client: Client, meeting: Meeting, text: str) -> Any:
    item = first_item(meeting)
    return client.post(f"/meetings/{meeting.pk}/minutes/", {"item": item.pk, f"item-{item.pk}-text": text})


# --- Who sees which page ----------------------------------------------------------------------------------------


def test_a_member_official_sees_upcoming_meetings_past_minutes_and_series_on_the_index(
    official: Client, meetings: list[Meeting]
) -> None:
    response = official.get("/meetings/")
    assert response.status_code == 200
    page = response.content.decode()
    assert meetings[2].title in page  # upcoming
    assert meetings[0].title in page and "Draft" in page  # past, with its minutes state
    assert f'href="/meetings/series/{meetings[0].series_id}/"' in page
    assert 'href="/meetings/calls/"' in page and 'href="/meetings/calendar/"' in page
    assert 'href="/meetings/reply/"' in page  # where a calendar's emailed reply is uploaded
    assert "New series" not in page


def test_the_support_unit_is_offered_a_new_series_on_the_index(manager: Client) -> None:
    response = manager.get("/meetings/")
    assert response.status_code == 200
    assert b'href="/meetings/series/new/"' in response.content


def test_the_main_navigation_links_to_meetings(official: Client) -> None:
    assert b'<a href="/meetings/">Meetings</a>' in official.get("/").content


@pytest.mark.parametrize("role", [Role.SUPPORT_UNIT, Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL])
def test_governments_read_a_members_meeting_and_its_series(
    make_user: MakeUser, meetings: list[Meeting], role: Role
) -> None:
    client = client_for(make_user(role))
    meeting = meetings[0]
    for url in (f"/meetings/{meeting.pk}/", f"/meetings/series/{meeting.series_id}/", "/meetings/"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/meetings/series/{meeting.series_id}/minutes/").status_code == 200


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADVISORY_NETWORK, Role.GUEST])
def test_a_members_only_meeting_is_invisible_to_those_outside_the_governments(
    make_user: MakeUser, meetings: list[Meeting], role: Role
) -> None:
    client = client_for(make_user(role))
    meeting = meetings[0]
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert client.get(f"/meetings/series/{meeting.series_id}/").status_code == 404
    assert client.get(f"/meetings/series/{meeting.series_id}/minutes/").status_code == 404
    index = client.get("/meetings/")
    assert index.status_code == 200
    assert b"Strategy and Coordination" not in index.content


def test_the_advisory_network_reads_a_coalition_meeting(make_user: MakeUser, support: Any) -> None:
    meeting = services.create_meeting(
        by=support,
        title="Advisory Network consultation",
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=5),
        host_time_zone=AMSTERDAM,
        classification=Classification.COALITION,
    )
    client = client_for(make_user(Role.ADVISORY_NETWORK))
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 200
    assert b"Advisory Network consultation" in client.get("/meetings/").content


def test_an_anonymous_visitor_sees_no_members_meeting(client: Client, meetings: list[Meeting]) -> None:
    index = client.get("/meetings/")
    assert index.status_code == 200
    assert b'href="/meetings/reply/"' not in index.content  # a reply is recorded by someone signed in
    assert client.get(f"/meetings/{meetings[0].pk}/").status_code == 404


@pytest.mark.parametrize("role", [*OUTSIDERS, None])
def test_the_index_links_to_the_quarterly_calls_only_for_those_who_may_open_them(
    make_user: MakeUser, client: Client, role: Role | None
) -> None:
    """Issue 17 (4): the Advisory Network's Meetings page linked to the calls table, which answered them 403; nor is
    the calendar feed offered to a visitor who is not signed in (it is a person's own)."""
    if role is not None:
        client.force_login(make_user(role))
    index = client.get("/meetings/").content.decode()
    assert 'href="/meetings/calls/"' not in index
    assert client.get("/meetings/calls/").status_code in (302, 403)  # what the link led to
    assert ('href="/meetings/calendar/"' in index) is (role is not None)


@pytest.mark.parametrize("path", ["/meetings/series/new/", "/meetings/{pk}/minutes/", "/meetings/{pk}/attendance/"])
def test_an_anonymous_visitor_is_sent_to_sign_in_for_the_managers_pages(
    client: Client, meetings: list[Meeting], path: str
) -> None:
    response = client.get(path.format(pk=meetings[0].pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", [*OUTSIDERS, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL])
@pytest.mark.parametrize("path", ["/meetings/series/new/", "/meetings/{pk}/minutes/", "/meetings/{pk}/attendance/"])
def test_only_the_support_unit_and_chair_open_the_managers_pages(
    make_user: MakeUser, meetings: list[Meeting], role: Role, path: str
) -> None:
    client = client_for(make_user(role))
    assert client.get(path.format(pk=meetings[0].pk)).status_code == 403


@pytest.mark.parametrize("role", [Role.SUPPORT_UNIT, Role.CHAIR])
@pytest.mark.parametrize("path", ["/meetings/series/new/", "/meetings/{pk}/minutes/", "/meetings/{pk}/attendance/"])
def test_the_support_unit_and_chair_open_the_managers_pages(
    make_user: MakeUser, meetings: list[Meeting], role: Role, path: str
) -> None:
    client = client_for(make_user(role))
    assert client.get(path.format(pk=meetings[0].pk)).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/{pk}/agenda/",
        "/meetings/{pk}/decisions/",
        "/meetings/{pk}/actions/",
        "/meetings/{pk}/minutes/circulate/",
        "/meetings/{pk}/minutes/approve/",
        "/meetings/{pk}/reschedule/",
        "/meetings/{pk}/cancel/",
        "/meetings/{pk}/invite/",
    ],
)
def test_a_focal_point_cannot_write_to_a_meeting(make_user: MakeUser, meetings: list[Meeting], path: str) -> None:
    client = client_for(make_user(Role.FOCAL_POINT))
    before = written()
    assert client.post(path.format(pk=meetings[1].pk), {"title": "Mine", "text": "Mine"}).status_code == 403
    assert written() == before


def test_the_writing_views_answer_post_only(manager: Client, meetings: list[Meeting]) -> None:
    for path in ("agenda", "minutes/circulate", "minutes/approve", "reschedule", "cancel", "invite"):
        assert manager.get(f"/meetings/{meetings[0].pk}/{path}/").status_code == 405, path
    assert manager.get(f"/meetings/series/{meetings[0].series_id}/invite/").status_code == 405


def test_a_meeting_the_manager_cannot_see_is_not_found_for_writes(make_user: MakeUser, support: Any) -> None:
    """A Chair reads up to members; an unknown meeting number is a 404 whatever the rule."""
    client = client_for(make_user(Role.CHAIR))
    assert client.post("/meetings/999999/agenda/", {"title": "x"}).status_code == 404


# --- Draft minutes ----------------------------------------------------------------------------------------------


def test_draft_minutes_are_shown_to_managers_only(manager: Client, official: Client, meetings: list[Meeting]) -> None:
    write_minutes(manager, meetings[0], "Members agreed the draft text in confidence.")
    url = f"/meetings/{meetings[0].pk}/"
    assert b"Members agreed the draft text in confidence." in manager.get(url).content
    page = official.get(url).content
    assert b"Members agreed the draft text in confidence." not in page
    assert b"The minutes are being drafted" in page
    compiled = official.get(f"/meetings/series/{meetings[0].series_id}/minutes/").content
    assert b"Members agreed the draft text in confidence." not in compiled
    assert (
        b"Members agreed the draft text in confidence."
        in manager.get(f"/meetings/series/{meetings[0].series_id}/minutes/").content
    )


def test_circulated_minutes_are_shown_to_whoever_sees_the_meeting(
    manager: Client, official: Client, meetings: list[Meeting]
) -> None:
    write_minutes(manager, meetings[0], "The programme review was taken.")
    assert manager.post(f"/meetings/{meetings[0].pk}/minutes/circulate/").status_code == 302
    assert b"The programme review was taken." in official.get(f"/meetings/{meetings[0].pk}/").content
    compiled = official.get(f"/meetings/series/{meetings[0].series_id}/minutes/").content.decode()
    assert "The programme review was taken." in compiled
    assert compiled.index("Decisions") < compiled.index("Action items") < compiled.index("Minutes per agenda item")


def test_actions_of_a_draft_meeting_stay_off_the_next_agenda_for_non_managers(
    manager: Client, official: Client, meetings: list[Meeting], support: Any
) -> None:
    services.assign_action(meeting=meetings[0], by=support, text="Circulate the draft démarche", owner=support.person)
    assert b"Circulate the draft d\xc3\xa9marche" in manager.get(f"/meetings/{meetings[1].pk}/").content
    assert b"Circulate the draft d\xc3\xa9marche" not in official.get(f"/meetings/{meetings[1].pk}/").content


# --- Series and the fair rotation -------------------------------------------------------------------------------


def test_the_new_series_form_groups_the_rotation_fields_with_a_plain_words_hint(manager: Client) -> None:
    page = manager.get("/meetings/series/new/").content.decode()
    rotation = page[page.index("<legend>Fair rotation</legend>") :]
    for name in ("rotate", "host_organisation", "host_in_working_hours", "max_nights_per_quarter", "keep_weekday"):
        assert f'name="{name}"' in rotation
    assert "no member always meets at night" in rotation


def test_a_series_with_fair_rotation_is_created_from_the_form(manager: Client) -> None:
    members("NL", "US", "JP", "KE")
    response = manager.post("/meetings/series/new/", series_form(rotate="on"))
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    assert response["Location"] == f"/meetings/series/{series.pk}/"
    assert series.rotation is not None
    assert series.meetings.count() == 4
    assert all(  # each on its month's second Tuesday (UTC), at the time the rotation chose
        m.starts_at.weekday() == 1 and 8 <= m.starts_at.day <= 14 for m in series.meetings.all()
    )
    page = manager.get(response["Location"]).content.decode()
    assert series.rotation["explanation"] in page
    assert "With the best fixed time" in page
    ledger = page[page.index('id="ledger-caption"') :]
    burdens = [row["burden"] for row in series.rotation["ledger"]]
    assert burdens == sorted(burdens, reverse=True)  # worst off first
    positions = [ledger.index(f'<th scope="row">{row["key"]}</th>') for row in series.rotation["ledger"]]
    assert positions == sorted(positions)


def test_an_impossible_rotation_names_the_constraint_and_saves_nothing(manager: Client) -> None:
    members()  # capitals from Santiago to Auckland: every hour is someone's night
    before = written()
    response = manager.post("/meetings/series/new/", series_form(rotate="on", max_nights_per_quarter="0"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_max_nights_per_quarter_error"' in page
    assert "At most 0 night meetings per quarter cannot be met" in page
    assert 'href="#id_max_nights_per_quarter"' in page  # in the summary at the top, linking to the field
    assert 'aria-describedby="id_max_nights_per_quarter_helptext id_max_nights_per_quarter_error"' in page
    assert written() == before


def test_a_rotation_constraint_without_rotation_is_refused_on_its_field(manager: Client) -> None:
    before = written()
    response = manager.post("/meetings/series/new/", series_form(keep_weekday="on"))
    assert response.status_code == 400
    assert b'id="id_rotate_error"' in response.content
    assert written() == before


def test_a_series_form_without_a_title_names_the_field(manager: Client) -> None:
    before = written()
    response = manager.post("/meetings/series/new/", series_form(title=""))
    assert response.status_code == 400
    assert b'id="id_title_error"' in response.content
    assert written() == before


def test_a_series_without_rotation_keeps_the_host_time(manager: Client) -> None:
    response = manager.post("/meetings/series/new/", series_form())
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    starts = [m.local_start().time() for m in series.meetings.all()]
    assert starts == [dt.time(14, 0)] * 4
    assert all(m.agenda.count() == 2 for m in series.meetings.all())


def test_series_invitations_go_to_each_upcoming_meeting(manager: Client, meetings: list[Meeting]) -> None:
    focal_point(members("NL")[0])
    response = manager.post(f"/meetings/series/{meetings[0].series_id}/invite/")
    assert response.status_code == 302
    invited = set(Invitation.objects.values_list("meeting_id", flat=True))
    assert invited == {meetings[2].pk}  # the only one to come


# --- A meeting: time, agenda, invitations -----------------------------------------------------------------------


def test_a_time_is_shown_in_the_viewers_zone_with_the_host_zone_and_a_warning(
    support: Any, meetings: list[Meeting]
) -> None:
    support.person.time_zone = "Asia/Tokyo"
    support.person.save(update_fields=["time_zone"])
    meeting = meetings[2]
    page = client_for(support).get(f"/meetings/{meeting.pk}/").content.decode()
    tokyo = date_format(meeting.starts_at.astimezone(ZoneInfo("Asia/Tokyo")), "j M Y, H:i")
    host = date_format(meeting.starts_at.astimezone(ZoneInfo(AMSTERDAM)), "j M Y, H:i")
    assert host.endswith("14:00")
    assert f"{tokyo} <abbr" in page and ">Asia/Tokyo</abbr>" in page
    assert f"({host} {AMSTERDAM} — <strong" in page
    assert "differs from your zone" in page


def test_no_warning_when_the_viewer_is_in_the_host_zone(support: Any, meetings: list[Meeting]) -> None:
    support.person.time_zone = AMSTERDAM
    support.person.save(update_fields=["time_zone"])
    page = client_for(support).get(f"/meetings/{meetings[2].pk}/").content.decode()
    assert "14:00 <abbr" in page
    assert "differs from your zone" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/meetings/",
        "/meetings/series/new/",
        "/meetings/series/{series}/",
        "/meetings/series/{series}/minutes/",
        "/meetings/{second}/",
        "/meetings/{second}/minutes/",
        "/meetings/{second}/attendance/",
    ],
)
def test_each_meetings_page_stays_within_the_query_budget(
    manager: Client, support: Any, meetings: list[Meeting], django_assert_max_num_queries: Any, path: str
) -> None:
    netherlands = members("NL", "JP")[0]
    person = focal_point(netherlands)
    services.save_minutes(item=first_item(meetings[0]), by=support, text="Welcomed.")
    services.assign_action(meeting=meetings[0], by=support, text="Send the letter", owner=person)
    services.record_decision(meeting=meetings[0], by=support, text="Agreed.")
    services.circulate_minutes(meeting=meetings[0], by=support)
    services.save_minutes(item=first_item(meetings[1]), by=support, text="Welcomed again.")
    Invitation.objects.create(meeting=meetings[1], person=person, organisation=netherlands)
    Invitation.objects.create(meeting=meetings[1], person=support.person)
    url = path.format(series=meetings[0].series_id, second=meetings[1].pk)
    manager.get("/")  # the session's first request records when it was seen; pages are measured after that
    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
        assert manager.get(url).status_code == 200


def test_an_invited_person_sees_their_invitation_and_the_reply_form(
    make_user: MakeUser, meetings: list[Meeting]
) -> None:
    user = make_user(Role.FOCAL_POINT)
    meeting = meetings[2]
    Invitation.objects.create(meeting=meeting, person=user.person, email=user.email)
    page = client_for(user).get(f"/meetings/{meeting.pk}/").content.decode()
    assert f'action="/meetings/{meeting.pk}/rsvp/"' in page
    for reply in ("ACCEPTED", "TENTATIVE", "DECLINED"):
        assert f'name="reply" value="{reply}"' in page
    assert f'href="/meetings/{meeting.pk}/invitation.ics"' in page
    assert "Invitations and replies" not in page  # the summary is for managers


def test_a_manager_sees_the_replies_summary(manager: Client, meetings: list[Meeting]) -> None:
    person = focal_point(members("NL")[0])
    Invitation.objects.create(meeting=meetings[2], person=person, reply=Invitation.Reply.ACCEPTED)
    page = manager.get(f"/meetings/{meetings[2].pk}/").content.decode()
    assert "Accepted: 1" in page
    assert person.full_name in page


def test_inviting_creates_the_invitations(manager: Client, meetings: list[Meeting]) -> None:
    person = focal_point(members("NL")[0])
    response = manager.post(f"/meetings/{meetings[2].pk}/invite/")
    assert response.status_code == 302
    assert Invitation.objects.filter(meeting=meetings[2], person=person).exists()


def test_rescheduling_reads_the_new_time_in_the_host_zone(manager: Client, meetings: list[Meeting]) -> None:
    meeting = meetings[2]
    day = meeting.local_start().date() + dt.timedelta(days=1)
    response = manager.post(
        f"/meetings/{meeting.pk}/reschedule/",
        {"starts_on": day.isoformat(), "start_time": "09:30", "duration_minutes": "90", "location": ""},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.local_start() == dt.datetime.combine(day, dt.time(9, 30), tzinfo=ZoneInfo(AMSTERDAM))
    assert (meeting.duration_minutes, meeting.sequence) == (90, 1)


def test_those_invited_are_sent_the_new_time_and_then_the_cancellation(
    manager: Client, meetings: list[Meeting], django_capture_on_commit_callbacks: Any
) -> None:
    focal_point(members("NL")[0])
    meeting = meetings[2]
    with django_capture_on_commit_callbacks(execute=True):
        assert manager.post(f"/meetings/{meeting.pk}/invite/").status_code == 302
    invited = len(mail.outbox)
    assert invited >= 1
    day = meeting.local_start().date().isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/meetings/{meeting.pk}/reschedule/", {"starts_on": day, "start_time": "16:00", "location": ""})
    assert len(mail.outbox) == 2 * invited
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Clash"})
    assert len(mail.outbox) == 3 * invited
    assert "CANCEL" in str(mail.outbox[-1].message())


def test_a_reschedule_with_a_bad_duration_names_the_field(manager: Client, meetings: list[Meeting]) -> None:
    meeting = meetings[2]
    before = (meeting.starts_at, written())
    response = manager.post(
        f"/meetings/{meeting.pk}/reschedule/",
        {"starts_on": "2030-01-01", "start_time": "09:30", "duration_minutes": "5", "location": ""},
    )
    assert response.status_code == 400
    assert b'id="id_duration_minutes_error"' in response.content
    meeting.refresh_from_db()
    assert (meeting.starts_at, written()) == before


def test_cancelling_marks_the_meeting_and_a_second_cancel_is_refused(manager: Client, meetings: list[Meeting]) -> None:
    meeting = meetings[2]
    assert manager.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Clash"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_cancelled
    assert b"This meeting is cancelled." in manager.get(f"/meetings/{meeting.pk}/").content
    response = manager.post(f"/meetings/{meeting.pk}/cancel/", {"reason": "Again"})
    assert response.status_code == 400
    assert b"already cancelled" in response.content


def test_an_agenda_item_is_added_with_its_owner_and_activity(
    manager: Client, support: Any, meetings: list[Meeting]
) -> None:
    found = activity("3B.2")
    response = manager.post(
        f"/meetings/{meetings[2].pk}/agenda/",
        {"title": "Statement on shutdowns", "description": "", "owner": support.person.pk, "activity_code": "3B.2"},
    )
    assert response.status_code == 302
    item = meetings[2].agenda.get(title="Statement on shutdowns")
    assert (item.owner, item.activity) == (support.person, found)
    page = manager.get(f"/meetings/{meetings[2].pk}/").content.decode()
    assert f'href="/programme/{found.objective.goal.programme.year}/activities/3B.2/"' in page


def test_an_unknown_activity_code_is_named_on_its_field(manager: Client, meetings: list[Meeting]) -> None:
    before = written()
    response = manager.post(f"/meetings/{meetings[2].pk}/agenda/", {"title": "Item", "activity_code": "9Z.9"})
    assert response.status_code == 400
    assert b'id="id_activity_code_error"' in response.content
    assert written() == before


# --- Minutes workflow -------------------------------------------------------------------------------------------


def test_minutes_go_from_draft_to_circulated_to_approved_at_the_next_meeting(
    manager: Client, official: Client, meetings: list[Meeting]
) -> None:
    first, second = meetings[0], meetings[1]
    item = first_item(first)
    assert write_minutes(manager, first, "Welcome by the Chair.").status_code == 302
    assert write_minutes(manager, first, "Welcome by the Chair; apologies from two members.").status_code == 302
    assert list(item.minutes_revisions.values_list("number", flat=True)) == [1, 2]
    editing = manager.get(f"/meetings/{first.pk}/minutes/").content.decode()
    assert "Revision 1" in editing and "Revision 2" in editing

    assert manager.post(f"/meetings/{first.pk}/minutes/circulate/").status_code == 302
    first.refresh_from_db()
    assert first.minutes_state == Meeting.MinutesState.CIRCULATED
    agenda = official.get(f"/meetings/{second.pk}/").content.decode()
    assert f'<a href="/meetings/{first.pk}/#minutes">the minutes of {first.title}</a>' in agenda

    assert manager.post(f"/meetings/{second.pk}/minutes/approve/").status_code == 302
    approval = MinutesApproval.objects.get(minutes_of=first)
    assert approval.approved_at == second
    page = official.get(f"/meetings/{first.pk}/").content.decode()
    assert f'Approved at <a href="/meetings/{second.pk}/">{second.title}</a>' in page
    assert approval.content_hash in page
    assert "apologies from two members" in page


def test_approving_when_nothing_is_circulated_is_refused_with_a_message(
    manager: Client, meetings: list[Meeting]
) -> None:
    before = written()
    response = manager.post(f"/meetings/{meetings[1].pk}/minutes/approve/")
    assert response.status_code == 400
    assert b"The minutes are draft." in response.content
    assert written() == before


def test_circulating_empty_minutes_is_refused(manager: Client, meetings: list[Meeting]) -> None:
    response = manager.post(f"/meetings/{meetings[0].pk}/minutes/circulate/")
    assert response.status_code == 400
    assert b"Write the minutes of at least one item" in response.content
    assert Meeting.objects.get(pk=meetings[0].pk).minutes_state == Meeting.MinutesState.DRAFT


def test_circulated_minutes_return_to_draft_with_a_reason(manager: Client, meetings: list[Meeting]) -> None:
    write_minutes(manager, meetings[0], "Text.")
    manager.post(f"/meetings/{meetings[0].pk}/minutes/circulate/")
    assert manager.post(f"/meetings/{meetings[0].pk}/minutes/return/", {"reason": ""}).status_code == 400
    assert manager.post(f"/meetings/{meetings[0].pk}/minutes/return/", {"reason": "Typo"}).status_code == 302
    assert Meeting.objects.get(pk=meetings[0].pk).minutes_state == Meeting.MinutesState.DRAFT


def test_a_decision_on_circulated_minutes_is_refused_and_nothing_is_saved(
    manager: Client, meetings: list[Meeting]
) -> None:
    write_minutes(manager, meetings[0], "Text.")
    manager.post(f"/meetings/{meetings[0].pk}/minutes/circulate/")
    before = written()
    response = manager.post(f"/meetings/{meetings[0].pk}/decisions/", {"decision-text": "Adopt the statement"})
    assert response.status_code == 400
    assert b'class="error-summary" role="alert"' in response.content
    assert b"The minutes are circulated: return them to draft to change them." in response.content
    assert written() == before


def test_the_meeting_page_puts_decisions_and_actions_before_the_items_minutes(
    manager: Client, support: Any, meetings: list[Meeting]
) -> None:
    meeting = meetings[0]
    write_minutes(manager, meeting, "The Chair welcomed members.")
    assert (
        manager.post(f"/meetings/{meeting.pk}/decisions/", {"decision-text": "Adopt the statement"}).status_code == 302
    )
    page = manager.get(f"/meetings/{meeting.pk}/").content.decode()
    minutes = page[page.index('id="minutes"') :]
    assert minutes.index("Adopt the statement") < minutes.index("The Chair welcomed members.")


# --- Actions and items that carry over --------------------------------------------------------------------------


def test_an_action_assigned_at_one_meeting_appears_on_the_next_meetings_agenda(
    manager: Client, official: Client, support: Any, meetings: list[Meeting]
) -> None:
    first, second = meetings[0], meetings[1]
    due = (today() + dt.timedelta(days=30)).isoformat()
    response = manager.post(
        f"/meetings/{first.pk}/actions/",
        {"action-text": "Draft the joint statement", "action-owner": support.person.pk, "action-due_on": due},
    )
    assert response.status_code == 302
    assert ActionItem.objects.get().owner == support.person
    page = manager.get(f"/meetings/{second.pk}/").content.decode()
    review = page[page.index("Review of open action items") :]
    assert "Draft the joint statement" in review[: review.index("</li>\n")] or "Draft the joint statement" in review
    write_minutes(manager, first, "Text.")
    manager.post(f"/meetings/{first.pk}/minutes/circulate/")
    assert b"Draft the joint statement" in official.get(f"/meetings/{second.pk}/").content


def test_an_action_without_an_owner_is_refused_on_the_owner_field(manager: Client, meetings: list[Meeting]) -> None:
    before = written()
    response = manager.post(f"/meetings/{meetings[0].pk}/actions/", {"action-text": "Somebody should"})
    assert response.status_code == 400
    assert b'id="id_action-owner_error"' in response.content
    assert written() == before


def test_an_action_closed_at_a_later_meeting_records_where(
    manager: Client, support: Any, meetings: list[Meeting]
) -> None:
    action = services.assign_action(meeting=meetings[0], by=support, text="Send the letter", owner=support.person)
    response = manager.post(
        f"/meetings/actions/{action.pk}/close/",
        {f"close-{action.pk}-state": "done", f"close-{action.pk}-at": meetings[1].pk},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meetings[1].pk}/minutes/"
    action.refresh_from_db()
    assert (action.state, action.closed_at_meeting) == (ActionItem.State.DONE, meetings[1])


def test_an_item_not_reached_is_carried_to_the_next_meetings_agenda(
    manager: Client, official: Client, meetings: list[Meeting]
) -> None:
    first, second = meetings[0], meetings[1]
    item = first.agenda.get(title="Programme review")
    response = manager.post(
        f"/meetings/{first.pk}/agenda/{item.pk}/outcome/", {f"item-{item.pk}-outcome": "not_reached"}
    )
    assert response.status_code == 302
    carried = second.agenda.get(carried_from=item)
    assert carried.title == "Programme review"
    page = official.get(f"/meetings/{second.pk}/").content.decode()
    assert f'Carried from <a href="/meetings/{first.pk}/">{first.title}</a>, where it was not reached.' in page


def test_a_bad_outcome_is_named_on_the_items_field(manager: Client, meetings: list[Meeting]) -> None:
    item = first_item(meetings[0])
    response = manager.post(
        f"/meetings/{meetings[0].pk}/agenda/{item.pk}/outcome/", {f"item-{item.pk}-outcome": "maybe"}
    )
    assert response.status_code == 400
    assert f'id="id_item-{item.pk}-outcome_error"'.encode() in response.content


# --- Attendance -------------------------------------------------------------------------------------------------


def test_attendance_is_recorded_per_member_state_and_person(manager: Client, meetings: list[Meeting]) -> None:
    netherlands, japan = members("NL", "JP")
    person = focal_point(netherlands)
    meeting = meetings[0]
    assert manager.post(f"/meetings/{meeting.pk}/invite/").status_code == 302  # people are listed once invited
    page = manager.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert f'name="org-{netherlands.pk}"' in page and f'name="org-{japan.pk}"' in page
    assert f'name="person-{person.pk}"' in page
    assert '<th scope="row"' in page
    response = manager.post(
        f"/meetings/{meeting.pk}/attendance/",
        {f"org-{netherlands.pk}": "present", f"org-{japan.pk}": "apologies", f"person-{person.pk}": "present"},
    )
    assert response.status_code == 302
    rows = {(row.organisation_id, row.person_id): row.status for row in Attendance.objects.filter(meeting=meeting)}
    assert rows == {
        (netherlands.pk, None): "present",
        (japan.pk, None): "apologies",
        (netherlands.pk, person.pk): "present",
    }
    summary = manager.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Present: 2" in summary and "Apologies: 1" in summary
    again = manager.get(f"/meetings/{meeting.pk}/attendance/").content.decode()
    assert f'value="apologies" id="id_org-{japan.pk}_1" checked' in again


def test_attendance_with_an_unknown_status_saves_nothing(manager: Client, meetings: list[Meeting]) -> None:
    netherlands, japan = members("NL", "JP")
    before = written()
    response = manager.post(
        f"/meetings/{meetings[0].pk}/attendance/",
        {f"org-{netherlands.pk}": "present", f"org-{japan.pk}": "asleep"},
    )
    assert response.status_code == 400
    assert f'id="id_org-{japan.pk}_error"'.encode() in response.content
    assert written() == before


# --- The quarterly calls' digest --------------------------------------------------------------------------------


def test_the_next_strategy_meeting_shows_the_digest_of_the_quarterly_calls(support: Any, official: Client) -> None:
    series = create_series(
        by=support,
        title="Strategy and Coordination",
        body=body("strategy"),
        first_on=today() - dt.timedelta(days=10),
        count=3,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone=AMSTERDAM,
    )
    services.record_quarterly_call(
        by=support, organisation=members("NL")[0], held_on=today(), topics="Internet shutdowns in the region"
    )
    upcoming = series.meetings.order_by("starts_at").last()
    page = official.get(f"/meetings/{upcoming.pk}/").content.decode()  # type: ignore[union-attr]
    assert "quarterly update calls: digest" in page
    assert "Topics: Internet shutdowns in the region" in page


def test_owners_offered_are_people_at_work_not_every_network_contact(make_user):
    """The owner list is the people who work for a government or a body today, and the invited — not every
    network point of contact in the directory."""
    support = make_user(Role.SUPPORT_UNIT)
    meeting = services.create_meeting(
        by=support, title="Owners", starts_at=dt.datetime(2027, 1, 12, 13, tzinfo=dt.UTC), host_time_zone=AMSTERDAM
    )
    member = government("NL")
    working = focal_point(member, account=False)
    contact = PersonFactory.create(full_name="Network Contact Only", affiliation=member)
    network = Body.objects.create(name="Geneva network", slug="geneva-owners", kind=Body.Kind.DIPLOMATIC_NETWORK)
    PositionFactory(person=contact, kind=Position.Kind.NETWORK_POC, body=network, organisation=member)
    form = ActionForm(user=support, items=[], meeting=meeting, prefix="action")
    offered = set(form.fields["owner"].queryset)  # type: ignore[attr-defined]
    assert working in offered and support.person in offered
    assert contact not in offered


def test_the_minutes_page_offers_to_circulate_only_once_the_meeting_has_started(
    manager: Client, meetings: list[Meeting]
) -> None:
    """Issue 17 (4): the circulate form was shown before the meeting, and sending it could only be refused."""
    upcoming = manager.get(f"/meetings/{meetings[2].pk}/minutes/").content.decode()
    assert f'action="/meetings/{meetings[2].pk}/minutes/circulate/"' not in upcoming
    assert "The minutes can be circulated once the meeting has started." in upcoming
    held = manager.get(f"/meetings/{meetings[1].pk}/minutes/").content.decode()
    assert f'action="/meetings/{meetings[1].pk}/minutes/circulate/"' in held
