"""Security and data-integrity review of the agreed-language library: each test asserts the secure behaviour, so a
failing test marks a hole.

Covered: nothing of a source the viewer cannot read (draft statement, embargoed statement, restricted text, members-
only text, hidden signer) reaches them through search, totals, filter choices, lineage, reuse lists, counts, the
assistant, the API or uptake evidence for 1A.6; hostile text is escaped wherever it is shown; POST actions need a
CSRF token and GET changes nothing; pages with confidential content are not cached; every view asks the policy.
Uploads and adversarial input are reviewed in test_security_input.py.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from coalition.core import policy
from coalition.core.errors import AccessDenied
from coalition.core.evidence import visible_evidence
from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification, Role
from coalition.core.tests.clients import api_for, client_for, text_of
from coalition.directory.models import Organisation
from coalition.directory.tests.factories import government
from coalition.library import indexing, queries, services
from coalition.library.models import Paragraph, ReuseRecord, Source
from coalition.programme.models import Activity, EvidenceLink, StatusProposal
from coalition.programme.services import load_programme
from coalition.statements.tests.test_services import draft, member, open_round, published, sign

pytestmark = pytest.mark.django_db


API = "/api/v1/library/search/"
BUDGET_SECONDS = 6.0  # a guard against runaway work (the holes it caught took 16–92 s), not a speed target

AFFIRMS = (
    "Affirms that the same rights that people have offline must also be protected online, in particular freedom of "
    "expression, which is applicable regardless of frontiers and through any media of one's choice;"
)
PUBLIC_TEXT = f"""The Human Rights Council,

1. {AFFIRMS}

2. Calls upon all States to refrain from and cease measures that intentionally prevent or disrupt access to or
dissemination of information online;
"""
SECRET = (
    "The coalition deplores the shutdown of mobile networks in Zubrowka during the counting of the votes, which "
    "kept observers, journalists and voters from sharing what they saw, and names the operators that complied."
)
SECRET_WITH_AFFIRMS = f"{SECRET}\n\n{AFFIRMS}"


# --- Fixtures and helpers -----------------------------------------------------------------------------------------


@pytest.fixture
def add(imported: Callable[..., Source]) -> Callable[..., Source]:
    """add(…) → a public resolution imported and indexed; no reuse scan unless asked."""
    return functools.partial(imported, text=PUBLIC_TEXT, title="Public resolution", detect=False)


def counts() -> tuple[int, int, int]:
    return Source.objects.count(), Paragraph.objects.count(), ReuseRecord.objects.count()


def index_state() -> set[int]:
    return indexing.engine().indexed_pids()


def affirms(source: Source) -> Paragraph:
    return source.paragraphs.get(text__contains="Affirms that")


def link_reuse(origin: Paragraph, target: Paragraph) -> ReuseRecord:
    return ReuseRecord.objects.create(origin=origin, target=target, kind=ReuseRecord.Kind.VERBATIM, similarity=1.0)


def hidden_government(code: str) -> Organisation:
    """A government the public may not see (its record is members-only)."""
    organisation = government(code)
    Organisation.objects.filter(pk=organisation.pk).update(classification=Classification.MEMBERS)
    organisation.refresh_from_db()
    return organisation


def not_cached(response: Any) -> bool:
    header = response.get("Cache-Control", "")
    return "private" in header and "no-store" in header


# --- Draft statements, embargoes and restricted texts -------------------------------------------------------------


def test_a_draft_statement_reaches_no_one_outside_the_governments(
    support: Any,
    official: Any,
    advisory: Any,
    observer: Any,
    add: Callable[..., Source],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Rule: a draft statement (members-only, statements.services.create_statement) is invisible to the Advisory
    Network, observers and anonymous visitors in search results and totals, the API, lineage, the text list, the
    assistant and filter choices — while the governments find it."""
    public = add()
    with django_capture_on_commit_callbacks(execute=True):
        statement = draft(support, title="Zubrowka draft", text=SECRET_WITH_AFFIRMS)
    source = statement.library_source
    assert source is not None and source.paragraphs.exists()
    hidden_paragraph = source.paragraphs.get(text__contains="Zubrowka")

    for user in (advisory, observer, None):
        client = client_for(user)
        page = text_of(client.get(reverse("library:search"), {"q": "Zubrowka shutdown operators"}))
        assert "Zubrowka draft" not in page and "names the operators" not in page and "0 results" in page
        assert "1 text you can read" in text_of(client.get(reverse("library:search")))
        body = api_for(user).get(API, {"q": "Zubrowka shutdown operators"}).json()
        assert body["count"] == 0 and body["results"] == []
        assert client.get(reverse("library:lineage", args=[hidden_paragraph.pk])).status_code in (302, 404)
        assert client.get(reverse("library:source", args=[source.pk])).status_code in (302, 404)
        lineage = client.get(reverse("library:lineage", args=[affirms(public).pk]))
        assert lineage.status_code == 200 and "Zubrowka" not in text_of(lineage)
        assert "No other text you can read uses this language yet." in text_of(lineage)
        sources_page = text_of(client.get(reverse("library:sources")))
        assert "Zubrowka" not in sources_page and "FOC" not in sources_page
        assert ">FOC</option>" not in client.get(reverse("library:search")).content.decode()
    for user in (advisory, observer):
        assisted = client_for(user).post(reverse("library:assistant"), {"text": SECRET})
        assert assisted.status_code == 200 and "Zubrowka draft" not in text_of(assisted)
        assert [s.status for s in queries.assist(user, SECRET)] == ["new"]

    assert "Zubrowka draft" in text_of(client_for(official).get(reverse("library:search"), {"q": "Zubrowka"}))


def test_signers_of_a_draft_in_its_sign_on_round_are_not_filter_choices_for_outsiders(
    support: Any, advisory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Rule: the signed-by filter lists only signers of texts the viewer may read; a government that signed a
    draft during its open round is not offered to the Advisory Network or the public."""
    ghana = member("GH")
    with django_capture_on_commit_callbacks(execute=True):
        statement = draft(support, title="Round draft", text=SECRET)
        sign(open_round(statement, support), ghana)
    assert statement.library_source is not None
    assert list(statement.library_source.endorsed_by.all()) == [ghana[0]]
    for user in (advisory, None):
        html = client_for(user).get(reverse("library:search")).content.decode()
        assert ghana[0].name not in html


def test_an_embargoed_statement_stays_with_the_members_until_release(
    support: Any, official: Any, advisory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Rule: a published statement under embargo reads as members-only until its release: not in search, totals,
    the API, lineage, the assistant or the text list for anyone else."""
    estonia = member("EE")
    with django_capture_on_commit_callbacks(execute=True):
        statement = published(
            support, [estonia], title="Embargoed statement", text=SECRET,
            embargo_until=timezone.now() + dt.timedelta(days=2),
        )  # fmt: skip
    source = Source.objects.get(statement=statement)
    paragraph = source.paragraphs.first()
    assert paragraph is not None
    for user in (advisory, None):
        client = client_for(user)
        assert "Embargoed statement" not in text_of(client.get(reverse("library:search"), {"q": "Zubrowka"}))
        assert api_for(user).get(API, {"q": "Zubrowka"}).json()["count"] == 0
        assert client.get(reverse("library:lineage", args=[paragraph.pk])).status_code == 404
        assert "Embargoed statement" not in text_of(client.get(reverse("library:sources")))
        assert estonia[0].name not in client.get(reverse("library:search")).content.decode()
    assert [s.status for s in queries.assist(advisory, SECRET)] == ["new"]
    assert api_for(official).get(API, {"q": "Zubrowka"}).json()["count"] == 1


def test_a_restricted_text_reaches_its_audience_and_no_other_reader(
    add: Callable[..., Source], make_user: Any, official: Any
) -> None:
    """Rule: a restricted source with an audience (principal "person:<id>") is read by that audience and the
    Support Unit only — not by other governments — in the API, the text list, its counts and the forum choices."""
    insider = make_user(Role.ADVISORY_NETWORK)
    audience = Audience.objects.create(name="Drafting group")
    AudienceMember.objects.create(audience=audience, principal=f"person:{insider.person_id}")
    public = add()
    restricted = add(
        text=SECRET_WITH_AFFIRMS, title="Drafting group paper", forum="SECRETFORUM",
        classification=Classification.RESTRICTED, audience=audience,
    )  # fmt: skip
    link_reuse(affirms(public), affirms(restricted))

    outsider = client_for(official)
    assert api_for(official).get(API, {"q": "Zubrowka"}).json()["count"] == 0
    assert "Drafting group paper" not in text_of(outsider.get(reverse("library:sources")))
    assert "SECRETFORUM" not in outsider.get(reverse("library:search")).content.decode()
    listing = outsider.get(reverse("library:sources"))
    row = next(s for s in listing.context["page"].object_list if s.pk == public.pk)
    assert row.taken_up_count == 0 and row.takes_up_count == 0
    assert outsider.get(reverse("library:source", args=[restricted.pk])).status_code == 404

    assert api_for(insider).get(API, {"q": "Zubrowka"}).json()["count"] == 1
    assert "Drafting group paper" in text_of(client_for(insider).get(reverse("library:sources")))


# --- Lineage, reuse lists, counts and evidence --------------------------------------------------------------------


def test_reuse_with_a_hidden_side_is_invisible_in_lineage_reuse_lists_and_counts(
    add: Callable[..., Source], official: Any
) -> None:
    """Rule: a ReuseRecord is shown only to those who may read both paragraphs — the lineage, a text's reuse table,
    and the list's 'taken up' counts say nothing of a members-only side to the public."""
    public = add(date=dt.date(2012, 7, 5))
    hidden = add(
        text=SECRET_WITH_AFFIRMS, title="Members-only speech", kind=Source.Kind.SPEECH,
        classification=Classification.MEMBERS, date=dt.date(2016, 6, 30),
    )  # fmt: skip
    link_reuse(affirms(public), affirms(hidden))
    anonymous = client_for(None)
    lineage = anonymous.get(reverse("library:lineage", args=[affirms(public).pk]))
    assert lineage.status_code == 200 and "Members-only speech" not in text_of(lineage)
    assert lineage.context["others"] == 0
    page = anonymous.get(reverse("library:source", args=[public.pk]))
    assert "Members-only speech" not in text_of(page) and page.context["reuse"] == []
    row = anonymous.get(reverse("library:sources")).context["page"].object_list[0]
    assert row.taken_up_count == 0
    # The governments see it all.
    assert "Members-only speech" in text_of(client_for(official).get(reverse("library:source", args=[public.pk])))


def test_reuse_evidence_for_1a6_is_shown_only_to_readers_of_both_texts(
    support: Any, advisory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Rule: uptake evidence linked to activity 1A.6 (programme EvidenceLink) is filtered by the viewer's access to
    both paragraphs; no status proposal or note carries a hidden title."""
    load_programme()
    with django_capture_on_commit_callbacks(execute=True):
        services.import_text(
            by=support, text=SECRET_WITH_AFFIRMS, kind=Source.Kind.SPEECH, title="Members-only speech",
            classification=Classification.MEMBERS, date=dt.date(2011, 1, 1),
        )  # fmt: skip
        services.import_text(
            by=support, text=PUBLIC_TEXT, kind=Source.Kind.RESOLUTION, title="Public resolution",
            classification=Classification.PUBLIC, date=dt.date(2016, 1, 1),
        )  # fmt: skip
    links = EvidenceLink.objects.filter(record_type="library.reuse")
    assert links.exists()
    activity = Activity.objects.get(pk=links.first().activity_id)  # type: ignore[union-attr]
    for user in (advisory, None):
        assert visible_evidence(user, activity.evidence.all()) == []
    shown = visible_evidence(support, activity.evidence.all())
    assert shown and "Members-only speech" in shown[0].title
    for link in links:
        assert "Members-only" not in link.note
    for proposal in StatusProposal.objects.filter(evidence__in=links):
        assert "Members-only" not in proposal.reason


def test_the_assistant_counts_and_shows_only_readable_matches(add: Callable[..., Source], advisory: Any) -> None:
    """Rule: the assistant's closest match, its 'further matches' count and its provenance come from texts the
    viewer may read only."""
    add(title="Public resolution")
    add(title="Members-only copy", classification=Classification.MEMBERS)
    add(title="Second members-only copy", classification=Classification.MEMBERS)
    suggestions = queries.assist(advisory, AFFIRMS)
    assert suggestions[0].status == "agreed" and suggestions[0].match is not None
    assert suggestions[0].match.source.title == "Public resolution" and suggestions[0].others == 0
    page = text_of(client_for(advisory).post(reverse("library:assistant"), {"text": AFFIRMS}))
    assert "Members-only" not in page and "further match" not in page


# --- Signers in the API and elsewhere -----------------------------------------------------------------------------


def test_the_page_hides_a_signer_the_viewer_cannot_see(add: Callable[..., Source]) -> None:
    """Rule: provenance names only the organisations the viewer may see (pages)."""
    secret_signer = hidden_government("GH")
    add(endorsed_by=[government("EE"), secret_signer])
    page = text_of(client_for(None).get(reverse("library:search"), {"q": "offline online"}))
    assert "Government of EE" in page and secret_signer.name not in page


def test_the_api_hides_a_signer_the_viewer_cannot_see(add: Callable[..., Source]) -> None:
    """Rule: the API applies the same policy as the pages — `provenance.endorsed_by` names only organisations the
    caller may see (HOLE: api.py HitSerializer.get_provenance lists every endorser)."""
    secret_signer = hidden_government("GH")
    add(endorsed_by=[government("EE"), secret_signer])
    body = api_for(None).get(API, {"q": "offline online"}).json()
    assert body["count"] >= 1
    for result in body["results"]:
        assert result["provenance"]["endorsed_by"] == ["Government of EE"]


def test_the_api_signer_filter_is_no_oracle_for_hidden_signers(add: Callable[..., Source]) -> None:
    """Rule: filtering by a signer the caller cannot see must not reveal that it signed a visible text
    (HOLE: api.py passes any signed_by id to the index; the page's form only offers visible signers)."""
    secret_signer = hidden_government("GH")
    add(endorsed_by=[secret_signer])
    params = {"q": "offline online", "signed_by": str(secret_signer.pk)}
    response = api_for(None).get(API, params)
    assert response.status_code == 400 or response.json()["count"] == 0
    page = client_for(None).get(reverse("library:search"), params)
    assert "Public resolution" not in text_of(page)


# --- Stored XSS ---------------------------------------------------------------------------------------------------

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_text_and_metadata_are_escaped_on_every_page(
    add: Callable[..., Source], official: Any, support: Any
) -> None:
    """Rule: paragraph text, titles, symbols, forum, author and file names are data, never markup — escaped in
    search results (with highlights), the text and its reuse table, the list, lineage (word diff), the assistant
    (word diff) and the removal page."""
    origin = add(title=f"Origin {XSS}", date=dt.date(2012, 1, 1))
    upload_text = f"1. {AFFIRMS} {XSS}\n\n2. Calls upon all States {XSS} to refrain from shutdowns of the internet."
    hostile = add(
        text=None, data=upload_text.encode(), file_name=f"{XSS}.txt", title=f"Title {XSS}", symbol=f"A/{XSS}",
        forum=f"F{XSS}"[:60], author=f"Author {XSS}", date=dt.date(2016, 1, 1),
    )  # fmt: skip
    link_reuse(affirms(origin), affirms(hostile))
    client = client_for(official)
    pages: list[Any] = [
        client.get(reverse("library:search"), {"q": "offline online alert script"}),
        client.get(reverse("library:search")),
        client.get(reverse("library:sources")),
        client.get(reverse("library:source", args=[hostile.pk])),
        client.get(reverse("library:source", args=[origin.pk])),
        client.get(reverse("library:lineage", args=[affirms(hostile).pk])),
        client.get(reverse("library:lineage", args=[affirms(origin).pk])),
        client.post(reverse("library:assistant"), {"text": f"{AFFIRMS} {XSS}"}),
        client_for(support).get(reverse("library:delete", args=[hostile.pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in pages[3].content.decode()
    api = api_for(official).get(API, {"q": "offline alert"})
    assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
    assert api["X-Content-Type-Options"] == "nosniff"


# --- CSRF, methods and caching ------------------------------------------------------------------------------------


def test_every_post_action_needs_a_csrf_token(add: Callable[..., Source], official: Any, support: Any) -> None:
    """Rule: detect, delete, import and the assistant refuse a POST without a CSRF token (403), changing nothing."""
    source = add()
    before = counts()
    form = {"kind": "resolution", "title": "T", "classification": "members", "text": PUBLIC_TEXT}
    for user, url, data in [
        (official, reverse("library:detect", args=[source.pk]), {}),
        (support, reverse("library:delete", args=[source.pk]), {}),
        (official, reverse("library:import"), form),
        (official, reverse("library:assistant"), {"text": AFFIRMS}),
    ]:
        assert client_for(user, enforce_csrf_checks=True).post(url, data).status_code == 403
    assert counts() == before
    assert Source.objects.get(pk=source.pk).reuse_checked_at is None


def test_get_changes_nothing(add: Callable[..., Source], official: Any, support: Any) -> None:
    """Rule: no GET changes state — detection is POST only (405), removal by GET only asks to confirm."""
    source = add()
    before = counts()
    assert client_for(official).get(reverse("library:detect", args=[source.pk])).status_code == 405
    assert client_for(support).get(reverse("library:delete", args=[source.pk])).status_code == 200
    client_for(official).get(reverse("library:search"), {"q": "offline"})
    client_for(official).get(reverse("library:lineage", args=[affirms(source).pk]))
    assert counts() == before and Source.objects.get(pk=source.pk).reuse_checked_at is None


def test_a_members_only_text_page_is_not_cached(add: Callable[..., Source], official: Any) -> None:
    """Rule: a page showing a non-public text carries Cache-Control: private, no-store (text and lineage)."""
    source = add(classification=Classification.MEMBERS)
    client = client_for(official)
    assert not_cached(client.get(reverse("library:source", args=[source.pk])))
    assert not_cached(client.get(reverse("library:lineage", args=[affirms(source).pk])))
    assert not_cached(client.post(reverse("library:assistant"), {"text": AFFIRMS}))


def test_search_results_with_confidential_paragraphs_are_not_cached(add: Callable[..., Source], official: Any) -> None:
    """Rule: a results page holding members-only paragraphs is private, no-store (HOLE: views.search sets no
    Cache-Control)."""
    add(classification=Classification.MEMBERS, title="Members-only resolution")
    response = client_for(official).get(reverse("library:search"), {"q": "offline online"})
    assert "Members-only resolution" in text_of(response)
    assert not_cached(response)


def test_the_list_of_texts_with_confidential_titles_is_not_cached(add: Callable[..., Source], official: Any) -> None:
    """Rule: the list of texts a member may read (members-only titles) is private, no-store (HOLE: views.sources
    sets no Cache-Control)."""
    add(classification=Classification.MEMBERS, title="Members-only resolution")
    response = client_for(official).get(reverse("library:sources"))
    assert "Members-only resolution" in text_of(response)
    assert not_cached(response)


def test_a_public_text_showing_confidential_reuse_is_not_cached(add: Callable[..., Source], official: Any) -> None:
    """Rule: a public text's page or lineage that, for this viewer, names a members-only text is private, no-store
    (HOLE: views.source and views.lineage decide on the page's own text only)."""
    public = add()
    hidden = add(text=SECRET_WITH_AFFIRMS, title="Members-only speech", classification=Classification.MEMBERS)
    link_reuse(affirms(public), affirms(hidden))
    client = client_for(official)
    page = client.get(reverse("library:source", args=[public.pk]))
    assert "Members-only speech" in text_of(page)
    assert not_cached(page)
    lineage = client.get(reverse("library:lineage", args=[affirms(public).pk]))
    assert "Members-only speech" in text_of(lineage)
    assert not_cached(lineage)


def test_api_results_with_confidential_paragraphs_are_not_cached(add: Callable[..., Source], official: Any) -> None:
    """Rule: API search results holding members-only paragraphs are private, no-store (HOLE: api.py sets no
    Cache-Control)."""
    add(classification=Classification.MEMBERS, title="Members-only resolution")
    response = api_for(official).get(API, {"q": "offline online"})
    assert response.json()["count"] >= 1
    assert not_cached(response)


# --- The policy decides -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST])
def test_only_governments_import_and_detect(role: Role, make_user: Any, add: Callable[..., Source]) -> None:
    """Rule: library.import and library.detect are for member governments and the Support Unit only — in the
    services and on the pages."""
    source = add()
    user = make_user(role)
    with pytest.raises(AccessDenied):
        services.import_text(by=user, text=PUBLIC_TEXT, kind=Source.Kind.REPORT, title="Not allowed")
    with pytest.raises(AccessDenied):
        services.detect_reuse(source, by=user)
    client = client_for(user)
    assert (
        client.post(reverse("library:import"), {"kind": "report", "title": "x", "text": PUBLIC_TEXT}).status_code == 403
    )
    assert client.post(reverse("library:detect", args=[source.pk])).status_code == 403
    assert Source.objects.count() == 1


def test_only_the_support_unit_removes_a_text(add: Callable[..., Source], make_user: Any) -> None:
    """Rule: library.manage (removal) is the Support Unit's alone — a Chair, focal point or official cannot."""
    source = add()
    for role in (Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL):
        user = make_user(role)
        with pytest.raises(AccessDenied):
            services.delete_source(source, by=user)
        assert client_for(user).post(reverse("library:delete", args=[source.pk])).status_code == 403
    assert Source.objects.filter(pk=source.pk).exists()


def test_a_government_cannot_act_on_a_text_it_cannot_read(
    add: Callable[..., Source], official: Any, make_user: Any
) -> None:
    """Rule: detection on a text the caller cannot read is not found (404), in the view and the service."""
    audience = Audience.objects.create(name="Small group")
    restricted = add(classification=Classification.RESTRICTED, audience=audience, title="Restricted")
    assert client_for(official).post(reverse("library:detect", args=[restricted.pk])).status_code == 404
    with pytest.raises(AccessDenied):
        services.detect_reuse(restricted, by=official)


def test_the_assistant_is_for_participants_only(add: Callable[..., Source], make_user: Any) -> None:
    """Rule: library.assist is for participants; anonymous visitors are sent to sign in, guests refused."""
    add()
    anonymous = client_for(None).post(reverse("library:assistant"), {"text": AFFIRMS})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(make_user(Role.GUEST)).post(reverse("library:assistant"), {"text": AFFIRMS}).status_code == 403


def test_every_library_view_and_endpoint_declares_its_rule() -> None:
    """Rule: every view of the library (pages and API) names a rule of coalition.core.policy."""
    resolver = get_resolver()
    checked = 0

    def walk(patterns: list[Any], prefix: str) -> None:
        nonlocal checked
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLPattern):
                if route.startswith("library/") or "library/search" in route:
                    callback = pattern.callback
                    declared = getattr(callback, "access_policy", None) or getattr(
                        getattr(callback, "cls", None), "access_policy", None
                    )
                    assert declared in policy.RULES, route
                    checked += 1
            else:
                walk(pattern.url_patterns, route)

    walk(resolver.url_patterns, "")
    assert checked >= 9


def test_the_admin_is_for_the_support_unit_only(add: Callable[..., Source], make_user: Any) -> None:
    """Rule: the library's admin pages (which show every text and paragraph) are the Support Unit's alone."""
    source = add(classification=Classification.MEMBERS, title="Members-only")
    for role in (Role.MEMBER_OFFICIAL, Role.CHAIR, Role.ADVISORY_NETWORK):
        client = client_for(make_user(role))
        for url in (
            "/admin/library/source/",
            f"/admin/library/source/{source.pk}/change/",
            "/admin/library/reuserecord/",
        ):
            response = client.get(url)
            assert response.status_code in (302, 403, 404) and "Members-only" not in text_of(response)
