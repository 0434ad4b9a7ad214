"""The programme's topics of a funding activity (PoA 2A.4): the mapping of IATI sectors, sector categories and
policy markers to topics (a marker, or a wide sector, only where the activity's own words speak of the topic), and
the allocation of an activity's money by recipient country and topic, which the heatmap and gaps sum."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from coalition.donors import topic_words
from coalition.donors.models import Allocation, FundingActivity, TopicMapping
from coalition.donors.money import CENT

CHUNK = 500  # activities written in one statement


Mapping = dict[tuple[str, str], frozenset[tuple[str, bool]]]  # (kind, code) → {(topic, only where the text says)}


def load_mapping() -> Mapping:
    """The mapping as rows to apply; a policy marker always needs the activity's words to back it (issue 15, 12)."""
    found: dict[tuple[str, str], set[tuple[str, bool]]] = defaultdict(set)
    for kind, code, topic, needs_text in TopicMapping.objects.values_list("kind", "code", "topic", "needs_text"):
        found[(kind, code)].add((topic, needs_text or kind == TopicMapping.Kind.POLICY_MARKER))
    return {key: frozenset(topics) for key, topics in found.items()}


def _mapped(key: tuple[str, str], mapping: Mapping, spoken: frozenset[str]) -> frozenset[str]:
    """The topics a code maps to for one activity: a row that needs the text counts where the text speaks of it."""
    return frozenset(topic for topic, needs_text in mapping.get(key, ()) if not needs_text or topic in spoken)


def _sector_topics(sector: dict[str, Any], mapping: Mapping, spoken: frozenset[str]) -> frozenset[str]:
    code, vocabulary = sector["code"], sector["vocabulary"]
    if vocabulary == "1" and ("sector", code) in mapping:
        return _mapped(("sector", code), mapping, spoken)
    if vocabulary in ("1", "2"):
        return _mapped(("category", code[:3]), mapping, spoken)
    return frozenset()


def _marker_topics(markers: list[dict[str, Any]], mapping: Mapping, spoken: frozenset[str]) -> set[str]:
    topics: set[str] = set()
    for marker in markers:
        if marker.get("vocabulary", "1") in ("1", "") and marker.get("significance") not in ("0", ""):
            topics |= _mapped(("marker", marker["code"]), mapping, spoken)
    return topics


def _dac_sectors(sectors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for vocabulary in ("1", "2"):
        chosen = [s for s in sectors if s["vocabulary"] == vocabulary]
        if chosen:
            return chosen
    return []


def topics_of(sectors: list[dict[str, Any]], markers: list[dict[str, Any]], mapping: Mapping, *, text: str) -> set[str]:
    """The topics an activity is found under: its sectors', and its markers' where its own words (`text`: title and
    description) speak of the topic, so that a gender marker does not make bridges "Digital inclusion"."""
    spoken = topic_words.spoken_of(text)
    topics = _marker_topics(markers, mapping, spoken)
    for sector in sectors:
        topics |= _sector_topics(sector, mapping, spoken)
    return topics


def _shares(items: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Decimal]]:
    """Each item's share (0–1, adding up to 1), read as IATI means percentages: an item takes its percentage, and
    what the given percentages leave of 100 is shared equally among the items given none (so a country at 100 %
    takes everything beside a region named without one; with no percentage at all, every item gets an equal part).
    The parts are scaled to their whole, so percentages that do not add up to 100 lose or add no money."""
    if not items:
        return []
    given = [Decimal(item["percentage"]) if item.get("percentage") not in (None, "") else None for item in items]
    unstated = given.count(None)
    left = max(Decimal(100) - sum((part for part in given if part is not None), Decimal(0)), Decimal(0))
    parts = [part if part is not None else left / unstated for part in given]
    whole = sum(parts, Decimal(0))
    if whole <= 0:
        return [(item, Decimal(1) / len(items)) for item in items]
    return [(item, part / whole) for item, part in zip(items, parts, strict=True)]


def topic_shares(
    sectors: list[dict[str, Any]], markers: list[dict[str, Any]], mapping: Mapping, *, text: str
) -> dict[str, Decimal]:
    """How an activity's money splits across topics: by its DAC sectors' percentages; where no sector maps but a
    policy marker does (backed by the activity's words), equally across the markers' topics; whatever maps to no
    topic is ""."""
    spoken = topic_words.spoken_of(text)
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for sector, share in _shares(_dac_sectors(sectors)):
        topics = _sector_topics(sector, mapping, spoken)
        for topic in topics or {""}:
            shares[topic] += share / max(len(topics), 1)
    if not any(topic for topic in shares):
        marker_topics = sorted(_marker_topics(markers, mapping, spoken))
        if marker_topics:
            return {topic: Decimal(1) / len(marker_topics) for topic in marker_topics}
    return dict(shares) or {"": Decimal(1)}


def country_shares(countries: list[dict[str, Any]], regions: list[dict[str, Any]]) -> dict[str, Decimal]:
    """How an activity's money splits across recipient countries ("" for regions or where none is given)."""
    items = [{"code": c["code"], "percentage": c["percentage"]} for c in countries]
    items += [{"code": "", "percentage": r["percentage"]} for r in regions]
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for item, share in _shares(items):
        shares[item["code"]] += share
    total = sum(shares.values(), Decimal(0))
    if total <= 0:
        return {"": Decimal(1)}
    return {code: share / total for code, share in shares.items() if share > 0}


def words_of(activity: FundingActivity) -> str:
    """What an activity says it does, where a policy marker or a wide sector must find its topic named."""
    return f"{activity.title}\n{activity.description}"


def allocations(activity: FundingActivity, mapping: Mapping) -> list[Allocation]:
    by_topic = topic_shares(activity.sectors, activity.policy_markers, mapping, text=words_of(activity))
    for topic in activity.topics:  # a topic a policy marker names, where the sectors decide the money: a share of 0,
        by_topic.setdefault(topic, Decimal(0))  # so that filtering by topic finds the activity as overlaps do
    by_country = country_shares(activity.countries, activity.regions)
    rows = []
    for country, c_share in by_country.items():
        for topic, t_share in by_topic.items():
            share = (c_share * t_share).quantize(Decimal("0.000001"))
            amount = (activity.total * share).quantize(CENT) if activity.total is not None else None
            rows.append(Allocation(activity=activity, country=country, topic=topic, share=share, amount=amount))
    return rows


def remap() -> int:
    """Recompute every activity's topics and allocations after the mapping changed."""
    mapping = load_mapping()
    count = 0
    fields = ("pk", "title", "description", "sectors", "policy_markers", "countries", "regions", "total")
    for chunk in chunks(FundingActivity.objects.only(*fields).order_by("pk").iterator(chunk_size=CHUNK)):
        for activity in chunk:
            activity.topics = sorted(
                topics_of(activity.sectors, activity.policy_markers, mapping, text=words_of(activity))
            )
        FundingActivity.objects.bulk_update(chunk, ["topics"])
        reallocate(chunk, mapping)
        count += len(chunk)
    return count


def chunks(rows: Iterable[FundingActivity]) -> Iterator[list[FundingActivity]]:
    chunk: list[FundingActivity] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def reallocate(chunk: list[FundingActivity], mapping: Mapping) -> None:
    """Replace the allocations of many activities: one delete and one insert per 500 rows."""
    Allocation.objects.filter(activity_id__in=[a.pk for a in chunk]).delete()
    Allocation.objects.bulk_create([row for a in chunk for row in allocations(a, mapping)], batch_size=CHUNK)
