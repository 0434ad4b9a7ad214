"""What the public reads: drafts and embargoed statements never reach anyone outside the member governments through
the page, the downloads, the feed, the API or the verification; once the embargo lifts they all show the signed text
(never a later draft), with hostile Markdown inert in every format."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from coalition.core.policy import Role
from coalition.documents import services as documents
from coalition.statements import services
from coalition.statements.models import Freeze, Response, Statement
from coalition.statements.tests.test_services import (
    TEXT,
    draft,
    lift_embargo,
    member,
    open_round,
    past_deadline,
    published,
    sign,
    signed_freeze,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = (
    '<script>alert("owned")</script>\n\n'
    "<img src=x onerror=alert(1)> [click me](javascript:alert(2)) and <b>bold</b>\n\n"
    '<para>ReportLab markup</para> & <font color="red">red</font> <img src="/etc/passwd"/>'
)


@pytest.fixture
def support(make_user: Any) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def statements(support: Any) -> dict[str, Statement]:
    """One statement in each state: published, published under embargo, in sign-on, and a draft."""
    estonia = member("EE")
    in_sign_on = draft(support, title="Sign-on in progress")
    sign(open_round(in_sign_on, support), estonia)
    return {
        "published": published(support, [estonia], title="Published statement"),
        "embargoed": published(
            support, [estonia], title="Embargoed statement", embargo_until=timezone.now() + dt.timedelta(days=2)
        ),
        "sign_on": in_sign_on,
        "draft": draft(support, title="Draft statement"),
    }


def client_for(make_user: Any, role: Role | None) -> Client:
    client = Client()
    if role is not None:
        client.force_login(make_user(role))
    return client


def addresses(slug: str) -> dict[str, str]:
    return {
        "page": f"/statements/{slug}/",
        "text": f"/statements/{slug}/text.txt",
        "pdf": f"/statements/{slug}/statement.pdf",
        "json": f"/statements/{slug}/statement.json",
        "verify": f"/statements/{slug}/verify/",
        "api": f"/api/v1/statements/{slug}/",
        "api verification": f"/api/v1/statements/{slug}/verification/",
    }


def feed_entries(client: Client) -> dict[str, ET.Element]:
    response = client.get("/statements/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return {text_of(entry, "title"): entry for entry in root.findall(f"{ATOM}entry")}


def text_of(element: ET.Element, tag: str) -> str:
    return element.findtext(f"{ATOM}{tag}") or ""


def href_of(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, path
    return found.get("href", "")


def api_slugs(client: Client) -> set[str]:
    response = client.get("/api/v1/statements/")
    assert response.status_code == 200
    return {row["slug"] for row in response.json()["results"]}


OUTSIDERS = [None, Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST]


# --- Drafts and embargoed statements stay hidden -------------------------------------------------------------------


@pytest.mark.parametrize("role", OUTSIDERS, ids=["anonymous", "advisory network", "observer", "guest"])
@pytest.mark.parametrize("state", ["draft", "sign_on", "embargoed"])
def test_an_unpublished_or_embargoed_statement_is_not_found_by_outsiders_anywhere(statements, make_user, role, state):
    client = client_for(make_user, role)
    hidden = statements[state]

    for name, address in addresses(hidden.slug).items():
        assert client.get(address).status_code == 404, name
    assert hidden.title not in feed_entries(client)
    assert hidden.slug not in api_slugs(client)


@pytest.mark.parametrize("role", OUTSIDERS, ids=["anonymous", "advisory network", "observer", "guest"])
def test_outsiders_read_a_published_statement_in_every_format(statements, make_user, role):
    client = client_for(make_user, role)
    shown = statements["published"]

    for name, address in addresses(shown.slug).items():
        assert client.get(address).status_code == 200, name
    assert set(feed_entries(client)) == {shown.title}
    assert api_slugs(client) == {shown.slug}


@pytest.mark.parametrize("role", OUTSIDERS, ids=["anonymous", "advisory network", "observer", "guest"])
def test_after_the_embargo_every_format_shows_the_statement(statements, make_user, role):
    client = client_for(make_user, role)
    lifted = lift_embargo(statements["embargoed"])

    for name, address in addresses(lifted.slug).items():
        assert client.get(address).status_code == 200, name
    assert lifted.title in feed_entries(client)
    assert lifted.slug in api_slugs(client)


def test_members_read_an_embargoed_statement_before_its_time(statements, make_user):
    client = client_for(make_user, Role.MEMBER_OFFICIAL)
    embargoed = statements["embargoed"]

    for name in ("text", "pdf", "json", "verify", "api", "api verification"):
        assert client.get(addresses(embargoed.slug)[name]).status_code == 200, name
    assert embargoed.title in feed_entries(client)
    row = client.get(f"/api/v1/statements/{embargoed.slug}/").json()
    assert row["state"] == "embargoed"


def test_a_draft_has_no_public_text_even_for_members(statements, make_user):
    client = client_for(make_user, Role.MEMBER_OFFICIAL)
    for state in ("draft", "sign_on"):
        for name in ("text", "pdf", "json", "verify", "api verification"):
            assert client.get(addresses(statements[state].slug)[name]).status_code == 404, (state, name)


def test_the_api_lists_drafts_for_governments_with_their_state(statements, make_user):
    client = client_for(make_user, Role.MEMBER_OFFICIAL)
    rows = {row["slug"]: row for row in client.get("/api/v1/statements/").json()["results"]}

    assert set(rows) == {statement.slug for statement in statements.values()}
    assert rows[statements["draft"].slug]["state"] == "draft"
    assert rows[statements["draft"].slug]["content_hash"] is None
    assert rows[statements["draft"].slug]["signatories"] is None
    assert rows[statements["sign_on"].slug]["state"] == "sign_on"
    assert rows[statements["sign_on"].slug]["outcome"] == Freeze.Outcome.OPEN
    assert rows[statements["sign_on"].slug]["signatories"] is None  # not public until published
    assert rows[statements["published"].slug]["state"] == "published"


def test_the_api_gives_a_published_statements_hash_and_signatories(statements, client):
    shown = statements["published"]
    row = client.get(f"/api/v1/statements/{shown.slug}/").json()

    assert row["title"] == "Published statement"
    assert row["content_hash"] == signed_freeze(shown).content_hash
    assert row["outcome"] == Freeze.Outcome.CLOSED
    assert [s["member"] for s in row["signatories"]] == ["Government of EE"]
    assert row["signatories"][0]["late"] is False


def test_the_api_list_takes_the_same_number_of_queries_however_many_statements(statements, support, client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/statements/").status_code == 200
        return len(queries)

    before = count()
    for n in range(3):
        published(support, [member("GH"), member("CL")], title=f"More {n}")
    assert count() == before


# --- The published text is the signed text ------------------------------------------------------------------------


@pytest.fixture
def with_later_draft(support: Any) -> Statement:
    """A statement signed on TEXT, then changed in a draft nobody signed, then published."""
    statement = draft(support, title="Signed text")
    freeze = open_round(statement, support)
    sign(freeze, member("EE"))
    documents.save_version(document=statement.document, by=support, text="LATER DRAFT nobody signed.")
    past_deadline(freeze)
    return services.publish(statement=statement, by=support)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_every_format_serves_the_frozen_text_not_a_later_draft(with_later_draft, client):
    slug = with_later_draft.slug
    first_words = "The coalition condemns the shutdown of the internet."

    bodies = {
        "page": client.get(f"/statements/{slug}/").content.decode(),
        "text": client.get(f"/statements/{slug}/text.txt").content.decode(),
        "json": client.get(f"/statements/{slug}/statement.json").json()["text"],
        "pdf": pdf_text(client.get(f"/statements/{slug}/statement.pdf").content),
        "feed": text_of(feed_entries(client)["Signed text"], "summary"),
    }

    for name, body in bodies.items():
        assert first_words in body, name
        assert "LATER DRAFT" not in body, name
    assert client.get(f"/statements/{slug}/statement.json").json()["text"] == TEXT


# --- Hostile Markdown is inert ------------------------------------------------------------------------------------


@pytest.fixture
def hostile(support: Any) -> Statement:
    return published(support, [member("EE")], title='Hostile <script>alert("title")</script>', text=HOSTILE)


def test_hostile_markdown_renders_inert_on_the_page(hostile, client):
    page = client.get(f"/statements/{hostile.slug}/").content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    assert "<img" not in page  # neither the handler nor the file path became an image
    assert 'href="javascript:' not in page
    assert "<para>" not in page and '<font color="red">' not in page


def test_hostile_markdown_is_plain_text_in_the_text_and_json_downloads(hostile, client):
    text = client.get(f"/statements/{hostile.slug}/text.txt")
    data = client.get(f"/statements/{hostile.slug}/statement.json")

    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert HOSTILE in text.content.decode()
    assert data["Content-Type"] == "application/json"
    assert data.json()["text"] == HOSTILE
    assert data.json()["title"] == 'Hostile <script>alert("title")</script>'


def test_hostile_markdown_is_escaped_in_the_pdf(hostile, client):
    response = client.get(f"/statements/{hostile.slug}/statement.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    extracted = pdf_text(response.content)
    for literal in (
        "<script>",
        "onerror=alert(1)",
        "<para>ReportLab markup</para>",
        '<font color="red">',
        "/etc/passwd",
    ):
        assert literal in extracted, literal


def test_the_feed_summary_is_plain_text(hostile, client):
    entry = feed_entries(client)['Hostile <script>alert("title")</script>']
    summary = entry.find(f"{ATOM}summary")

    assert summary is not None and summary.get("type") == "text"
    assert "<script>" in text_of(entry, "summary")  # as characters, which a feed reader shows and never runs
    assert "Signatories: 1." in text_of(entry, "summary")


# --- The feed -----------------------------------------------------------------------------------------------------


def test_the_atom_feed_lists_published_statements_newest_first_with_permalinks(statements, support, client):
    later = published(support, [member("GH"), member("CL")], title="Later statement")

    response = client.get("/statements/feed.atom")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")

    assert [text_of(e, "title") for e in entries] == ["Later statement", "Published statement"]
    newest = entries[0]
    permalink = f"http://testserver/statements/{later.slug}/"
    assert href_of(newest, f"{ATOM}link") == permalink
    assert text_of(newest, "id") == permalink
    assert later.published_at is not None
    published_at = dt.datetime.fromisoformat(text_of(newest, "published"))
    assert abs(published_at - later.published_at) < dt.timedelta(seconds=1)
    assert "Signatories: 2." in text_of(newest, "summary")
    assert href_of(root, f"{ATOM}link[@rel='self']") == "http://testserver/statements/feed.atom"


# --- Downloads ----------------------------------------------------------------------------------------------------


def test_the_text_download_names_signatories_reservations_and_late_joiners(support, client):
    statement = published(support, [member("EE")], title="With reservations")
    Response.objects.filter(freeze=signed_freeze(statement)).update(reservation="Paragraph 2 aside.")
    sign(signed_freeze(statement), member("GH"), reservation="We join gladly.")

    body = client.get(f"/statements/{statement.slug}/text.txt").content.decode()

    assert body.startswith("With reservations\n")
    assert "Joint statement" in body
    assert signed_freeze(statement).content_hash in body
    assert "Signatories (2)" in body
    assert "- Government of EE\n  Reservation: Paragraph 2 aside." in body
    assert "- Government of GH (joined after publication on " in body
    assert "Reservation: We join gladly." in body


def test_a_translation_is_served_on_request_and_the_original_otherwise(statements, support, client):
    shown = statements["published"]
    services.add_translation(statement=shown, by=support, language="fr", title="Déclaration", text="Le texte.")

    french = client.get(f"/statements/{shown.slug}/text.txt?lang=fr")
    spanish = client.get(f"/statements/{shown.slug}/text.txt?lang=es")

    assert french["Content-Language"] == "fr"
    assert french.content.decode().startswith("Déclaration\n") and "Le texte." in french.content.decode()
    assert spanish["Content-Language"] == "en" and TEXT in spanish.content.decode()
    data = client.get(f"/statements/{shown.slug}/statement.json").json()
    assert [(v["language"], v["original"]) for v in data["language_versions"]] == [("en", True), ("fr", False)]
    assert "Le texte." in pdf_text(client.get(f"/statements/{shown.slug}/statement.pdf?lang=fr").content)


def test_the_json_download_describes_the_published_statement(statements, client):
    shown = statements["published"]
    data = client.get(f"/statements/{shown.slug}/statement.json").json()

    assert data["slug"] == shown.slug and data["kind"] == "joint" and data["country"] is None
    assert data["content_hash"] == signed_freeze(shown).content_hash
    assert dt.datetime.fromisoformat(data["published_at"]) == shown.published_at
    assert data["signatories"] == [
        {
            "member": "Government of EE",
            "signed_at": data["signatories"][0]["signed_at"],
            "reservation": "",
            "late": False,
        }
    ]
    assert data["verification_url"] == f"http://testserver/statements/{shown.slug}/verify/"
    assert data["verification_api_url"] == f"http://testserver/api/v1/statements/{shown.slug}/verification/"


def test_downloads_are_not_kept_by_shared_caches(statements, client):
    response = client.get(f"/statements/{statements['published'].slug}/text.txt")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


# --- Verification -------------------------------------------------------------------------------------------------


@pytest.fixture
def broken_silence(support: Any) -> Statement:
    """Estonia objected; Ghana signed; published as Ghana's statement."""
    estonia, ghana = member("EE"), member("GH")
    statement = draft(support, title="After a broken silence")
    freeze = open_round(statement, support, mode=Freeze.Mode.SILENCE)
    services.respond(freeze=freeze, by=estonia[1], organisation=estonia[0], kind="objected", reason="Secret reason")
    sign(freeze, ghana)
    past_deadline(freeze)
    return services.publish(statement=statement, by=support)


def test_anyone_can_verify_a_published_statement(broken_silence, client):
    signature = Response.objects.get(freeze=signed_freeze(broken_silence), kind="signed")

    page = client.get(f"/statements/{broken_silence.slug}/verify/").content.decode()

    assert "Verified" in page
    assert signed_freeze(broken_silence).content_hash in page
    assert f"#{signature.ledger_seq}" in page
    assert "Government of GH" in page
    assert "What was checked" in page


def test_the_verification_names_signatories_but_not_who_objected(broken_silence, client):
    page = client.get(f"/statements/{broken_silence.slug}/verify/").content.decode()
    api = client.get(f"/api/v1/statements/{broken_silence.slug}/verification/").json()

    assert "Government of EE" not in page and "Secret reason" not in page
    assert [s["member"] for s in api["signatories"]] == ["Government of GH"]
    assert api["other_responses_checked"] == 1
    assert "Secret reason" not in str(api)


def test_the_verification_api_reports_the_ledger_check(broken_silence, client):
    signature = Response.objects.get(freeze=signed_freeze(broken_silence), kind="signed")

    data = client.get(f"/api/v1/statements/{broken_silence.slug}/verification/").json()

    assert data["verified"] is True and data["chain_intact"] is True and data["problems"] == []
    assert data["content_hash"] == signed_freeze(broken_silence).content_hash
    assert data["signatories"][0]["ledger_event"] == signature.ledger_seq
    assert data["signatories"][0]["record_matches_ledger"] is True


def test_a_tampered_record_shows_on_the_verification_page_and_api(broken_silence, client):
    Response.objects.filter(freeze=signed_freeze(broken_silence), kind="objected").update(kind="signed", reason="")

    page = client.get(f"/statements/{broken_silence.slug}/verify/").content.decode()
    data = client.get(f"/api/v1/statements/{broken_silence.slug}/verification/").json()

    assert "Not verified" in page and "differs from ledger event" in page
    assert data["verified"] is False
    assert any(not s["record_matches_ledger"] for s in data["signatories"])


def test_a_text_adopted_under_silence_says_so_in_its_downloads(support, client):
    statement = draft(support, title="Adopted in silence")
    past_deadline(open_round(statement, support, mode=Freeze.Mode.SILENCE))
    statement = services.publish(statement=statement, by=support)

    body = client.get(f"/statements/{statement.slug}/text.txt").content.decode()
    extracted = pdf_text(client.get(f"/statements/{statement.slug}/statement.pdf").content)

    assert "Signatories (0)\nAdopted under silence procedure" in body
    assert "Adopted under silence procedure" in extracted
    assert client.get(f"/statements/{statement.slug}/statement.json").json()["procedure"] == "silence"
