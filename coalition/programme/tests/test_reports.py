"""The Chair's annual report and its exports: each of the page, the PDF, the CSV and the JSON shows a reader exactly
what the policy lets them see (a members-only update reaches the governments and the Support Unit, never the
Advisory Network or a visitor), every format parses back, and the page keeps to the query budget with the whole
2023 programme and 200 updates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from pypdf import PdfReader

from coalition.accounts.models import User
from coalition.core.policy import Classification, Role
from coalition.core.tests.test_page_weight import BUDGET_BYTES, weight
from coalition.demo.loader import DEMO_DOMAIN
from coalition.directory.models import Body
from coalition.programme import services
from coalition.programme.models import Activity, EvidenceLink, Goal, Programme, ProgressUpdate, Status
from coalition.programme.tests.budget_data import load_demo_with_two_hundred_updates

pytestmark = pytest.mark.django_db

REPORT = "/programme/2023/report/"
PDF = "/programme/2023/report.pdf"
CSV = "/programme/2023/export.csv"
JSON = "/programme/2023/export.json"
FORMATS = [REPORT, PDF, CSV, JSON]

SEE_MEMBERS = [Role.MEMBER_OFFICIAL, Role.SUPPORT_UNIT]
NOT_MEMBERS = [Role.ADVISORY_NETWORK, Role.ANONYMOUS]

PUBLIC_NEWS = "Public summary of the Geneva meeting."
COALITION_NEWS = "Coalition call held with the Advisory Network."
MEMBERS_NEWS = "Members agreed the confidential demarche text."
CLOSED_BODY = "Closed Members Group"


@pytest.fixture
def programme(make_user: Callable[..., Any]) -> Programme:
    """The 2023 programme; activity 1A.1 has a public, a coalition and a members-only update (the latest), and a
    members-only body as evidence; activity 1B.3 is itself members-only."""
    programme = services.load_programme()
    support = make_user(Role.SUPPORT_UNIT)
    first = Activity.objects.get(objective__goal__programme=programme, code="1A.1")
    for reported_on, classification, narrative in [
        (dt.date(2023, 3, 14), Classification.PUBLIC, PUBLIC_NEWS),
        (dt.date(2023, 5, 2), Classification.COALITION, COALITION_NEWS),
        (dt.date(2023, 8, 25), Classification.MEMBERS, MEMBERS_NEWS),
    ]:
        services.post_update(
            activity=first, by=support, narrative=narrative, reported_on=reported_on, classification=classification
        )
    closed = Body.objects.create(
        name=CLOSED_BODY, slug="closed-members", kind=Body.Kind.WORKING_GROUP, classification=Classification.MEMBERS
    )
    services.link_evidence(activity=first, record_type="directory.body", record_id=str(closed.pk), by=support)
    services.change_status(activity=first, status=Status.IN_PROGRESS, by=support)
    Activity.objects.filter(objective__goal__programme=programme, code="1B.3").update(
        classification=Classification.MEMBERS
    )
    return programme


def viewer(role: Role, signed_in_client: Callable[..., Client]) -> Client:
    return Client() if role == Role.ANONYMOUS else signed_in_client(role)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def json_updates(content: bytes) -> dict[str, list[str]]:
    data = json.loads(content)
    return {
        activity["code"]: [update["narrative"] for update in activity["updates"]]
        for goal in data["programme"]["goals"]
        for objective in goal["objectives"]
        for activity in objective["activities"]
    }


def visible_codes(programme: Programme, role: Role) -> list[str]:
    codes = Activity.objects.filter(objective__goal__programme=programme).order_by("code")
    if role in NOT_MEMBERS:
        codes = codes.exclude(classification=Classification.MEMBERS)
    return list(codes.values_list("code", flat=True))


# --- What each reader sees, in every format -------------------------------------------------------------------


@pytest.mark.parametrize("role", SEE_MEMBERS)
def test_the_report_page_shows_governments_the_members_update(programme, signed_in_client, role):
    html = viewer(role, signed_in_client).get(REPORT).content.decode()
    assert MEMBERS_NEWS in html and COALITION_NEWS in html and PUBLIC_NEWS in html
    assert CLOSED_BODY in html
    assert "1B.3" in html


@pytest.mark.parametrize("role", NOT_MEMBERS)
def test_the_report_page_never_shows_others_the_members_update(programme, signed_in_client, role):
    response = viewer(role, signed_in_client).get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert PUBLIC_NEWS in html
    assert MEMBERS_NEWS not in html
    assert CLOSED_BODY not in html
    assert 'id="activity-1B.3"' not in html
    assert (COALITION_NEWS in html) is (role == Role.ADVISORY_NETWORK)


@pytest.mark.parametrize("role", SEE_MEMBERS + NOT_MEMBERS)
def test_the_pdf_lists_every_activity_the_reader_may_see_and_only_those(programme, signed_in_client, role):
    response = viewer(role, signed_in_client).get(PDF)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for code in visible_codes(programme, role):
        assert code in text
    assert ("1B.3" in text) is (role in SEE_MEMBERS)
    assert PUBLIC_NEWS in text


@pytest.mark.parametrize("role", SEE_MEMBERS)
def test_the_pdf_shows_governments_the_members_update(programme, signed_in_client, role):
    text = pdf_text(viewer(role, signed_in_client).get(PDF).content)
    assert MEMBERS_NEWS in text
    assert CLOSED_BODY in text
    assert "Classification: Members" in text


@pytest.mark.parametrize("role", NOT_MEMBERS)
def test_the_pdf_never_shows_others_the_members_update(programme, signed_in_client, role):
    text = pdf_text(viewer(role, signed_in_client).get(PDF).content)
    assert MEMBERS_NEWS not in text
    assert CLOSED_BODY not in text
    marking = "Coalition" if role == Role.ADVISORY_NETWORK else "Public"
    assert f"Classification: {marking}" in text and "Classification: Members" not in text
    assert (COALITION_NEWS in text) is (role == Role.ADVISORY_NETWORK)


def test_the_pdf_has_a_title_page_with_the_programme_year_and_progress(programme, signed_in_client):
    reader = PdfReader(io.BytesIO(viewer(Role.SUPPORT_UNIT, signed_in_client).get(PDF).content))
    title_page = reader.pages[0].extract_text()
    assert programme.title in title_page
    assert "Year" in title_page and "2023" in title_page
    assert "Overall progress" in title_page and "%" in title_page
    assert reader.metadata is not None and programme.title in str(reader.metadata.title)


@pytest.mark.parametrize("role", SEE_MEMBERS)
def test_the_csv_counts_and_dates_the_members_update_for_governments(programme, signed_in_client, role):
    rows = {row["Code"]: row for row in csv_rows(viewer(role, signed_in_client).get(CSV).content)}
    assert (rows["1A.1"]["Visible updates"], rows["1A.1"]["Last visible update"]) == ("3", "2023-08-25")
    assert "1B.3" in rows


@pytest.mark.parametrize(
    ("role", "count", "last"), [(Role.ADVISORY_NETWORK, "2", "2023-05-02"), (Role.ANONYMOUS, "1", "2023-03-14")]
)
def test_the_csv_never_counts_the_members_update_for_others(programme, signed_in_client, role, count, last):
    response = viewer(role, signed_in_client).get(CSV)
    rows = {row["Code"]: row for row in csv_rows(response.content)}
    assert (rows["1A.1"]["Visible updates"], rows["1A.1"]["Last visible update"]) == (count, last)
    assert "1B.3" not in rows
    assert b"2023-08-25" not in response.content


def test_the_csv_has_one_row_per_activity_with_its_goal_objective_status_and_target(programme, signed_in_client):
    response = viewer(Role.SUPPORT_UNIT, signed_in_client).get(CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response.content)
    assert [row["Code"] for row in rows] == sorted(visible_codes(programme, Role.SUPPORT_UNIT), key=_order)
    first = rows[0]
    assert (first["Goal"], first["Objective"], first["Status"], first["Target date"]) == (
        "1",
        "1A",
        "In progress",
        "2023-12-31",
    )


def test_the_csv_quotes_text_a_spreadsheet_would_run_as_a_formula(programme, signed_in_client):
    Activity.objects.filter(code="1A.1").update(title='=HYPERLINK("https://evil.example","Click")')
    Activity.objects.filter(code="1A.2").update(title="+1 sum", status=Status.BLOCKED, status_reason="@SUM(A1:A9)")
    Activity.objects.filter(code="1A.3").update(title="-2 and\tmore")
    rows = {row["Code"]: row for row in csv_rows(viewer(Role.SUPPORT_UNIT, signed_in_client).get(CSV).content)}
    assert rows["1A.1"]["Title"] == '\'=HYPERLINK("https://evil.example","Click")'
    assert (rows["1A.2"]["Title"], rows["1A.2"]["Reason"]) == ("'+1 sum", "'@SUM(A1:A9)")
    assert rows["1A.3"]["Title"] == "'-2 and\tmore"


@pytest.mark.parametrize("role", SEE_MEMBERS)
def test_the_json_holds_the_members_update_for_governments(programme, signed_in_client, role):
    response = viewer(role, signed_in_client).get(JSON)
    assert response["Content-Type"] == "application/json"
    updates = json_updates(response.content)
    assert updates["1A.1"] == [PUBLIC_NEWS, COALITION_NEWS, MEMBERS_NEWS]
    assert CLOSED_BODY in response.content.decode()


@pytest.mark.parametrize(
    ("role", "expected"), [(Role.ADVISORY_NETWORK, [PUBLIC_NEWS, COALITION_NEWS]), (Role.ANONYMOUS, [PUBLIC_NEWS])]
)
def test_the_json_never_holds_the_members_update_for_others(programme, signed_in_client, role, expected):
    response = viewer(role, signed_in_client).get(JSON)
    updates = json_updates(response.content)
    assert updates["1A.1"] == expected
    assert "1B.3" not in updates
    assert MEMBERS_NEWS not in response.content.decode()
    assert CLOSED_BODY not in response.content.decode()


def test_the_json_nests_goals_objectives_activities_updates_evidence_and_history(programme, signed_in_client):
    data = json.loads(viewer(Role.SUPPORT_UNIT, signed_in_client).get(JSON).content)["programme"]
    assert (data["year"], data["title"], data["classification"]) == (2023, programme.title, "members")
    assert [goal["number"] for goal in data["goals"]] == [1, 2, 3]
    activity = data["goals"][0]["objectives"][0]["activities"][0]
    assert (activity["code"], activity["status"], activity["target_on"]) == ("1A.1", "in_progress", "2023-12-31")
    assert activity["updates"][-1] == {
        "reported_on": "2023-08-25",
        "narrative": MEMBERS_NEWS,
        "author": activity["updates"][-1]["author"],
        "on_behalf_of": "",
        "classification": "members",
    }
    assert activity["updates"][-1]["author"].startswith("Person ")
    assert activity["evidence"] == [
        {"title": CLOSED_BODY, "kind": "Body", "url": "/bodies/closed-members/", "note": ""}
    ]
    assert [(c["from"], c["to"]) for c in activity["status_history"]] == [("not_started", "in_progress")]


def test_a_visitor_does_not_see_the_names_of_people_they_may_not_see(programme):
    data = json.loads(Client().get(JSON).content)["programme"]
    activity = data["goals"][0]["objectives"][0]["activities"][0]
    assert [update["author"] for update in activity["updates"]] == [""]
    assert [change["changed_by"] for change in activity["status_history"]] == [""]


# --- The page ------------------------------------------------------------------------------------------------


def test_the_report_page_has_one_labelled_svg_chart_per_goal_and_nothing_inline(programme, signed_in_client):
    html = viewer(Role.MEMBER_OFFICIAL, signed_in_client).get(REPORT).content.decode()
    goals = Goal.objects.filter(programme=programme).count()
    assert goals == 3
    assert html.count("<svg") == goals
    assert html.count('role="img" aria-labelledby="chart-') == goals
    for number in range(1, goals + 1):
        assert f'<title id="chart-{number}-title">Activities of goal {number} by status</title>' in html
    assert "style=" not in html
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", html, flags=re.S)
    assert all(not body.strip() for body in scripts)  # the layout's own files only, none written inline
    assert len(re.findall(r"<script [^>]*src=", html)) == len(scripts)


def test_the_chart_draws_each_status_with_its_count(programme, signed_in_client):
    html = viewer(Role.SUPPORT_UNIT, signed_in_client).get(REPORT).content.decode()
    assert '<desc id="chart-1-desc">Not started: 13; In progress: 1; Done: 0; Blocked: 0; Dropped: 0</desc>' in html


def test_the_tree_page_links_to_the_report_and_exports(programme, client):
    html = client.get("/programme/2023/").content.decode()
    for url in FORMATS:
        assert f'href="{url}"' in html


@pytest.mark.parametrize("url", FORMATS)
def test_reports_are_never_kept_by_a_shared_cache(programme, client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@pytest.mark.parametrize("url", FORMATS)
def test_a_programme_the_reader_may_not_see_has_no_report(programme, client, url):
    Programme.objects.filter(pk=programme.pk).update(classification=Classification.MEMBERS)
    assert client.get(url).status_code == 404
    assert client.get(url.replace("2023", "1999")).status_code == 404


def test_text_that_looks_like_pdf_markup_is_printed_as_text(programme, make_user):
    services.post_update(
        activity=Activity.objects.get(code="1A.2"),
        by=make_user(Role.SUPPORT_UNIT),
        narrative='<img src="/etc/passwd"/> <b>bold</b> & <font size=40>big</font>',
        reported_on=dt.date(2023, 9, 1),
        classification=Classification.PUBLIC,
    )
    text = pdf_text(Client().get(PDF).content)
    assert '<img src="/etc/passwd"/> <b>bold</b> & <font size=40>big</font>' in text


def _order(code: str) -> tuple[str, int]:
    objective, number = code.split(".")
    return objective, int(number)


# --- The whole 2023 programme: query budget, page weight and PDF size ------------------------------------------


@pytest.fixture(scope="module")
def demo_with_updates(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo coalition and 200 updates of every classification on the 2023 programme, loaded once for the
    module inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        support, activities = load_demo_with_two_hundred_updates()
        # A registered body as evidence on every activity.
        bodies = list(Body.objects.order_by("pk")[:5])
        EvidenceLink.objects.bulk_create(
            EvidenceLink(
                activity=activity, record_type="directory.body", record_id=str(bodies[n % 5].pk), linked_by=support
            )
            for n, activity in enumerate(activities)
        )
        yield
        transaction.set_rollback(True)


LOGINS = ["support", "official", "advisory", None]


@pytest.mark.parametrize("login", LOGINS, ids=lambda login: login or "anonymous")
def test_the_2023_report_page_stays_within_the_query_and_weight_budgets(
    demo_with_updates, db, django_assert_max_num_queries, login
):
    client = Client()
    if login:
        client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
        client.get("/")  # the session's first request records when it was seen; the page is measured after that
    with django_assert_max_num_queries(15) as captured:
        response = client.get(REPORT)
    assert response.status_code == 200
    assert response.content.count(b"<li><a href=") >= 33  # evidence is listed
    page_weight = weight(response.content)
    print(f"\n{login or 'anonymous'} {REPORT}: {len(captured)} queries, {page_weight} bytes gzipped")
    assert page_weight <= BUDGET_BYTES, page_weight


@pytest.mark.parametrize("url", [PDF, CSV, JSON])
@pytest.mark.parametrize("login", LOGINS, ids=lambda login: login or "anonymous")
def test_the_2023_exports_stay_within_the_query_budget(
    demo_with_updates, db, django_assert_max_num_queries, login, url
):
    client = Client()
    if login:
        client.force_login(User.objects.get(email=f"{login}@{DEMO_DOMAIN}"))
        client.get("/")
    with django_assert_max_num_queries(15) as captured:
        response = client.get(url)
    assert response.status_code == 200
    print(f"\n{login or 'anonymous'} {url}: {len(captured)} queries, {len(response.content)} bytes")
    if url == PDF:
        text = pdf_text(response.content)
        assert all(code in text for code in ["1A.1", "2A.4", "3D.1"])


def test_the_report_takes_no_more_queries_for_more_updates_evidence_and_history(
    demo_with_updates, db, django_assert_max_num_queries
):
    client = Client()
    support = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    client.force_login(support)
    client.get("/")
    with django_assert_max_num_queries(15) as before:
        client.get(REPORT)
    activities = list(Activity.objects.filter(objective__goal__programme__year=2023))
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(activity=activities[n % len(activities)], narrative=f"More {n}", author=support)
        for n in range(200)
    )
    body = Body.objects.order_by("-pk").first()
    assert body is not None
    EvidenceLink.objects.bulk_create(
        EvidenceLink(activity=activity, record_type="directory.body", record_id=str(body.pk), linked_by=support)
        for activity in activities
    )
    for activity in activities[:10]:
        services.change_status(activity=activity, status=Status.IN_PROGRESS, by=support)
    with django_assert_max_num_queries(len(before)) as after:
        response = client.get(REPORT)
    assert response.content.count(b"More 1") > 100
    print(f"\nsupport {REPORT}: {len(before)} queries, then {len(after)} with twice the rows")
