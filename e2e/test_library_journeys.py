"""The agreed-language library in a browser (issue 6): a member official imports a resolution by pasting its text and
reads it paragraph by paragraph; searches for language it shares with an earlier resolution and sees the words
marked, with who sponsored each text; narrows the search by forum; follows a hit to its lineage, where the earlier
text comes first and the wording differs word by word; checks a draft with the drafting assistant; and is told at the
field when a search has no words. The Advisory Network never finds the words of a draft statement, which a member
official does. Last, the library's pages pass axe-core.

The texts are of our own writing. The live server runs in this process, so the in-memory index holds what the
fixtures import once their transaction has committed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from e2e.pages import axe_each, message

pytestmark = pytest.mark.browser

SignIn = Callable[[str], Page]
SHARED = (
    "encryption and anonymity tools enable individuals to exercise their rights to privacy and to freedom of opinion "
    "and expression in the digital age"
)
EARLIER_TITLE = "The right to privacy in the digital age (browser journey, earlier)"
EARLIER_SYMBOL = "A/HRC/RES/E2E/1"
EARLIER_TEXT = f"""The Human Rights Council (browser journey text, fictitious),

Noting with concern that the interception of communications is often carried out without a legal basis,

1. Recognizes that {SHARED};

2. Encourages States to publish how often they request the data of users from communication services."""
LATER_TITLE = "Privacy and security of digital communications (browser journey)"
LATER_SYMBOL = "A/C.3/E2E/L.7"
PREAMBLE = [
    "The General Assembly (browser journey text, fictitious),",
    "Recalling its earlier resolutions on the right to privacy in the digital age,",
    "Concerned that the unlawful interception of communications undermines trust in digital public services,",
]
OPERATIVE = [
    f"Recognizes that strong {SHARED};",
    "Calls upon all States to refrain from requiring backdoors in communication services;",
    "Decides to remain seized of the matter.",
]
LATER_TEXT = "\n\n".join(PREAMBLE + [f"{n}. {text}" for n, text in enumerate(OPERATIVE, start=1)])
SEARCH = "encryption anonymity tools"
DRAFT = [
    f"Recognizes that {SHARED};",
    "Urges all States to stop requiring backdoors in the encrypted communication services of their people;",
    "Invites the regional commissions to hold a seminar on coastal fisheries before the next harvest season.",
]
DRAFT_STATEMENT_WORDS = "throttling satellite uplinks"
DRAFT_STATEMENT_TEXT = (
    "The coalition is alarmed by the throttling of satellite uplinks across the Veloria archipelago (fictitious).\n\n"
    "We call on the authorities of Veloria to restore full connectivity without delay."
)


# --- Helpers ----------------------------------------------------------------------------------------------------


def government(code: str) -> Any:
    from coalition.directory.models import Organisation

    return Organisation.objects.get(country__code=code, kind=Organisation.Kind.GOVERNMENT)


def support_user() -> Any:
    from coalition.accounts.models import User
    from coalition.demo.loader import DEMO_DOMAIN

    return User.objects.get(email=f"support@{DEMO_DOMAIN}")


def import_as_support(**fields: Any) -> Any:
    """A text imported through the service, as the Support Unit; indexed once its transaction has committed."""
    from coalition.library import services
    from coalition.library.models import Source

    fields.setdefault("kind", Source.Kind.RESOLUTION)
    fields.setdefault("classification", "public")
    return services.import_text(by=support_user(), **fields)


@pytest.fixture
def earlier(demo: dict[str, Any]) -> Any:
    """The earlier resolution whose language the journey's text takes up, sponsored by Estonia and Ghana."""
    return import_as_support(
        text=EARLIER_TEXT,
        title=EARLIER_TITLE,
        forum="HRC",
        symbol=EARLIER_SYMBOL,
        date=dt.date(2019, 3, 22),
        endorsed_by=[government("EE"), government("GH")],
        detect=False,
    )


def open_library(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", name="Agreed-language library", level=1)).to_be_visible()


def search_for(page: Page, words: str) -> None:
    page.get_by_label("Words to look for").fill(words)
    page.get_by_role("button", name="Search", exact=True).click()


def hits(page: Page) -> Locator:
    return page.locator("ol.results > li")


def hit_from(page: Page, title: str) -> Locator:
    return hits(page).filter(has=page.locator(".provenance").get_by_role("link", name=title, exact=True))


def count_line(page: Page) -> Locator:
    return page.locator("#results + p[role='status']")


# --- The journey ------------------------------------------------------------------------------------------------


def import_the_resolution(official: Page) -> None:
    """Pasted text and its provenance; the source page numbers its paragraphs as the UN does."""
    open_library(official)
    official.get_by_role("link", name="Add a text").click()
    expect(official.get_by_role("heading", name="Add a text to the library", level=1)).to_be_visible()
    official.get_by_label("Or paste the text").fill(LATER_TEXT)
    official.get_by_label("Kind of text").select_option(label="Resolution")
    official.get_by_label("Title", exact=True).fill(LATER_TITLE)
    official.get_by_label("Forum").fill("UNGA")
    official.get_by_label("Document symbol").fill(LATER_SYMBOL)
    official.get_by_label("Date adopted or delivered").fill("2024-11-20")
    official.get_by_label("Signed, sponsored or delivered by").select_option(
        label=[str(government("GH").name), str(government("CL").name)]
    )
    official.get_by_role("radio", name=re.compile("^Public:")).check()
    official.get_by_role("button", name="Add to the library").click()

    message(official).to_contain_text("Imported 6 paragraphs; checking for reuse…")
    expect(official.get_by_role("heading", name=LATER_TITLE, level=1)).to_be_visible()
    facts = official.locator("dl.facts")
    expect(facts.locator("dt:text-is('Document symbol') + dd")).to_have_text(LATER_SYMBOL)
    expect(facts.locator("dt:text-is('Forum') + dd")).to_have_text("UNGA")
    expect(facts.locator("dt:text-is('Date') + dd")).to_have_text("20 November 2024")
    expect(facts.locator("dt:text-is('Sponsored by') + dd")).to_have_text(
        f"{government('CL').name}, {government('GH').name}"
    )
    paragraphs = official.locator("ol.paragraphs > li")
    expect(paragraphs.locator(".paragraph-text")).to_have_text(PREAMBLE + OPERATIVE)
    expect(paragraphs.nth(3).locator(".paragraph-meta")).to_contain_text("¶ 1")
    expect(paragraphs.nth(5).locator(".paragraph-meta")).to_contain_text("¶ 3")
    # The reuse scan ran once the import committed: the earlier resolution's paragraph is taken up here.
    reuse = official.get_by_role("region", name="Reuse found")
    expect(reuse.get_by_role("row").filter(has_text=EARLIER_TITLE)).to_contain_text("takes up")


def search_the_shared_language(official: Page) -> None:
    """Both resolutions, the searched words marked, with their symbol, forum and sponsors; a forum narrows it."""
    open_library(official)
    search_for(official, SEARCH)
    expect(count_line(official)).to_contain_text("2 results in")
    later, earlier = hit_from(official, LATER_TITLE), hit_from(official, EARLIER_TITLE)
    expect(later.locator("mark")).to_have_text(["encryption", "anonymity", "tools"])
    expect(earlier.locator("mark")).to_have_text(["encryption", "anonymity", "tools"])
    expect(later.locator(".provenance")).to_contain_text(f"({LATER_SYMBOL}) · Resolution · UNGA · 20 November 2024")
    expect(later.locator(".signers")).to_have_text(f"Sponsored by: {government('CL').name}, {government('GH').name}")
    expect(earlier.locator(".provenance")).to_contain_text(f"({EARLIER_SYMBOL}) · Resolution · HRC · 22 March 2019")
    expect(earlier.locator(".signers")).to_have_text(f"Sponsored by: {government('EE').name}, {government('GH').name}")

    official.get_by_label("Forum").select_option("UNGA")
    official.get_by_role("button", name="Search", exact=True).click()
    expect(count_line(official)).to_contain_text("1 result in")
    expect(hits(official)).to_have_count(1)
    expect(hit_from(official, LATER_TITLE)).to_have_count(1)
    assert "forum=UNGA" in official.url


def follow_the_lineage(official: Page) -> None:
    """From the UNGA hit to its lineage: the 2019 resolution first, this paragraph marked, "strong" added here."""
    hit_from(official, LATER_TITLE).get_by_role("link", name="Where ¶ 1 was used before and since").click()
    expect(official.get_by_role("heading", name="Lineage of ¶ 1", level=1)).to_be_visible()
    expect(official.locator("blockquote.quoted")).to_contain_text(OPERATIVE[0])
    expect(official.locator("#timeline + p")).to_contain_text("1 other text you can read uses this language.")
    occurrences = official.locator("ol.timeline > li.year ol.occurrences > li")
    expect(occurrences).to_have_count(2)
    expect(official.locator("ol.timeline > li.year > h3")).to_have_text(["2019", "2024"])
    first, last = occurrences.nth(0), occurrences.nth(1)
    expect(first).to_contain_text("Earlier")
    expect(first.locator(".provenance")).to_contain_text(EARLIER_TITLE)
    expect(first.locator(".provenance")).to_contain_text(EARLIER_SYMBOL)
    expect(first.locator("p.diff ins")).to_have_text(["strong"])
    expect(first.locator("p.diff del")).to_have_count(0)
    expect(first.locator(".diff-legend")).to_contain_text("only in this paragraph")
    expect(last).to_have_attribute("aria-current", "true")
    expect(last).to_contain_text("This paragraph")
    expect(last).to_contain_text("(the paragraph on this page)")
    expect(official.locator("ol.occurrences > li[aria-current='true']")).to_have_count(1)


def check_a_draft(official: Page) -> None:
    """One paragraph agreed (with who already sponsored it), one close, one new, and the summary."""
    open_library(official)
    official.get_by_role("link", name="Check a draft against agreed language").click()
    expect(official.get_by_role("heading", name="Check a draft against agreed language", level=1)).to_be_visible()
    official.get_by_label("Your draft").fill("\n\n".join(DRAFT))
    official.get_by_role("button", name="Check the draft").click()
    expect(official.get_by_role("status")).to_have_text("3 paragraphs: 1 agreed, 1 close, 1 new.")
    checked = official.locator("ol.assisted > li")
    expect(checked.locator(".status")).to_have_text(["Agreed language", "Close to agreed language", "New"])
    agreed, close, new = checked.nth(0), checked.nth(1), checked.nth(2)
    expect(agreed).to_contain_text("Closest agreed language: ¶ 1")
    expect(agreed.locator(".signers")).to_contain_text("Already sponsored by:")
    expect(close.locator(".provenance")).to_contain_text(LATER_TITLE)
    expect(close.locator("p.diff ins").first).to_be_visible()
    expect(new).to_contain_text("No agreed language close to this paragraph in the texts you can read.")
    expect(new.locator(".paragraph-text")).to_have_text(DRAFT[2])


def search_without_words(official: Page) -> None:
    open_library(official)
    search_for(official, "( ) * :")
    problem = "The search has no words to look for: type one or more words."
    expect(official.get_by_role("alert")).to_contain_text(f"Words to look for: {problem}")
    expect(official.locator("#id_q_error")).to_have_text(problem)
    expect(official.get_by_label("Words to look for")).to_have_attribute("aria-describedby", re.compile("id_q_error"))
    expect(hits(official)).to_have_count(0)


def test_an_official_imports_a_resolution_searches_it_follows_its_lineage_and_checks_a_draft(
    sign_in: SignIn, earlier: Any
) -> None:
    from coalition.library.models import ReuseRecord, Source

    official = sign_in("official")
    import_the_resolution(official)
    later = Source.objects.get(title=LATER_TITLE)
    assert later.imported_by is not None and later.imported_by.email.startswith("official@")
    assert ReuseRecord.objects.filter(origin__source=earlier, target__source=later).count() == 1

    search_the_shared_language(official)
    follow_the_lineage(official)
    check_a_draft(official)
    search_without_words(official)


# --- Who finds what ---------------------------------------------------------------------------------------------


def test_the_advisory_network_never_finds_a_draft_statement_that_a_member_official_finds(
    sign_in: SignIn, second_browser: SignIn
) -> None:
    from coalition.library.models import Source
    from coalition.statements import services as statements

    statement = statements.create_statement(
        by=support_user(), title="Statement on the Veloria uplinks (draft, browser journey)", text=DRAFT_STATEMENT_TEXT
    )
    copy = Source.objects.get(statement=statement)
    assert copy.classification == "members" and copy.paragraphs.count() == 2

    advisory = sign_in("advisory")
    open_library(advisory)
    search_for(advisory, DRAFT_STATEMENT_WORDS)
    expect(count_line(advisory)).to_contain_text("0 results in")
    expect(advisory.get_by_text("Nothing found. Try fewer or other words, or fewer filters.")).to_be_visible()
    expect(advisory.locator("main")).not_to_contain_text("Veloria archipelago (fictitious)")

    official = second_browser("official")
    open_library(official)
    search_for(official, DRAFT_STATEMENT_WORDS)
    expect(count_line(official)).to_contain_text("1 result in")
    hit = hit_from(official, statement.title)
    expect(hit.locator("mark")).to_have_text(["throttling", "satellite", "uplinks"])
    expect(hit.locator(".provenance")).to_contain_text("Coalition statement · FOC")


# --- Accessibility ----------------------------------------------------------------------------------------------


def go(page: Page, path: str, heading: str) -> Callable[[], None]:
    def visit() -> None:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)

    return visit


def test_the_library_pages_have_no_axe_violations(sign_in: SignIn, earlier: Any) -> None:
    later = import_as_support(
        text=LATER_TEXT,
        title=LATER_TITLE,
        forum="UNGA",
        symbol=LATER_SYMBOL,
        date=dt.date(2024, 11, 20),
        endorsed_by=[government("GH")],
    )
    paragraph = later.paragraphs.get(number="1")
    official = sign_in("official")

    def search_with_results() -> None:
        official.goto("/library/")
        search_for(official, SEARCH)
        expect(hits(official)).to_have_count(2)

    def search_with_an_error() -> None:
        official.goto("/library/")
        search_for(official, "( ) * :")
        expect(official.get_by_role("alert")).to_contain_text("There is a problem")

    def search_with_a_suggestion() -> None:
        official.goto("/library/")
        search_for(official, "encryptoin anonimity tools")
        expect(official.locator("p.suggestion")).to_have_text(f"Did you mean {SEARCH}?")
        expect(official.get_by_role("link", name=SEARCH)).to_be_visible()

    def import_with_an_error() -> None:
        official.goto("/library/sources/new/")
        official.get_by_label("Title", exact=True).fill("A text without its text")
        official.get_by_role("button", name="Add to the library").click()
        expect(official.get_by_role("alert")).to_contain_text("File: Upload a file or paste the text.")

    def assistant_with_results() -> None:
        official.goto("/library/assistant/")
        official.get_by_label("Your draft").fill("\n\n".join(DRAFT))
        official.get_by_role("button", name="Check the draft").click()
        expect(official.get_by_role("status")).to_contain_text("3 paragraphs")

    found = axe_each(
        official,
        [
            ("search with results", search_with_results),
            ("search with an error", search_with_an_error),
            ("search with a suggestion", search_with_a_suggestion),
            ("sources", go(official, "/library/sources/", "Texts in the library")),
            ("import", go(official, "/library/sources/new/", "Add a text to the library")),
            ("import with an error", import_with_an_error),
            ("source", go(official, f"/library/sources/{later.pk}/", LATER_TITLE)),
            ("lineage", go(official, f"/library/paragraphs/{paragraph.pk}/", "Lineage of ¶ 1")),
            ("assistant with results", assistant_with_results),
        ],
    )
    assert not found, "\n\n".join(f"{name}:\n{report}" for name, report in found.items())
