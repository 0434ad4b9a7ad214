"""Members' quarterly update calls (PoA 1B.2): recording a call for one's own member only, the compliance table per
quarter, what of a call reaches whom, and the digest on the next Strategy and Coordination meeting (3B.2)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from coalition.accounts.models import User
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import Audience, AudienceMember, AuditEvent
from coalition.core.policy import Classification, Role
from coalition.directory.models import Office, Person, Position
from coalition.directory.queries import today
from coalition.directory.tests.factories import body, country, government
from coalition.meetings import services
from coalition.meetings.models import AgendaItem, MeetingSeries, QuarterlyCall, quarter_bounds, quarter_of
from coalition.meetings.tests.factories import create_series

pytestmark = pytest.mark.django_db

CALLS = "/meetings/calls/"
RECORD = "/meetings/calls/new/"


def post(organisation: Any, city: str, kind: str = Office.Kind.EMBASSY) -> Office:
    return Office.objects.create(
        organisation=organisation,
        kind=kind,
        name=f"Embassy of {organisation.country.code} in {city}",
        city=city,
        host_country=country("KE"),
        time_zone="Africa/Nairobi",
    )


def focal_point_of(code: str, make_user: Any) -> User:
    """A focal point (with MFA, as make_user builds) of another member than the factories' Estonia."""
    user = make_user(Role.FOCAL_POINT)
    organisation = government(code)
    Position.objects.filter(person=user.person).update(organisation=organisation)
    Person.objects.filter(pk=user.person_id).update(affiliation=organisation)
    return User.objects.get(pk=user.pk)


def record(by: Any, organisation: Any, **fields: Any) -> QuarterlyCall:
    fields.setdefault("held_on", today())
    fields.setdefault("topics", "Internet shutdowns ahead of the elections.")
    return services.record_quarterly_call(by=by, organisation=organisation, **fields)


def call_form(organisation: Any, **fields: Any) -> dict[str, Any]:
    return {
        "organisation": organisation.pk,
        "held_on": today().isoformat(),
        "topics": "Content moderation laws in the region.",
        "proposed_actions": "",
        "asks": "",
        "classification": Classification.MEMBERS,
        **fields,
    }


def current_quarter() -> tuple[int, int]:
    return quarter_of(today())


# --- Recording a call ---------------------------------------------------------------------------------------------


def test_a_focal_point_records_their_members_call_with_its_posts(signed_in_client):
    client = signed_in_client(Role.FOCAL_POINT)
    estonia = government("EE")
    nairobi, geneva = post(estonia, "Nairobi"), post(estonia, "Geneva", Office.Kind.MISSION)
    response = client.post(RECORD, call_form(estonia, posts=[nairobi.pk, geneva.pk], asks="A joint statement."))
    call = QuarterlyCall.objects.get()
    year, quarter = current_quarter()
    assert response.status_code == 302
    assert response["Location"] == f"{CALLS}?year={year}&quarter={quarter}#call-{call.pk}"
    assert (call.organisation, call.recorded_by, call.asks) == (estonia, client.user, "A joint statement.")
    assert set(call.posts.all()) == {nairobi, geneva}
    assert AuditEvent.objects.filter(action="meetings.quarterly_call_recorded").count() == 1


def test_a_member_official_records_their_members_call(signed_in_client):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    estonia = government("EE")
    assert client.post(RECORD, call_form(estonia)).status_code == 302
    assert QuarterlyCall.objects.get().organisation == estonia


def test_the_record_form_lists_only_the_members_own_embassies_and_missions(signed_in_client):
    client = signed_in_client(Role.FOCAL_POINT)
    estonia, latvia = government("EE"), government("LV")
    post(estonia, "Nairobi")
    post(estonia, "Tallinn", Office.Kind.MINISTRY)
    post(latvia, "Accra")
    page = client.get(RECORD)
    assert page.status_code == 200
    assert b"Embassy of EE in Nairobi" in page.content
    assert b"in Tallinn" not in page.content and b"in Accra" not in page.content
    assert b"<legend>Posts involved</legend>" in page.content
    assert b'<label for="id_held_on">Held on</label>' in page.content


def test_another_members_focal_point_cannot_record_the_call(client, make_user):
    estonia = government("EE")
    latvian = focal_point_of("LV", make_user)
    with pytest.raises(AccessDenied):
        record(latvian, estonia)
    client.force_login(latvian)
    response = client.post(RECORD, call_form(estonia))
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert not QuarterlyCall.objects.exists()


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.ADVISORY_NETWORK])
def test_observers_and_the_advisory_network_cannot_record_a_call(signed_in_client, role):
    client = signed_in_client(role)
    estonia = government("EE")
    with pytest.raises(AccessDenied):
        record(client.user, estonia)
    assert client.get(RECORD).status_code == 403
    assert client.post(RECORD, call_form(estonia)).status_code == 403
    assert not QuarterlyCall.objects.exists()


def test_the_chairs_lead_who_acts_for_no_member_records_no_call(signed_in_client):
    assert signed_in_client(Role.CHAIR).get(RECORD).status_code == 403


def test_a_call_in_the_future_is_refused_on_its_date_field(signed_in_client):
    client = signed_in_client(Role.FOCAL_POINT)
    estonia = government("EE")
    later = (today() + dt.timedelta(days=5)).isoformat()
    response = client.post(RECORD, call_form(estonia, held_on=later))
    assert response.status_code == 400
    assert b"the date is in the future" in response.content
    assert b'id="id_held_on_error"' in response.content
    assert b'aria-describedby="id_held_on_error"' in response.content
    assert b'<a href="#id_held_on">Held on:' in response.content
    assert not QuarterlyCall.objects.exists()
    with pytest.raises(InvalidInput, match="future") as refused:
        record(client.user, estonia, held_on=today() + dt.timedelta(days=5))
    assert refused.value.field == "held_on"


def test_a_post_of_another_member_is_refused_and_nothing_is_saved(signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    estonia, latvia = government("EE"), government("LV")
    accra = post(latvia, "Accra")
    before = AuditEvent.objects.count()
    response = client.post(RECORD, call_form(estonia, posts=[accra.pk]))
    assert response.status_code == 400
    assert b"is not a post of Government of EE" in response.content
    assert b'id="id_posts_error"' in response.content
    assert not QuarterlyCall.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_focal_point_cannot_even_submit_another_members_post(signed_in_client):
    client = signed_in_client(Role.FOCAL_POINT)
    estonia, latvia = government("EE"), government("LV")
    response = client.post(RECORD, call_form(estonia, posts=[post(latvia, "Accra").pk]))
    assert response.status_code == 400
    assert not QuarterlyCall.objects.exists()


def test_the_support_unit_first_chooses_the_member(signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    estonia, latvia = government("EE"), government("LV")
    post(latvia, "Accra")
    first = client.get(RECORD)
    assert first.status_code == 200
    assert b'<select name="organisation"' in first.content and b"Government of LV" in first.content
    assert b"Topics discussed" not in first.content
    second = client.get(RECORD, {"organisation": latvia.pk})
    assert second.status_code == 200
    assert b"Embassy of LV in Accra" in second.content and b"Topics discussed" in second.content
    assert client.get(RECORD, {"organisation": "999999"}).status_code == 400
    assert client.post(RECORD, call_form(estonia)).status_code == 302


# --- The compliance table -----------------------------------------------------------------------------------------


def test_the_compliance_table_counts_the_members_that_recorded_a_call(signed_in_client, make_user):
    client = signed_in_client(Role.FOCAL_POINT)
    support = make_user(Role.SUPPORT_UNIT)
    estonia, latvia, ghana = government("EE"), government("LV"), government("GH")
    government("BR", status="observer")
    record(support, estonia, posts=[post(estonia, "Nairobi")])
    record(support, latvia)
    record(support, latvia, held_on=today() - dt.timedelta(days=1))
    year, quarter = current_quarter()
    first, _ = quarter_bounds(year, quarter)
    record(support, ghana, held_on=first - dt.timedelta(days=1))  # the quarter before
    page = client.get(CALLS)
    assert page.status_code == 200
    content = page.content.decode()
    assert "2 of 3 members recorded a call" in content
    assert "Government of BR" not in content  # an observer is no member
    assert content.count("Not recorded") == 1
    assert "Embassy of EE in Nairobi" in content
    assert '<th scope="row">Government of GH</th>' in content
    assert f"?year={year}&amp;quarter={quarter}&amp;format=csv" in content


def test_the_table_of_an_earlier_quarter_and_its_neighbours(signed_in_client, make_user):
    client = signed_in_client(Role.MEMBER_OFFICIAL)
    estonia = government("EE")
    record(make_user(Role.SUPPORT_UNIT), estonia, held_on=dt.date(2025, 2, 3), topics="Older news.")
    page = client.get(CALLS, {"year": 2025, "quarter": 1})
    assert page.status_code == 200
    assert b"1 of 1 member recorded a call" in page.content
    assert b"Older news." in page.content
    assert b"?year=2024&amp;quarter=4" in page.content and b"?year=2025&amp;quarter=2" in page.content


@pytest.mark.parametrize(("query", "field"), [({"year": "soon"}, b"Year:"), ({"quarter": "7"}, b"Quarter:")])
def test_a_bad_quarter_is_a_400_naming_the_field(signed_in_client, query, field):
    response = signed_in_client(Role.FOCAL_POINT).get(CALLS, query)
    assert response.status_code == 400
    assert field in response.content and b"error-summary" in response.content


def test_a_call_the_viewer_may_not_read_counts_as_recorded_without_its_content(signed_in_client, make_user):
    """The fact of a call is not sensitive; its content is."""
    client = signed_in_client(Role.FOCAL_POINT)
    latvia = government("LV")
    government("EE")
    audience = Audience.objects.create(name="Latvia only")
    AudienceMember.objects.create(audience=audience, principal=f"org:{latvia.pk}")
    secret = record(make_user(Role.SUPPORT_UNIT), latvia, topics="Quiet talks with the host government.")
    QuarterlyCall.objects.filter(pk=secret.pk).update(classification=Classification.RESTRICTED, audience=audience)
    content = client.get(CALLS).content.decode()
    assert "1 of 2 members recorded a call" in content
    assert "details not shown to you" in content
    assert "Quiet talks" not in content and f"#call-{secret.pk}" not in content
    assert "1 call of this quarter is one you may not read" in content


def test_the_advisory_network_cannot_see_the_compliance_page_or_a_members_call(signed_in_client, make_user):
    record(make_user(Role.SUPPORT_UNIT), government("EE"), topics="Members-only worries.")
    client = signed_in_client(Role.ADVISORY_NETWORK)
    for query in ({}, {"format": "csv"}):
        response = client.get(CALLS, query)
        assert response.status_code == 403
        assert b"Members-only worries" not in response.content


def test_the_compliance_table_exports_as_csv(signed_in_client, make_user):
    client = signed_in_client(Role.SUPPORT_UNIT)
    estonia, latvia = government("EE"), government("LV")
    record(client.user, estonia, posts=[post(estonia, "Nairobi")])
    latvia.name = "=HYPERLINK(evil)"
    latvia.save()
    response = client.get(CALLS, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Member", "Call recorded", "Held on", "Posts involved"]
    assert rows[1:] == [
        ["'=HYPERLINK(evil)", "no", "", ""],
        ["Government of EE", "yes", today().isoformat(), "Embassy of EE in Nairobi"],
    ]


def test_the_compliance_page_stays_within_its_query_budget(signed_in_client, django_assert_max_num_queries):
    client = signed_in_client(Role.FOCAL_POINT)
    for code in ("EE", "LV", "GH", "KE", "FI"):
        post(government(code), "Nairobi")
    record(client.user, government("EE"), posts=list(Office.objects.filter(organisation=government("EE"))))
    with django_assert_max_num_queries(14):
        assert client.get(CALLS).status_code == 200


# --- The digest on the next Strategy and Coordination meeting ----------------------------------------------------


def strategy_series(by: Any, *, classification: str = Classification.MEMBERS, title: str = "Strategy") -> Any:
    return create_series(
        by=by,
        title=title,
        first_on=today() + dt.timedelta(days=7),
        count=3,
        frequency=MeetingSeries.Frequency.WEEKLY,
        host_time_zone="Europe/Tallinn",
        body=body("strategy"),
        classification=classification,
    )


def digest_item(series: Any) -> AgendaItem | None:
    upcoming = series.meetings.order_by("starts_at").first()
    return AgendaItem.objects.filter(meeting=upcoming, kind=AgendaItem.Kind.QUARTERLY_CALLS).first()


def test_the_next_strategy_meeting_gets_the_digest_and_it_is_refreshed_by_the_next_call(make_user):
    support = make_user(Role.SUPPORT_UNIT)
    series = strategy_series(support)
    estonia, latvia = government("EE"), government("LV")
    record(support, estonia, topics="Shutdown in the capital.", posts=[post(estonia, "Nairobi")])
    item = digest_item(series)
    assert item is not None
    assert "Shutdown in the capital." in item.description and "with Nairobi" in item.description
    record(support, latvia, topics="Spyware sales.", asks="Raise it at the Council.")
    item.refresh_from_db()
    assert "Shutdown in the capital." in item.description and "Spyware sales." in item.description
    assert "Asks of the coalition: Raise it at the Council." in item.description
    later = series.meetings.order_by("starts_at")[1]
    assert not AgendaItem.objects.filter(meeting=later, kind=AgendaItem.Kind.QUARTERLY_CALLS).exists()
    assert AgendaItem.objects.filter(kind=AgendaItem.Kind.QUARTERLY_CALLS).count() == 1


def test_a_series_of_another_body_gets_no_digest(make_user):
    support = make_user(Role.SUPPORT_UNIT)
    series = create_series(
        by=support,
        title="Task force",
        first_on=today() + dt.timedelta(days=7),
        count=1,
        host_time_zone="Europe/Tallinn",
        body=body("task_force"),
    )
    record(support, government("EE"))
    assert digest_item(series) is None


def test_members_and_restricted_calls_are_not_summarised_for_a_coalition_meeting(make_user):
    support = make_user(Role.SUPPORT_UNIT)
    open_series = strategy_series(support, classification=Classification.COALITION, title="Open strategy")
    members_series = strategy_series(support, title="Members' strategy")
    estonia, latvia, ghana = government("EE"), government("LV"), government("GH")
    record(support, estonia, topics="Members-only worries.", classification=Classification.MEMBERS)
    assert digest_item(open_series) is None  # nothing it may carry: no item at all
    record(support, latvia, topics="A public conference.", classification=Classification.PUBLIC)
    audience = Audience.objects.create(name="Ghana only")
    AudienceMember.objects.create(audience=audience, principal=f"org:{ghana.pk}")
    QuarterlyCall.objects.create(
        organisation=ghana,
        held_on=today(),
        topics="Quiet talks.",
        recorded_by=support,
        classification=Classification.RESTRICTED,
        audience=audience,
    )
    services.refresh_quarterly_digests()
    open_item, members_item = digest_item(open_series), digest_item(members_series)
    assert open_item is not None and members_item is not None
    assert "A public conference." in open_item.description
    assert "Members-only worries." not in open_item.description
    assert "Members-only worries." in members_item.description and "A public conference." in members_item.description
    assert "Quiet talks." not in open_item.description and "Quiet talks." not in members_item.description
