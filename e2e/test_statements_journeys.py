"""Statements in a browser (issue 5): the Support Unit drafts a fast-track country-specific statement; a member
official comments on a paragraph; the Chair freezes it under silence procedure with a deadline in Santiago; five
focal points respond (three sign, one objects with its reason, one signs with a reservation); at the deadline the
silence is broken; the Support Unit publishes under embargo; nothing reaches the public before the embargo, and
afterwards an anonymous visitor reads the statement, its signatories and a verification that replays the ledger.

Then what must be refused: a member official signing, a second signature, one on a superseded text, one after the
deadline (each with its message, nothing changed); what the Advisory Network never reads; hostile Markdown and HTML
rendered inert. Last, the pages pass axe-core and the statement pages fit a phone.

Expected times are computed here from the stored UTC instant, in the format of the `show_time` tag ("j M Y, H:i",
the viewer's zone named, the host's time beside it when the zones differ)."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Dialog, Locator, Page, Request, expect

from e2e.conftest import totp_code
from e2e.pages import axe_each, message, shown_time

pytestmark = pytest.mark.browser

Person = Callable[[str], Page]
ANONYMOUS = "anonymous"
PHONE_WIDTH = 360
OVERFLOW_TOLERANCE = 2  # sub-pixel rounding
SANTIAGO, TALLINN = "America/Santiago", "Europe/Tallinn"
TITLE = "Statement on the mobile internet shutdown in Belarus (browser journey)"
PARAGRAPHS = [
    "The Freedom Online Coalition is alarmed by the nationwide shutdown of mobile internet (fictitious).",
    "The shutdown cuts people off from emergency services, from their families and from independent news.",
    "We call on the authorities to restore full access without delay and to refrain from further disruptions.",
]
COMMENT = "Could paragraph 2 name the emergency number that stopped working? (Ghana)"
OBJECTION = "Japan cannot join a country-specific text before its embassy has confirmed the facts."
RESERVATION = "The Netherlands reads paragraph 3 as applying to partial disruptions as well."


# --- Helpers ----------------------------------------------------------------------------------------------------


def whole_minutes_ahead(minutes: int) -> dt.datetime:
    """An instant at least `minutes` from now, on a whole minute (as a time input gives it)."""
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    seconds = moment.second + moment.microsecond / 1e6
    return moment + dt.timedelta(seconds=math.ceil(seconds / 60) * 60 - seconds)


def fact(page: Page, term: str) -> Locator:
    """The <dd> after a <dt> of the page's first facts list that has it."""
    return page.locator(f"dl.facts dt:text-is('{term}') + dd").first


def open_statement(page: Page, title: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Statements").click()
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def member(code: str) -> Any:
    """The government of a country, a member of the coalition in the demo."""
    from coalition.directory.models import Organisation

    return Organisation.objects.get(country__code=code, kind=Organisation.Kind.GOVERNMENT)


def member_name(code: str) -> str:
    return str(member(code).name)


def own_member(page: Page, code: str) -> Locator:
    """The viewer's member's box on a statement page: its recorded response and its forms."""
    return page.locator("section.own-member").filter(
        has=page.get_by_role("heading", name=member_name(code), exact=True)
    )


def written() -> tuple[int, ...]:
    """What a refused write could have left behind, counted. The decision of a round whose deadline has passed is
    not among them: the scheduler records it."""
    from coalition.core.models import AuditEvent
    from coalition.statements.models import Freeze, Response

    positions = tuple(Response.objects.order_by("pk").values_list("pk", "kind", "reservation", "reason", "at"))
    events = AuditEvent.objects.exclude(action="statements.decided").count()
    return (Freeze.objects.count(), Response.objects.count(), events, hash(positions))


def enable_focal_point(code: str) -> tuple[str, str]:
    """The demo's fictitious focal point of a member (no password in the demo) given a password and an
    authenticator, so that they can sign in like everyone else: their email and TOTP secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN, DEMO_PASSWORD

    user = User.objects.get(email=f"focal-{code.lower()}@{DEMO_DOMAIN}")
    user.set_password(DEMO_PASSWORD)
    user.save(update_fields=["password"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user.email, secret


@pytest.fixture
def person(browser: Browser, live_server: Any, demo: dict[str, Any]) -> Iterator[Person]:
    """person("chair") → a page in a browser of its own, signed in as that demo login; person("CA") as the focal
    point of that member; person(ANONYMOUS) → a browser nobody signed in to. One browser per person: signing one
    account in twice within a 30-second TOTP window is refused as a replay."""
    from coalition.demo.loader import DEMO_PASSWORD

    contexts = []

    def browser_of(who: str) -> Page:
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        if who == ANONYMOUS:
            return page
        email, secret = (demo[who].email, demo[who].totp_secret) if who in demo else enable_focal_point(who)
        page.goto("/accounts/login/")
        page.locator("input[name='login']").fill(email)
        page.locator("input[name='password']").fill(DEMO_PASSWORD)
        page.locator("input[name='password']").press("Enter")
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.locator("input[name='code']").fill(totp_code(secret))
        page.locator("input[name='code']").press("Enter")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield browser_of
    for context in contexts:
        context.close()


def status_of(page: Page, path: str) -> int:
    response = page.goto(path)
    assert response is not None
    return response.status


def api_slugs(page: Page) -> list[str]:
    response = page.request.get("/api/v1/statements/?limit=100")
    assert response.status == 200
    data = response.json()
    return [row["slug"] for row in (data["results"] if isinstance(data, dict) else data)]


# --- The journey ------------------------------------------------------------------------------------------------


def draft_the_statement(support: Page, country: str) -> Any:
    """The Support Unit drafts a fast-track country-specific statement of three paragraphs."""
    from coalition.statements.models import Statement

    support.get_by_role("navigation", name="Main").get_by_role("link", name="Statements").click()
    support.get_by_role("link", name="Draft a statement").click()
    expect(support.get_by_role("heading", name="Draft a statement", level=1)).to_be_visible()
    support.get_by_label("Title", exact=True).fill(TITLE)
    support.get_by_label("Country-specific statement", exact=True).check()
    support.get_by_label("Country concerned").select_option(label=country)
    support.get_by_label("Situation (rapid response)").fill("Nationwide mobile data shutdown (fictitious)")
    support.get_by_label("Text (Markdown)").fill("\n\n".join(PARAGRAPHS))
    support.get_by_label(re.compile("^Fast track")).check()
    support.get_by_role("button", name="Save the draft").click()
    message(support).to_contain_text("Statement drafted. Fast track: freeze it now under silence procedure.")
    expect(support.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(fact(support, "Kind")).to_have_text("Country-specific statement · fast track")
    expect(fact(support, "Country concerned")).to_have_text(country)
    expect(support.locator("ol.paragraphs > li .paragraph-text")).to_have_text(PARAGRAPHS)
    return Statement.objects.get(document__title=TITLE)


def comment_on_paragraph_2(official: Page) -> None:
    """The member official, from the statement page to its document, comments for members on paragraph 2."""
    open_statement(official, TITLE)
    expect(official.locator("#sign-on + p")).to_contain_text("Not frozen yet: the text is a draft.")
    official.get_by_role("link", name="versions, comments and redlines").click()
    expect(official.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    official.locator("#p2").get_by_role("link", name="Comment on paragraph 2").click()
    form = official.get_by_role("form", name="Comment on a paragraph")
    expect(form.get_by_label("Paragraph number")).to_have_value("2")
    form.get_by_label("Comment", exact=True).fill(COMMENT)
    form.get_by_label("Members", exact=True).check()
    form.get_by_label("On behalf of").select_option(label=member_name("GH"))
    form.get_by_role("button", name="Add the comment").click()
    message(official).to_contain_text("Comment added to paragraph 2.")
    comment = official.locator("#p2 .comments li")
    expect(comment).to_have_count(1)
    expect(comment).to_contain_text(f"Kwame Mockdata (on behalf of {member_name('GH')})")
    expect(comment).to_contain_text("Members")
    expect(comment).to_contain_text(COMMENT)


def freeze_under_silence(chair: Page) -> dt.datetime:
    """The Chair freezes the text under silence procedure: a deadline under the fast-track minimum is refused, then
    one just over it, in Santiago, is accepted. Returns the deadline."""
    open_statement(chair, TITLE)
    expect(chair.locator("#p2 .comments")).to_contain_text(COMMENT)  # the member's comment, on the statement page
    expect(chair.get_by_role("heading", name="Freeze the text for sign-on")).to_be_visible()
    form = chair.locator("form").filter(has=chair.get_by_role("button", name="Freeze and ask the members"))
    expect(form.get_by_label("Host time zone")).to_have_value(SANTIAGO)  # the Chair's capital
    expect(form.get_by_role("radio", name=re.compile("Silence procedure"))).to_be_checked()  # fast track

    def submit(deadline: dt.datetime) -> None:
        local = deadline.astimezone(ZoneInfo(SANTIAGO))
        form.get_by_label("Deadline: date (host time)").fill(local.date().isoformat())
        form.get_by_label("Deadline: time (host time)").fill(f"{local:%H:%M}")
        form.get_by_label("Host time zone").select_option(SANTIAGO)
        form.get_by_role("radio", name=re.compile("Silence procedure")).check()
        form.get_by_role("button", name="Freeze and ask the members").click()

    before = written()
    with chair.expect_response(lambda r: r.request.method == "POST") as posted:
        submit(whole_minutes_ahead(10))
    assert posted.value.status == 400
    problem = "The deadline must leave members at least 15 minutes to respond."
    expect(chair.get_by_role("alert")).to_contain_text(f"Deadline: date (host time): {problem}")
    expect(chair.locator("#id_deadline_on_error")).to_contain_text(problem)
    assert written() == before

    deadline = whole_minutes_ahead(16)
    submit(deadline)
    message(chair).to_contain_text("Text frozen: members are asked to respond by the deadline.")
    expect(chair.get_by_role("heading", name="The frozen text (text 1, version 1)")).to_be_visible()
    # The Chair is in Santiago, the host zone: one time, named.
    expect(fact(chair, "Deadline")).to_have_text(shown_time(deadline, SANTIAGO, SANTIAGO))
    expect(fact(chair, "Host time zone")).to_have_text(SANTIAGO)
    expect(fact(chair, "Procedure")).to_contain_text("Silence procedure: the text is adopted at the deadline")
    expect(fact(chair, "Outcome")).to_have_text("Open for responses")
    return deadline


def sign(page: Page, code: str, reservation: str = "") -> None:
    group = page.get_by_role("group", name=f"Sign for {member_name(code)}")
    if reservation:
        group.get_by_label("Reservation or explanation of position (optional)").fill(reservation)
    group.get_by_role("button", name="Sign", exact=True).click()
    message(page).to_contain_text("Signature recorded.")
    expect(own_member(page, code)).to_contain_text("Recorded: signed")


def object_to(page: Page, code: str, reason: str) -> None:
    group = page.get_by_role("group", name=f"Object for {member_name(code)}")
    group.get_by_label("Reason for the objection").fill(reason)
    group.get_by_role("button", name="Object", exact=True).click()
    message(page).to_contain_text("Objection recorded.")
    expect(own_member(page, code)).to_contain_text("Recorded: objected")


def response_row(page: Page, code: str) -> Locator:
    return page.locator("table.responses tr").filter(
        has=page.get_by_role("rowheader", name=member_name(code), exact=True)
    )


def publish_under_embargo(support: Page) -> dt.datetime:
    support.reload()
    expect(support.get_by_role("heading", name="Publish", level=2)).to_be_visible()
    embargo = whole_minutes_ahead(5)
    local = embargo.astimezone(ZoneInfo(SANTIAGO))
    expect(support.get_by_label("Time zone of the embargo")).to_have_value(SANTIAGO)  # the deadline's
    support.get_by_label("Embargo until: date").fill(local.date().isoformat())
    support.get_by_label("Embargo until: time").fill(f"{local:%H:%M}")
    support.get_by_role("button", name="Publish", exact=True).click()
    message(support).to_contain_text("Statement published.")
    expect(fact(support, "Public from")).to_contain_text("under embargo until then")
    return embargo


def test_a_fast_track_statement_is_drafted_commented_frozen_answered_decided_published_and_verified(
    sign_in: Callable[[str], Page], person: Person
) -> None:
    from django.utils import timezone

    from coalition.directory.models import Country
    from coalition.statements.models import Freeze, Response, Statement

    country = Country.objects.get(code="BY").name
    support = sign_in("support")
    statement = draft_the_statement(support, country)

    official = person("official")
    comment_on_paragraph_2(official)

    chair = person("chair")
    deadline = freeze_under_silence(chair)
    freeze = Freeze.objects.get(statement=statement)
    assert (freeze.mode, freeze.deadline, freeze.deadline_time_zone) == ("silence", deadline, SANTIAGO)

    # Five focal points respond, each in their own browser. The Chair signs for Chile.
    expect(own_member(chair, "CL")).to_contain_text("Under silence procedure, a member that agrees need do nothing")
    sign(chair, "CL")
    focal = person("focal")
    open_statement(focal, TITLE)
    # Estonia's focal point, in Tallinn, reads the deadline in Tallinn's time with Santiago's beside it.
    expect(fact(focal, "Deadline")).to_have_text(shown_time(deadline, TALLINN, SANTIAGO))
    sign(focal, "EE")
    canada = person("CA")
    open_statement(canada, TITLE)
    sign(canada, "CA")
    japan = person("JP")
    open_statement(japan, TITLE)
    object_to(japan, "JP", OBJECTION)
    netherlands = person("NL")
    open_statement(netherlands, TITLE)
    sign(netherlands, "NL", RESERVATION)

    chair.reload()
    expect(chair.locator("#responses + ul.stats")).to_contain_text("Signed: 4")
    expect(chair.locator("#responses + ul.stats")).to_contain_text("Objected: 1")
    expect(response_row(chair, "JP")).to_contain_text("Objected")
    expect(response_row(chair, "JP")).to_contain_text(OBJECTION)
    expect(response_row(chair, "NL")).to_contain_text("Signed with a reservation")
    expect(response_row(chair, "NL")).to_contain_text(RESERVATION)
    expect(response_row(chair, "CA")).to_contain_text("Chloe Placeholder")

    # Time passes: the deadline is reached. Until the scheduler runs, the page says so (pages never decide); one
    # scheduler cycle decides it, with nobody visiting, and the page then says the outcome.
    Freeze.objects.filter(pk=freeze.pk).update(deadline=timezone.now())
    chair.reload()
    expect(fact(chair, "Outcome")).to_contain_text("Deadline passed — being decided")
    call_command("run_scheduler", "--once", "--job", "decide_rounds", stdout=io.StringIO())
    chair.reload()
    expect(fact(chair, "Outcome")).to_contain_text("Silence broken by an objection")
    expect(own_member(chair, "CL")).to_contain_text("Responses to this text are closed.")
    expect(chair.get_by_role("group", name=re.compile("^(Sign|Object) for"))).to_have_count(0)
    chair.get_by_role("link", name="Statements", exact=True).first.click()
    listed = chair.get_by_role("row").filter(has=chair.get_by_role("link", name=TITLE, exact=True))
    expect(listed).to_contain_text("Silence broken by an objection (text 1)")

    embargo = publish_under_embargo(support)
    statement.refresh_from_db()
    assert statement.published_at == embargo and statement.published_freeze_id == freeze.pk

    # Before the embargo, nothing reaches the public: not the page, the downloads, the feed, the API or the draft.
    anonymous = person(ANONYMOUS)
    slug, document = statement.slug, statement.document_id
    for path in [
        f"/statements/{slug}/",
        f"/statements/{slug}/text.txt",
        f"/statements/{slug}/statement.json",
        f"/statements/{slug}/statement.pdf",
        f"/statements/{slug}/verify/",
        f"/api/v1/statements/{slug}/",
        f"/documents/{document}/",
        f"/documents/{document}/open-clauses/?format=csv",
    ]:
        assert status_of(anonymous, path) == 404, path
    assert status_of(anonymous, "/statements/") == 200
    expect(anonymous.locator("main")).not_to_contain_text(TITLE)
    expect(anonymous.locator("main")).to_contain_text("Joint Statement on Internet Shutdowns (demo)")
    feed = anonymous.request.get("/statements/feed.atom")
    assert feed.status == 200 and "Joint Statement on Internet Shutdowns" in feed.text()
    assert slug not in feed.text() and TITLE not in feed.text()
    assert slug not in api_slugs(anonymous)

    # The embargo lifts (time passes): the anonymous visitor reads it, with its four signatories.
    Statement.objects.filter(pk=statement.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1))
    anonymous.goto("/statements/")
    anonymous.get_by_role("link", name=TITLE, exact=True).click()
    expect(anonymous.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(anonymous.locator(".statement-text p")).to_have_text(PARAGRAPHS)
    expect(anonymous.locator("main")).not_to_contain_text(COMMENT)
    signatories = anonymous.locator("ul.signatories > li")
    named = sorted(member_name(code) for code in ("CA", "CL", "EE", "NL"))
    expect(signatories).to_have_count(4)
    for index, name in enumerate(named):
        expect(signatories.nth(index)).to_contain_text(name)
    expect(anonymous.locator("ul.signatories")).not_to_contain_text(member_name("JP"))
    expect(anonymous.locator("main")).not_to_contain_text(OBJECTION)
    reserved = signatories.filter(has_text=member_name("NL"))
    expect(reserved.locator(".reservation")).to_have_text(f"Reservation or explanation of position: {RESERVATION}")
    assert slug in anonymous.request.get("/statements/feed.atom").text()
    assert slug in api_slugs(anonymous)
    text = anonymous.request.get(f"/statements/{slug}/text.txt")
    assert text.status == 200 and "Signatories (4)" in text.text() and RESERVATION in text.text()

    # The verification page replays the ledger and proves each event against the checkpoint publication issued:
    # verified, the same four members, each with its ledger event.
    anonymous.get_by_role("link", name="Verify the signatories against the audit ledger").click()
    expect(anonymous.get_by_role("heading", name="Verification of the signatory list", level=1)).to_be_visible()
    expect(anonymous.get_by_role("status")).to_have_text(
        "Verified: every signature on record matches the audit ledger, and each of its events is in the ledger's "
        "signed checkpoint."
    )
    rows = anonymous.locator("section[aria-labelledby='signatories'] tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.locator("th")).to_have_text(named)
    events = {
        r.organisation.name: r.ledger_seq
        for r in Response.objects.filter(freeze=freeze, kind="signed").select_related("organisation")
    }
    for index, name in enumerate(named):
        cells = rows.nth(index).locator("td")
        expect(cells.nth(0)).to_contain_text("Signed")
        expect(cells.nth(2)).to_have_text(f"#{events[name]}")
        expect(cells.nth(4)).to_have_text("Yes")
    expect(rows.filter(has_text=member_name("NL"))).to_contain_text(f"Reservation: {RESERVATION}")
    expect(anonymous.locator("main")).to_contain_text("One other response (an objection or a withdrawn signature)")
    expect(anonymous.locator("main")).not_to_contain_text(member_name("JP"))
    # The drafting history (versions, the members' comments) stays with the members, embargo or not.
    assert status_of(anonymous, f"/documents/{document}/") == 404


# --- Access and bad input ---------------------------------------------------------------------------------------


def frozen_joint_statement(title: str, text: str) -> Any:
    """A joint statement drafted by the Support Unit and frozen by the Chair for explicit sign-on, two hours left."""
    from django.utils import timezone

    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN
    from coalition.statements import services

    statement = services.create_statement(
        by=User.objects.get(email=f"support@{DEMO_DOMAIN}"), title=title, text=text, kind="joint"
    )
    services.freeze(
        statement=statement,
        by=User.objects.get(email=f"chair@{DEMO_DOMAIN}"),
        deadline=timezone.now() + dt.timedelta(hours=2),
        deadline_time_zone=SANTIAGO,
        mode="sign_on",
    )
    return statement


def forge_post(page: Page, action: str, fields: dict[str, str]) -> int:
    """Submit a form the page never offered, with the page's own CSRF token: the response's status."""
    token = page.locator("input[name='csrfmiddlewaretoken']").first.input_value()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement("input");
                    input.type = "hidden";
                    input.name = name;
                    input.value = value;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""",
            [action, {**fields, "csrfmiddlewaretoken": token}],
        )
    page.wait_for_load_state()
    return posted.value.status


def refused(page: Page, button: Locator, problem: str) -> None:
    """Submit a form that the server must refuse: a 400, the problem at the top of the page, nothing changed."""
    before = written()
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        button.click()
    assert posted.value.status == 400
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text(problem)
    assert written() == before


def test_only_a_focal_point_signs_once_on_the_current_text_before_the_deadline_and_the_network_reads_its_own(
    person: Person,
) -> None:
    from django.utils import timezone

    from coalition.documents.models import Document
    from coalition.statements.models import Freeze, Response

    title = "Joint statement on platform accountability (refusals)"
    statement = frozen_joint_statement(title, "First paragraph as drafted.\n\nSecond paragraph as drafted.")
    first = Freeze.objects.get(statement=statement)
    path = f"/statements/{statement.slug}/"

    # A member official who is not a focal point: no form to respond, and a forged one is refused.
    official = person("official")
    open_statement(official, title)
    expect(official.locator("#respond + p")).to_have_text(
        "Only a member's focal point signs, objects or withdraws on the member's behalf."
    )
    expect(official.locator("form.respond-form")).to_have_count(0)
    before = written()
    status = forge_post(
        official,
        f"{path}respond/",
        {"freeze": str(first.pk), "organisation": str(member("GH").pk), "kind": "signed", "reservation": ""},
    )
    assert status == 403
    expect(official.get_by_role("heading", level=1)).to_have_text("Access denied")
    # The view's own refusal ("a member's focal point") or, past it, the service's ("a focal point of <member>").
    expect(official.locator("main")).to_contain_text(
        re.compile(r"Only a (member's focal point|focal point of .+) may sign, object or withdraw on its behalf\.")
    )
    assert written() == before

    # Estonia's focal point signs in one tab, then again from a second tab opened before: refused.
    focal = person("focal")
    open_statement(focal, title)
    stale = focal.context.new_page()
    stale.goto(path)
    sign(focal, "EE")
    refused(
        stale,
        stale.get_by_role("group", name=f"Sign for {member_name('EE')}").get_by_role("button", name="Sign"),
        f"{member_name('EE')} has already signed this text (",
    )
    expect(own_member(stale, "EE")).to_contain_text("Recorded: signed")
    assert Response.objects.filter(freeze=first, organisation__country__code="EE").count() == 1

    # The Chair opens the page to sign for Chile; meanwhile the Support Unit changes the text and the Chair
    # re-freezes it in another tab. The signature on the old page is refused: that text is superseded.
    chair = person("chair")
    open_statement(chair, title)
    support = person("support")
    support.goto(f"/documents/{statement.document_id}/")
    support.get_by_role("link", name="Edit the text").click()
    support.get_by_label("Text (Markdown)").fill("First paragraph as drafted.\n\nSecond paragraph, amended.")
    support.get_by_label("What changed").fill("Paragraph 2 amended after comments")
    support.get_by_role("button", name="Save as a new version").click()
    message(support).to_contain_text("Saved as version 2.")
    refreeze = chair.context.new_page()
    refreeze.goto(path)
    expect(refreeze.locator(".warn-box").first).to_contain_text("The text has changed since it was frozen")
    refreeze.get_by_role("button", name="Re-freeze and ask again").click()
    message(refreeze).to_contain_text("Text frozen")
    expect(refreeze.get_by_role("heading", name="The frozen text (text 2, version 2)")).to_be_visible()
    refused(
        chair,
        chair.get_by_role("group", name=f"Sign for {member_name('CL')}").get_by_role("button", name="Sign"),
        "This version has been superseded by a new text: respond to the current version.",
    )
    assert not Response.objects.filter(organisation__country__code="CL", freeze__statement=statement).exists()

    # Estonia is asked again; its focal point opens the form, the deadline passes, the signature is refused.
    focal.reload()
    expect(own_member(focal, "EE")).to_contain_text(
        "Your signature on text 1 no longer counts: the text changed. Please respond to text 2."
    )
    second = Freeze.objects.get(statement=statement, superseded_at__isnull=True)
    # Time passes: the deadline is reached while the page is open.
    Freeze.objects.filter(pk=second.pk).update(deadline=timezone.now())
    second.refresh_from_db()
    local = second.deadline.astimezone(ZoneInfo(SANTIAGO))
    refused(
        focal,
        focal.get_by_role("group", name=f"Sign for {member_name('EE')}").get_by_role("button", name="Sign"),
        f"The deadline passed at {local:%d %B %Y, %H:%M} ({SANTIAGO}): responses are closed.",
    )
    expect(own_member(focal, "EE")).to_contain_text("Responses to this text are closed.")
    # No page decides a round (no GET writes): until the scheduler's next cycle it is being decided.
    expect(fact(focal, "Outcome")).to_contain_text("Deadline passed — being decided")
    call_command("run_scheduler", "--once", "--job", "decide_rounds", stdout=io.StringIO())
    focal.reload()
    expect(fact(focal, "Outcome")).to_contain_text("Not adopted")  # nobody signed text 2 by its deadline
    assert not Response.objects.filter(freeze=second).exists()

    # The Advisory Network member reads the concept note in consultation with the coalition's comments only, and
    # never sees the draft statements.
    advisory = person("advisory")
    note = Document.objects.get(title="Concept note: rapid response mechanism (demo)")
    advisory.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    expect(advisory.get_by_role("link", name=title)).to_have_count(0)
    advisory.get_by_role("link", name=note.title).click()
    expect(advisory.get_by_role("heading", name=note.title, level=1)).to_be_visible()
    main = advisory.locator("main")
    expect(main).to_contain_text("Civil-society monitors can often confirm within hours")
    expect(main).not_to_contain_text("Members-only: budget implications")
    expect(advisory.locator(".comments li")).to_have_count(1)
    export = advisory.request.get(f"/documents/{note.pk}/open-clauses/?format=csv")
    assert export.status == 200 and "Civil-society monitors" in export.text()
    assert "budget implications" not in export.text()
    for hidden in (path, f"/documents/{statement.document_id}/", f"/documents/{statement.document_id}/redline/"):
        assert status_of(advisory, hidden) == 404, hidden


# --- Hostile text -----------------------------------------------------------------------------------------------

TRACKER = "tracker.example"
HOSTILE = [
    "Opening words <script>window.__pwned = 'script'; alert('script')</script> and more.",
    "<img src=x onerror=\"window.__pwned = 'onerror'; alert('onerror')\"> A broken image.",
    "[a link](javascript:alert('link')) and <a href=\"javascript:alert('raw')\">a raw link</a>.",
    f"![a tracker](https://{TRACKER}/pixel.png) and ![another](//{TRACKER}/pixel2.png)",
    f'<iframe src="https://{TRACKER}/frame"></iframe><svg onload="alert(\'svg\')"></svg>'
    "<style>main{display:none}</style>",
]
HOSTILE_TEXT = "\n\n".join(HOSTILE)


class Watch:
    """Every request a browser makes off the site, and every dialog a page opens."""

    def __init__(self, page: Page, origin: str) -> None:
        self.origin = origin
        self.off_site: list[str] = []
        self.dialogs: list[str] = []
        page.context.on("request", self.requested)
        page.on("dialog", self.opened)

    def requested(self, request: Request) -> None:
        if not request.url.startswith((self.origin, "data:")):
            self.off_site.append(request.url)

    def opened(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def inert(page: Page, watch: Watch, text: Locator) -> None:
    """The hostile text is shown as typed, and nothing in it runs, loads or links to script."""
    expect(text.first).to_be_visible()
    expect(text.first).to_contain_text("<script>window.__pwned")  # raw HTML is shown as it was typed
    for element in ("script", "iframe", "svg", "style", "object", "embed", "img[src]"):  # images lose a foreign src
        expect(text.locator(element)).to_have_count(0)
    expect(page.locator("[onerror], [onload], [onclick]")).to_have_count(0)
    expect(page.locator("a[href^='javascript' i]")).to_have_count(0)
    page.wait_for_load_state("load")
    assert page.evaluate("window.__pwned") is None
    assert watch.off_site == [] and watch.dialogs == []


def published(title: str, text: str, reservation: str) -> Any:
    """A joint statement frozen, signed by Estonia with `reservation`, decided and published now (by the services)."""
    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN
    from coalition.statements import services

    statement = frozen_joint_statement(title, text)
    freeze = statement.current_freeze()
    services.respond(
        freeze=freeze,
        by=User.objects.get(email=f"focal@{DEMO_DOMAIN}"),
        organisation=member("EE"),
        kind="signed",
        reservation=reservation,
    )
    services.decide(freeze, now=freeze.deadline)
    return services.publish(statement=statement, by=User.objects.get(email=f"support@{DEMO_DOMAIN}"))


def test_hostile_markdown_and_html_render_inert_in_documents_redlines_and_the_public_statement(
    sign_in: Callable[[str], Page], person: Person, live_server: Any
) -> None:
    support = sign_in("support")
    watch = Watch(support, live_server.url)

    # A document created through the form, with the hostile text over a harmless base text.
    support.get_by_role("navigation", name="Main").get_by_role("link", name="Documents").click()
    support.get_by_role("link", name="New document").click()
    support.get_by_label("Title", exact=True).fill("Hostile text (browser test)")
    support.get_by_role("radio", name=re.compile("Members: member governments")).check()
    support.get_by_label("Text (Markdown)", exact=True).fill(HOSTILE_TEXT)
    support.get_by_label("Base text (Markdown)").fill("Opening words and more.")
    support.get_by_role("button", name="Create the document").click()
    message(support).to_contain_text("Document created as version 1.")
    inert(support, watch, support.locator("ol.paragraphs"))
    expect(support.locator("ol.paragraphs > li")).to_have_count(len(HOSTILE))

    support.get_by_role("link", name="against the base text").click()
    expect(support.get_by_role("heading", name=re.compile("^Redline of"), level=1)).to_be_visible()
    inert(support, watch, support.locator(".redline"))
    expect(support.locator(".redline ins").first).to_be_visible()

    # A published statement whose text and reservation are hostile, read by an anonymous visitor.
    reservation = "<script>alert('reservation')</script> <b onclick=\"alert('b')\">bold</b>"
    statement = published("Hostile statement (browser test)", HOSTILE_TEXT, reservation)
    support.goto(f"/statements/{statement.slug}/")
    inert(support, watch, support.locator("ol.paragraphs"))
    expect(support.locator("table.responses")).to_contain_text(reservation)

    anonymous = person(ANONYMOUS)
    seen = Watch(anonymous, live_server.url)
    anonymous.goto(f"/statements/{statement.slug}/")
    inert(anonymous, seen, anonymous.locator(".statement-text"))
    expect(anonymous.locator(".reservation")).to_contain_text(reservation)
    expect(anonymous.locator(".reservation b")).to_have_count(0)
    download = anonymous.request.get(f"/statements/{statement.slug}/text.txt")
    assert download.headers["content-type"] == "text/plain; charset=utf-8"
    assert HOSTILE[0] in download.text()


# --- Accessibility and small screens ----------------------------------------------------------------------------


def go(page: Page, path: str, heading: str, status: int = 200) -> Callable[[], None]:
    def visit() -> None:
        assert status_of(page, path) == status, path
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

    return visit


def fits_a_phone(page: Page, path: str) -> None:
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH + OVERFLOW_TOLERANCE, f"{path} is {width} px wide"


def test_the_statements_and_documents_pages_have_no_axe_violations_and_fit_a_phone(person: Person) -> None:
    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN
    from coalition.documents import services as documents
    from coalition.documents.models import Document
    from coalition.statements.models import Statement

    support_user = User.objects.get(email=f"support@{DEMO_DOMAIN}")
    joint = Statement.objects.get(document__title="Joint Statement on Internet Shutdowns (demo)")
    draft = Statement.objects.get(document__title="Statement on the network disruption in Myanmar (demo draft)")
    note = Document.objects.get(title="Concept note: rapid response mechanism (demo)")
    first = note.current_version()
    assert first is not None
    documents.save_version(
        document=note,
        by=support_user,
        text=first.text.replace("two independent sources", "one trusted source and a measurement"),
        note="Triggers eased after the Advisory Network's comment",
    )
    open_round = frozen_joint_statement("Joint statement open for signature (axe)", "One.\n\nTwo.\n\nThree.")
    decided = published("Joint statement decided (axe)", "One paragraph.", "A reservation.")
    Statement.objects.filter(pk=decided.pk).update(published_at=None, published_freeze=None, classification="members")
    decided.document.phase = Document.Phase.MEMBER_REVIEW
    decided.document.save(update_fields=["phase"])

    support = person("support")

    def statement_with_errors() -> None:
        support.goto("/statements/new/")
        support.get_by_label("Title", exact=True).fill("A country statement without its country")
        support.get_by_label("Country-specific statement", exact=True).check()
        support.get_by_label("Programme activities (codes)").fill("9Z.9")
        support.get_by_label("Text (Markdown)").fill("One paragraph.")
        support.get_by_role("button", name="Save the draft").click()
        expect(support.get_by_role("alert")).to_contain_text("No programme activity with the code 9Z.9")

    def document_with_errors() -> None:
        support.goto("/documents/new/")
        support.get_by_role("button", name="Create the document").click()
        expect(support.get_by_role("alert")).to_contain_text("There is a problem")

    found = axe_each(
        support,
        [
            ("statements index", go(support, "/statements/", "Statements")),
            ("new statement", go(support, "/statements/new/", "Draft a statement")),
            ("new statement with errors", statement_with_errors),
            ("decided statement with the publish form", go(support, f"/statements/{decided.slug}/", decided.title)),
            ("published statement, working page", go(support, f"/statements/{joint.slug}/", joint.title)),
            ("documents index", go(support, "/documents/", "Documents")),
            ("document with comments", go(support, f"/documents/{note.pk}/", note.title)),
            ("statement's document", go(support, f"/documents/{draft.document_id}/", draft.title)),
            ("redline", go(support, f"/documents/{note.pk}/redline/?from=1&to=2", "Redline of")),
            ("version", go(support, f"/documents/{note.pk}/versions/1/", note.title)),
            ("new document", go(support, "/documents/new/", "New document")),
            ("new document with errors", document_with_errors),
        ],
    )

    chair = person("chair")

    def freeze_refused() -> None:
        chair.goto(f"/statements/{draft.slug}/")
        soon = whole_minutes_ahead(5).astimezone(ZoneInfo(SANTIAGO))
        chair.get_by_label("Deadline: date (host time)").fill(soon.date().isoformat())
        chair.get_by_label("Deadline: time (host time)").fill(f"{soon:%H:%M}")
        chair.get_by_role("button", name="Freeze and ask the members").click()
        expect(chair.get_by_role("alert")).to_contain_text("at least 15 minutes")

    found |= axe_each(
        chair,
        [
            ("draft with the freeze form (Chair)", go(chair, f"/statements/{draft.slug}/", draft.title)),
            ("freeze refused (Chair)", freeze_refused),
            ("open round with forms (Chair)", go(chair, f"/statements/{open_round.slug}/", open_round.title)),
        ],
    )

    focal = person("focal")

    def signature_refused() -> None:
        focal.goto(f"/statements/{open_round.slug}/")
        stale = focal.context.new_page()
        stale.goto(f"/statements/{open_round.slug}/")
        stale.get_by_role("button", name="Sign", exact=True).click()
        message(stale).to_contain_text("Signature recorded.")
        stale.close()
        focal.get_by_role("button", name="Sign", exact=True).click()
        expect(focal.get_by_role("alert")).to_contain_text("has already signed this text")

    found |= axe_each(
        focal,
        [
            ("open round with forms (focal point)", go(focal, f"/statements/{open_round.slug}/", open_round.title)),
            ("signature refused (focal point)", signature_refused),
            ("open round, signed (focal point)", go(focal, f"/statements/{open_round.slug}/", open_round.title)),
        ],
    )

    anonymous = person(ANONYMOUS)
    found |= axe_each(
        anonymous,
        [
            ("public statement", go(anonymous, f"/statements/{joint.slug}/", joint.title)),
            ("public statement in French", go(anonymous, f"/statements/{joint.slug}/?lang=fr", "Déclaration")),
            ("verification", go(anonymous, f"/statements/{joint.slug}/verify/", "Verification")),
            ("public statements index", go(anonymous, "/statements/", "Statements")),
        ],
    )
    assert not found, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())

    for page, path in [
        (focal, f"/statements/{open_round.slug}/"),
        (chair, f"/statements/{draft.slug}/"),
        (anonymous, f"/statements/{joint.slug}/"),
        (anonymous, f"/statements/{joint.slug}/verify/"),
        (support, f"/documents/{note.pk}/redline/?from=1&to=2"),
    ]:
        fits_a_phone(page, path)
