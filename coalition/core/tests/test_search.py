"""The platform search: one meaning of a query on both engines, the index in step with the records, the policy
deciding what is found, and bad input answered with a clear message."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from coalition.core import search
from coalition.core.models import SearchEntry
from coalition.core.policy import Role
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.models import Country
from coalition.response.models import Situation

KIND = "response.situation"

# The same texts and the same expected answers on SQLite (FTS5) and PostgreSQL (full-text search): CI runs this
# module on both, so both engines find these records and no others.
TEXTS = {
    "a": "Café society e-mail campaign_2024 in São Paulo",
    "b": "The internet shutdown (partial) lasted 3.5 days; NEAR the border",
    "c": "Shut-downs and SHUTDOWNS: x-ray vision, a b c",
    "d": "OR AND NOT operators as words: orange andes notary",
}
EXPECTED = [
    ("shut", {"b", "c"}),
    ("shutdown", {"b", "c"}),
    ("café", {"a"}),
    ("cafe", set()),  # no folding of accents on either engine
    ("SÃO paulo", {"a"}),
    ("e mail", {"a"}),
    ("campaign", {"a"}),
    ("2024", {"a"}),
    ("3", {"b"}),
    ("5 days", {"b"}),
    ("x", {"c"}),  # one letter: a whole word
    ("a b c", {"c"}),
    ("NEAR(border)", {"b"}),
    ("orange AND andes", {"d"}),
    ("or", {"d"}),  # a prefix of a word, never of the middle of one ("border")
    ('"shutdown', {"b", "c"}),
    ("shutdown*", {"b", "c"}),
    ("partial:*", {"b"}),
    ("notary) OR (", {"d"}),
    ("internet orange", set()),  # every word must match
    ("über", set()),
]


@pytest.fixture
def country(make_user: Any) -> Any:
    """Who opens the test's situations; each is opened in a country of its own (one open situation a country)."""
    return make_user(Role.SUPPORT_UNIT)


def _situation(opener: Any, title: str, summary: str = "", classification: str = "public") -> Situation:
    n = Country.objects.filter(code__startswith="X").count()
    where = Country.objects.create(code=f"X{chr(65 + n)}", alpha3=f"XX{chr(65 + n)}", numeric="999", name="Testland")
    return Situation.objects.create(
        country=where, title=title, summary=summary, classification=classification, opened_by=opener
    )


@pytest.fixture
def texts(country: Any) -> dict[str, int]:
    return {name: _situation(country, f"Situation {name.upper()}", text).pk for name, text in TEXTS.items()}


def _found(user: Any, raw: str) -> set[int]:
    kind = search.registered()[KIND]
    query = search.parse(raw)
    return set(search.matching(user, kind, query).values_list("pk", flat=True)) if query.terms else set()


@pytest.mark.parametrize(("raw", "names"), EXPECTED)
def test_both_engines_find_the_same_records(raw: str, names: set[str], texts: dict[str, int], make_user: Any) -> None:
    support = make_user(Role.SUPPORT_UNIT)
    assert _found(support, raw) == {texts[name] for name in names}
    query = search.parse(raw)
    reference = {pk for name, pk in texts.items() if query.matches(search.words_of(TEXTS[name]))}
    assert reference == {texts[name] for name in names}  # the rule both engines implement, in Python


def test_engine_syntax_and_long_queries_never_reach_the_engine_as_syntax(texts: dict[str, int], make_user: Any) -> None:
    support = make_user(Role.SUPPORT_UNIT)
    for raw in ['"', "*", "NEAR(", "a:*", "((", "''", "\\", "x OR", "-", "\x00", "🙂", "NOT", "^", "a" * 10_000]:
        _found(support, raw)  # no error from either engine


def test_a_record_is_indexed_when_saved_and_removed_when_deleted(country: Any) -> None:
    found = _situation(country, "Internet blackout")
    entry = SearchEntry.objects.get(kind=KIND, object_id=found.pk)
    assert "Internet blackout" in entry.text and "testland" in entry.words
    found.title = "Mobile data throttled"
    found.save()
    assert SearchEntry.objects.get(kind=KIND, object_id=found.pk).words.startswith("mobile data throttled")
    pk = found.pk
    found.delete()
    assert not SearchEntry.objects.filter(kind=KIND, object_id=pk).exists()


def test_a_change_to_a_related_record_reaches_the_text_that_quotes_it(country: Any, make_user: Any) -> None:
    found = _situation(country, "Internet blackout")
    found.country.name = "Freedonia"
    found.country.save()
    assert _found(make_user(Role.SUPPORT_UNIT), "freedonia") == {found.pk}


def test_the_drift_check_finds_and_mends_what_no_signal_reported(country: Any) -> None:
    changed, dropped = _situation(country, "First"), _situation(country, "Second")
    Situation.objects.filter(pk=changed.pk).update(title="Renamed without a signal")
    SearchEntry.objects.filter(kind=KIND, object_id=dropped.pk).delete()
    SearchEntry.objects.create(kind=KIND, object_id=10**9, text="gone", words="gone")
    drift = {d.kind: d for d in search.check_drift(repair=True)}[KIND]
    assert (drift.stale, drift.missing, drift.orphaned) == ([changed.pk], [dropped.pk], [10**9])
    assert {d.kind: d.count for d in search.check_drift(repair=False)}[KIND] == 0
    assert "renamed" in SearchEntry.objects.get(kind=KIND, object_id=changed.pk).words


def test_the_rebuild_command_indexes_every_record(country: Any) -> None:
    found = _situation(country, "Shutdown")
    SearchEntry.objects.all().delete()
    out = StringIO()
    call_command("search_index", "--rebuild", "--kind", KIND, stdout=out)
    assert f"{KIND}: 1 indexed" in out.getvalue()
    assert SearchEntry.objects.filter(kind=KIND, object_id=found.pk).exists()


def test_a_reclassified_record_leaves_the_results_of_those_who_may_no_longer_read_it(country: Any) -> None:
    found = _situation(country, "Shutdown in Testland")
    anonymous, url = client_for(None), reverse("core:search")
    assert "Shutdown in Testland" in text_of(anonymous.get(url, {"q": "shutdown"}))
    Situation.objects.filter(pk=found.pk).update(classification="members")
    page = text_of(anonymous.get(url, {"q": "shutdown"}))
    assert "Shutdown in Testland" not in page and "Nothing found that you may read" in page


def test_the_page_groups_results_by_kind_with_counts_and_a_link_to_more(country: Any, make_user: Any) -> None:
    for n in range(7):
        _situation(country, f"Shutdown number {n}", classification="members")
    client = client_for(make_user(Role.FOCAL_POINT))
    response = client.get(reverse("core:search"), {"q": "shutdown"})
    page = text_of(response)
    assert response.status_code == 200
    assert "Situations (7)" in page and "All 7 results in Situations" in page
    assert response.content.decode().count('<a href="/response/situations/') == 5
    alone = client.get(reverse("core:search"), {"q": "shutdown", "kind": KIND}).content.decode()
    assert alone.count('<a href="/response/situations/') == 7


def test_anonymous_visitors_search_public_records_only(country: Any) -> None:
    _situation(country, "Public shutdown")
    _situation(country, "Members shutdown", classification="members")
    page = text_of(client_for(None).get(reverse("core:search"), {"q": "shutdown"}))
    assert "Public shutdown" in page and "Members shutdown" not in page


def test_a_query_of_ten_thousand_characters_is_cut_and_the_page_says_so(country: Any) -> None:
    _situation(country, "Shutdown")
    response = client_for(None).get(reverse("core:search"), {"q": "shutdown " + "x" * 9_991})
    page = text_of(response)
    assert response.status_code == 200
    assert "Searched for: shutdown" in page
    assert "the text after the first 200 characters (9800 more)" in page


def test_engine_syntax_is_read_as_text_and_the_page_says_what_was_ignored(country: Any) -> None:
    _situation(country, "Shutdown near the border")
    response = client_for(None).get(reverse("core:search"), {"q": '"shutdown" AND NEAR(border) OR title:x*'})
    page = text_of(response)
    assert response.status_code == 200
    assert "Searched for: shutdown border title x." in page
    assert "search syntax, read as spaces: &quot; ( ) * :" in page
    assert "the operators AND, NEAR, OR (every word must match)" in page


def test_a_query_with_no_words_gets_a_clear_message(db: Any) -> None:
    response = client_for(None).get(reverse("core:search"), {"q": "*** ()"})
    assert response.status_code == 400
    assert "Nothing was searched for: the query holds no words." in text_of(response)


def test_more_words_than_the_limit_are_named_as_ignored(db: Any) -> None:
    words = " ".join(f"word{n}" for n in range(search.MAX_TERMS + 2))
    page = text_of(client_for(None).get(reverse("core:search"), {"q": words}))
    assert f"the words after the first {search.MAX_TERMS}: word8 word9" in page


def test_a_bad_page_or_kind_is_no_error(db: Any) -> None:
    response = client_for(None).get(reverse("core:search"), {"q": "x", "kind": "nothing", "page": "-1"})
    assert response.status_code == 200
    assert "That kind of record is not searched" in text_of(response)


def test_every_page_has_the_search_box_in_its_header(db: Any) -> None:
    page = client_for(None).get(reverse("core:search")).content.decode()
    assert 'role="search" class="site-search"' in page and 'for="site-search-q"' in page
