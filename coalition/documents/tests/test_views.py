"""The documents pages (issue 5): who sees which page, hidden documents answering 404, drafts kept from the public on
every page and in the export, the Advisory Network reading a consultation and its coalition comments but never the
members-only ones, redlines with their parameters checked, writes that fail naming the field and saving nothing,
the export of open clauses (Markdown, and CSV safe from spreadsheet formulas), and bounded query counts."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from coalition.core.models import AuditEvent
from coalition.core.policy import Classification, Role
from coalition.documents import services
from coalition.documents.models import ClauseStatus, Comment, Document, Version
from coalition.meetings.tests.factories import activity, government
from coalition.statements import services as statements

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., Any]
TEXT = "First clause.\n\nSecond clause.\n\nThird clause."
GOVERNMENT_ROLES = [Role.SUPPORT_UNIT, Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL]
OUTSIDERS = [Role.OBSERVER, Role.ADVISORY_NETWORK, Role.GUEST]
MAX_QUERIES_PER_PAGE = 20


# --- Helpers ----------------------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def url(name: str, document: Document, *args: Any) -> str:
    return reverse(f"documents:{name}", args=[document.pk, *args])


def written() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Document, Version, Comment, ClauseStatus, AuditEvent))


@pytest.fixture
def support(make_user: MakeUser) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def official(make_user: MakeUser) -> Any:
    return make_user(Role.MEMBER_OFFICIAL)


@pytest.fixture
def advisory(make_user: MakeUser) -> Any:
    return make_user(Role.ADVISORY_NETWORK)


@pytest.fixture
def draft(support: Any) -> Document:
    """A members-only concept note in drafting, with a base text."""
    return services.create_document(
        by=support, title="Concept note: rapid response", text=TEXT, base_text="First clause.\n\nAn old clause."
    )


@pytest.fixture
def consultation(support: Any, official: Any, advisory: Any) -> Document:
    """A document in consultation with the Advisory Network, with a members-only comment and a coalition one."""
    document = services.create_document(by=support, title="Principles on shutdowns", text=TEXT)
    document = services.set_phase(document=document, by=support, phase=Document.Phase.CONSULTATION)
    services.add_comment(
        document=document, by=official, paragraph=2, text="Members only: budget worries", visibility="members"
    )
    services.add_comment(
        document=document, by=advisory, paragraph=2, text="Network view: cite the HRC", visibility="advisory_network"
    )
    services.add_comment(
        document=document,
        by=official,
        paragraph=2,
        text="Support Unit only: a sensitive aside",
        visibility="support_unit",
    )
    return document


def comment_data(**fields: Any) -> dict[str, Any]:
    return {"version": "1", "paragraph": "2", "text": "Please tighten this.", "visibility": "members", **fields}


# --- The list ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", GOVERNMENT_ROLES)
def test_governments_see_members_documents_in_the_list(make_user, draft, role):
    response = client_for(make_user(role)).get(reverse("documents:index"))
    assert response.status_code == 200
    assert draft.title in response.content.decode()
    assert "Members" in response.content.decode()


@pytest.mark.parametrize("role", [*OUTSIDERS, Role.ANONYMOUS])
def test_a_members_draft_is_not_listed_for_others(make_user, draft, role):
    user = None if role == Role.ANONYMOUS else make_user(role)
    response = client_for(user).get(reverse("documents:index"))
    assert response.status_code == 200
    assert draft.title not in response.content.decode()


def test_the_list_shows_kind_phase_and_last_version(support, draft):
    services.save_version(document=draft, by=support, text=TEXT + "\n\nMore.")
    page = client_for(support).get(reverse("documents:index")).content.decode()
    assert "Other" in page and "Drafting" in page and "Version 2" in page


def test_the_main_navigation_links_documents_and_statements(client):
    page = client.get("/").content.decode()
    assert f'href="{reverse("documents:index")}"' in page
    assert f'href="{reverse("statements:index")}"' in page


# --- A document: who sees it ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", GOVERNMENT_ROLES)
def test_governments_read_a_members_document(make_user, draft, role):
    response = client_for(make_user(role)).get(url("document", draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="p1"' in page and 'id="p3"' in page and "Second clause." in page


@pytest.mark.parametrize("role", OUTSIDERS)
@pytest.mark.parametrize("page", ["document", "redline", "open_clauses"])
def test_a_hidden_document_answers_404(make_user, draft, role, page):
    assert client_for(make_user(role)).get(url(page, draft)).status_code == 404


@pytest.mark.parametrize("role", OUTSIDERS)
def test_a_hidden_version_answers_404(make_user, draft, role):
    assert client_for(make_user(role)).get(url("version", draft, 1)).status_code == 404


@pytest.mark.parametrize("phase", ["drafting", "consultation", "member_review", "final"])
@pytest.mark.parametrize(
    "page", ["document", "redline", "open_clauses", "open_clauses_csv", "version", "comment", "edit"]
)
def test_anonymous_visitors_never_see_a_draft(client, support, draft, phase, page):
    if phase != "drafting":
        services.set_phase(document=draft, by=support, phase=phase)
    if page == "comment":
        response = client.post(url("comment", draft), comment_data())
    elif page == "open_clauses_csv":
        response = client.get(url("open_clauses", draft), {"format": "csv"})
    else:
        response = client.get(url(page, draft, 1) if page == "version" else url(page, draft))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("account_login"))
    assert b"First clause" not in response.content
    assert draft.title not in client.get(reverse("documents:index")).content.decode()


def test_a_published_final_document_is_read_by_anyone(client, support, draft):
    services.set_phase(document=draft, by=support, phase=Document.Phase.FINAL, publish=True)
    response = client.get(url("document", draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert "First clause." in page and 'id="comment-form"' not in page and "Change the phase" not in page
    assert draft.title in client.get(reverse("documents:index")).content.decode()


def test_a_missing_document_answers_404(support):
    assert client_for(support).get(reverse("documents:document", args=[999999])).status_code == 404


# --- The Advisory Network in consultation ----------------------------------------------------------------------


def test_the_advisory_network_reads_a_consultation_and_its_coalition_comments_only(advisory, consultation):
    response = client_for(advisory).get(url("document", consultation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Network view: cite the HRC" in page
    assert "Members only" not in page and "budget worries" not in page
    assert "sensitive aside" not in page


@pytest.mark.parametrize("export_format", ["md", "csv"])
def test_the_advisory_network_never_finds_members_only_comments_in_the_export(advisory, consultation, export_format):
    response = client_for(advisory).get(url("open_clauses", consultation), {"format": export_format})
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "Network view: cite the HRC" in body
    assert "budget worries" not in body and "sensitive aside" not in body


def test_the_support_unit_reads_every_comment_with_its_visibility(support, consultation):
    page = client_for(support).get(url("document", consultation)).content.decode()
    for text in ("budget worries", "cite the HRC", "sensitive aside"):
        assert text in page
    for label in ("Support Unit only", "Members and the Advisory Network"):
        assert label in page


def test_the_advisory_network_is_offered_only_the_coalition_visibility(advisory, consultation):
    page = client_for(advisory).get(url("document", consultation)).content.decode()
    assert 'value="advisory_network"' in page
    assert 'value="members"' not in page and 'value="support_unit"' not in page


def test_a_member_government_is_offered_every_visibility_on_a_consultation(official, consultation):
    page = client_for(official).get(url("document", consultation)).content.decode()
    for value in ("support_unit", "members", "advisory_network"):
        assert f'name="visibility" value="{value}"' in page


def test_a_member_government_is_not_offered_the_advisory_network_on_a_members_document(official, draft):
    page = client_for(official).get(url("document", draft)).content.decode()
    assert 'value="members"' in page and 'value="advisory_network"' not in page


# --- The page for managers and readers --------------------------------------------------------------------------


def test_managers_get_the_phase_and_clause_controls(support, draft):
    page = client_for(support).get(url("document", draft)).content.decode()
    assert "Change the phase" in page
    assert 'id="clause-2-status"' in page and 'for="clause-2-status"' in page
    assert url("edit", draft) in page


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.MEMBER_OFFICIAL])
def test_readers_get_no_manager_controls(make_user, draft, role):
    page = client_for(make_user(role)).get(url("document", draft)).content.decode()
    assert "Change the phase" not in page and "clause-2-status" not in page and url("edit", draft) not in page
    assert 'id="comment-form"' in page


def test_the_page_shows_versions_redline_links_and_the_export(support, draft):
    services.save_version(document=draft, by=support, text=TEXT + "\n\nFourth clause.", note="Adds a fourth clause")
    page = client_for(support).get(url("document", draft)).content.decode()
    assert "Adds a fourth clause" in page and "Version 2" in page
    assert f"{url('redline', draft)}?from=1&amp;to=2" in page
    assert f"{url('redline', draft)}?from=base&amp;to=2" in page
    assert f"{url('open_clauses', draft)}?format=csv" in page
    assert 'name="from"' in page and 'name="to"' in page


def test_the_page_shows_the_programme_activities_served(support):
    served = activity("1B.2")
    document = services.create_document(by=support, title="Toolkit", text=TEXT, activities=[served])
    assert "1B.2" in client_for(support).get(url("document", document)).content.decode()


def test_a_link_to_comment_on_a_paragraph_fills_in_its_number(official, draft):
    page = client_for(official).get(url("document", draft), {"paragraph": "3"}).content.decode()
    assert 'name="paragraph" value="3"' in page


def test_hostile_markdown_renders_inert_on_the_page(support):
    hostile = (
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n\n"
        "![](https://evil.example/x.png)\n\n![logo](/static/core/favicon.svg)\n\n<style>*{}</style>"
    )
    document = services.create_document(by=support, title="Hostile", text=hostile)
    page = client_for(support).get(url("document", document)).content.decode()
    text = page.split('id="text"', 1)[1]
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "onerror=alert" not in text.replace("&lt;img src=x onerror=alert(2)&gt;", "")
    assert 'href="javascript' not in text and "evil.example" not in text and "<style>" not in text
    assert '<img src="/static/core/favicon.svg" alt="logo">' in text


def test_an_older_version_is_rendered_with_its_own_comments(support, official, draft):
    services.add_comment(document=draft, by=official, paragraph=2, text="On the old second", visibility="members")
    services.save_version(document=draft, by=support, text="Rewritten entirely.")
    response = client_for(official).get(url("version", draft, 1))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Second clause." in page and "On the old second" in page and "version 2" in page
    assert 'id="comment-form"' not in page
    assert client_for(official).get(url("version", draft, 3)).status_code == 404


# --- Redlines ---------------------------------------------------------------------------------------------------


def test_a_redline_between_two_versions_marks_the_changes(support, official, draft):
    services.save_version(document=draft, by=support, text=TEXT.replace("Second clause.", "Second <b>bold</b> clause."))
    response = client_for(official).get(url("redline", draft), {"from": "1", "to": "2"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Second <ins>&lt;b&gt;bold&lt;/b&gt; </ins>clause." in page
    assert "<b>bold</b>" not in page and "1 word inserted, 0 words deleted" in page


def test_a_redline_against_the_base_text(official, draft):
    response = client_for(official).get(url("redline", draft), {"from": "base", "to": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<del>An old</del><ins>Second</ins> clause." in page
    assert "From Base text to Version 1" in page


def test_a_redline_without_parameters_compares_the_base_with_the_first_version(official, draft):
    response = client_for(official).get(url("redline", draft))
    assert response.status_code == 200 and "<del>" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"from": "7", "to": "1"}, "From"),
        ({"from": "1", "to": "two"}, "To"),
        ({"from": "1"}, "To"),
        ({"from": "base", "to": "base"}, "To"),
        ({"from": "1", "to": "-1"}, "To"),
    ],
)
def test_bad_redline_parameters_answer_400_naming_the_parameter(official, draft, params, named):
    response = client_for(official).get(url("redline", draft), params)
    assert response.status_code == 400
    assert f"{named}: " in response.content.decode()


def test_a_redline_from_a_base_text_that_does_not_exist_answers_400(support, official):
    document = services.create_document(by=support, title="No base", text=TEXT)
    response = client_for(official).get(url("redline", document), {"from": "base", "to": "1"})
    assert response.status_code == 400 and "From: " in response.content.decode()


# --- Writes: new, edit, phase, clause ---------------------------------------------------------------------------


def test_the_support_unit_creates_a_document(support):
    activity("3B.4")
    client = client_for(support)
    assert client.get(reverse("documents:new")).status_code == 200
    response = client.post(
        reverse("documents:new"),
        {
            "title": "Terms of Reference",
            "kind": "terms_of_reference",
            "classification": "coalition",
            "activity_codes": "3B.4",
            "base_text": "",
            "text": TEXT,
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == url("document", document)
    assert (document.kind, document.classification, [a.code for a in document.activities.all()]) == (
        "terms_of_reference",
        "coalition",
        ["3B.4"],
    )


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"classification": "public"}, "Who may read it while drafted"),
        ({"activity_codes": "9Z.9"}, "Programme activities (codes)"),
        ({"text": "  "}, "Text (Markdown)"),
        ({"title": ""}, "Title"),
        ({"text": "a\x00b"}, "Text (Markdown)"),
    ],
)
def test_a_new_document_with_bad_input_names_the_field_and_saves_nothing(support, fields, named):
    client = client_for(support)
    before = written()
    data = {"title": "T", "kind": "other", "classification": "members", "text": TEXT, **fields}
    response = client.post(reverse("documents:new"), data)
    assert response.status_code == 400
    assert named in response.content.decode() and "error-summary" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("role", [Role.MEMBER_OFFICIAL, Role.FOCAL_POINT, Role.ADVISORY_NETWORK])
def test_only_managers_reach_the_new_document_page(make_user, role):
    assert client_for(make_user(role)).get(reverse("documents:new")).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_for_a_new_document(client):
    response = client.get(reverse("documents:new"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_editing_saves_a_new_version_and_an_unchanged_text_saves_none(support, draft):
    client = client_for(support)
    assert "Second clause." in client.get(url("edit", draft)).content.decode()
    assert client.post(url("edit", draft), {"text": TEXT, "note": ""}).status_code == 302
    assert draft.versions.count() == 1
    assert client.post(url("edit", draft), {"text": "A new text.", "note": "Shorter"}).status_code == 302
    assert draft.current_version().note == "Shorter"


def test_an_empty_text_is_refused_naming_the_field(support, draft):
    client = client_for(support)
    before = written()
    response = client.post(url("edit", draft), {"text": "", "note": ""})
    assert response.status_code == 400 and "Text (Markdown)" in response.content.decode()
    assert written() == before


def test_a_member_official_cannot_edit(official, draft):
    assert client_for(official).post(url("edit", draft), {"text": "Mine now."}).status_code == 403
    assert draft.versions.count() == 1


def test_the_phase_moves_to_consultation_from_the_page(support, advisory, draft):
    response = client_for(support).post(url("phase", draft), {"phase": "consultation"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.phase, draft.classification) == ("consultation", "coalition")
    assert client_for(advisory).get(url("document", draft)).status_code == 200


def test_publishing_before_the_final_phase_is_refused_naming_the_field(support, draft):
    client = client_for(support)
    before = written()
    response = client.post(url("phase", draft), {"phase": "member_review", "publish": "on"})
    assert response.status_code == 400 and "Publish" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("role", [Role.MEMBER_OFFICIAL, Role.FOCAL_POINT])
def test_readers_cannot_change_the_phase_or_a_clause(make_user, draft, role):
    client = client_for(make_user(role))
    before = written()
    assert client.post(url("phase", draft), {"phase": "final"}).status_code == 403
    assert client.post(url("clause", draft), {"version": 1, "paragraph": 1, "status": "agreed"}).status_code == 403
    assert written() == before


def test_writes_are_post_only(support, draft):
    client = client_for(support)
    for name in ("phase", "clause", "comment"):
        assert client.get(url(name, draft)).status_code == 405


def test_a_manager_sets_a_clause_status_and_the_export_follows(support, draft):
    client = client_for(support)
    response = client.post(url("clause", draft), {"version": "1", "paragraph": "1", "status": "agreed"})
    assert response.status_code == 302 and response["Location"].endswith("#p1")
    client.post(url("clause", draft), {"version": "1", "paragraph": "3", "status": "bracketed"})
    body = client.get(url("open_clauses", draft)).content.decode()
    assert "First clause." not in body
    assert "## Paragraph 2 — Open" in body and "## Paragraph 3 — Bracketed" in body


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"version": "1", "paragraph": "9", "status": "agreed"}, "from 1 to 3"),
        ({"version": "5", "paragraph": "1", "status": "agreed"}, "No such version"),
        ({"version": "1", "paragraph": "1", "status": "maybe"}, "Status"),
    ],
)
def test_a_refused_clause_status_is_explained_and_saves_nothing(support, draft, data, message):
    client = client_for(support)
    before = written()
    response = client.post(url("clause", draft), data)
    assert response.status_code == 400 and message in response.content.decode()
    assert written() == before


# --- Comments ---------------------------------------------------------------------------------------------------


def test_a_member_official_comments_on_a_paragraph(official, draft):
    response = client_for(official).post(url("comment", draft), comment_data())
    assert response.status_code == 302 and response["Location"] == f"{url('document', draft)}#p2"
    comment = Comment.objects.get()
    assert (comment.paragraph, comment.classification, comment.author) == (2, "members", official)


def test_after_a_comment_the_form_goes_back_to_the_page_it_was_on_but_never_elsewhere(official, draft):
    client = client_for(official)
    response = client.post(url("comment", draft), comment_data(next="/statements/some-statement/"))
    assert response["Location"] == "/statements/some-statement/#p2"
    response = client.post(url("comment", draft), comment_data(next="https://evil.example/"))
    assert response["Location"] == f"{url('document', draft)}#p2"
    response = client.post(url("comment", draft), comment_data(next="//evil.example/"))
    assert response["Location"] == f"{url('document', draft)}#p2"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"paragraph": "4"}, "Paragraph number"),
        ({"paragraph": "0"}, "Paragraph number"),
        ({"paragraph": "two"}, "Paragraph number"),
        ({"text": "   "}, "Comment"),
        ({"visibility": "advisory_network"}, "Who may read it"),
        ({"visibility": "everyone"}, "Who may read it"),
        ({"version": "9"}, "Version"),
    ],
)
def test_comment_form_errors_name_the_field_and_save_nothing(official, draft, fields, named):
    client = client_for(official)
    before = written()
    response = client.post(url("comment", draft), comment_data(**fields))
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page and f"{named}: " in page
    assert written() == before


def test_the_advisory_network_cannot_post_a_members_only_comment(advisory, consultation):
    client = client_for(advisory)
    before = written()
    response = client.post(url("comment", consultation), comment_data(visibility="members"))
    assert response.status_code == 400 and "Who may read it: " in response.content.decode()
    assert written() == before


def test_the_advisory_network_cannot_comment_on_a_document_it_cannot_see(advisory, draft):
    client = client_for(advisory)
    before = written()
    response = client.post(url("comment", draft), comment_data(visibility="advisory_network"))
    assert response.status_code == 404
    assert written() == before


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.GUEST])
def test_observers_and_guests_cannot_comment(make_user, consultation, role):
    client = client_for(make_user(role))
    before = written()
    response = client.post(url("comment", consultation), comment_data(visibility="advisory_network"))
    assert response.status_code == 403
    assert written() == before


def test_a_focal_point_comments_on_behalf_of_their_member(make_user, draft):
    focal = make_user(Role.FOCAL_POINT)
    member = focal.person.positions.get().organisation
    client = client_for(focal)
    page = client.get(url("document", draft)).content.decode()
    assert "On behalf of" in page and member.name in page
    response = client.post(url("comment", draft), comment_data(on_behalf_of=str(member.pk)))
    assert response.status_code == 302
    assert Comment.objects.get().on_behalf_of == member
    assert f"on behalf of {member.name}" in client.get(url("document", draft)).content.decode()


def test_a_comment_on_behalf_of_another_organisation_is_refused(make_user, draft):
    other = government("KE")
    client = client_for(make_user(Role.FOCAL_POINT))
    before = written()
    response = client.post(url("comment", draft), comment_data(on_behalf_of=str(other.pk)))
    assert response.status_code == 400 and "On behalf of: " in response.content.decode()
    assert written() == before


def test_a_final_document_takes_no_more_comments(support, official, draft):
    services.set_phase(document=draft, by=support, phase=Document.Phase.FINAL)
    client = client_for(official)
    assert 'id="comment-form"' not in client.get(url("document", draft)).content.decode()
    before = written()
    assert client.post(url("comment", draft), comment_data()).status_code == 400
    assert written() == before


# --- The export of open clauses ---------------------------------------------------------------------------------


def test_the_markdown_export_is_a_download_with_a_heading_and_each_open_clause(official, draft):
    response = client_for(official).get(url("open_clauses", draft))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="concept-note-rapid-response-v1-')
    body = response.content.decode()
    assert body.startswith("# Open clauses: Concept note: rapid response\n")
    assert "## Paragraph 1 — Open\n\n> First clause." in body and "## Paragraph 3 — Open" in body


def test_a_heading_in_a_clause_stays_inside_its_clause_in_the_markdown_export(support, official):
    document = services.create_document(by=support, title="Headed", text="## Paragraph 9 — Agreed\nSpoofed.")
    body = client_for(official).get(url("open_clauses", document)).content.decode()
    assert "\n> ## Paragraph 9 — Agreed\n> Spoofed.\n" in body
    assert "\n## Paragraph 9" not in body


def test_the_csv_export_neutralises_spreadsheet_formulas(support, official):
    text = '=HYPERLINK("https://evil.example")\n\n+1+1\n\n-2\n\n@SUM(A1)\n\nPlain clause.'
    document = services.create_document(by=support, title="Formulas", text=text)
    services.add_comment(document=document, by=official, paragraph=5, text="=cmd|' /C calc'!A0", visibility="members")
    response = client_for(official).get(url("open_clauses", document), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Paragraph", "Status", "Text", "Comments"]
    texts = [row[2] for row in rows[1:]]
    assert texts == ['\'=HYPERLINK("https://evil.example")', "'+1+1", "'-2", "'@SUM(A1)", "Plain clause."]
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert "=cmd" in rows[5][3]  # the comment is there, its cell starting with its author's name


def test_an_unknown_export_format_answers_400_naming_the_parameter(official, draft):
    response = client_for(official).get(url("open_clauses", draft), {"format": "xlsx"})
    assert response.status_code == 400 and response.content.decode().startswith("format:")


# --- Query counts -----------------------------------------------------------------------------------------------


def test_the_document_page_query_count_is_bounded(django_assert_max_num_queries, make_user, support, consultation):
    official, advisory = make_user(Role.MEMBER_OFFICIAL), make_user(Role.ADVISORY_NETWORK)
    for n in range(2, 6):
        services.save_version(document=consultation, by=support, text=TEXT + "\n\nMore." * n)
    for n in range(12):
        services.add_comment(
            document=consultation,
            by=official if n % 2 else advisory,
            paragraph=1 + n % 3,
            text=f"Comment {n}",
            visibility="members" if n % 2 else "advisory_network",
        )
    for user in (support, official, advisory):
        client = client_for(user)
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
            assert client.get(url("document", consultation)).status_code == 200
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
            assert client.get(url("open_clauses", consultation)).status_code == 200
        with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
            assert client.get(url("redline", consultation), {"from": "1", "to": "3"}).status_code == 200


def test_the_list_query_count_is_bounded(django_assert_max_num_queries, support):
    for n in range(8):
        document = services.create_document(by=support, title=f"Document {n}", text=TEXT)
        services.save_version(document=document, by=support, text=f"{TEXT}\n\nv2 of {n}")
    client = client_for(support)
    with django_assert_max_num_queries(MAX_QUERIES_PER_PAGE):
        page = client.get(reverse("documents:index")).content.decode()
    assert page.count("Version 2") == 8


# --- Coming back to the page a form was on ----------------------------------------------------------------------


def test_a_refused_comment_keeps_the_page_to_come_back_to(official, draft):
    response = client_for(official).post(url("comment", draft), comment_data(paragraph="9", next="/statements/x/"))
    assert response.status_code == 400
    assert 'name="next" value="/statements/x/"' in response.content.decode()


def test_a_support_unit_only_comment_is_acknowledged_though_its_author_cannot_read_it(official, draft):
    client = client_for(official)
    response = client.post(url("comment", draft), comment_data(visibility="support_unit"), follow=True)
    page = response.content.decode()
    assert "only they read it" in page and "Please tighten this." not in page
    assert Comment.objects.get().classification == Classification.RESTRICTED


def test_an_observer_reads_a_consultation_without_a_comment_form(make_user, consultation):
    page = client_for(make_user(Role.OBSERVER)).get(url("document", consultation)).content.decode()
    assert "cite the HRC" in page and "budget worries" not in page
    assert 'id="comment-form"' not in page


@pytest.mark.parametrize("role", [Role.ANONYMOUS, Role.GUEST, Role.OBSERVER, Role.ADVISORY_NETWORK])
def test_a_published_documents_drafts_stay_with_the_governments(client, make_user, support, draft, role):
    """Once public, a document shows its final text to anyone; its earlier versions and redlines do not follow."""
    services.save_version(document=draft, by=support, text="The agreed final text.")
    services.set_phase(document=draft, by=support, phase=Document.Phase.FINAL, publish=True)
    reader = client if role == Role.ANONYMOUS else client_for(make_user(role))
    assert reader.get(url("version", draft, 1)).status_code == 404
    assert reader.get(url("redline", draft)).status_code == 404
    page = reader.get(url("document", draft)).content.decode()
    assert "The agreed final text." in page and "First clause." not in page
    governments = client_for(make_user(Role.MEMBER_OFFICIAL))
    assert governments.get(url("version", draft, 1)).status_code == 200


def test_a_statements_document_is_never_published_from_the_documents_page(support):
    statement = statements.create_statement(by=support, title="Not from here", text="Draft words.")
    manager = client_for(support)  # signing in is itself recorded: count after it
    before = written()
    response = manager.post(url("phase", statement.document), {"phase": Document.Phase.FINAL, "publish": "on"})
    assert response.status_code == 400
    assert "published from its statement page" in response.content.decode()
    assert written() == before


def test_comments_in_the_markdown_export_are_literal_text(official, consultation, support):
    services.add_comment(
        document=consultation,
        by=official,
        paragraph=1,
        text="![tracker](https://evil.example/x.png) <b>bold</b>\n## Paragraph 9 — Agreed",
        visibility="members",
    )
    export = client_for(support).get(url("open_clauses", consultation)).content.decode()
    assert "![tracker](" not in export and "<b>" not in export and "\n## Paragraph 9" not in export
    assert r"\!\[tracker\]" in export
