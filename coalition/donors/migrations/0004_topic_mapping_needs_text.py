"""Issue 15, item 12: a policy marker, or a sector wider than a topic, counts only where the activity's words speak of
the topic. Rows of the default mapping that nobody edited become the new default; what the Support Unit edited or
removed stays as it is; every activity's topics and allocations are then worked out again."""

import importlib
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import migrations, models

# A copy of the default as this migration writes it (`models.DEFAULT_MAPPING` may change later; its own migration then
# brings the rows along): (kind, code, topic, why, needs_text).
DEFAULT_MAPPING_2026_12: tuple[tuple[str, str, str, str, bool], ...] = (
    ("sector", "15153", "freedoms", "Media and free flow of information", False),
    ("sector", "15163", "freedoms", "Free flow of information (withdrawn code of older files, now 15153)", False),
    ("sector", "15160", "freedoms", "Human rights: where the text names freedoms, defenders or civic space", True),
    ("sector", "15150", "freedoms", "Democratic participation and civil society: where the text names freedoms", True),
    ("sector", "15151", "freedoms", "Elections: where the text names shutdowns, censorship or free media", True),
    ("sector", "22030", "freedoms", "Radio/television/print media equipment: where the text names free media", True),
    ("sector", "15130", "surveillance", "Legal and judicial development: where the text names surveillance", True),
    ("sector", "15210", "surveillance", "Security system reform: where the text names surveillance or privacy", True),
    ("sector", "22040", "inclusion", "Information and communication technology (ICT)", False),
    ("sector", "22020", "inclusion", "Telecommunications", False),
    ("sector", "22010", "inclusion", "Communications policy (postal services too): where the text is digital", True),
    ("sector", "22011", "inclusion", "Communications policy, planning and administration: where digital", True),
    ("sector", "15170", "inclusion", "Women's rights organisations: where the text is digital", True),
    ("sector", "15180", "inclusion", "Ending violence against women and girls: where the text is online", True),
    ("sector", "43082", "ai", "Research/scientific institutions: where the text names AI", True),
    ("marker", "1", "inclusion", "Gender equality: where the text is digital", True),
    ("marker", "11", "inclusion", "Disability: where the text is digital", True),
    ("marker", "3", "freedoms", "Participatory development / good governance: where the text names freedoms", True),
)
BEFORE = importlib.import_module("coalition.donors.migrations.0002_default_topic_mapping").DEFAULT_MAPPING_2026_11


def update_default_mapping(apps: Any, schema_editor: Any) -> None:
    TopicMapping = apps.get_model("donors", "TopicMapping")
    new = {(kind, code, topic): (why, needs) for kind, code, topic, why, needs in DEFAULT_MAPPING_2026_12}
    old = {(kind, code, topic): why for kind, code, topic, why in BEFORE}
    for row in TopicMapping.objects.filter(changed_by__isnull=True):
        key = (row.kind, row.code, row.topic)
        if old.get(key) != row.note:
            continue  # not as 0002 seeded it: someone edited it
        if key not in new:
            row.delete()
            continue
        row.note, row.needs_text = new[key]
        row.save(update_fields=["note", "needs_text"])
    present = set(TopicMapping.objects.values_list("kind", "code", "topic"))
    TopicMapping.objects.bulk_create(  # only codes new to the default: one the Support Unit removed stays removed
        [
            TopicMapping(kind=key[0], code=key[1], topic=key[2], note=why, needs_text=needs)
            for key, (why, needs) in new.items()
            if key not in old and key not in present
        ]
    )
    _reallocate_topics(apps)


def _reallocate_topics(apps: Any) -> None:
    """Each activity's topics and its money per topic again. The split by topic comes from today's pure functions in
    `topics` (sectors, markers and words in, shares out); the money per country is kept from the activity's rows,
    whatever rules made it, so that nothing here depends on today's models."""
    from coalition.donors import topics

    TopicMapping = apps.get_model("donors", "TopicMapping")
    FundingActivity = apps.get_model("donors", "FundingActivity")
    Allocation = apps.get_model("donors", "Allocation")
    found: dict[tuple[str, str], set[tuple[str, bool]]] = defaultdict(set)
    for kind, code, topic, needs_text in TopicMapping.objects.values_list("kind", "code", "topic", "needs_text"):
        found[(kind, code)].add((topic, needs_text or kind == "marker"))
    mapping = {key: frozenset(topics) for key, topics in found.items()}
    for activity in FundingActivity.objects.order_by("pk").prefetch_related("allocations").iterator(chunk_size=500):
        text = f"{activity.title}\n{activity.description}"
        activity.topics = sorted(topics.topics_of(activity.sectors, activity.policy_markers, mapping, text=text))
        activity.save(update_fields=["topics"])
        by_topic = topics.topic_shares(activity.sectors, activity.policy_markers, mapping, text=text)
        for topic in activity.topics:
            by_topic.setdefault(topic, Decimal(0))
        shares: dict[str, Decimal] = defaultdict(Decimal)
        amounts: dict[str, Decimal | None] = defaultdict(Decimal)
        for row in activity.allocations.all():
            shares[row.country] += row.share
            before = amounts[row.country]
            amounts[row.country] = None if before is None or row.amount is None else before + row.amount
        Allocation.objects.filter(activity=activity).delete()
        Allocation.objects.bulk_create(
            [
                Allocation(
                    activity=activity,
                    country=country,
                    topic=topic,
                    share=(share * part).quantize(Decimal("0.000001")),
                    amount=_part_of(amounts[country], part),
                )
                for country, share in shares.items()
                for topic, part in by_topic.items()
            ]
        )


def _part_of(amount: Decimal | None, part: Decimal) -> Decimal | None:
    return None if amount is None else (amount * part).quantize(Decimal("0.01"))


class Migration(migrations.Migration):
    dependencies = [("donors", "0003_fundingactivity_component_identifiers")]

    operations = [
        migrations.AddField(
            model_name="topicmapping",
            name="needs_text",
            field=models.BooleanField(
                default=False,
                help_text="For a code wider than the topic (human rights, elections). A policy marker always needs it.",
                verbose_name="only where the title or description speaks of the topic",
            ),
        ),
        migrations.RunPython(update_default_mapping, migrations.RunPython.noop),
    ]
