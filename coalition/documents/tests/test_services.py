"""The documents services (issue 5): versions kept and numbered, clause statuses following unchanged paragraphs,
phases that set who reads, comments with their own visibility (an Advisory Network member never reads a members-only
one; "Support Unit only" is read by the Support Unit alone), one ledger event per write, hostile Markdown rendered
inert, and redlines."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest

from coalition.core import policy
from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import AuditEvent
from coalition.core.policy import Classification, Role
from coalition.documents import queries, services
from coalition.documents.models import ClauseStatus, Comment, Document, Version, VersionImmutable
from coalition.documents.services import Visibility
from coalition.meetings.tests.factories import activity, government

pytestmark = pytest.mark.django_db

MakeUser = Callable[..., Any]
TEXT = "First clause.\n\nSecond clause.\n\nThird clause."
SIGNED_IN = [role for role in Role if role != Role.ANONYMOUS]


def draft(by: Any, **fields: Any) -> Document:
    return services.create_document(by=by, title="Concept note", text=fields.pop("text", TEXT), **fields)


@pytest.fixture
def support(make_user: MakeUser) -> Any:
    return make_user(Role.SUPPORT_UNIT)


@pytest.fixture
def official(make_user: MakeUser) -> Any:
    return make_user(Role.MEMBER_OFFICIAL)


@pytest.fixture
def advisory(make_user: MakeUser) -> Any:
    return make_user(Role.ADVISORY_NETWORK)


def in_consultation(support: Any, **fields: Any) -> Document:
    return services.set_phase(document=draft(support, **fields), by=support, phase=Document.Phase.CONSULTATION)


def reader(make_user: MakeUser, role: Role) -> Any:
    return None if role == Role.ANONYMOUS else make_user(role)


# --- Documents and versions -------------------------------------------------------------------------------------


def test_a_new_document_starts_in_drafting_with_its_text_as_version_one(support):
    document = draft(support, kind=Document.Kind.CONCEPT_NOTE, base_text="  The agreed text.  ")
    version = document.current_version()
    assert (document.phase, document.classification, document.base_text) == ("drafting", "members", "The agreed text.")
    assert version is not None and (version.number, version.text, version.author) == (1, TEXT, support)


def test_a_document_serves_the_activities_named(support):
    served = activity("1B.2")
    document = draft(support, activities=[served])
    assert list(document.activities.all()) == [served]


@pytest.mark.parametrize("role", [Role.MEMBER_OFFICIAL, Role.FOCAL_POINT, Role.ADVISORY_NETWORK, Role.OBSERVER])
def test_only_the_support_unit_and_the_chair_create_documents(make_user, role):
    with pytest.raises(AccessDenied):
        draft(make_user(role))
    assert not Document.objects.exists()


def test_a_draft_is_never_public(support):
    with pytest.raises(InvalidInput) as refused:
        draft(support, classification=Classification.PUBLIC)
    assert refused.value.field == "classification"
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "  "}, "title"),
        ({"text": " \n\n "}, "text"),
        ({"kind": "novel"}, "kind"),
        ({"text": "a\x00b"}, "text"),
    ],
)
def test_a_document_with_bad_input_names_the_field_and_saves_nothing(support, fields, field):
    with pytest.raises(InvalidInput) as refused:
        services.create_document(by=support, **{"title": "Note", "text": TEXT, **fields})
    assert refused.value.field == field
    assert not Document.objects.exists()


def test_versions_are_numbered_and_earlier_ones_stay_as_they_were(support):
    document = draft(support)
    first = Version.objects.get(document=document, number=1)
    second = services.save_version(document=document, by=support, text=TEXT + "\n\nFourth clause.", note=" more ")
    third = services.save_version(document=document, by=support, text="Only one clause now.")
    assert second is not None and third is not None
    assert [v.number for v in document.versions.order_by("number")] == [1, 2, 3]
    assert (second.note, document.current_version()) == ("more", third)
    unchanged = Version.objects.get(pk=first.pk)
    assert (unchanged.text, unchanged.content_hash, unchanged.created_at) == (
        TEXT,
        first.content_hash,
        first.created_at,
    )


def test_saving_the_same_text_again_makes_no_version(support):
    document = draft(support)
    events = AuditEvent.objects.count()
    assert services.save_version(document=document, by=support, text=TEXT + "\r\n\n") is None
    assert document.versions.count() == 1
    assert AuditEvent.objects.count() == events


def test_clause_statuses_follow_unchanged_paragraphs_only(support):
    document = draft(support)
    first = document.current_version()
    assert first is not None
    services.set_clause_status(version=first, by=support, paragraph=1, status=ClauseStatus.Status.AGREED)
    services.set_clause_status(version=first, by=support, paragraph=2, status=ClauseStatus.Status.BRACKETED)
    services.set_clause_status(version=first, by=support, paragraph=3, status=ClauseStatus.Status.AGREED)
    # paragraph 1 unchanged, paragraph 2 rewritten, a new paragraph inserted before the unchanged third
    second = services.save_version(
        document=document, by=support, text="First clause.\n\nSecond clause, amended.\n\nNew clause.\n\nThird clause."
    )
    assert second is not None
    assert [(c.number, c.status) for c in services.clauses(second)] == [
        (1, "agreed"),
        (2, "open"),
        (3, "open"),
        (4, "agreed"),
    ]
    assert [c.number for c in services.open_clauses(second)] == [2, 3]


def test_a_clause_status_outside_the_paragraphs_is_refused(support):
    version = draft(support).current_version()
    assert version is not None
    for paragraph in (0, 4):
        with pytest.raises(InvalidInput) as refused:
            services.set_clause_status(version=version, by=support, paragraph=paragraph, status="agreed")
        assert refused.value.field == "paragraph"
    with pytest.raises(InvalidInput):
        services.set_clause_status(version=version, by=support, paragraph=1, status="maybe")
    assert not ClauseStatus.objects.exists()


# --- Phases -----------------------------------------------------------------------------------------------------


def test_consultation_opens_the_document_to_the_advisory_network(support, advisory):
    document = draft(support)
    assert not policy.is_visible(advisory, document)
    document = services.set_phase(document=document, by=support, phase=Document.Phase.CONSULTATION)
    assert document.classification == Classification.COALITION
    assert policy.visible_to(advisory, Document).filter(pk=document.pk).exists()


def test_member_review_closes_the_document_to_governments_again(support, advisory, official):
    document = in_consultation(support)
    document = services.set_phase(document=document, by=support, phase=Document.Phase.MEMBER_REVIEW)
    assert document.classification == Classification.MEMBERS
    assert not policy.visible_to(advisory, Document).filter(pk=document.pk).exists()
    assert policy.visible_to(official, Document).filter(pk=document.pk).exists()


def test_a_final_document_refuses_edits_comments_clause_statuses_and_phases(support, official):
    document = services.set_phase(document=draft(support), by=support, phase=Document.Phase.FINAL)
    version = document.current_version()
    assert version is not None
    attempts = [
        lambda: services.save_version(document=document, by=support, text="A new text."),
        lambda: services.add_comment(document=document, by=official, paragraph=1, text="Late", visibility="members"),
        lambda: services.set_clause_status(version=version, by=support, paragraph=1, status="agreed"),
        lambda: services.set_phase(document=document, by=support, phase=Document.Phase.DRAFTING),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput):
            attempt()
    assert (document.versions.count(), Comment.objects.count(), ClauseStatus.objects.count()) == (1, 0, 0)
    document.refresh_from_db()
    assert document.phase == Document.Phase.FINAL


def test_only_a_final_document_is_published(support):
    document = draft(support)
    with pytest.raises(InvalidInput) as refused:
        services.set_phase(document=document, by=support, phase=Document.Phase.MEMBER_REVIEW, publish=True)
    assert refused.value.field == "publish"
    document.refresh_from_db()
    assert (document.phase, document.classification) == ("drafting", "members")
    document = services.set_phase(document=document, by=support, phase=Document.Phase.FINAL, publish=True)
    assert document.classification == Classification.PUBLIC
    assert policy.visible_to(None, Document).filter(pk=document.pk).exists()


@pytest.mark.parametrize("phase", ["drafting", "consultation", "member_review", "final"])
def test_no_phase_short_of_publication_lets_anonymous_visitors_read_the_document(support, phase):
    document = draft(support)
    if phase != "drafting":
        document = services.set_phase(document=document, by=support, phase=phase)
    assert not policy.visible_to(None, Document).filter(pk=document.pk).exists()


def test_an_unknown_phase_is_refused(support):
    with pytest.raises(InvalidInput) as refused:
        services.set_phase(document=draft(support), by=support, phase="abandoned")
    assert refused.value.field == "phase"


# --- Comments ---------------------------------------------------------------------------------------------------


def test_a_comment_outside_the_paragraphs_is_refused(support, official):
    document = draft(support)
    for paragraph in (0, 4):
        with pytest.raises(InvalidInput) as refused:
            services.add_comment(document=document, by=official, paragraph=paragraph, text="?", visibility="members")
        assert refused.value.field == "paragraph"
    assert not Comment.objects.exists()


def test_a_comment_keeps_the_version_and_the_paragraph_text_it_was_made_on(support, official):
    document = draft(support)
    comment = services.add_comment(document=document, by=official, paragraph=2, text="Why?", visibility="members")
    assert (comment.version.number, comment.paragraph) == (1, 2)
    assert comment.paragraph_hash == services.text_hash("Second clause.")


def test_a_comment_cannot_reach_readers_who_cannot_read_the_document(support, official):
    document = draft(support)  # members only, in drafting
    with pytest.raises(InvalidInput) as refused:
        services.add_comment(document=document, by=official, paragraph=1, text="Hi", visibility="advisory_network")
    assert refused.value.field == "visibility"
    assert not Comment.objects.exists()


def test_an_advisory_network_member_cannot_address_the_members_alone(support, advisory):
    document = in_consultation(support)
    for visibility in (Visibility.MEMBERS, Visibility.SUPPORT_UNIT):
        with pytest.raises(InvalidInput) as refused:
            services.add_comment(document=document, by=advisory, paragraph=1, text="Hi", visibility=visibility)
        assert refused.value.field == "visibility"
    assert not Comment.objects.exists()


def test_nobody_comments_on_a_document_they_cannot_read(support, advisory):
    with pytest.raises(AccessDenied):
        services.add_comment(
            document=draft(support), by=advisory, paragraph=1, text="Hi", visibility="advisory_network"
        )


@pytest.mark.parametrize("role", [Role.OBSERVER, Role.GUEST])
def test_observers_and_guests_do_not_comment(make_user, support, role):
    document = in_consultation(support)
    with pytest.raises(AccessDenied):
        services.add_comment(
            document=document, by=make_user(role), paragraph=1, text="Hi", visibility="advisory_network"
        )


def test_a_comment_on_behalf_of_a_member_the_author_does_not_act_for_is_refused(support, official):
    other = government("KE")
    with pytest.raises(InvalidInput) as refused:
        services.add_comment(
            document=draft(support), by=official, paragraph=1, text="Hi", visibility="members", on_behalf_of=other
        )
    assert refused.value.field == "on_behalf_of"


def test_a_focal_point_comments_on_behalf_of_their_member(support, make_user):
    focal = make_user(Role.FOCAL_POINT)
    member = focal.person.positions.get().organisation
    comment = services.add_comment(
        document=draft(support), by=focal, paragraph=1, text="Agreed.", visibility="members", on_behalf_of=member
    )
    assert comment.on_behalf_of == member


@pytest.mark.parametrize("role", list(Role))
def test_support_unit_only_comments_are_read_by_the_support_unit_alone(make_user, support, official, role):
    comment = services.add_comment(
        document=draft(support), by=official, paragraph=1, text="Sensitive", visibility=Visibility.SUPPORT_UNIT
    )
    assert comment.classification == Classification.RESTRICTED
    expected = role == Role.SUPPORT_UNIT
    assert policy.visible_to(reader(make_user, role), Comment).filter(pk=comment.pk).exists() is expected


@pytest.mark.parametrize(
    ("visibility", "roles"),
    [
        (Visibility.MEMBERS, {Role.SUPPORT_UNIT, Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL}),
        (
            Visibility.ADVISORY_NETWORK,
            {
                Role.SUPPORT_UNIT,
                Role.CHAIR,
                Role.FOCAL_POINT,
                Role.MEMBER_OFFICIAL,
                Role.OBSERVER,
                Role.ADVISORY_NETWORK,
            },
        ),
    ],
)
@pytest.mark.parametrize("role", list(Role))
def test_each_visibility_reaches_its_readers_only(make_user, support, official, visibility, roles, role):
    comment = services.add_comment(
        document=in_consultation(support), by=official, paragraph=1, text="A thought", visibility=visibility
    )
    assert policy.visible_to(reader(make_user, role), Comment).filter(pk=comment.pk).exists() is (role in roles)


def test_an_advisory_network_member_never_sees_members_only_comments(support, official, advisory):
    document = in_consultation(support)
    services.add_comment(document=document, by=official, paragraph=1, text="Members only", visibility="members")
    services.add_comment(
        document=document, by=advisory, paragraph=1, text="From the network", visibility="advisory_network"
    )
    version = document.current_version()
    assert version is not None
    shown = [c.text for p in queries.paragraph_view(advisory, document, version) for c in p.comments]
    assert shown == ["From the network"]
    assert [c.text for c in policy.visible_to(advisory, Comment)] == ["From the network"]


def test_comments_follow_an_unchanged_paragraph_into_later_versions_only(support, official):
    document = draft(support)
    services.add_comment(document=document, by=official, paragraph=1, text="On the first", visibility="members")
    services.add_comment(document=document, by=official, paragraph=2, text="On the second", visibility="members")
    second = services.save_version(document=document, by=support, text="New opening.\n\nFirst clause.\n\nChanged.")
    assert second is not None
    view = queries.paragraph_view(official, document, second)
    assert [[c.text for c in p.comments] for p in view] == [[], ["On the first"], []]
    assert view[1].comments[0].carried and view[1].comments[0].version_number == 1


@pytest.mark.parametrize("classification", [Classification.MEMBERS, Classification.COALITION])
@pytest.mark.parametrize("role", [Role.SUPPORT_UNIT, Role.CHAIR, Role.FOCAL_POINT, Role.ADVISORY_NETWORK])
def test_the_comment_form_offers_exactly_the_visibilities_the_service_accepts(make_user, support, classification, role):
    document = draft(support, classification=classification)
    author = make_user(role)
    if not policy.is_visible(author, document):
        return
    offered = queries.comment_visibilities(author, document)
    for visibility in Visibility.CLASSIFICATION:
        try:
            services.add_comment(document=document, by=author, paragraph=1, text="x", visibility=visibility)
            accepted = True
        except InvalidInput:
            accepted = False
        assert accepted is (visibility in offered), visibility


# --- The ledger -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "write"),
    [
        ("documents.created", lambda d, su, off: draft(su)),
        ("documents.version_saved", lambda d, su, off: services.save_version(document=d, by=su, text="New text.")),
        ("documents.phase", lambda d, su, off: services.set_phase(document=d, by=su, phase="consultation")),
        (
            "documents.clause_status",
            lambda d, su, off: services.set_clause_status(
                version=d.current_version(), by=su, paragraph=2, status="bracketed"
            ),
        ),
        (
            "documents.commented",
            lambda d, su, off: services.add_comment(document=d, by=off, paragraph=3, text="Hm", visibility="members"),
        ),
    ],
)
def test_each_write_records_one_ledger_event(support, official, action, write):
    document = draft(support)
    before = AuditEvent.objects.count()
    write(document, support, official)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-seq").first().action == action  # type: ignore[union-attr]


# --- Rendering: hostile Markdown and HTML render inert ----------------------------------------------------------


class Markup(HTMLParser):
    """The tags and attributes a browser would build from the HTML (entities decoded, as a browser would)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))


SAFE_TAGS = {"p", "a", "img", "em", "strong", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "br"}
UNSAFE_SCHEMES = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[link](javascript:alert(1))",
    "[link](JaVaScRiPt:alert(1))",
    "[link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[link](vbscript:msgbox(1))",
    "[link](<javascript:alert(1)>)",
    '<a href="#" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">x</p>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<svg><script href="data:,alert(1)"/></svg>',
    "![x](javascript:alert(1))",
    "[link](&#106;avascript:alert(1))",
    "[link](&#x6A;avascript&colon;alert(1))",
    "[link](java&#x09;script:alert(1))",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- <script>alert(1)</script> -->",
    '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
    "| a |\n|---|\n| <b onclick=x>b</b> |",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_markdown_renders_inert(hostile):
    html = str(services.render(hostile))
    for tag, attributes in Markup(html).elements:
        assert tag in SAFE_TAGS, html
        assert not any(name.startswith("on") for name in attributes), html
        for name in ("href", "src"):
            assert not UNSAFE_SCHEMES.match(attributes.get(name, "").replace("\t", "")), html
    assert "<script" not in html.lower() and "<iframe" not in html.lower()


@pytest.mark.parametrize(
    "source", ["![](https://evil.example/x.png)", "![](//evil.example/x.png)", "![](data:image/png;base64,AAAA)"]
)
def test_an_image_from_another_origin_is_dropped(source):
    html = str(services.render(source))
    assert "evil.example" not in html and "data:" not in html and "src=" not in html


def test_an_image_from_our_own_origin_is_kept():
    assert '<img src="/static/core/logo.svg" alt="Logo">' in str(services.render("![Logo](/static/core/logo.svg)"))


def test_links_keep_http_and_open_without_the_opener():
    html = str(services.render("[FOC](https://freedomonlinecoalition.com)"))
    assert 'href="https://freedomonlinecoalition.com"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_headings_inside_the_text_sit_below_the_page_headings(support):
    document = draft(support, text="# Purpose\n\nText.")
    version = document.current_version()
    assert version is not None
    assert str(queries.paragraph_view(support, document, version)[0].html).startswith("<h3>Purpose</h3>")


def test_headings_inside_the_text_follow_the_page_headings_without_a_gap(support):
    document = draft(support, text="## Purpose\n\nText.\n\n#### Triggers\n\nMore text.\n\n## Budget")
    version = document.current_version()
    assert version is not None
    headings = [str(p.html).strip() for p in queries.paragraph_view(support, document, version) if "<h" in p.html]
    assert headings == ["<h3>Purpose</h3>", "<h4>Triggers</h4>", "<h3>Budget</h3>"]


# --- Redlines ---------------------------------------------------------------------------------------------------


def test_a_redline_marks_insertions_and_deletions_word_by_word():
    result = services.redline("The members agree to act.", "The members resolve to act now.")
    assert str(result.html) == "The members <del>agree</del><ins>resolve</ins> to <del>act.</del><ins>act now.</ins>"
    assert (result.inserted, result.deleted) == (3, 2)


def test_a_redline_escapes_html_in_both_texts():
    result = services.redline("<b>old</b> <script>x()</script>", 'new <img src=x onerror="y()">')
    html = str(result.html)
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html and "&lt;b&gt;old&lt;/b&gt;" in html


def test_a_redline_of_the_same_text_marks_nothing():
    result = services.redline(TEXT, TEXT)
    assert "<ins>" not in str(result.html) and "<del>" not in str(result.html)
    assert (result.inserted, result.deleted) == (0, 0)


def test_a_saved_version_cannot_be_changed_in_place(make_user):
    support = make_user(Role.SUPPORT_UNIT)
    document = services.create_document(by=support, title="Immutable", text="First text.")
    version = document.current_version()
    assert version is not None
    version.text = "Quietly altered."
    with pytest.raises(VersionImmutable):
        version.save()
    version.refresh_from_db()
    assert version.text == "First text."
