"""Overlap detection across donors (issue 8): the definition, the reasons and their weights, the duplicate flag,
incremental runs, and the two real IATI files (realdata)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import random
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
from django.conf import settings

from coalition.donors.ingest import iati
from coalition.donors.overlap import (
    DEFAULT_THRESHOLD,
    DUPLICATE_SIMILARITY,
    MIN_SIMILARITY,
    Candidate,
    Record,
    find_overlaps,
    implementer_key,
)

REAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "iati" / "real-activities"
IOM = REAL / "IOM-XM-DAC-47066_577-activities_2.03.xml"
NL_MFA = REAL / "NL-MFA-XM-DAC-7_13-activities_2.03.xml"

DEFENDERS = (
    "Protection of human rights defenders in Colombia: legal aid, emergency relocation and digital security "
    "training for community leaders threatened in Cauca and Antioquia."
)
ROADS = "Rehabilitation of rural feeder roads and bridges to connect farming cooperatives with regional markets."
SCHOOLS = "School meals for primary pupils in drought affected districts, with training for parent committees."


def record(key: int, reporter: str = "NL", **changes: object) -> Record:
    base = Record(
        key=key,
        reporter=reporter,
        countries=frozenset({"CO"}),
        topics=frozenset({"freedoms"}),
        start=dt.date(2024, 1, 1),
        end=dt.date(2025, 12, 31),
        implementers=frozenset(),
        text=ROADS,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def plain_words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def pairs(candidates: list[Candidate]) -> set[tuple[int, int]]:
    return {(candidate.a, candidate.b) for candidate in candidates}


def reason(candidate: Candidate, kind: str) -> dict[str, object]:
    [found] = [reason.detail for reason in candidate.reasons if reason.kind == kind]
    return found


def kinds(candidate: Candidate) -> list[str]:
    return [reason.kind for reason in candidate.reasons]


# ---------------------------------------------------------------------------------------------------------------
# The definition


def test_a_shared_implementer_in_the_same_country_topic_and_period_is_an_overlap() -> None:
    [candidate] = find_overlaps(
        [
            record(1, "NL", implementers=frozenset({"PAX"}), text=ROADS),
            record(2, "SE", implementers=frozenset({"PAX", "UNDP"}), text=SCHOOLS),
        ]
    )
    assert (candidate.a, candidate.b) == (1, 2)
    assert kinds(candidate) == ["country_topic", "period", "implementer"]
    assert reason(candidate, "implementer") == {"implementers": ["PAX"]}
    assert reason(candidate, "country_topic") == {"countries": ["CO"], "topics": ["freedoms"]}
    assert not candidate.likely_duplicate


def test_similar_descriptions_are_an_overlap_and_name_the_phrases_they_share() -> None:
    rewritten = DEFENDERS.replace("emergency relocation", "temporary relocation").replace("Antioquia", "Chocó")
    [candidate] = find_overlaps(
        [
            record(1, "NL", implementers=frozenset({"PAX"}), text=DEFENDERS),
            record(2, "SE", implementers=frozenset({"Somos Defensores"}), text=rewritten),
        ]
    )
    assert kinds(candidate) == ["country_topic", "period", "description"]
    detail = reason(candidate, "description")
    assert MIN_SIMILARITY <= detail["similarity"] < 1  # type: ignore[operator]
    phrases = detail["shared_phrases"]
    assert isinstance(phrases, list)
    assert len(phrases) == 5
    assert all(phrase in plain_words(DEFENDERS) and phrase in plain_words(rewritten) for phrase in phrases)


def test_sharing_country_topic_and_period_alone_is_not_an_overlap() -> None:
    assert find_overlaps([record(1, "NL", text=ROADS), record(2, "SE", text=SCHOOLS)]) == []


def test_records_of_the_same_reporter_are_never_paired() -> None:
    same = [record(1, "NL", text=DEFENDERS), record(2, "NL", text=DEFENDERS), record(3, "SE", text=DEFENDERS)]
    assert pairs(find_overlaps(same)) == {(1, 3), (2, 3)}


def test_a_shared_country_without_a_shared_topic_is_not_an_overlap() -> None:
    records = [record(1, "NL", text=DEFENDERS), record(2, "SE", text=DEFENDERS, topics=frozenset({"ai"}))]
    assert find_overlaps(records) == []


def test_a_shared_topic_in_another_country_is_not_an_overlap() -> None:
    records = [record(1, "NL", text=DEFENDERS), record(2, "SE", text=DEFENDERS, countries=frozenset({"PE"}))]
    assert find_overlaps(records) == []


def test_one_shared_country_and_topic_among_several_is_enough() -> None:
    records = [
        record(1, "NL", text=DEFENDERS, countries=frozenset({"CO", "PE"}), topics=frozenset({"freedoms", "ai"})),
        record(2, "SE", text=DEFENDERS, countries=frozenset({"PE", "EC"}), topics=frozenset({"inclusion", "ai"})),
    ]
    [candidate] = find_overlaps(records)
    assert reason(candidate, "country_topic") == {"countries": ["PE"], "topics": ["ai"]}


def test_periods_that_do_not_overlap_are_not_an_overlap() -> None:
    earlier = record(1, "NL", text=DEFENDERS, start=dt.date(2020, 1, 1), end=dt.date(2021, 12, 31))
    later = record(2, "SE", text=DEFENDERS, start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 31))
    assert find_overlaps([earlier, later]) == []


def test_periods_touching_on_one_day_overlap() -> None:
    earlier = record(1, "NL", text=DEFENDERS, start=dt.date(2020, 1, 1), end=dt.date(2022, 1, 1))
    later = record(2, "SE", text=DEFENDERS, start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 31))
    [candidate] = find_overlaps([earlier, later])
    assert reason(candidate, "period")["start"] == reason(candidate, "period")["end"] == "2022-01-01"


def test_a_record_without_an_end_runs_on_indefinitely() -> None:
    open_ended = record(1, "NL", text=DEFENDERS, start=dt.date(2015, 1, 1), end=None)
    later = record(2, "SE", text=DEFENDERS, start=dt.date(2030, 1, 1), end=dt.date(2031, 1, 1))
    [candidate] = find_overlaps([open_ended, later])
    period = reason(candidate, "period")
    assert period == {"start": "2030-01-01", "end": "2031-01-01", "months": 12, "share_of_shorter": None}
    before = replace(later, start=dt.date(2010, 1, 1), end=dt.date(2014, 12, 31))
    assert find_overlaps([open_ended, before]) == []


def test_a_record_without_dates_overlaps_any_period() -> None:
    undated = record(1, "NL", text=DEFENDERS, start=None, end=None)
    [candidate] = find_overlaps([undated, record(2, "SE", text=DEFENDERS)])
    assert reason(candidate, "period")["months"] == 24


# ---------------------------------------------------------------------------------------------------------------
# Scores and the duplicate flag


def test_the_score_is_the_sum_of_the_reason_weights_capped_at_one() -> None:
    implementer_only = find_overlaps(
        [
            record(1, "NL", implementers=frozenset({"PAX"})),
            record(2, "SE", implementers=frozenset({"PAX"}), text=SCHOOLS),
        ]
    )
    everything = find_overlaps(
        [
            record(3, "NL", implementers=frozenset({"PAX"}), text=DEFENDERS),
            record(4, "SE", implementers=frozenset({"PAX"}), text=DEFENDERS),
        ]
    )
    # Same country and topic 0.2, the whole shorter period 0.2, the implementer 0.3.
    assert [reason.weight for reason in implementer_only[0].reasons] == [0.2, 0.2, 0.3]
    assert implementer_only[0].score == 0.7
    assert sum(reason.weight for reason in everything[0].reasons) > 1
    assert everything[0].score == 1.0


def test_the_period_weighs_more_the_more_of_the_shorter_period_is_shared() -> None:
    whole = record(1, "NL", implementers=frozenset({"PAX"}), start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    half = record(2, "SE", implementers=frozenset({"PAX"}), start=dt.date(2024, 7, 2), end=dt.date(2025, 6, 30))
    [candidate] = find_overlaps([whole, half])
    [period] = [reason for reason in candidate.reasons if reason.kind == "period"]
    assert period.detail["months"] == 6
    assert period.detail["share_of_shorter"] == pytest.approx(0.5, abs=0.01)
    assert period.weight == pytest.approx(0.15, abs=0.001)


def test_candidates_come_best_first_and_the_threshold_drops_the_weaker() -> None:
    records = [
        record(1, "NL", implementers=frozenset({"PAX"}), text=DEFENDERS),
        record(2, "SE", implementers=frozenset({"PAX"}), text=DEFENDERS),
        record(3, "DE", implementers=frozenset({"UNDP"}), text=ROADS, countries=frozenset({"PE"})),
        record(4, "FR", implementers=frozenset({"UNDP"}), text=SCHOOLS, countries=frozenset({"PE"})),
    ]
    candidates = find_overlaps(records)
    assert [(c.a, c.b) for c in candidates] == [(1, 2), (3, 4)]
    assert candidates[0].score > candidates[1].score >= DEFAULT_THRESHOLD
    assert pairs(find_overlaps(records, threshold=0.9)) == {(1, 2)}


def test_a_near_identical_report_with_the_same_implementer_is_a_likely_duplicate() -> None:
    original = record(1, "NL", implementers=frozenset({implementer_key("", "Somos Defensores")}), text=DEFENDERS)
    again = record(
        2,
        "SE",
        implementers=frozenset({implementer_key("", "SOMOS DEFENSORES")}),
        text=DEFENDERS.replace("Cauca", "Cauca department"),
        start=dt.date(2024, 2, 1),
    )
    [candidate] = find_overlaps([original, again])
    assert candidate.likely_duplicate
    assert kinds(candidate) == ["country_topic", "period", "implementer", "description"]


def test_near_identical_text_by_different_implementers_is_not_a_likely_duplicate() -> None:
    records = [
        record(1, "NL", implementers=frozenset({"PAX"}), text=DEFENDERS),
        record(2, "SE", implementers=frozenset({"SOMOS DEFENSORES"}), text=DEFENDERS),
    ]
    [candidate] = find_overlaps(records)
    assert not candidate.likely_duplicate


def test_a_rewritten_description_with_the_same_implementer_is_an_overlap_but_not_a_duplicate() -> None:
    rewritten = (
        "Protection of human rights defenders in Colombia through legal aid and psychosocial support; "
        "community leaders threatened in Cauca receive digital security training and early warning."
    )
    records = [
        record(1, "NL", implementers=frozenset({"PAX"}), text=DEFENDERS),
        record(2, "SE", implementers=frozenset({"PAX"}), text=rewritten),
    ]
    [candidate] = find_overlaps(records)
    assert "implementer" in kinds(candidate)
    assert not candidate.likely_duplicate


def test_reasons_are_json_serialisable() -> None:
    records = [
        record(1, "NL", implementers=frozenset({"PAX"}), text=DEFENDERS, end=None),
        record(2, "SE", implementers=frozenset({"PAX"}), text=DEFENDERS),
    ]
    [candidate] = find_overlaps(records)
    details = [{"kind": r.kind, "detail": r.detail, "weight": r.weight} for r in candidate.reasons]
    assert json.loads(json.dumps(details)) == details


# ---------------------------------------------------------------------------------------------------------------
# Incremental runs, determinism, edges


def test_among_keeps_only_pairs_with_a_new_record() -> None:
    records = [record(key, reporter, text=DEFENDERS) for key, reporter in [(1, "NL"), (2, "SE"), (3, "DE")]]
    assert pairs(find_overlaps(records)) == {(1, 2), (1, 3), (2, 3)}
    assert pairs(find_overlaps(records, among={3})) == {(1, 3), (2, 3)}
    assert pairs(find_overlaps(records, among={2, 3})) == {(1, 2), (1, 3), (2, 3)}
    assert find_overlaps(records, among=set()) == []
    assert find_overlaps(records, among={99}) == []


def test_among_gives_the_same_candidates_as_the_full_run() -> None:
    records = synthetic_records(400, seed=3)
    full = find_overlaps(records)
    newest = {r.key for r in records[-40:]}
    assert find_overlaps(records, among=newest) == [c for c in full if c.a in newest or c.b in newest]


def test_the_answer_does_not_depend_on_the_order_of_the_records() -> None:
    records = synthetic_records(400, seed=4)
    shuffled = list(records)
    random.Random(5).shuffle(shuffled)
    assert find_overlaps(records) == find_overlaps(shuffled)
    assert find_overlaps(records)


def test_no_records_or_one_record_give_no_candidates() -> None:
    assert find_overlaps([]) == []
    assert find_overlaps(iter([record(1)])) == []


def test_records_without_text_implementers_countries_or_topics_are_harmless() -> None:
    records = [
        record(1, "NL", text=""),
        record(2, "SE", text=""),
        record(3, "DE", text=DEFENDERS, countries=frozenset()),
        record(4, "FR", text=DEFENDERS, topics=frozenset()),
        record(5, "AT", text="Colombia"),
        record(6, "CA", text="Colombia"),
    ]
    assert pairs(find_overlaps(records)) == {(5, 6)}


def test_two_records_with_the_same_key_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        find_overlaps([record(1, "NL"), record(1, "SE")])


@pytest.mark.parametrize(
    ("ref", "name", "key"),
    [
        (" xm-dac-41114 ", "UNDP", "XM-DAC-41114"),
        ("NL-KVK 30214009", "", "NL-KVK30214009"),
        ("", "The Web Foundation, Inc.", "web foundation"),
        ("", "WEB  FOUNDATION", "web foundation"),
        ("", "Fundación Gabo S.A.", "fundacion gabo"),
        ("", "Stichting Vredesbeweging PAX Nederland B.V.", "stichting vredesbeweging pax nederland"),
        ("", "Deutsche Welle Akademie gGmbH", "deutsche welle akademie"),
        ("", "The", "the"),
        ("", "", ""),
    ],
)
def test_implementer_keys_ignore_case_spacing_punctuation_accents_and_legal_form(ref: str, name: str, key: str) -> None:
    assert implementer_key(ref, name) == key


def test_implementers_written_differently_by_two_members_are_shared() -> None:
    records = [
        record(1, "NL", implementers=frozenset({implementer_key("", "Legal Policy Research Centre")}), text=ROADS),
        record(2, "SE", implementers=frozenset({implementer_key("", "LEGAL POLICY RESEARCH CENTRE.")}), text=SCHOOLS),
    ]
    [candidate] = find_overlaps(records)
    assert reason(candidate, "implementer") == {"implementers": ["legal policy research centre"]}


# ---------------------------------------------------------------------------------------------------------------
# The pruning loses nothing: every pair a plain all-pairs comparison finds


WORDS = [f"w{number}" for number in range(250)]


def synthetic_records(count: int, *, seed: int) -> list[Record]:
    """Random texts over a small vocabulary, with edited copies at every similarity, in few countries and topics."""
    rng = random.Random(seed)
    texts: list[str] = []
    for _ in range(count):
        if texts and rng.random() < 0.4:
            words = rng.choice(texts).split()
            rate = rng.choice([0.05, 0.2, 0.35, 0.5])
            words = [rng.choice(WORDS) if rng.random() < rate else word for word in words]
        else:
            words = [rng.choice(WORDS) for _ in range(rng.randint(3, 40))]
        texts.append(" ".join(words))
    records = []
    for key, text in enumerate(texts, start=1):
        start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 1500))
        records.append(
            Record(
                key=key * 7,
                reporter=rng.choice(["NL", "SE", "DE", "FR", "CA"]),
                countries=frozenset(rng.sample(["CO", "PE", "KE"], rng.randint(1, 2))),
                topics=frozenset(rng.sample(["freedoms", "ai", "inclusion"], rng.randint(1, 2))),
                start=None if rng.random() < 0.1 else start,
                end=None if rng.random() < 0.1 else start + dt.timedelta(days=rng.randint(30, 900)),
                implementers=frozenset({f"org {rng.randint(1, 60)}"}) if rng.random() < 0.5 else frozenset(),
                text=text,
            )
        )
    return records


def plain_overlaps(records: list[Record]) -> dict[tuple[int, int], float]:
    """The definition with exact word-pair TF-IDF dictionaries, pair by pair: {pair: similarity}."""
    bags = []
    for item in records:
        words = re.findall(r"[^\W_]+", item.text.casefold())
        bags.append(set(itertools.pairwise(words)) if len(words) > 1 else {(word,) for word in words})
    frequency: dict[tuple[str, ...], int] = defaultdict(int)
    for bag in bags:
        for phrase in bag:
            frequency[phrase] += 1
    vectors = []
    for bag in bags:
        weights = {phrase: math.log((1 + len(records)) / (1 + frequency[phrase])) + 1 for phrase in bag}
        norm = math.sqrt(sum(weight * weight for weight in weights.values())) or 1.0
        vectors.append({phrase: weight / norm for phrase, weight in weights.items()})
    found = {}
    for (i, one), (j, other) in itertools.combinations(enumerate(records), 2):
        if one.reporter == other.reporter or not (one.countries & other.countries and one.topics & other.topics):
            continue
        if max(one.start or dt.date.min, other.start or dt.date.min) > min(
            one.end or dt.date.max, other.end or dt.date.max
        ):
            continue
        similarity = sum(weight * vectors[j].get(phrase, 0.0) for phrase, weight in vectors[i].items())
        if one.implementers & other.implementers or similarity >= MIN_SIMILARITY - 1e-9:
            found[(min(one.key, other.key), max(one.key, other.key))] = similarity
    return found


def test_the_pruned_search_finds_exactly_what_comparing_every_pair_finds() -> None:
    records = synthetic_records(700, seed=1)
    expected = plain_overlaps(records)
    candidates = find_overlaps(records)
    assert pairs(candidates) == set(expected)
    assert sum("description" in kinds(c) and "implementer" not in kinds(c) for c in candidates) > 20
    for candidate in candidates:
        described = [r.detail["similarity"] for r in candidate.reasons if r.kind == "description"]
        if described:
            assert described[0] == pytest.approx(expected[(candidate.a, candidate.b)], abs=2e-3)


# ---------------------------------------------------------------------------------------------------------------
# The real files


TOPIC_OF_SECTOR = {"15160": "freedoms", "15150": "freedoms", "15151": "freedoms", "15220": "surveillance"}


def real_records() -> tuple[list[Record], dict[int, iati.Activity]]:
    """Each activity as its first funder would report it (IOM's funders are participating orgs of role 1; the
    Netherlands reports its own), implemented by its role-4 organisations or, for IOM's, by IOM itself; topics from
    DAC sectors, every other sector counting as "inclusion"."""
    records: list[Record] = []
    activities: dict[int, iati.Activity] = {}
    for path in (NL_MFA, IOM):
        for activity in iati.read(path).activities:
            key = len(records) + 1
            funders = [org.ref or org.name for org in activity.participating_orgs if org.role == "1"]
            implementers = {implementer_key(o.ref, o.name) for o in activity.participating_orgs if o.role == "4"}
            if not implementers:
                implementers = {implementer_key(activity.reporting_org.ref, activity.reporting_org.name)}
            texts = [*activity.title.values()] + [t for d in activity.descriptions.values() for t in d.values()]
            records.append(
                Record(
                    key=key,
                    reporter=funders[0] if funders else activity.reporting_org.ref,
                    countries=frozenset(country.code for country in activity.recipient_countries),
                    topics=frozenset(TOPIC_OF_SECTOR.get(s.code, "inclusion") for s in activity.sectors),
                    start=activity.dates.get("2") or activity.dates.get("1"),
                    end=activity.dates.get("4") or activity.dates.get("3"),
                    implementers=frozenset(implementers),
                    text=". ".join(texts),
                )
            )
            activities[key] = activity
    return records, activities


@pytest.mark.realdata
@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/iati is not beside the repository")
def test_the_real_files_give_every_overlap_with_reasons_that_hold() -> None:
    records, activities = real_records()
    by_key = {item.key: item for item in records}
    candidates = find_overlaps(records)
    # IOM implements everything its funders report here, so any two funders' activities in one country and topic
    # whose periods overlap are an overlap: compare with the plain definition, pair by pair.
    expected = set(plain_overlaps(records))
    assert pairs(candidates) == expected
    assert len(candidates) > 100
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)
    for candidate in candidates:
        one, other = by_key[candidate.a], by_key[candidate.b]
        assert one.reporter != other.reporter
        assert DEFAULT_THRESHOLD <= candidate.score <= 1
        assert candidate.score == pytest.approx(min(1.0, sum(r.weight for r in candidate.reasons)), abs=1e-3)
    # The Lao flood response and shelter recovery, funded by Korea and USAID, are also found for their descriptions.
    described = [c for c in candidates if "description" in kinds(c)]
    titles = [activities[c.a].title["en"] + " | " + activities[c.b].title["en"] for c in described]
    assert "Lao People's Democratic Republic Flood Response | Lao PDR Shelter Recovery 2018" in titles
    for candidate in candidates:
        if candidate.likely_duplicate:
            assert reason(candidate, "description")["similarity"] >= DUPLICATE_SIMILARITY  # type: ignore[operator]
    # The Netherlands' activities share no implementer and no description with IOM's.
    netherlands = {item.key for item in records if activities[item.key].reporting_org.ref == "XM-DAC-7"}
    assert not [c for c in candidates if (c.a in netherlands) != (c.b in netherlands)]
