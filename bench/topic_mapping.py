"""Precision of the topic mapping on the real IATI files (issue 15, item 12), before and after the fix, in one run.

Every activity of `../shared/data/iati/real-activities/` (read, never copied) is mapped twice with the same functions
(`services.topics_of`, `services.topic_shares`):
- *before*: the default of migration 0002, every row counting on its code alone (a policy marker too);
- *after*: today's `DEFAULT_MAPPING`, where a marker and a code wider than its topic count only where the activity's
  title or description speaks of the topic (`topic_words`).

The truth is `LABELS`, written by hand from each activity's title and description (see `bench/README.md` for which
activities and the rule). A claim is an (activity, topic) pair the mapping gives: *found under* (the activity's
topics, which filters and overlap detection use) and *money in* (a share above 0 of its money). Precision is the
share of claims the labels confirm; recall the share of labelled pairs claimed.

Run: .venv/bin/python bench/topic_mapping.py [--list]   (--list prints every claim and label, for review)
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import random
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from coalition.donors import topics as services  # noqa: E402
from coalition.donors.ingest import iati, records  # noqa: E402
from coalition.donors.models import DEFAULT_MAPPING  # noqa: E402

FILES = sorted((iati.IATI_DATA / "real-activities").glob("*.xml"))
OLD = importlib.import_module("coalition.donors.migrations.0002_default_topic_mapping").DEFAULT_MAPPING_2026_11
SAMPLE_SEED, SAMPLE_SIZE = 15, 30

# identifier → the topics the activity is really about, and why (read from its title and description).
# The Dutch file and every IOM activity the old mapping claimed, the 33 whose words look digital, the random sample.
NOT_DIGITAL = "no topic: the work is not about freedoms, surveillance, AI or digital access"
LABELS: dict[str, tuple[frozenset[str], str]] = {
    # Netherlands MFA: human-rights fund and peace-building grants, nothing digital
    "NL-1-PPR-24706": (frozenset(), "core subsidy to the International Center for Transitional Justice"),
    "NL-1-PPR-25275": (frozenset(), "restoring the Potočari memorial"),
    "NL-1-PPR-27787": (frozenset(), "youth forums for gender equality in Tafila"),
    "NL-1-PPR-27790": (frozenset(), "business and human rights policy in Kazakhstan"),
    "NL-1-PPR-27791": (frozenset(), "Shan State people's voice in the peace process"),
    "NL-1-PPR-28373": (frozenset(), "remembering history (human-rights fund)"),
    "NL-1-PPR-28381": (frozenset(), "youth sexual and reproductive health and rights in Ghana"),
    "NL-1-PPR-28383": (frozenset(), "case study of a culture and development programme in Egypt"),
    "NL-1-PPR-28384": (frozenset(), "towards the Montevideo conference (human-rights fund)"),
    "NL-1-PPR-28385": (frozenset(), "subsidies for Dutch firms in emerging markets"),
    "NL-1-PPR-28390": (frozenset(), "Somalia stability fund"),
    "NL-1-PPR-28393": (frozenset(), "follow-up project in Sierra Leone and Liberia"),
    "XM-DAC-7-PPR-28250": (frozenset(), "rule of law: legal institutions and citizens' security in Ukraine"),
    # IOM: logistics of EU election observation missions (15151)
    **{
        f"XM-DAC-47066-EM.{n}": (frozenset(), "logistics and security of an election mission")
        for n in ("0243", "0247", "0250", "0251", "0252", "0253", "0254", "0255", "0256")
    },
    # IOM: reparations to victims of armed conflict, transitional justice (15160)
    **{
        f"XM-DAC-47066-RP.{n}": (frozenset(), "reparations and care for victims of armed conflict")
        for n in ("0039", "0082", "0089", "0092", "0093", "0097", "0098", "0099", "0100")
    },
    # IOM: activities whose words look digital (digital, online, e-learning, biometric, database, radio, media …)
    "XM-DAC-47066-FC.0132": (frozenset({"inclusion"}), "digital employability: youth into the digital workforce"),
    "XM-DAC-47066-FC.0146": (frozenset({"inclusion"}), "digital employability: inclusion in digital ecosystems"),
    "XM-DAC-47066-MP.0351": (frozenset(), "diaspora health experts; an e-learning platform is a tool, not the aim"),
    "XM-DAC-47066-IM.0043": (frozenset(), "legal assistance to migrants; one online course"),
    "XM-DAC-47066-IM.0044": (frozenset(), "e-learning for a justice academy: a tool for training judges"),
    "XM-DAC-47066-PR.0229": (frozenset(), "a migration data portal"),
    "XM-DAC-47066-PO.0118": (frozenset(), "a database of civil-society engagement"),
    "XM-DAC-47066-MA.0432": (frozenset(), "computerising a health information system"),
    "XM-DAC-47066-DR.0003": (frozenset(), "radio early-warning for disasters"),
    "XM-DAC-47066-DR.0004": (frozenset(), "emergency VHF radio for disasters"),
    "XM-DAC-47066-PB.0011": (frozenset(), "truth and reparation system; 'access to information' is about the truth"),
    "XM-DAC-47066-DP.5558": (frozenset(), "water and sanitation; the town of Al Abbasiya is spelt 'AI Abassiya'"),
    "XM-DAC-47066-PE.0001": (frozenset(), "resilience initiative; the media named as a partner"),
    "XM-DAC-47066-PE.0008": (frozenset(), "youth peace and security; media literacy one course among many"),
    **{
        f"XM-DAC-47066-{code}": (frozenset(), "biometric registration or tracking of displaced people for aid")
        for code in ("DP.1700", "DP.1917", "DX.0007", "DX.0022")
    },
    **{
        f"XM-DAC-47066-{code}": (frozenset(), "disease surveillance in health response")
        for code in ("MH.0046", "MP.0350", "MP.0366", "MP.0367", "MP.0375", "MP.0381", "DP.1985")
    },
    **{
        f"XM-DAC-47066-{code}": (frozenset(), "humanitarian information management or mobile clinics/populations")
        for code in ("CS.0804", "CS.0867", "CS.1000", "DP.1189", "DP.1696", "DP.1767", "DP.1798", "DP.1912")
    },
}


def mapping_of(rows: list[tuple[str, str, str, bool]]) -> services.Mapping:
    found: dict[tuple[str, str], set[tuple[str, bool]]] = {}
    for kind, code, topic, needs_text in rows:
        found.setdefault((kind, code), set()).add((topic, needs_text))
    return {key: frozenset(topics) for key, topics in found.items()}


BEFORE = mapping_of([(kind, code, topic, False) for kind, code, topic, _why in OLD])
AFTER = mapping_of(
    [(kind, code, topic, needs or kind == "marker") for kind, code, topic, _why, needs in DEFAULT_MAPPING]
)


def as_saved(activity: iati.Activity) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    """An activity's sectors, markers and words as the import stores them."""
    sectors = [
        {"vocabulary": s.vocabulary, "code": s.code, "percentage": None if s.percentage is None else str(s.percentage)}
        for s in activity.sectors
    ]
    markers = [
        {"vocabulary": m.vocabulary, "code": m.code, "significance": m.significance} for m in activity.policy_markers
    ]
    title = next(iter(activity.title.values()), "")
    description = records._description(activity)
    return sectors, markers, f"{title}\n{description}"


def with_markers(activity: iati.Activity, codes: tuple[str, ...]) -> iati.Activity:
    markers = [iati.PolicyMarker("1", code, "2") for code in codes]
    return dataclasses.replace(activity, policy_markers=[*activity.policy_markers, *markers])


def claims(activities: list[iati.Activity], mapping: services.Mapping) -> tuple[set[tuple[str, str]], ...]:
    found_under, money_in = set(), set()
    for activity in activities:
        sectors, markers, text = as_saved(activity)
        found_under |= {(activity.identifier, t) for t in services.topics_of(sectors, markers, mapping, text=text)}
        shares = services.topic_shares(sectors, markers, mapping, text=text)
        money_in |= {(activity.identifier, t) for t, share in shares.items() if t and share > Decimal(0)}
    return found_under, money_in


def score(claimed: set[tuple[str, str]], truth: set[tuple[str, str]]) -> str:
    right = len(claimed & truth)
    precision = f"{right / len(claimed):.2f}" if claimed else "— (no claim)"
    return f"{len(claimed):>3} claims, {right} right: precision {precision}"


def main() -> None:
    if not FILES:
        sys.exit("../shared/data/iati/real-activities is not here")
    activities = [a for path in FILES for a in iati.read(path).activities]
    by_id = {a.identifier: a for a in activities}
    rest = sorted(set(by_id) - set(LABELS))
    sample = random.Random(SAMPLE_SEED).sample(rest, SAMPLE_SIZE)
    labels = {**LABELS, **{identifier: (frozenset(), NOT_DIGITAL) for identifier in sample}}
    before, after = claims(activities, BEFORE), claims(activities, AFTER)
    unlabelled = {i for i, _t in before[0] | after[0] | before[1] | after[1]} - set(labels)
    assert not unlabelled, f"claims on activities nobody labelled: {sorted(unlabelled)}"
    truth = {(identifier, topic) for identifier, (topics, _why) in labels.items() for topic in topics}
    print(
        f"{len(activities)} activities in {len(FILES)} files; {len(labels)} labelled by hand "
        f"({len(LABELS)} chosen, {SAMPLE_SIZE} at random), {len(truth)} labelled (activity, topic) pairs"
    )
    for name, (found_under, money_in) in (("before", before), ("after", after)):
        print(f"{name:>6} found under: {score(found_under, truth)}; recall {len(found_under & truth)}/{len(truth)}")
        print(f"{name:>6} money in:    {score(money_in, truth)}; recall {len(money_in & truth)}/{len(truth)}")
    # A stress test the real files allow: as if every labelled activity carried a significant gender and a
    # good-governance marker (the markers of the examples), which claims would the mapping make? (Marked,
    # every activity of the files is claimed before; after, the claims stay within the labelled ones: asserted.)
    marked = [with_markers(a, ("1", "3")) for a in activities]
    for name, mapping in (("before", BEFORE), ("after", AFTER)):
        found_under, money_in = claims(marked, mapping)
        if name == "after":
            unlabelled = {i for i, _t in found_under | money_in} - set(labels)
            assert not unlabelled, f"claims on activities nobody labelled: {sorted(unlabelled)}"
        found_under = {(i, t) for i, t in found_under if i in labels}
        money_in = {(i, t) for i, t in money_in if i in labels}
        print(f"{name:>6}, marked:     found under {score(found_under, truth)}; money in {score(money_in, truth)}")
    if "--list" in sys.argv:
        for identifier in sorted(labels):
            b = sorted(t for i, t in before[0] if i == identifier)
            a = sorted(t for i, t in after[0] if i == identifier)
            topics, why = labels[identifier]
            print(f"{identifier:24} truth {sorted(topics)!s:14} before {b!s:26} after {a!s:14} {why}")


if __name__ == "__main__":
    main()
