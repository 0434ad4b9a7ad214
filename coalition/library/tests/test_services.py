"""The library through its services and queries: imports all or nothing, the index kept in line with the rows,
statements' texts following the statements (a draft never reaches anyone who cannot read the draft), reuse recorded
as uptake evidence, lineage in time order, and the drafting assistant."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from coalition.core.errors import AccessDenied, InvalidInput
from coalition.core.models import Audience, AudienceMember, AuditEvent
from coalition.core.policy import Classification, Role
from coalition.library import indexing, queries, services, visibility
from coalition.library.engine import Filters
from coalition.library.models import Paragraph, ReuseRecord, Source
from coalition.programme.models import EvidenceLink
from coalition.programme.services import load_programme
from coalition.statements.models import Statement
from coalition.statements.tests.test_services import draft, lift_embargo, member, published

pytestmark = pytest.mark.django_db

RESOLUTION = """The Human Rights Council,

Recalling its resolution 1/1 of 1 January 2000 on an earlier matter,

Deeply concerned that deliberate disruptions of access to information online silence journalists, human rights
defenders and whole communities at moments of crisis,

1. Affirms that the same rights that people have offline must also be protected online, in particular freedom of
expression, which is applicable regardless of frontiers and through any media of one's choice;

2. Calls upon all States to refrain from and cease measures that intentionally prevent or disrupt access to or
dissemination of information online;
"""

STATEMENT = (
    "The coalition affirms that the same rights that people have offline must also be protected online, in "
    "particular freedom of expression, which is applicable regardless of frontiers and through any media of one's "
    "choice.\n\nWe call on all governments to keep the internet open, secure and interoperable during elections, "
    "protests and other moments of public importance."
)


@pytest.fixture
def add(imported: Callable[..., Source]) -> Callable[..., Source]:
    return imported


def found(user: Any, query: str, **filters: Any) -> list[Paragraph]:
    return [r.paragraph for r in queries.search(user, query, Filters(**filters)).results]


# --- Importing ----------------------------------------------------------------------------------------------------


def test_an_import_segments_records_and_indexes_the_text(add: Any, support: Any) -> None:
    source = add(
        text=RESOLUTION,
        title="The right to access information",
        forum="HRC",
        symbol="A/HRC/RES/0/1",
        date=dt.date(2016, 7, 1),
    )
    paragraphs = list(source.paragraphs.all())
    assert [p.position for p in paragraphs] == list(range(1, len(paragraphs) + 1))
    assert any("same rights that people have offline" in p.text for p in paragraphs)
    assert source.year == 2016
    assert AuditEvent.objects.filter(action="library.source_imported").count() == 1
    assert indexing.drift() == (set(), set())
    hits = found(AnonymousUser(), "same rights offline online")
    assert hits and hits[0].source == source


def test_the_search_shows_provenance_and_highlights(add: Any, official: Any) -> None:
    estonia = member("EE")[0]
    add(text=RESOLUTION, forum="HRC", symbol="A/HRC/RES/0/1", date=dt.date(2016, 7, 1), endorsed_by=[estonia])
    result = queries.search(official, "disrupt access information").results[0]
    assert result.source.symbol == "A/HRC/RES/0/1"
    assert list(result.source.endorsed_by.all()) == [estonia]
    assert result.paragraph.number  # an operative paragraph keeps its number
    assert {text.casefold() for text, hit in result.parts if hit} >= {"access", "information"}
    assert "".join(text for text, _hit in result.parts) == result.paragraph.text


def test_filters_narrow_the_results(add: Any, official: Any) -> None:
    estonia = member("EE")[0]
    add(text=RESOLUTION, forum="HRC", date=dt.date(2016, 7, 1), endorsed_by=[estonia])
    add(text=RESOLUTION.replace("Council", "Assembly"), forum="UNGA", date=dt.date(2012, 12, 20), title="Other")
    assert {p.source.forum for p in found(official, "offline online")} == {"HRC", "UNGA"}
    assert {p.source.forum for p in found(official, "offline online", forum="UNGA")} == {"UNGA"}
    assert {p.source.year for p in found(official, "offline online", year_from=2015)} == {2016}
    assert {p.source.forum for p in found(official, "offline online", signed_by=str(estonia.pk))} == {"HRC"}
    assert found(official, "offline online", kind=Source.Kind.SPEECH) == []


@pytest.mark.parametrize("query", ["( ) * : ^ ~ [ ] { } + - \\ /", '"', "-", "x" * 501, " ".join(["word"] * 40)])
def test_a_query_the_engine_cannot_run_is_refused_with_a_message(add: Any, query: str) -> None:
    add(text=RESOLUTION)
    with pytest.raises(InvalidInput) as error:
        queries.search(AnonymousUser(), query)
    assert error.value.field == "q"
    assert error.value.message


def test_syntax_characters_among_words_are_plain_characters(add: Any) -> None:
    add(text=RESOLUTION)
    assert found(AnonymousUser(), 'offline AND (online) text:* "same rights"')


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "empty"),
        ({"text": "   \n\n  "}, "empty"),
        ({"text": "x" * 20_001}, "characters long"),  # no space to cut it at
        ({"file_name": "a.pdf", "data": b"%PDF-1.4 garbage"}, "PDF"),
        ({"file_name": "a.docx", "data": b"PK\x03\x04 not really a document"}, ""),
        ({"file_name": "big.txt", "data": b"a" * (16 * 1024 * 1024)}, "MB"),
        ({"title": " "}, "title"),
    ],
)
def test_bad_input_leaves_the_library_unchanged(
    support: Any, django_capture_on_commit_callbacks: Any, fields: dict[str, Any], message: str
) -> None:
    fields = {"kind": Source.Kind.RESOLUTION, "title": "Bad", "text": None, **fields}
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as error:
        services.import_text(by=support, **fields)
    assert message in error.value.message
    assert Source.objects.count() == 0 and Paragraph.objects.count() == 0
    assert indexing.engine().size == 0


def test_a_speech_written_as_one_long_line_is_imported_as_paragraphs_cut_at_sentence_ends(add: Any) -> None:
    speech = " ".join(
        f"In {year} Mr. President, our delegation spoke again about access to information online and about "
        f"the safety of journalists in the U.S. and elsewhere (see para. {year - 1990})!"
        for year in range(1800, 1950)
    )
    assert len(speech) > settings.LIBRARY_MAX_PARAGRAPH_CHARS

    source = add(text=speech, kind=Source.Kind.SPEECH, detect=False)

    texts = [p.text for p in source.paragraphs.order_by("position")]
    assert " ".join(texts) == speech
    assert len(texts) > 5 and all(len(text) <= 3_000 for text in texts)  # about the length of a speech's paragraph
    assert all(text.startswith("In ") and text.endswith(")!") for text in texts)  # never inside a sentence


def test_a_sentence_longer_than_the_limit_is_cut_at_spaces_and_nothing_is_lost(add: Any) -> None:
    sentence = "freedom of expression online and offline " * 600 + "matters."
    assert len(sentence) > settings.LIBRARY_MAX_PARAGRAPH_CHARS

    source = add(text=sentence, kind=Source.Kind.SPEECH, detect=False)

    texts = [p.text for p in source.paragraphs.order_by("position")]
    assert " ".join(texts) == sentence
    assert len(texts) > 1 and all(len(text) < settings.LIBRARY_MAX_PARAGRAPH_CHARS for text in texts)
    assert all(text.strip() == text for text in texts)


def test_a_numbered_paragraph_cut_in_pieces_keeps_its_number_on_the_first(add: Any) -> None:
    long_paragraph = "5. Calls upon all States " + "to refrain from shutting down the Internet. Also " * 500 + "to act."
    source = add(text=f"{RESOLUTION}\n{long_paragraph}\n", detect=False)

    pieces = list(source.paragraphs.filter(text__contains="refrain from shutting").order_by("position"))
    assert len(pieces) > 1
    assert pieces[0].text.startswith("Calls upon all States") and pieces[0].number == "5"
    assert all(p.number == "" and p.kind == pieces[0].kind for p in pieces[1:])


def test_the_same_file_is_not_imported_twice(add: Any) -> None:
    add(file_name="r.txt", data=RESOLUTION.encode())
    with pytest.raises(InvalidInput, match="already in the library"):
        add(file_name="copy.txt", data=RESOLUTION.encode())
    assert Source.objects.count() == 1


@pytest.mark.parametrize("role", [Role.ADVISORY_NETWORK, Role.OBSERVER, Role.GUEST])
def test_only_governments_import(make_user: Any, role: Role) -> None:
    with pytest.raises(AccessDenied):
        services.import_text(by=make_user(role), text=RESOLUTION, kind=Source.Kind.RESOLUTION, title="x")


def test_a_general_debate_speech_is_titled_with_its_session_as_an_english_ordinal(
    support: Any, tmp_path: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Issue 15 item 21: titles said "73th session"; they read "73rd", "11th", "21st" as English writes them."""
    sessions = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 11: "11th", 12: "12th", 13: "13th", 21: "21st", 22: "22nd"}
    sessions |= {23: "23rd", 73: "73rd", 101: "101st", 111: "111th", 112: "112th", 113: "113th"}
    speeches = tmp_path / "speeches.jsonl"
    speeches.write_text(
        "\n".join(
            json.dumps({"iso3": "EST", "year": 1945 + session % 80, "session": session, "text": f"At {session}."})
            for session in sessions
        ),
        encoding="utf-8",
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("library_import_ungdc", str(speeches), "--as", support.email, stdout=io.StringIO())

    titles = set(Source.objects.filter(kind=Source.Kind.SPEECH).values_list("title", flat=True))
    assert titles == {
        f"EST: General Debate, {ordinal} session of the General Assembly ({1945 + session % 80})"
        for session, ordinal in sessions.items()
    }


# --- Who finds what -----------------------------------------------------------------------------------------------


def test_classification_decides_who_finds_a_text(add: Any, official: Any, advisory: Any) -> None:
    add(text=RESOLUTION, classification=Classification.MEMBERS)
    assert found(official, "offline online")
    assert found(advisory, "offline online") == []
    assert found(AnonymousUser(), "offline online") == []


def test_a_restricted_text_reaches_its_audience_only(add: Any, make_user: Any, official: Any) -> None:
    reader = make_user(Role.MEMBER_OFFICIAL)
    audience = Audience.objects.create(name="Drafting group")
    AudienceMember.objects.create(audience=audience, principal=f"person:{reader.person_id}")
    source = add(text=RESOLUTION, classification=Classification.RESTRICTED, audience=audience)
    assert found(reader, "offline online")
    assert found(official, "offline online") == []
    paragraph = source.paragraphs.first()
    assert not visibility.visible_paragraphs(official).filter(pk=paragraph.pk).exists()


def test_a_draft_statement_is_found_only_by_those_who_read_the_draft(
    support: Any, official: Any, advisory: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        statement = draft(support, title="On elections", text=STATEMENT)
    source = statement.library_source
    assert source.paragraphs.count() == 2 and source.kind == Source.Kind.STATEMENT
    assert found(official, "interoperable elections")  # members read drafts
    assert found(advisory, "interoperable elections") == []
    assert found(AnonymousUser(), "interoperable elections") == []
    assert queries.assist(advisory, STATEMENT)[0].match is None  # the assistant shows nothing of it either


def test_a_published_statement_is_public_once_its_embargo_lifts(
    support: Any, django_capture_on_commit_callbacks: Any
) -> None:
    signer = member("NL")
    with django_capture_on_commit_callbacks(execute=True):
        statement = published(support, [signer], text=STATEMENT, embargo_until=timezone.now() + dt.timedelta(hours=2))
    source = Source.objects.get(statement=statement)
    assert list(source.endorsed_by.all()) == [signer[0]]
    assert found(AnonymousUser(), "interoperable elections") == []  # under embargo
    lift_embargo(statement)
    Source.objects.filter(pk=source.pk).update(released_at=timezone.now() - dt.timedelta(minutes=1))
    assert found(AnonymousUser(), "interoperable elections")


def test_the_index_never_overrules_the_policy(add: Any, advisory: Any) -> None:
    """A source made members-only after it was indexed as public stays hidden even before the index catches up."""
    source = add(text=RESOLUTION)
    Source.objects.filter(pk=source.pk).update(classification=Classification.MEMBERS)  # no reindex
    assert found(advisory, "offline online") == []


# --- Reuse, evidence and lineage ------------------------------------------------------------------------------------


def test_reuse_is_recorded_from_the_earlier_text_to_the_later(add: Any) -> None:
    earlier = add(text=STATEMENT, title="Statement", date=dt.date(2011, 12, 9), kind=Source.Kind.NATIONAL_STATEMENT)
    later = add(text=RESOLUTION, date=dt.date(2016, 7, 1))
    record = ReuseRecord.objects.get()
    assert record.origin.source == earlier and record.target.source == later
    # The resolution's first operative paragraph (its number kept apart) is the statement's paragraph without "The
    # coalition": a few words changed, not verbatim (issue 15 item 21).
    assert record.kind == ReuseRecord.Kind.EDITED
    assert 0.5 < record.similarity <= 1
    assert later.paragraphs.filter(pk=record.target_id).exists()


def test_formulaic_language_alone_is_not_reuse(add: Any) -> None:
    for year in range(2000, 2030):  # many resolutions open the same way
        add(
            text=f"Recalling its resolution {year}/1 of 1 January {year} and all previous resolutions on the "
            f"subject, and reaffirming the purposes and principles of the Charter of the United Nations,",
            title=f"R{year}",
            date=dt.date(year, 1, 1),
            detect=False,
        )
    add(
        text="Recalling its resolution 1999/1 of 1 January 1999 and all previous resolutions on the subject, and "
        "reaffirming the purposes and principles of the Charter of the United Nations, the Assembly turns to "
        "the question of submarine cables.",
        title="New",
        date=dt.date(2031, 1, 1),
    )
    assert ReuseRecord.objects.count() == 0


def test_reuse_is_uptake_evidence_for_activity_1a6(add: Any, support: Any) -> None:
    load_programme()
    add(text=STATEMENT, title="Statement", date=dt.date(2011, 12, 9))
    add(text=RESOLUTION, date=dt.date(2016, 7, 1))
    record = ReuseRecord.objects.get()
    link = EvidenceLink.objects.get(record_type="library.reuse")
    assert link.activity.code == "1A.6" and link.record_id == str(record.pk)


def test_lineage_runs_oldest_first_with_the_paragraph_in_its_place(add: Any, official: Any) -> None:
    add(text=STATEMENT, title="2011", date=dt.date(2011, 12, 9))
    middle = add(text=RESOLUTION, title="2016", date=dt.date(2016, 7, 1))
    add(text=RESOLUTION.replace("Calls upon", "Urges"), title="2018", date=dt.date(2018, 7, 5))
    paragraph = middle.paragraphs.get(text__contains="same rights")
    timeline = queries.lineage(official, paragraph)
    assert [o.source.title for o in timeline] == ["2011", "2016", "2018"]
    assert [o.relation for o in timeline] == ["earlier", "this", "later"]
    assert timeline[2].kind == "identical"
    assert any(s.op != "equal" for s in timeline[0].segments)


def test_the_assistant_tells_agreed_close_and_new_language_apart(add: Any, official: Any) -> None:
    add(text=RESOLUTION, date=dt.date(2016, 7, 1))
    draft_text = (
        "Affirms that the same rights that people have offline must also be protected online, in particular "
        "freedom of expression, which is applicable regardless of frontiers and through any media;\n\n"
        "Calls upon all States to refrain from measures that prevent access to information online during "
        "national elections and to publish every order they give to network operators;\n\n"
        "Decides to convene a workshop on submarine cable resilience in the Pacific next year."
    )
    statuses = [s.status for s in queries.assist(official, draft_text)]
    assert statuses == ["agreed", "close", "new"]
    assert Source.objects.count() == 1  # nothing of the draft is stored


# --- Keeping the index in line ---------------------------------------------------------------------------------------


def test_deleting_a_source_takes_it_out_of_the_index(
    add: Any, support: Any, django_capture_on_commit_callbacks: Any
) -> None:
    source = add(text=RESOLUTION)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_source(source, by=support)
    assert indexing.engine().size == 0
    assert found(support, "offline online") == []


def test_rebuild_and_check_commands(add: Any, capsys: Any) -> None:
    add(text=RESOLUTION)
    indexing.engine().clear()
    with pytest.raises(SystemExit):
        call_command("library_index", "--check")
    assert "missing from the index" in capsys.readouterr().out
    call_command("library_index", "--rebuild")
    call_command("library_index", "--check")
    assert "matches the database" in capsys.readouterr().out


def test_a_statements_own_readers_decide_even_when_its_library_copy_lags(
    support: Any, official: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The library's copy of a statement's readers is only a copy: narrowed behind its back (no signal), the
    statement still decides, in search and in lineage."""
    with django_capture_on_commit_callbacks(execute=True):
        statement = draft(support, title="On elections", text=STATEMENT)
    assert found(official, "interoperable elections")
    audience = Audience.objects.create(name="Drafting group")
    Statement.objects.filter(pk=statement.pk).update(classification=Classification.RESTRICTED, audience=audience)
    assert Source.objects.get(statement=statement).classification == Classification.MEMBERS  # the stale copy
    assert found(official, "interoperable elections") == []
    paragraph = Source.objects.get(statement=statement).paragraphs.first()
    assert paragraph is not None
    assert not visibility.visible_paragraphs(official).filter(pk=paragraph.pk).exists()
