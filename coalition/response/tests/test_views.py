"""Rapid response through its pages: alerts and situations per reader, opening a situation from an alert, the
situation room (brief, playbook, pledge board, timeline, metrics), pledging only for one's own member, the
fast-track statement, closing with a review, widening by the Support Unit only, civil-society reports kept to their
readers, the toolkit, the metrics CSV, importing a STOP sheet — and the queries each page makes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from coalition.core.policy import Classification, Role
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.models import Country
from coalition.directory.tests.factories import government
from coalition.response import services
from coalition.response.models import (
    Alert,
    CivilSocietyReport,
    ImportBatch,
    PlaybookStep,
    Pledge,
    Signal,
    Situation,
    Tool,
)
from coalition.response.tests.workbooks import stop_event, stop_workbook, with_cut_sheet
from coalition.statements.tests.test_services import member as statements_member

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25


# --- Helpers ------------------------------------------------------------------------------------------------------


def member(code: str) -> tuple[Any, Any]:
    """A member government and its focal point's account, with MFA set up as every account that signs in has it."""
    organisation, account = statements_member(code)
    TOTP.activate(account, generate_totp_secret())
    return organisation, account


def country(code: str) -> Country:
    return Country.objects.get(code=code)


def raise_alert(code: str = "MM") -> Alert:
    """Two sources agree about a country: an outage seen by IODA and by Cloudflare Radar, hours ago."""
    now = timezone.now()
    for source, kind in (("ioda", "outage"), ("cloudflare", "outage")):
        Signal.objects.create(
            source=source,
            external_id=f"{source}-{code}",
            country=country(code),
            kind=kind,
            network="Myanma Posts and Telecommunications",
            starts_at=now - dt.timedelta(hours=5),
            ends_at=now - dt.timedelta(hours=1),
            evidence_url=f"https://example.org/{source}",
        )
    raised = services.raise_alerts()
    assert len(raised) == 1
    return raised[0]


def open_one(support: Any, code: str = "MM", **fields: Any) -> Situation:
    return services.open_situation(by=support, country=country(code), title=f"Shutdown in {code}", **fields)


# --- The situation room list --------------------------------------------------------------------------------------


def test_index_lists_open_alerts_and_situations_for_the_support_unit(support: Any, toolkit: Any) -> None:
    alert = raise_alert("MM")
    open_one(support, "IR")
    page = client_for(support).get(reverse("response:index"))
    assert page.status_code == 200
    assert page["Cache-Control"].count("no-store") == 1 and "private" in page["Cache-Control"]
    body = text_of(page)
    assert "Myanmar" in body and "Cloudflare Radar, IODA" in body
    assert f"?alert={alert.pk}" in page.content.decode()
    assert reverse("response:dismiss", args=[alert.pk]) in page.content.decode()
    assert "Shutdown in IR" in body


def test_advisory_network_and_visitors_see_no_members_only_situation_or_alert(
    support: Any, advisory: Any, toolkit: Any
) -> None:
    raise_alert("MM")
    situation = open_one(support, "IR")
    for user in (advisory, None):
        client = client_for(user)
        body = text_of(client.get(reverse("response:index")))
        assert "Shutdown in IR" not in body and "Myanmar" not in body
        assert client.get(reverse("response:situation", args=[situation.pk])).status_code == 404


def test_a_member_official_sees_the_situation_but_cannot_dismiss(make_user: Any, support: Any, toolkit: Any) -> None:
    alert = raise_alert("MM")
    official = client_for(make_user(Role.MEMBER_OFFICIAL))
    page = official.get(reverse("response:index"))
    assert "Myanmar" in text_of(page)
    assert reverse("response:dismiss", args=[alert.pk]) not in page.content.decode()
    assert official.post(reverse("response:dismiss", args=[alert.pk]), {"reason": "noise"}).status_code == 403


def test_the_support_unit_dismisses_an_alert_with_a_reason(support: Any) -> None:
    alert = raise_alert("MM")
    client = client_for(support)
    refused = client.post(reverse("response:dismiss", args=[alert.pk]), {"reason": ""})
    assert refused.status_code == 400 and "Say why the alert is dismissed." in text_of(refused)
    done = client.post(reverse("response:dismiss", args=[alert.pk]), {"reason": "Planned maintenance"}, follow=True)
    assert "dismissed" in text_of(done)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DISMISSED and alert.dismissed_reason == "Planned maintenance"


# --- Alerts and opening -------------------------------------------------------------------------------------------


def test_an_alert_shows_its_signals_and_a_prefilled_form(support: Any) -> None:
    alert = raise_alert("MM")
    page = client_for(support).get(reverse("response:alert", args=[alert.pk]))
    body = text_of(page)
    assert page.status_code == 200
    assert "Cloudflare Radar" in body and "IODA" in body and "Myanma Posts and Telecommunications" in body
    assert 'value="Myanmar: network disruption"' in page.content.decode()
    assert "https://example.org/ioda" in page.content.decode()


def test_an_alert_from_stop_alone_is_labelled_single_source_on_the_list_and_its_page(support: Any) -> None:
    """Issue 15 (4): a nationwide shutdown that only STOP records raises an alert for review, which says so."""
    Signal.objects.create(
        source="stop", external_id="sd-coup", country=country("SD"), kind="full_shutdown", region="Entire country",
        starts_at=timezone.now() - dt.timedelta(days=1), whole_days=True, details={"shutdown_status": "Ongoing"},
    )  # fmt: skip
    [alert] = services.raise_alerts()
    client = client_for(support)
    assert "(single source: check before acting)" in text_of(client.get(reverse("response:index")))
    page = text_of(client.get(reverse("response:alert", args=[alert.pk])))
    assert "single source: no other source confirms it yet; check before acting" in page


def test_pages_name_an_alerts_sources_never_their_codes(support: Any, toolkit: Any) -> None:
    """Issue 15 (8): the list, the alert, the opening form and the room's timeline said “cloudflare, stop”."""
    now = timezone.now()
    for source in ("cloudflare", "stop"):
        Signal.objects.create(
            source=source,
            external_id=f"{source}-IR",
            country=country("IR"),
            kind="full_shutdown",
            starts_at=now - dt.timedelta(hours=3),
            ends_at=now - dt.timedelta(hours=1),
        )
    [alert] = services.raise_alerts()
    names = "Cloudflare Radar, Access Now #KeepItOn STOP"
    client = client_for(support)
    pages = [
        client.get(reverse("response:index")),
        client.get(reverse("response:alert", args=[alert.pk])),
        client.get(reverse("response:open") + f"?alert={alert.pk}"),
    ]
    situation = services.open_situation(by=support, country=alert.country, alert=alert)
    pages.append(client.get(reverse("response:situation", args=[situation.pk])))
    for page in pages:
        assert names in page.content.decode() and "cloudflare, stop" not in page.content.decode()
    assert f"First signal ({names})" in text_of(pages[-1])
    assert str(Signal.objects.get(source="stop")).endswith("(Access Now #KeepItOn STOP)")


def test_a_focal_point_opens_a_situation_from_an_alert(support: Any, toolkit: Any) -> None:
    alert = raise_alert("MM")
    _, focal = member("NL")
    client = client_for(focal)
    form = client.get(reverse("response:open") + f"?alert={alert.pk}")
    assert form.status_code == 200 and "Myanmar: network disruption" in form.content.decode()
    done = client.post(
        reverse("response:open"), {"alert": alert.pk, "title": "Myanmar: shutdown", "summary": "Mobile data cut"}
    )
    situation = Situation.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("response:situation", args=[situation.pk])
    assert situation.alert == alert and situation.first_signal_at == alert.first_signal_at
    assert situation.steps.count() == 2
    again = client.post(reverse("response:open"), {"alert": alert.pk, "title": "Again"})
    assert again.status_code == 400 and "already has a situation" in text_of(again)


def test_opening_by_hand_needs_a_country_and_refuses_a_second_open_situation(support: Any) -> None:
    client = client_for(support)
    missing = client.post(reverse("response:open"), {"title": "Somewhere"})
    assert missing.status_code == 400 and "Choose the country." in text_of(missing)
    iran = country("IR").pk
    assert (
        client.post(reverse("response:open"), {"country": iran, "first_signal_at": "2024-01-05T08:30"}).status_code
        == 302
    )
    twice = client.post(reverse("response:open"), {"country": iran})
    assert twice.status_code == 400 and "already open" in text_of(twice)
    assert Situation.objects.count() == 1


def test_an_advisory_network_member_cannot_open_a_situation(advisory: Any) -> None:
    assert client_for(advisory).post(reverse("response:open"), {"country": country("IR").pk}).status_code == 403
    assert not Situation.objects.exists()


# --- The situation room -------------------------------------------------------------------------------------------


def test_the_room_shows_brief_playbook_pledges_timeline_and_metrics(
    support: Any, toolkit: Any, django_assert_max_num_queries: Any
) -> None:
    alert = raise_alert("MM")
    situation = services.open_situation(by=support, country=alert.country, alert=alert)
    netherlands, focal = member("NL")
    services.pledge(situation, by=focal, organisation=netherlands, tool=toolkit[0], description="Sign the statement")
    client = client_for(support)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("response:situation", args=[situation.pk]))
    body = text_of(page)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    for heading in ("Brief", "Playbook", "Pledge board", "Timeline", "Metrics", "Civil-society reports"):
        assert heading in body
    assert "Joint démarche" in body and "Members with an embassy there" in body
    assert "Government of NL" in body and "Sign the statement" in body
    assert "Situation opened" in body and "First signal (Cloudflare Radar, IODA)" in body
    assert "Myanma Posts and Telecommunications" in body  # the signals in the brief
    assert re.search(r"First signal to situation opened ?5 h 00 min", body)
    assert "Close the situation" in body and "Change who may read it" in body


def test_the_support_unit_updates_a_playbook_step(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    step = situation.steps.get(tool=toolkit[1])
    url = reverse("response:step", args=[situation.pk, step.pk])
    bad = client_for(support).post(url, {"status": "finished"})
    assert bad.status_code == 400
    done = client_for(support).post(url, {"status": "done", "owner": "Netherlands", "note": "Delivered Tuesday"})
    assert done.status_code == 302
    step.refresh_from_db()
    assert step.status == PlaybookStep.Status.DONE and step.owner == "Netherlands"


def test_two_members_pledge_and_a_focal_point_pledges_only_for_its_own(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    netherlands, nl_focal = member("NL")
    japan, jp_focal = member("JP")
    nl = client_for(nl_focal)
    page = nl.get(reverse("response:situation", args=[situation.pk])).content.decode()
    offered = re.search(r'<select name="organisation".*?</select>', page, re.S)
    assert offered and "Government of NL" in offered[0] and "Government of JP" not in offered[0]
    url = reverse("response:pledge", args=[situation.pk])
    assert (
        nl.post(url, {"organisation": netherlands.pk, "tool": toolkit[0].pk, "description": "Sign it"}).status_code
        == 302
    )
    forged = nl.post(url, {"organisation": japan.pk, "tool": toolkit[0].pk, "description": "For Japan"})
    assert forged.status_code == 400
    jp = client_for(jp_focal)
    done = jp.post(
        url,
        {
            "organisation": japan.pk,
            "tool": toolkit[1].pk,
            "description": "Fund VPNs",
            "amount": "50000",
            "currency": "jpy",
        },
    )
    assert done.status_code == 302
    assert sorted(Pledge.objects.values_list("organisation__name", flat=True)) == [
        "Government of JP",
        "Government of NL",
    ]
    assert Pledge.objects.get(organisation=japan).currency == "JPY"
    board = text_of(jp.get(reverse("response:situation", args=[situation.pk])))
    assert "50000.00 JPY" in board and "Sign it" in board


def test_the_pledge_form_chooses_the_only_member_a_person_may_pledge_for(support: Any, toolkit: Any) -> None:
    """Issue 15 (8): a focal point who may pledge for its own member only had to pick it from “---------”; the
    Support Unit, who may pledge for any member, still chooses."""
    situation = open_one(support)
    netherlands, focal = member("NL")
    member("JP")
    url = reverse("response:situation", args=[situation.pk])
    own = re.search(r'<select name="organisation".*?</select>', client_for(focal).get(url).content.decode(), re.S)
    assert own is not None
    assert re.findall(r"<option[^>]*>[^<]*</option>", own[0]) == [
        f'<option value="{netherlands.pk}" selected>Government of NL</option>'
    ]
    every = re.search(r'<select name="organisation".*?</select>', client_for(support).get(url).content.decode(), re.S)
    assert every is not None and "---------" in every[0] and "selected>Government" not in every[0]


def test_a_duplicate_pledge_shows_the_message(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    netherlands, focal = member("NL")
    client = client_for(focal)
    fields = {"organisation": netherlands.pk, "tool": toolkit[0].pk, "description": "Sign it"}
    client.post(reverse("response:pledge", args=[situation.pk]), fields)
    again = client.post(reverse("response:pledge", args=[situation.pk]), fields)
    assert again.status_code == 400
    assert "has already pledged “Joint statement” here (pledged); update that pledge instead." in text_of(again)
    assert Pledge.objects.count() == 1


def test_the_pledger_marks_a_pledge_delivered_and_another_member_cannot(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    netherlands, nl_focal = member("NL")
    _, jp_focal = member("JP")
    made = services.pledge(situation, by=nl_focal, organisation=netherlands, tool=toolkit[0], description="Sign it")
    url = reverse("response:pledge_status", args=[situation.pk, made.pk])
    assert client_for(jp_focal).post(url, {"status": "withdrawn"}).status_code == 403
    assert client_for(nl_focal).post(url, {"status": "delivered"}).status_code == 302
    made.refresh_from_db()
    assert made.status == Pledge.Status.DELIVERED


def test_a_fast_track_statement_is_drafted_and_linked(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    client = client_for(support)
    empty = client.post(reverse("response:fast_track", args=[situation.pk]), {"title": "", "text": ""})
    assert empty.status_code == 400 and situation.__class__.objects.get().statement is None
    done = client.post(
        reverse("response:fast_track", args=[situation.pk]),
        {"title": "On the shutdown in Myanmar", "text": "The coalition condemns the shutdown."},
    )
    situation.refresh_from_db()
    assert situation.statement is not None and situation.statement.fast_track
    assert done.status_code == 302 and situation.statement.slug in done["Location"]
    room = client.get(reverse("response:situation", args=[situation.pk])).content.decode()
    assert reverse("statements:statement", args=[situation.statement.slug]) in room
    assert "On the shutdown in Myanmar" in room and "Drafting and sign-on" in room


def test_a_focal_point_cannot_fast_track_a_statement(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    _, focal = member("NL")
    response = client_for(focal).post(
        reverse("response:fast_track", args=[situation.pk]), {"title": "T", "text": "Text"}
    )
    assert response.status_code == 403


def test_closing_requires_a_review_then_shows_it(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    client = client_for(support)
    refused = client.post(reverse("response:close", args=[situation.pk]), {"review": "  "})
    assert refused.status_code == 400 and "Write the after-action review" in text_of(refused)
    situation.refresh_from_db()
    assert situation.status == Situation.Status.OPEN
    assert (
        client.post(reverse("response:close", args=[situation.pk]), {"review": "Pledges came fast."}).status_code == 302
    )
    body = text_of(client.get(reverse("response:situation", args=[situation.pk])))
    assert "Pledges came fast." in body and "Evidence for 1B.3" in body and "Close with this review" not in body


def test_only_the_support_unit_widens_a_situation(make_user: Any, support: Any, advisory: Any, toolkit: Any) -> None:
    situation = open_one(support)
    chair = client_for(make_user(Role.CHAIR))
    assert "Change who may read it" not in text_of(chair.get(reverse("response:situation", args=[situation.pk])))
    url = reverse("response:widen", args=[situation.pk])
    assert chair.post(url, {"classification": "coalition"}).status_code == 403
    assert client_for(support).post(url, {"classification": "coalition"}).status_code == 302
    situation.refresh_from_db()
    assert situation.classification == Classification.COALITION
    assert client_for(advisory).get(reverse("response:situation", args=[situation.pk])).status_code == 200


def test_a_report_is_read_by_its_author_and_the_support_unit_only(
    make_user: Any, support: Any, advisory: Any, toolkit: Any
) -> None:
    situation = open_one(support)
    services.widen(situation, by=support, classification=Classification.COALITION)
    reporter = client_for(advisory)
    sent = reporter.post(reverse("response:report", args=[situation.pk]), {"text": "Journalists arrested in Yangon"})
    assert sent.status_code == 302 and CivilSocietyReport.objects.count() == 1
    room = reverse("response:situation", args=[situation.pk])
    assert "Journalists arrested in Yangon" in text_of(reporter.get(room))
    assert "Journalists arrested in Yangon" in text_of(client_for(support).get(room))
    official = client_for(make_user(Role.MEMBER_OFFICIAL))
    assert "Journalists arrested in Yangon" not in text_of(official.get(room))


def test_a_note_lands_on_the_timeline(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    client = client_for(support)
    assert (
        client.post(reverse("response:note", args=[situation.pk]), {"text": "Call with the ambassador"}).status_code
        == 302
    )
    assert "Call with the ambassador" in text_of(client.get(reverse("response:situation", args=[situation.pk])))


# --- Toolkit ------------------------------------------------------------------------------------------------------


def test_the_toolkit_shows_each_action_and_its_past_uses(support: Any, toolkit: Any) -> None:
    situation = open_one(support)
    netherlands, focal = member("NL")
    services.pledge(situation, by=focal, organisation=netherlands, tool=toolkit[0], description="Sign it")
    client = client_for(focal)
    body = text_of(client.get(reverse("response:toolkit")))
    assert "A shutdown during an election" in body and "All members" in body and "Chair" in body
    tool_page = text_of(client.get(reverse("response:tool", args=[toolkit[0].pk])))
    assert "Shutdown in MM" in tool_page and "Government of NL" in tool_page
    assert "Add an action" not in body and "Edit this action" not in tool_page


def test_the_support_unit_adds_and_edits_an_action_and_no_one_else_may(support: Any, toolkit: Any) -> None:
    client = client_for(support)
    fields = {
        "name": "Circumvention fund",
        "kind": "donor_support",
        "when_to_use": "A long shutdown",
        "who_can_use": "Donor members",
        "suggested_lead": "Donors",
        "in_playbook": "on",
        "position": "3",
    }
    missing = client.post(reverse("response:toolkit"), {**fields, "when_to_use": ""})
    assert missing.status_code == 400
    added = client.post(reverse("response:toolkit"), fields)
    made = Tool.objects.get(name="Circumvention fund")
    assert added.status_code == 302
    edited = client.post(reverse("response:tool", args=[made.pk]), {**fields, "who_can_use": "Any donor"})
    assert edited.status_code == 302
    made.refresh_from_db()
    assert made.who_can_use == "Any donor"
    duplicate = client.post(reverse("response:tool", args=[made.pk]), {**fields, "name": "Joint statement"})
    assert duplicate.status_code == 400 and "already has an action of that name" in text_of(duplicate)
    _, focal = member("NL")
    other = client_for(focal)
    assert other.post(reverse("response:toolkit"), {**fields, "name": "Mine"}).status_code == 403
    assert other.post(reverse("response:tool", args=[made.pk]), {**fields, "name": "Mine"}).status_code == 403
    assert not Tool.objects.filter(name="Mine").exists()


# --- Metrics ------------------------------------------------------------------------------------------------------


def test_metrics_page_and_csv(support: Any, toolkit: Any) -> None:
    alert = raise_alert("MM")
    situation = services.open_situation(by=support, country=alert.country, alert=alert)
    netherlands, focal = member("NL")
    services.pledge(situation, by=focal, organisation=netherlands, tool=toolkit[0], description="Sign it")
    client = client_for(support)
    page = text_of(client.get(reverse("response:metrics")))
    assert "Myanmar: network disruption" in page and re.search(r"\d+ h \d\d min", page)
    download = client.get(reverse("response:metrics") + "?format=csv")
    assert download["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [r["row"] for r in rows] == ["situation", "median"]
    assert rows[0]["situation"] == "Myanmar: network disruption" and int(rows[0]["minutes_to_opened"]) >= 299
    assert rows[0]["minutes_to_first_pledge"] != "" and rows[0]["minutes_to_statement"] == ""
    assert rows[1]["situations"] == "1"


def test_the_median_to_opening_says_it_leaves_out_a_situation_opened_by_hand(support: Any, toolkit: Any) -> None:
    """Issue 15 (8): a situation opened by hand without a first signal has no time to its opening; the year's median
    left it out while the row said “2 situations”."""
    open_one(support, "MM", first_signal_at=timezone.now() - dt.timedelta(hours=5))
    open_one(support, "IR")  # no first signal
    client = client_for(support)
    page = client.get(reverse("response:metrics")).content.decode()
    year = re.search(r'<tbody><tr><th scope="row">\d{4}</th>.*?</tr>', re.sub(r"\s+", " ", page).replace("> <", "><"))
    assert year is not None
    cells = re.findall(r"<td>(.*?)</td>", year[0])
    assert cells[0] == "2"
    assert re.fullmatch(r'5 h 00 min <span class="small">\(over 1 of 2\)</span>', cells[1]), cells[1]
    assert "(over" not in cells[2]  # the hand-opened one counts from its opening there, with no pledge: "—"
    assert "left out of “To opened”" in text_of(client.get(reverse("response:metrics")))
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("response:metrics") + "?format=csv").content.decode())))
    [median] = [r for r in rows if r["row"] == "median"]
    counted = (median["situations"], median["situations_to_opened"], median["situations_to_first_pledge"])
    assert counted == ("2", "1", "0")


def test_metrics_csv_shows_no_members_only_situation_to_the_advisory_network(support: Any, advisory: Any) -> None:
    open_one(support)
    download = client_for(advisory).get(reverse("response:metrics") + "?format=csv")
    assert "Shutdown in MM" not in download.content.decode()


# --- Signals and import -------------------------------------------------------------------------------------------

STOP_HEADER = (
    "start_date_type,start_date,country,geo_scope,area_name,shutdown_type,affected_network,shutdown_extent,ordered_by,"
    "decision_maker,actual_cause,actual_cause_details,info_source,info_source_link,shutdown_status,end_date,Duration,"
    "gov_justification,gov_just_details,gov_ack,legal_just,legal_method,gov_ack_source,gov_ack_quote,"
    "facebook_affected,twitter_affected,whatsapp_affected,instagram_affected,telegram_affected,other_affected,"
    "sms_affected,phonecall_affected,telcos_involved,telco_ack,telco_ack_source,telco_ack_quote,election,violence,"
    "hr_abuse_reported,users_targeted,users_target_detail,users_notified,econ_impact,event,an_link"
)


def stop_row(start: str, end: str, country_name: str, area: str, extent: str = "Full network") -> str:
    cells = [""] * 45
    cells[0], cells[1], cells[2], cells[4] = "Actual", start, country_name, area
    cells[5], cells[6], cells[7], cells[15] = "Shutdown", "Mobile", extent, end
    cells[44] = f"https://www.accessnow.org/{area.lower()}"
    return ",".join(cells)


def stop_sheet(*rows: str) -> bytes:
    return ("\n".join([STOP_HEADER, *rows]) + "\n").encode()


def test_signals_page_filters_and_shows_import_batches_to_the_support_unit(
    support: Any, advisory: Any, django_assert_max_num_queries: Any
) -> None:
    raise_alert("MM")
    client = client_for(support)
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("response:signals"), {"source": "cloudflare"})
    body = text_of(page)
    assert "1 signal" in body and "Cloudflare Radar Outage" in body and "IODA" not in body.split("1 signal")[1]
    assert "Import a file" in body
    assert "Import a file" not in text_of(client_for(advisory).get(reverse("response:signals")))
    assert client_for(None).get(reverse("response:signals")).status_code == 302


def test_importing_a_stop_sheet_reports_what_it_brought_and_raises_alerts(support: Any, worker: Any) -> None:
    pytest.importorskip("coalition.response.importers")
    now = timezone.now()
    yesterday = (now - dt.timedelta(days=1)).date().isoformat()
    Signal.objects.create(
        source="ioda",
        external_id="ioda-pk",
        country=country("PK"),
        kind="outage",
        starts_at=now - dt.timedelta(hours=20),
    )
    sheet = stop_sheet(
        stop_row(yesterday, "", "Pakistan", "Balochistan"),
        stop_row("2021-03-05", "2021-03-07", "India", "Haryana"),
        stop_row("2021-03-05", "2021-03-01", "India", "Punjab"),  # ends before it starts: skipped
    )
    client = client_for(support)
    upload = SimpleUploadedFile("stop_2021_data.csv", sheet, content_type="text/csv")
    with worker():
        done = client.post(
            reverse("response:import"),
            {"file": upload, "source": "stop", "dataset_year": str(now.year)},
        )
    done = client.get(done["Location"])
    body = text_of(done)
    assert done.status_code == 200
    assert "What the file brought" in body and re.search(r"2 new, 0 already there, 1 rows? skipped", body)
    assert "Row 4" in body and "before start date" in body
    batch = ImportBatch.objects.get()
    assert batch.created == 2 and Alert.objects.filter(country__code="PK").exists()
    signals_page = text_of(client.get(reverse("response:signals")))
    assert "stop_2021_data.csv" in signals_page and "Balochistan" in signals_page


def test_a_refused_import_names_the_row_and_saves_nothing(support: Any, worker: Any) -> None:
    pytest.importorskip("coalition.response.importers")
    sheet = stop_sheet(stop_row("2021-03-05", "2021-03-07", "Atlantis", "Capital"))
    upload = SimpleUploadedFile("stop_2021_data.csv", sheet, content_type="text/csv")
    with worker():
        refused = client_for(support).post(reverse("response:import"), {"file": upload, "source": "auto"})
    refused = client_for(support).get(refused["Location"])
    body = text_of(refused)
    assert "Refused; nothing imported." in body and "Atlantis" in body
    assert not Signal.objects.exists() and ImportBatch.objects.get().refusal


def test_a_workbook_whose_sheet_is_cut_is_refused_naming_the_problem_not_a_server_error(
    support: Any, worker: Any
) -> None:
    workbook = with_cut_sheet(stop_workbook(*(stop_event(area=f"A{i}") for i in range(20))))
    upload = SimpleUploadedFile("stop_2021_data.xlsx", workbook, content_type="application/octet-stream")
    with worker():
        refused = client_for(support).post(reverse("response:import"), {"file": upload, "source": "auto"})
    refused = client_for(support).get(refused["Location"])
    assert refused.status_code == 200
    assert "sheet cannot be read: its XML is cut off or damaged after row" in text_of(refused)
    assert not Signal.objects.exists() and ImportBatch.objects.get().refusal


def test_the_signals_page_shows_a_file_scheduled_ingestion_refused_with_its_reason(support: Any) -> None:
    ImportBatch.objects.create(source="stop", file_name="stop_2021.xlsx", sha256="0" * 64, refusal="Row 2: bad date")
    body = text_of(client_for(support).get(reverse("response:signals")))
    assert "stop_2021.xlsx" in body and "Refused by scheduled ingestion" in body and "Row 2: bad date" in body


def test_an_ioda_outage_under_way_when_the_series_starts_is_flagged_below_the_long_run_level(
    support: Any, worker: Any
) -> None:
    """Issue 15 (8): three days of active probing whose first ten hours are an outage that began before the series
    did. The detector judges no bin of the first day and learns that day as the next one's normal, so nothing came
    in; it is now a signal flagged below the long-run level, and the signals page says what the detector misses."""
    start = int((timezone.now() - dt.timedelta(days=5)).timestamp()) // 86_400 * 86_400
    values = [1000.0 * (0.05 if b < 120 else 1) for b in range(3 * 288)]
    item = {"entityType": "country", "entityCode": "IR", "entityName": "Iran", "entityFqid": "country.IR",
            "datasource": "ping-slash24", "from": start, "until": start + 3 * 86_400, "step": 300,
            "values": values}  # fmt: skip
    data = json.dumps({"type": "signals", "error": None, "data": [[item]]}).encode()
    client = client_for(support)
    upload = SimpleUploadedFile("ioda-ir.json", data, content_type="application/json")
    with worker():
        assert client.post(reverse("response:import"), {"file": upload, "source": "ioda"}).status_code == 302

    signal = Signal.objects.get()
    assert signal.below_long_run
    assert (signal.starts_at, signal.ends_at) == (
        dt.datetime.fromtimestamp(start, tz=dt.UTC),
        dt.datetime.fromtimestamp(start + 120 * 300, tz=dt.UTC),
    )
    body = text_of(client.get(reverse("response:signals")))
    assert "Signal below the long-run level: the detector" in body
    assert "it misses an outage already under way when the series starts" in body


def test_only_the_support_unit_imports(make_user: Any) -> None:
    focal = client_for(make_user(Role.FOCAL_POINT))
    assert focal.get(reverse("response:import")).status_code == 403


# --- Query counts -------------------------------------------------------------------------------------------------


def test_each_page_stays_within_the_query_budget(
    support: Any, toolkit: Any, django_assert_max_num_queries: Any
) -> None:
    alert = raise_alert("MM")
    situation = open_one(support, "IR")
    netherlands, focal = member("NL")
    services.pledge(situation, by=focal, organisation=netherlands, tool=toolkit[0], description="Sign it")
    services.add_note(situation, by=support, text="A note")
    services.add_report(situation, by=support, text="A report")
    government("JP")
    pages = [
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
    for user in (support, focal):
        client = client_for(user)
        for url in pages:
            if url == reverse("response:import") and user is focal:
                continue
            with django_assert_max_num_queries(MAX_QUERIES):
                response = client.get(url)
            assert response.status_code == 200, url


def test_a_situation_opened_by_hand_briefs_the_countrys_recent_and_ongoing_signals(support: Any) -> None:
    """Issue 15 item 6: the brief of a situation opened by hand said "None recorded" beside the country's signals."""
    now = timezone.now()
    for external_id, network, starts_at, ends_at in (
        ("recent", "Recent network", now - dt.timedelta(days=3), now - dt.timedelta(days=2)),
        ("ongoing", "Ongoing network", now - dt.timedelta(days=60), None),
        ("long-over", "Long over network", now - dt.timedelta(days=400), now - dt.timedelta(days=399)),
    ):
        Signal.objects.create(
            source="stop", external_id=external_id, country=country("MM"), kind="full_shutdown",
            network=network, starts_at=starts_at, ends_at=ends_at,
        )  # fmt: skip
    Signal.objects.create(
        source="stop", external_id="elsewhere", country=country("IR"), kind="full_shutdown",
        network="Another country's network", starts_at=now - dt.timedelta(days=1),
    )  # fmt: skip
    situation = open_one(support, "MM")
    body = text_of(client_for(support).get(reverse("response:situation", args=[situation.pk])))
    assert "Recent network" in body and "Ongoing network" in body
    assert "Long over network" not in body and "Another country's network" not in body


def test_a_day_dated_signal_shows_its_days_to_a_reader_west_of_utc(support: Any, worker: Any) -> None:
    """Issue 15 item 5: a STOP event of 1–2 March showed as 28 Feb 19:00 to a reader in New York, on every page."""
    support.person.time_zone = "America/New_York"
    support.person.save(update_fields=["time_zone"])
    client = client_for(support)
    sheet = stop_sheet(stop_row("2021-03-01", "2021-03-02", "Myanmar", "Yangon"))
    with worker():
        client.post(reverse("response:import"), {"file": SimpleUploadedFile("stop_2021.csv", sheet), "source": "stop"})
    day_start = dt.datetime(2021, 3, 1, tzinfo=dt.UTC)
    Signal.objects.create(
        source="ioda", external_id="ioda-mm", country=country("MM"), kind="outage",
        starts_at=day_start + dt.timedelta(hours=12), ends_at=day_start + dt.timedelta(hours=20),
    )  # fmt: skip
    [alert] = services.raise_alerts(now=day_start + dt.timedelta(days=3))
    bodies = {page: text_of(client.get(reverse(page, args=args))) for page, args in (
        ("response:signals", []), ("response:index", []), ("response:alert", [alert.pk]),
    )}  # fmt: skip
    situation = services.open_situation(by=support, country=alert.country, alert=alert)
    bodies["situation"] = text_of(client.get(reverse("response:situation", args=[situation.pk])))
    for page, body in bodies.items():
        assert "1 Mar 2021" in body, page
        assert "28 Feb 2021" not in body and "19:00" not in body, page
    signals = text_of(client.get(reverse("response:signals")))
    assert re.search(r"1 Mar 2021\s+2 Mar 2021", signals)  # the end is the last day, not the next midnight
