"""The library's engine on small texts: search, filters, access, query safety, the index's upkeep, reuse and
alignment. Nothing here needs the database."""

from __future__ import annotations

import random

import pytest

from coalition.library.engine import (
    EDITED,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    REORDERED,
    RESTRUCTURED,
    VERBATIM,
    AccessFilter,
    Engine,
    Filters,
    IndexedParagraph,
    QueryError,
    align,
    classify,
    words,
)

PUBLIC = AccessFilter(levels=frozenset({"public"}))

SHUTDOWNS = (
    "Condemns unequivocally measures in violation of international human rights law that aim to or that "
    "intentionally prevent or disrupt access to or dissemination of information online, and calls upon all "
    "States to refrain from and cease such measures."
)
JOURNALISTS = (
    "Calls upon States to create and maintain a safe and enabling environment for journalists to perform their "
    "work independently and without undue interference, including by means of legislative measures."
)
OCEANS = (
    "Encourages coastal States to strengthen the conservation of marine biodiversity beyond national "
    "jurisdiction. The depletion of fish stocks threatens the food security of island communities. Cooperation "
    "between regional fisheries bodies must therefore be deepened."
)
FORMULA = "We reaffirm our commitment to the purposes and principles of the Charter of the United Nations."


def paragraph(pid: int, text: str, **fields: object) -> IndexedParagraph:
    fields.setdefault("sid", pid)
    fields.setdefault("access", "public")
    return IndexedParagraph(pid=pid, text=text, **fields)  # type: ignore[arg-type]


def filler(count: int, *, start: int = 1000, seed: int = 1) -> list[IndexedParagraph]:
    """Unrelated paragraphs, each closing with the formula, so that its shingles are formulaic in the index."""
    rng = random.Random(seed)
    vocabulary = (
        "agriculture", "budget", "climate", "delegation", "education", "election", "energy", "finance", "health",
        "housing", "industry", "justice", "labour", "migration", "mining", "pension", "police", "railway", "science",
        "tariff", "tourism", "transport", "water", "youth",
    )  # fmt: skip
    return [
        paragraph(start + i, " ".join(rng.choice(vocabulary) for _ in range(14)).capitalize() + ". " + FORMULA)
        for i in range(count)
    ]


@pytest.fixture
def engine() -> Engine:
    index = Engine()
    index.rebuild(
        [
            paragraph(1, SHUTDOWNS, sid=1, forum="HRC", year=2016, kind="resolution", signers=("EE", "NL")),
            paragraph(2, JOURNALISTS, sid=1, forum="HRC", year=2016, kind="resolution", signers=("EE", "NL")),
            paragraph(3, OCEANS, sid=2, forum="UNGA", year=2012, kind="speech"),
            paragraph(
                4, "Access to information online matters, and online access matters most.", sid=3, access="members"
            ),
            paragraph(5, "Restricted access to information held by the secretariat.", sid=4, access="restricted"),
            *filler(30),
        ]
    )
    return index


def pids(page: object) -> list[int]:
    return [hit.pid for hit in page.hits]  # type: ignore[attr-defined]


# --- Search -----------------------------------------------------------------------------------------------------


def test_search_ranks_the_paragraph_that_uses_the_words_most_first(engine: Engine) -> None:
    everyone = AccessFilter(levels=frozenset({"public", "members"}))
    page = engine.search("online access", access=everyone)
    assert pids(page) == [4, 1]
    assert page.total == 2
    assert page.hits[0].score > page.hits[1].score


def test_a_paragraph_with_more_of_the_words_ranks_above_one_with_fewer(engine: Engine) -> None:
    assert pids(engine.search("journalists", access=PUBLIC)) == [2]
    assert pids(engine.search("fisheries environment journalists", access=PUBLIC)) == [2, 3]


def test_a_quoted_phrase_must_occur_in_that_order(engine: Engine) -> None:
    assert pids(engine.search('"safe and enabling environment"', access=PUBLIC)) == [2]
    assert pids(engine.search('"enabling safe environment"', access=PUBLIC)) == []


def test_search_matches_other_forms_of_a_word(engine: Engine) -> None:
    assert pids(engine.search("journalist", access=PUBLIC)) == [2]
    assert pids(engine.search("conserving biodiversities", access=PUBLIC)) == [3]


def test_search_filters_by_forum_years_kind_and_signer(engine: Engine) -> None:
    def found(**filters: object) -> set[int]:
        return set(pids(engine.search("states", access=PUBLIC, filters=Filters(**filters))))  # type: ignore[arg-type]

    assert found() == {1, 2, 3}
    assert found(forum="UNGA") == {3}
    assert found(year_from=2015) == {1, 2}
    assert found(year_to=2015) == {3}
    assert found(year_from=2012, year_to=2012) == {3}
    assert found(kind="speech") == {3}
    assert found(signed_by="EE") == {1, 2}
    assert found(signed_by="FR") == set()


def test_access_levels_decide_what_a_reader_finds(engine: Engine) -> None:
    assert pids(engine.search("information", access=PUBLIC)) == [1]
    members = AccessFilter(levels=frozenset({"public", "members"}))
    assert set(pids(engine.search("information", access=members))) == {1, 4}


def test_a_restricted_source_is_found_only_by_readers_allowed_that_source(engine: Engine) -> None:
    allowed = AccessFilter(levels=frozenset({"public"}), sources=frozenset({4}))
    assert set(pids(engine.search("information", access=allowed))) == {1, 5}
    other = AccessFilter(levels=frozenset({"public"}), sources=frozenset({99}))
    assert set(pids(engine.search("information", access=other))) == {1}


def test_a_reader_with_only_sources_finds_only_those_sources(engine: Engine) -> None:
    assert pids(engine.search("information", access=AccessFilter(levels=frozenset(), sources=frozenset({4})))) == [5]


def test_a_reader_with_no_levels_and_no_sources_finds_nothing(engine: Engine) -> None:
    page = engine.search("information", access=AccessFilter(levels=frozenset()))
    assert page.hits == [] and page.total == 0


def test_highlights_mark_the_query_words_in_the_text(engine: Engine) -> None:
    [hit] = engine.search("journalists environment", access=PUBLIC).hits
    marked = [hit.text[start:end].casefold() for start, end in hit.highlights]
    assert marked == ["environment", "journalists"]


def test_highlights_mark_the_query_words_in_a_text_with_accented_letters_and_quotes(engine: Engine) -> None:
    text = "Le Conseil réaffirme que les droits « offline » valent aussi online, pour la société et l’environment."
    engine.rebuild([paragraph(1, text)])
    [hit] = engine.search("online environment", access=PUBLIC).hits
    assert [hit.text[start:end] for start, end in hit.highlights] == ["online", "environment"]


def test_search_pages_with_offset_and_limit(engine: Engine) -> None:
    first = engine.search("states", access=PUBLIC, limit=2)
    second = engine.search("states", access=PUBLIC, limit=2, offset=2)
    assert first.total == second.total == 3
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert set(pids(first)) | set(pids(second)) == {1, 2, 3}


SYNTAX = ["AND", "OR", "NOT"]
SYMBOLS = ["+", "-", ":", "*", "(", ")", "[", "]", "{", "}", "^", "~", '"', "\\", "/"]


@pytest.mark.parametrize("query", [*SYMBOLS, " ".join(SYMBOLS), "", "   "])
def test_a_query_of_syntax_characters_alone_is_refused_with_a_message(engine: Engine, query: str) -> None:
    with pytest.raises(QueryError, match="no words to look for"):
        engine.search(query, access=PUBLIC)


@pytest.mark.parametrize(
    "query",
    [
        "journalists* (environment)",
        "+journalists -environment",
        "journalists:environment^~",
        '[journalists] {environment} "',
        'journalists \\ / "environment',
    ],
)
def test_syntax_characters_among_words_are_read_as_plain_words(engine: Engine, query: str) -> None:
    assert pids(engine.search(query, access=PUBLIC)) == [2]


@pytest.mark.parametrize("word", SYNTAX)
def test_operator_words_are_searched_as_words(engine: Engine, word: str) -> None:
    found = pids(engine.search(f"{word} fisheries", access=PUBLIC))
    assert 3 in found  # as an operator, NOT would have excluded it
    assert found == pids(engine.search(f"{word.lower()} fisheries", access=PUBLIC))


def test_a_word_with_an_apostrophe_is_a_word(engine: Engine) -> None:
    assert pids(engine.search("world's fisheries", access=PUBLIC)) == [3]


FRENCH = [
    "La liberté d'expression et le droit à la vie privée doivent être protégés en ligne comme hors ligne.",
    "Les États et la société civile coopèrent pour le développement durable des océans et du littoral.",
    "Le Conseil des droits de l’homme se réunit à Genève.",
]
FRENCH_FUNCTION_WORDS = {"d", "l", "et", "de", "la", "le", "les", "des", "du"}


@pytest.mark.parametrize(
    "query", ["la liberté d'expression et les droits de l'homme", "liberté d’expression, droits de l’homme et la"]
)
def test_a_french_query_never_matches_on_its_articles_and_conjunctions_alone(engine: Engine, query: str) -> None:
    """Issue 15 item 21: a French query found every French paragraph through "d", "et", "de", "la"."""
    engine.rebuild([paragraph(pid, text) for pid, text in enumerate(FRENCH, start=1)])

    page = engine.search(query, access=PUBLIC)

    assert sorted(pids(page)) == [1, 3]
    for hit in page.hits:
        marked = {hit.text[start:end].casefold() for start, end in hit.highlights}
        assert marked and not marked & FRENCH_FUNCTION_WORDS


def test_a_query_of_french_function_words_only_still_searches_them(engine: Engine) -> None:
    """Issue 15 item 21: the stop words go only when other words remain, as with very common words."""
    engine.rebuild([paragraph(pid, text) for pid, text in enumerate(FRENCH, start=1)])
    assert sorted(pids(engine.search("des", access=PUBLIC))) == [2, 3]


def test_un_in_an_english_query_is_still_a_word(engine: Engine) -> None:
    """Issue 15 item 21: French stop words apply to French queries; "UN" in English is the United Nations."""
    engine.rebuild(
        [
            paragraph(1, "The UN Special Rapporteur reported on freedom of expression."),
            paragraph(2, "The Special Rapporteur reported on freedom of assembly."),
        ]
    )
    [hit, _other] = engine.search("UN rapporteur", access=PUBLIC).hits
    assert hit.pid == 1 and "UN" in [hit.text[start:end] for start, end in hit.highlights]


def test_a_query_longer_than_the_limit_is_refused(engine: Engine) -> None:
    with pytest.raises(QueryError, match="characters long"):
        engine.search("a" * (MAX_QUERY_CHARS + 1), access=PUBLIC)


def test_a_query_with_too_many_words_is_refused_but_the_limit_itself_is_fine(engine: Engine) -> None:
    with pytest.raises(QueryError, match=f"at most {MAX_QUERY_WORDS}"):
        engine.search(" ".join(["states"] * (MAX_QUERY_WORDS + 1)), access=PUBLIC)
    assert engine.search(" ".join(["states"] * MAX_QUERY_WORDS), access=PUBLIC).total == 3


# --- Keeping the index --------------------------------------------------------------------------------------------


def test_replace_sources_swaps_a_sources_paragraphs_and_leaves_the_others(engine: Engine) -> None:
    before = engine.indexed_pids()
    engine.replace_sources([1], [paragraph(7, JOURNALISTS.replace("journalists", "reporters"), sid=1)])
    assert engine.indexed_pids() == (before - {1, 2}) | {7}
    assert pids(engine.search("reporters", access=PUBLIC)) == [7]
    assert pids(engine.search("journalists", access=PUBLIC)) == []


def test_replace_sources_with_no_paragraphs_removes_the_source(engine: Engine) -> None:
    engine.replace_sources([2], [])
    assert 3 not in engine.indexed_pids()
    assert engine.size == 34


def test_rebuild_replaces_everything_and_clear_empties(engine: Engine) -> None:
    assert engine.rebuild([paragraph(9, OCEANS)]) == 1
    assert engine.indexed_pids() == {9}
    engine.clear()
    assert engine.indexed_pids() == set() and engine.size == 0


def test_an_index_in_a_folder_is_read_again_by_another_engine(tmp_path: object) -> None:
    Engine(tmp_path).rebuild([paragraph(1, SHUTDOWNS)])  # type: ignore[arg-type]
    assert Engine(tmp_path).indexed_pids() == {1}  # type: ignore[arg-type]


# --- Reuse --------------------------------------------------------------------------------------------------------


def reuse_of(engine: Engine, text: str, **options: object) -> list[tuple[int, str]]:
    return [(r.pid, r.kind) for r in engine.find_reuse(text, **options)]  # type: ignore[arg-type]


def test_a_paragraph_repeated_word_for_word_is_verbatim_reuse(engine: Engine) -> None:
    assert reuse_of(engine, SHUTDOWNS) == [(1, VERBATIM)]
    # Quoted inside a paragraph of its own, it is reuse with words added (issue 15 item 21), not verbatim.
    assert reuse_of(engine, "As the Council said: " + SHUTDOWNS + " We agree.")[0] == (1, EDITED)


def test_a_few_words_changed_is_edited_reuse(engine: Engine) -> None:
    edited = SHUTDOWNS.replace("unequivocally", "firmly").replace("all States", "all Member States")
    found = engine.find_reuse(edited)
    assert [(r.pid, r.kind) for r in found] == [(1, EDITED)]
    assert 0.8 <= found[0].similarity < 1


def test_a_clause_inserted_or_removed_is_restructured_reuse(engine: Engine) -> None:
    inserted = JOURNALISTS.replace(
        "their work", "their work, online and offline, in every region and under every government, and"
    )
    assert reuse_of(engine, inserted) == [(2, RESTRUCTURED)]
    removed = SHUTDOWNS.replace(" in violation of international human rights law that aim to or that", "")
    assert reuse_of(engine, removed) == [(1, RESTRUCTURED)]


def test_sentences_in_another_order_are_reordered_reuse(engine: Engine) -> None:
    first, second, third = (
        "Encourages coastal States to strengthen the conservation of marine biodiversity beyond national jurisdiction.",
        "The depletion of fish stocks threatens the food security of island communities.",
        "Cooperation between regional fisheries bodies must therefore be deepened.",
    )
    assert reuse_of(engine, f"{third} {first} {second}") == [(3, REORDERED)]


def test_sharing_only_a_formulaic_phrase_is_not_reuse(engine: Engine) -> None:
    text = "Our delegation welcomes the new chair of the committee on housing and transport. " + FORMULA
    assert engine.formulaic_threshold(engine.searcher()) < 30  # the formula is in 30 paragraphs
    assert reuse_of(engine, text) == []


def test_a_passage_shorter_than_the_minimum_is_ignored(engine: Engine) -> None:
    short = "prevent or disrupt access to or dissemination of information online"
    assert len(words(short)) < 12
    assert reuse_of(engine, short) == []
    assert reuse_of(engine, short, min_words=8) == [(1, RESTRUCTURED)]  # a passage of the longer paragraph


def test_unrelated_text_is_not_reuse(engine: Engine) -> None:
    text = "The festival of lights gathered poets, painters and musicians from every island for three long nights."
    assert reuse_of(engine, text) == []


def test_reuse_respects_the_readers_access_and_excluded_sources(engine: Engine) -> None:
    text = "Access to information online matters, and online access matters most, for every citizen of the world."
    assert reuse_of(engine, text, min_words=8) == [(4, RESTRUCTURED)]
    assert reuse_of(engine, text, min_words=8, access=PUBLIC) == []
    assert reuse_of(engine, SHUTDOWNS, exclude_sids=[1]) == []


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("As the Council said: " + SHUTDOWNS + " We agree.", EDITED),
        (SHUTDOWNS.removesuffix(".") + ", in particular during elections, protests and times of unrest.", RESTRUCTURED),
        (SHUTDOWNS.removesuffix(".") + " at all times.", EDITED),
        (SHUTDOWNS.split(", and calls upon")[0] + ".", RESTRUCTURED),  # a clause removed
    ],
)
def test_a_paragraph_with_a_clause_inserted_or_removed_is_never_verbatim(target: str, kind: str) -> None:
    """Issue 15 item 21: a paragraph holding the whole of another plus an inserted clause was labelled "Verbatim"
    beside the insertion its comparison underlines."""
    assert {s.op for s in align(SHUTDOWNS, target)} & {"insert", "delete"}
    verdict = classify(SHUTDOWNS, target)
    assert verdict is not None and verdict.kind == kind


def test_the_same_words_in_another_case_spacing_and_punctuation_are_verbatim() -> None:
    """Issue 15 item 21: verbatim means the same text, read as the index reads words."""
    target = "  " + SHUTDOWNS.upper().replace(",", "").replace(" ", "\n ") + "  "
    verdict = classify(SHUTDOWNS, target)
    assert verdict is not None and (verdict.kind, verdict.similarity) == (VERBATIM, 1.0)


def test_classify_needs_distinctive_shared_words() -> None:
    assert classify(SHUTDOWNS, JOURNALISTS) is None
    verdict = classify(SHUTDOWNS, SHUTDOWNS)
    assert verdict is not None and (verdict.kind, verdict.similarity) == (VERBATIM, 1.0)


# --- Alignment ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        SHUTDOWNS.replace("unequivocally", "firmly"),
        "In short: " + SHUTDOWNS + " Thank you.",
        SHUTDOWNS.replace(", and calls upon all States to refrain from and cease such measures", ""),
        JOURNALISTS,
        "",
    ],
)
def test_the_alignment_reconstructs_both_texts(target: str) -> None:
    segments = align(SHUTDOWNS, target)
    assert "".join(s.source for s in segments) == SHUTDOWNS
    assert "".join(s.target for s in segments) == target
    assert {s.op for s in segments} <= {"equal", "replace", "delete", "insert"}


def test_the_alignment_marks_the_changed_words() -> None:
    segments = align("We call upon all States today.", "We call upon all Member States today.")
    assert [(s.op, s.source, s.target) for s in segments] == [
        ("equal", "We call upon all ", "We call upon all "),
        ("insert", "", "Member "),
        ("equal", "States today.", "States today."),
    ]
