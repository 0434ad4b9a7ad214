"""The library's pages: search with highlights, filters and provenance; bad queries and filters as messages at their
field; what each reader may find (public texts for visitors, never a draft statement for the Advisory Network, never
a restricted text outside its audience — in search, lineage, a text's page and the assistant); importing a text and
every refusal leaving nothing behind; checking for reuse and removing a text; the lineage timeline; the drafting
assistant; the friendly page for an oversized upload; and the queries each page makes."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification, Role
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.tests.factories import government
from coalition.library import services
from coalition.library.models import Paragraph, QueuedImport, Source
from coalition.statements.tests.test_services import draft

pytestmark = pytest.mark.django_db

AFFIRMS = (
    "Affirms that the same rights that people have offline must also be protected online, in particular freedom of "
    "expression, which is applicable regardless of frontiers and through any media of one's choice;"
)
RESOLUTION = f"""The Human Rights Council,

Deeply concerned that deliberate disruptions of access to information online silence journalists, human rights
defenders and whole communities at moments of crisis,

1. {AFFIRMS}

2. Calls upon all States to refrain from and cease measures that intentionally prevent or disrupt access to or
dissemination of information online;
"""
SPEECH = (
    "We recall that the same rights that people have offline must also be protected online, in particular freedom "
    "of expression, which is applicable regardless of frontiers and through any media of one's choice.\n\n"
    "Thank you, Madam President."
)
STATEMENT = (
    "The coalition deplores the shutdown of mobile networks in the capital during the counting of the votes, which "
    "kept observers, journalists and voters from sharing what they saw.\n\nWe call on all governments to keep the "
    "internet open, secure and interoperable during elections, protests and other moments of public importance."
)


# --- Fixtures and helpers -----------------------------------------------------------------------------------------


@pytest.fixture
def add(imported: Callable[..., Source]) -> Callable[..., Source]:
    """add(…) → a public resolution imported and indexed; no reuse scan unless asked."""
    return functools.partial(
        imported, text=RESOLUTION, title="The promotion of human rights on the Internet", detect=False
    )


def counts() -> tuple[int, int]:
    return Source.objects.count(), Paragraph.objects.count()


def search(client: Client, **params: Any) -> Any:
    return client.get(reverse("library:search"), params)


def affirms(source: Source) -> Paragraph:
    return source.paragraphs.get(text__contains="Affirms that")


# --- Search -------------------------------------------------------------------------------------------------------


def test_search_finds_a_paragraph_marks_the_words_and_names_its_sponsors(add: Any) -> None:
    estonia = government("EE")
    source = add(symbol="A/HRC/RES/20/8", forum="HRC", date=dt.date(2012, 7, 5), endorsed_by=[estonia])
    response = search(client_for(None), q='"freedom of expression"')
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>freedom</mark>" in html and "<mark>expression</mark>" in html
    page = text_of(response)
    assert "1 result in" in page
    assert "A/HRC/RES/20/8" in page and "HRC" in page and "5 July 2012" in page
    assert f"Sponsored by: {estonia.name}" in page
    paragraph = affirms(source)
    assert reverse("library:lineage", args=[paragraph.pk]) in html
    assert reverse("library:source", args=[source.pk]) in html


def test_a_text_dated_only_to_its_year_shows_the_year_not_undated(add: Any, official: Any) -> None:
    """Issue 15 item 21: a speech known only by its year (every General Debate speech) was shown as "undated"."""
    add(date=dt.date(2012, 7, 5))
    speech = add(text=SPEECH, kind=Source.Kind.SPEECH, title="General Debate speech", year=2016)
    client = client_for(official)
    client.post(reverse("library:detect", args=[speech.pk]))
    pages = {
        "search": search(client, q="offline online", kind=Source.Kind.SPEECH),
        "source": client.get(reverse("library:source", args=[speech.pk])),
        "texts": client.get(reverse("library:sources"), {"kind": Source.Kind.SPEECH}),
        "lineage": client.get(reverse("library:lineage", args=[speech.paragraphs.get(position=1).pk])),
    }
    for name, response in pages.items():
        assert '<time datetime="2016">2016</time>' in response.content.decode(), name
        assert "undated" not in text_of(response).casefold(), name
    reuse_row = text_of(client.get(reverse("library:source", args=[speech.pk]))).split("Reuse found", 1)[1]
    assert "5 Jul 2012" in reuse_row


def test_search_marks_the_words_themselves_in_a_paragraph_with_non_ascii_letters(add: Any) -> None:
    add(text="Réaffirme que les droits « offline » sont aussi protégés online, sans préjudice de la sécurité.")
    html = search(client_for(None), q="offline online").content.decode()
    assert "« <mark>offline</mark> »" in html and "protégés <mark>online</mark>," in html


def test_filters_narrow_the_results_by_forum_year_kind_and_signer(add: Any) -> None:
    estonia, ghana = government("EE"), government("GH")
    add(forum="HRC", date=dt.date(2012, 7, 5), endorsed_by=[estonia])
    add(
        text=SPEECH,
        kind=Source.Kind.SPEECH,
        title="Statement at the 32nd session",
        forum="UNGA",
        date=dt.date(2016, 6, 30),
        endorsed_by=[ghana],
    )
    client = client_for(None)

    def titles(**filters: Any) -> set[str]:
        page = text_of(search(client, q="offline online", **filters))
        return {t for t in ("The promotion of human rights", "Statement at the 32nd session") if t in page}

    both = {"The promotion of human rights", "Statement at the 32nd session"}
    assert titles() == both
    assert titles(forum="UNGA") == {"Statement at the 32nd session"}
    assert titles(year_from=2010, year_to=2013) == {"The promotion of human rights"}
    assert titles(kind=Source.Kind.SPEECH) == {"Statement at the 32nd session"}
    assert titles(signed_by=estonia.pk) == {"The promotion of human rights"}


def test_the_filter_choices_are_what_the_viewer_can_read(add: Any) -> None:
    add(forum="HRC", endorsed_by=[government("EE")])
    add(forum="SECRETFORUM", classification=Classification.MEMBERS, endorsed_by=[government("GH")])
    html = search(client_for(None)).content.decode()
    assert ">HRC</option>" in html and "SECRETFORUM" not in html
    assert "Government of EE" in html and "Government of GH" not in html


@pytest.mark.parametrize("query", ["( ) * :", '"" *** ::', "x" * 501])
def test_a_query_the_engine_cannot_run_is_a_message_at_the_field(add: Any, query: str) -> None:
    add()
    response = search(client_for(None), q=query)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html and 'href="#id_q"' in html
    assert 'id="id_q_error"' in html


def test_search_syntax_is_read_as_words_never_as_operators(add: Any) -> None:
    add()
    response = search(client_for(None), q="AND ( ) * : text:offline")
    assert response.status_code == 200 and "error-summary" not in response.content.decode()


def test_a_bad_year_is_a_message_at_its_field(add: Any) -> None:
    add()
    response = search(client_for(None), q="offline", year_from="last year")
    assert response.status_code == 200
    assert 'href="#id_year_from"' in response.content.decode()
    response = search(client_for(None), q="offline", year_from=2020, year_to=2010)
    assert "The last year is before the first year." in text_of(response)


def test_a_page_beyond_the_last_shows_no_results_not_an_error(add: Any) -> None:
    add()
    for page in ("999999999", "-3", "two"):
        assert search(client_for(None), q="offline", page=page).status_code == 200


def test_an_empty_search_explains_the_library_and_counts_what_the_viewer_can_read(add: Any, official: Any) -> None:
    add()
    add(classification=Classification.MEMBERS, title="Members only")
    assert "1 text you can read" in text_of(search(client_for(None)))
    assert "2 texts you can read" in text_of(search(client_for(official)))


def test_the_main_navigation_leads_to_the_library(client: Client) -> None:
    assert f'href="{reverse("library:search")}"' in client.get("/").content.decode()


# --- Who finds what -----------------------------------------------------------------------------------------------


def test_anonymous_visitors_find_only_public_texts(add: Any) -> None:
    add(title="Public resolution")
    add(title="Coalition paper", classification=Classification.COALITION, kind=Source.Kind.REPORT)
    add(title="Members paper", classification=Classification.MEMBERS, kind=Source.Kind.REPORT)
    page = text_of(search(client_for(None), q="offline online"))
    assert "Public resolution" in page
    assert "Coalition paper" not in page and "Members paper" not in page
    sources = text_of(client_for(None).get(reverse("library:sources")))
    assert "Public resolution" in sources and "Members paper" not in sources


def test_the_advisory_network_never_meets_a_draft_statement(
    support: Any, advisory: Any, add: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        statement = draft(support, title="On election shutdowns", text=STATEMENT)
    source = statement.library_source
    paragraph = source.paragraphs.get(position=1)
    client = client_for(advisory)
    assert "On election shutdowns" not in text_of(search(client, q="shutdown mobile networks counting votes"))
    assert client.get(reverse("library:source", args=[source.pk])).status_code == 404
    assert client.get(reverse("library:lineage", args=[paragraph.pk])).status_code == 404
    assert "On election shutdowns" not in text_of(client.get(reverse("library:sources")))
    checked = client.post(reverse("library:assistant"), {"text": STATEMENT})
    assert checked.status_code == 200
    assert "On election shutdowns" not in text_of(checked) and "0 agreed" in text_of(checked)
    # A public text that shares the language does not reveal the draft on its own lineage either.
    public = add(text=STATEMENT, title="Public copy", kind=Source.Kind.REPORT)
    lineage = text_of(client.get(reverse("library:lineage", args=[public.paragraphs.get(position=1).pk])))
    assert "Public copy" in lineage and "On election shutdowns" not in lineage
    # Governments read the draft and find it.
    governments = client_for(support)
    assert "On election shutdowns" in text_of(search(governments, q="shutdown mobile networks counting votes"))
    statement_url = reverse("statements:statement", args=[statement.slug])
    assert statement_url in governments.get(reverse("library:source", args=[source.pk])).content.decode()


def test_a_restricted_text_stays_with_its_audience(add: Any, make_user: Any, official: Any) -> None:
    reader = make_user(Role.MEMBER_OFFICIAL)
    audience = Audience.objects.create(name="Drafting group")
    AudienceMember.objects.create(audience=audience, principal=f"person:{reader.person_id}")
    source = add(title="Drafting group paper", classification=Classification.RESTRICTED, audience=audience)
    paragraph = affirms(source)
    outsider = client_for(official)
    assert "Drafting group paper" not in text_of(search(outsider, q="offline online"))
    assert outsider.get(reverse("library:source", args=[source.pk])).status_code == 404
    assert outsider.get(reverse("library:lineage", args=[paragraph.pk])).status_code == 404
    assert "Drafting group paper" not in text_of(outsider.post(reverse("library:assistant"), {"text": AFFIRMS}))
    insider = client_for(reader)
    assert "Drafting group paper" in text_of(search(insider, q="offline online"))
    assert insider.get(reverse("library:lineage", args=[paragraph.pk])).status_code == 200


# --- Importing ----------------------------------------------------------------------------------------------------


def import_form(**fields: Any) -> dict[str, Any]:
    return {"kind": Source.Kind.RESOLUTION, "title": "Imported resolution", "classification": "members", **fields}


def test_a_government_imports_pasted_text_and_lands_on_its_page(official: Any) -> None:
    estonia = government("EE")
    client = client_for(official)
    assert client.get(reverse("library:import")).status_code == 200
    response = client.post(
        reverse("library:import"),
        import_form(text=RESOLUTION, forum="HRC", symbol="A/HRC/RES/20/8", date="2012-07-05", endorsed_by=[estonia.pk]),
        follow=True,
    )
    source = Source.objects.get(title="Imported resolution")
    assert response.redirect_chain[-1][0] == reverse("library:source", args=[source.pk])
    page = text_of(response)
    assert f"Imported {source.paragraphs.count()} paragraphs; checking for reuse" in page
    assert source.classification == Classification.MEMBERS and list(source.endorsed_by.all()) == [estonia]
    assert "Affirms that the same rights" in page


def test_a_government_imports_a_text_file(official: Any, worker: Any) -> None:
    """Issue 16 item 7: even a small file is read by the task worker, never in the web request; its page follows it."""
    upload = SimpleUploadedFile("resolution.txt", RESOLUTION.encode(), content_type="text/plain")
    with worker():
        response = client_for(official).post(reverse("library:import"), import_form(file=upload))
    queued = QueuedImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("library:queued_import", args=[queued.pk])
    source = Source.objects.get(title="Imported resolution")
    assert source.origin == "resolution.txt" and queued.source == source
    page = text_of(client_for(official).get(response["Location"]))
    assert "Added: every paragraph of the file is in the library." in page


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("blank.txt", b"   \n\n  "),
        SimpleUploadedFile("broken.pdf", b"%PDF-1.4 garbage"),
        SimpleUploadedFile("fake.docx", b"this is not a zip archive at all"),
        SimpleUploadedFile("unbroken.txt", b"x" * 20_001),  # no space to cut it at
    ],
    ids=["blank", "broken-pdf", "fake-docx", "unbroken"],
)
def test_a_file_the_worker_cannot_read_is_refused_on_its_page_naming_the_field_and_saves_nothing(
    official: Any, worker: Any, upload: SimpleUploadedFile
) -> None:
    before = counts()
    with worker():
        response = client_for(official).post(reverse("library:import"), import_form(file=upload))
    response = client_for(official).get(response["Location"])
    page = text_of(response)
    assert "Refused: nothing from this file was saved." in page and "File:" in page
    assert counts() == before and QueuedImport.objects.get().state == QueuedImport.State.REFUSED


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"file": SimpleUploadedFile("empty.txt", b"")}, "file"),
        ({"file": SimpleUploadedFile("program.exe", b"MZ\x90\x00")}, "file"),
        ({}, "file"),
        ({"text": "   "}, "file"),
        ({"text": RESOLUTION, "title": "  "}, "title"),
        ({"text": RESOLUTION, "kind": Source.Kind.STATEMENT}, "kind"),
        ({"text": RESOLUTION, "classification": "restricted"}, "classification"),
        ({"text": RESOLUTION, "date": "5 July"}, "date"),
    ],
)
def test_bad_input_to_an_import_is_a_message_at_its_field_and_saves_nothing(
    official: Any, fields: dict[str, Any], field: str
) -> None:
    before = counts()
    data = import_form(**fields)
    if "title" in fields:
        data["title"] = fields["title"]
    response = client_for(official).post(reverse("library:import"), data)
    assert response.status_code == 400
    assert f'href="#id_{field}' in response.content.decode()
    assert counts() == before


def test_a_file_and_pasted_text_together_are_refused(official: Any) -> None:
    upload = SimpleUploadedFile("resolution.txt", RESOLUTION.encode())
    response = client_for(official).post(reverse("library:import"), import_form(file=upload, text=SPEECH))
    assert response.status_code == 400 and "not both" in text_of(response)
    assert counts() == (0, 0)


def test_only_governments_may_import(advisory: Any) -> None:
    assert client_for(advisory).get(reverse("library:import")).status_code == 403
    assert client_for(advisory).post(reverse("library:import"), import_form(text=RESOLUTION)).status_code == 403
    anonymous = client_for(None).post(reverse("library:import"), import_form(text=RESOLUTION))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert counts() == (0, 0)


def test_the_sources_page_offers_import_to_governments_only(add: Any, official: Any, advisory: Any) -> None:
    add()
    assert reverse("library:import") in client_for(official).get(reverse("library:sources")).content.decode()
    assert reverse("library:import") not in client_for(advisory).get(reverse("library:sources")).content.decode()
    kinds = client_for(None).get(reverse("library:sources"), {"kind": Source.Kind.SPEECH})
    assert "No texts to show." in text_of(kinds)


# --- Reuse and removal --------------------------------------------------------------------------------------------


def test_a_government_checks_a_text_for_reuse(add: Any, official: Any, advisory: Any) -> None:
    add(date=dt.date(2012, 7, 5))
    speech = add(text=SPEECH, kind=Source.Kind.SPEECH, title="Statement at the 32nd session", date=dt.date(2016, 6, 30))
    url = reverse("library:detect", args=[speech.pk])
    assert client_for(advisory).post(url).status_code == 403
    assert client_for(official).get(url).status_code == 405
    response = client_for(official).post(url, follow=True)
    assert "1 passage of reused language found." in text_of(response)
    page = text_of(client_for(official).get(reverse("library:source", args=[speech.pk])))
    assert "takes up" in page and "The promotion of human rights on the Internet" in page


def test_reuse_with_a_text_the_viewer_cannot_read_is_not_shown(add: Any, official: Any, advisory: Any) -> None:
    add(date=dt.date(2012, 7, 5), classification=Classification.MEMBERS, title="Members-only resolution")
    speech = add(text=SPEECH, kind=Source.Kind.SPEECH, title="Public speech", date=dt.date(2016, 6, 30))
    services.detect_reuse(speech, by=None)
    assert "Members-only resolution" in text_of(client_for(official).get(reverse("library:source", args=[speech.pk])))
    page = text_of(client_for(advisory).get(reverse("library:source", args=[speech.pk])))
    assert "Public speech" in page and "Members-only resolution" not in page


def test_the_support_unit_removes_a_text_after_confirming(add: Any, support: Any, official: Any) -> None:
    source = add()
    url = reverse("library:delete", args=[source.pk])
    assert client_for(official).post(url).status_code == 403
    client = client_for(support)
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Remove the text" in text_of(confirm)
    assert Source.objects.filter(pk=source.pk).exists()
    response = client.post(url, follow=True)
    assert "was removed from the library" in text_of(response)
    assert counts() == (0, 0)
    assert "The promotion of human rights" not in text_of(search(client, q="offline online"))


def test_a_statements_text_cannot_be_removed_from_the_library(support: Any, django_capture_on_commit_callbacks: Any):
    with django_capture_on_commit_callbacks(execute=True):
        statement = draft(support, title="On election shutdowns", text=STATEMENT)
    response = client_for(support).post(reverse("library:delete", args=[statement.library_source.pk]))
    assert response.status_code == 400 and "only with the statement" in text_of(response)
    assert Source.objects.filter(statement=statement).exists()


# --- Lineage ------------------------------------------------------------------------------------------------------


def test_the_lineage_is_a_timeline_oldest_first_with_the_differences(add: Any) -> None:
    later = add(text=SPEECH, kind=Source.Kind.SPEECH, title="Speech of 2016", date=dt.date(2016, 6, 30))
    middle = add(title="Resolution of 2014", date=dt.date(2014, 6, 26))
    add(title="Resolution of 2012", date=dt.date(2012, 7, 5))
    paragraph = affirms(middle)
    response = client_for(None).get(reverse("library:lineage", args=[paragraph.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(response).split("Where this language appears", 1)[1]
    assert page.index("Resolution of 2012") < page.index("Resolution of 2014") < page.index("Speech of 2016")
    assert '<time datetime="2012">' in html and '<time datetime="2016-06-30">' in html
    assert 'class="this" aria-current="true"' in html
    assert "Earlier" in page and "Later" in page and "Identical text" in page
    # The speech's wording against this paragraph: "We recall" is only in the speech, "Affirms" only here.
    assert "<del>We recall " in html and re.search(r"<ins>[^<]*Affirms ", html)
    assert "only in this paragraph" in page
    assert later.title in page


def test_the_lineage_of_a_hidden_paragraph_is_not_found(add: Any, advisory: Any) -> None:
    source = add(classification=Classification.MEMBERS)
    assert client_for(advisory).get(reverse("library:lineage", args=[affirms(source).pk])).status_code == 404
    assert client_for(None).get(reverse("library:lineage", args=[999999])).status_code == 404


# --- Drafting assistant -------------------------------------------------------------------------------------------


def test_the_assistant_marks_agreed_close_and_new_paragraphs_and_stores_nothing(add: Any, advisory: Any) -> None:
    estonia = government("EE")
    add(date=dt.date(2012, 7, 5), endorsed_by=[estonia], symbol="A/HRC/RES/20/8")
    before = counts()
    draft_text = "\n\n".join(
        [
            AFFIRMS,
            "Urges all States to stop measures that prevent access to information online during elections and "
            "protests.",
            "Welcomes the work of the Special Rapporteur on the rights to freedom of peaceful assembly and "
            "association.",
        ]
    )
    response = client_for(advisory).post(reverse("library:assistant"), {"text": draft_text})
    assert response.status_code == 200
    page = text_of(response)
    assert "3 paragraphs: 1 agreed, 1 close, 1 new." in page
    assert "Agreed language" in page and "Close to agreed language" in page and "New" in page
    assert f"Already sponsored by: {estonia.name}" in page and "A/HRC/RES/20/8" in page
    assert "<ins>" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert counts() == before


def test_the_assistant_reads_an_uploaded_draft(add: Any, official: Any) -> None:
    add()
    upload = SimpleUploadedFile("draft.txt", AFFIRMS.encode())
    page = text_of(client_for(official).post(reverse("library:assistant"), {"file": upload}))
    assert "1 paragraph: 1 agreed, 0 close, 0 new." in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "  \n\n "}, "text"),
        ({"file": SimpleUploadedFile("broken.pdf", b"%PDF-1.4 garbage")}, "file"),
        ({"file": SimpleUploadedFile("empty.txt", b"")}, "file"),
        ({"text": "\n\n".join(f"Paragraph {n} of a very long draft." for n in range(500))}, "text"),
    ],
)
def test_bad_input_to_the_assistant_is_a_message_at_its_field(official: Any, data: dict[str, Any], field: str):
    response = client_for(official).post(reverse("library:assistant"), data)
    assert response.status_code == 400
    assert f'href="#id_{field}"' in response.content.decode()


def test_the_assistant_is_for_participants(client: Client) -> None:
    response = client.get(reverse("library:assistant"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Oversized uploads --------------------------------------------------------------------------------------------


@override_settings(COALITION_MAX_REQUEST_BYTES=1024)
def test_an_oversized_upload_gets_a_page_naming_the_limit(official: Any) -> None:
    client = client_for(official)
    url = reverse("library:import")
    response = client.post(url, data="x" * 5000, content_type="text/plain", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    page = text_of(response)
    assert "too large" in page and "0 MB" in page
    assert f'href="{url}"' in response.content.decode()
    plain = client.post(url, data="x" * 5000, content_type="text/plain", HTTP_ACCEPT="application/json")
    assert plain.status_code == 413 and plain["Content-Type"].startswith("text/plain")


# --- Queries per page ---------------------------------------------------------------------------------------------


def test_each_page_stays_within_its_query_budget(
    add: Any, support: Any, django_assert_max_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    signers = [government(code) for code in ("EE", "GH", "CA", "FI")]
    sources = [
        add(title=f"Resolution {year}", date=dt.date(year, 7, 5), forum="HRC", endorsed_by=signers)
        for year in range(2010, 2016)
    ]
    speech = add(text=SPEECH, kind=Source.Kind.SPEECH, title="Speech", date=dt.date(2016, 6, 30), endorsed_by=signers)
    services.detect_reuse(speech, by=None)
    with django_capture_on_commit_callbacks(execute=True):
        draft(support, title="On election shutdowns", text=STATEMENT)
    client = client_for(support)
    paragraph = affirms(sources[2])
    pages: list[tuple[str, dict[str, Any]]] = [
        (reverse("library:search"), {}),
        (reverse("library:search"), {"q": "offline online", "forum": "HRC", "signed_by": signers[0].pk}),
        (reverse("library:sources"), {}),
        (reverse("library:source", args=[speech.pk]), {}),
        (reverse("library:source", args=[sources[0].pk]), {}),
        (reverse("library:lineage", args=[paragraph.pk]), {}),
        (reverse("library:import"), {}),
        (reverse("library:assistant"), {}),
        (reverse("library:delete", args=[sources[0].pk]), {}),
    ]
    for url, params in pages:
        with django_assert_max_num_queries(20):
            assert client.get(url, params).status_code == 200, url
    with django_assert_max_num_queries(20):
        assert client.post(reverse("library:assistant"), {"text": f"{AFFIRMS}\n\n{STATEMENT}"}).status_code == 200


def test_many_results_come_a_page_at_a_time(add: Any) -> None:
    text = "\n\n".join(f"Paragraph {n}: the rights people have offline are protected online too." for n in range(12))
    add(text=text, kind=Source.Kind.REPORT)
    client = client_for(None)
    first = search(client, q="offline online", forum="")
    assert "12 results in" in text_of(first) and "page 1 of 2" in text_of(first)
    assert "page=2" in first.content.decode() and 'rel="next"' in first.content.decode()
    second = search(client, q="offline online", page=2)
    assert 'start="11"' in second.content.decode() and 'rel="prev"' in second.content.decode()
