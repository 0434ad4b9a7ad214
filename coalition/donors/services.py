"""The writes of donor coordination: joining and leaving the mechanism, donor groups, choosing who a record is
shared with, the topic mapping, exchange rates and self-assessments. Each function checks the policy, writes in one
transaction and leaves a ledger record.

Importing a file is `ingest` (`import_file` here runs it for a caller that is not the task worker), and keeping and
reviewing overlap candidates is `overlap_review` (`detect_overlaps` is named here too).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coalition.core import ledger, policy
from coalition.core.errors import InvalidInput
from coalition.core.policy import Tier
from coalition.directory.models import Organisation
from coalition.directory.queries import today
from coalition.documents.models import Document, paragraphs_of, text_hash
from coalition.donors import tasks
from coalition.donors.checks import check_tier, reference_folder, require_government
from coalition.donors.ingest import iati, importing
from coalition.donors.models import (
    DEFAULT_MAPPING,
    DonorGroup,
    ExchangeRate,
    FundingActivity,
    FundingLine,
    ImportBatch,
    Participation,
    SelfAssessment,
    Topic,
    TopicMapping,
)
from coalition.donors.money import ConversionContext, converted
from coalition.donors.overlap_review import detect_overlaps as detect_overlaps
from coalition.donors.topics import CHUNK, chunks, load_mapping, reallocate, remap

# --- Taking part --------------------------------------------------------------------------------------------------


def join(*, organisation: Organisation, by: Any, on: dt.date | None = None) -> Participation:
    """The member joins the mechanism from `on` (today by default); its shared records reach the others from then."""
    policy.require(by, "donors.take_part", organisation)
    require_government(organisation)
    with transaction.atomic():
        current = Participation.objects.select_for_update().filter(organisation=organisation, left_on__isnull=True)
        if current.exists():
            raise InvalidInput(f"{organisation} already takes part in the donor mechanism.", field="organisation")
        participation = Participation.objects.create(organisation=organisation, joined_on=on or today(), joined_by=by)
        ledger.record("donors.joined", actor=by, subject=participation, on_behalf_of=organisation)
    return participation


def leave(*, organisation: Organisation, by: Any, on: dt.date | None = None) -> Participation:
    """The member leaves: from `on` its records are its own again (every tier but public stops reaching others)."""
    policy.require(by, "donors.take_part", organisation)
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update().filter(organisation=organisation, left_on__isnull=True).first()
        )
        if participation is None:
            raise InvalidInput(f"{organisation} does not take part in the donor mechanism.", field="organisation")
        day = on or today()
        if day < participation.joined_on:
            raise InvalidInput("A member cannot leave before the day it joined.", field="on")
        participation.left_on, participation.left_by = day, by
        participation.save(update_fields=["left_on", "left_by"])
        ledger.record("donors.left", actor=by, subject=participation, on_behalf_of=organisation)
    return participation


def takes_part(organisation: Organisation, on: dt.date | None = None) -> bool:
    return Participation.active_organisations(on).filter(organisation_id=organisation.pk).exists()


def save_group(
    *, by: Any, name: str, members: Iterable[Organisation], description: str = "", group: DonorGroup | None = None
) -> DonorGroup:
    """A named donor group (Support Unit): the members a record shared "with the group" reaches."""
    policy.require(by, "donors.manage")
    members = list(members)
    if not name.strip():
        raise InvalidInput("A donor group needs a name.", field="name")
    if len(members) < 2:
        raise InvalidInput("A donor group needs at least two members.", field="members")
    for member in members:
        require_government(member, "members")
    with transaction.atomic():
        group = group or DonorGroup(created_by=by)
        group.name, group.description = name.strip(), description.strip()
        group.save()
        group.members.set(members)
        ledger.record("donors.group_saved", actor=by, subject=group, data={"members": [m.pk for m in members]})
    return group


# --- Importing ----------------------------------------------------------------------------------------------------


def import_file(
    data: bytes | Path,
    *,
    file_name: str,
    reporter: Organisation,
    by: Any,
    tier: str = Tier.MECHANISM,
    group: DonorGroup | None = None,
    bilateral_with: Sequence[Organisation] = (),
) -> ImportBatch:
    """Import a member's file, every activity or none (`ingest.importing.import_file`), then detect overlaps with the
    activities it created or changed (`tasks.detect`). Uploads are imported by the task worker (`tasks`)."""
    return importing.import_file(
        data,
        file_name=file_name,
        reporter=reporter,
        by=by,
        tier=tier,
        group=group,
        bilateral_with=bilateral_with,
        detect_among=tasks.detect.enqueue,
    )


# --- Sharing ------------------------------------------------------------------------------------------------------


def set_tier(
    activity: FundingActivity,
    *,
    by: Any,
    tier: str,
    group: DonorGroup | None = None,
    bilateral_with: Sequence[Organisation] = (),
) -> FundingActivity:
    """Choose who a record is shared with. Only the reporter's people decide it."""
    policy.require(by, "donors.share", activity.reporter)
    check_tier(activity.reporter, tier, group, bilateral_with)
    with transaction.atomic():
        before = activity.tier
        activity.tier, activity.group = tier, group
        activity.save(update_fields=["tier", "group"])
        activity.bilateral_with.set(bilateral_with)
        ledger.record(
            "donors.tier_set",
            actor=by,
            subject=activity,
            label=f"funding activity {activity.pk}",  # its title may be confidential to a bilateral audience
            on_behalf_of=activity.reporter,
            data={
                "from": before,
                "to": tier,
                "group": getattr(group, "pk", None),
                "with": [m.pk for m in bilateral_with],
            },
        )
    return activity


# --- Topics and allocation ----------------------------------------------------------------------------------------


def ensure_default_mapping() -> int:
    """Put the default mapping in place where there is none (migration 0002 does it on installation; this is for an
    emptied database, e.g. the demo loaded into one). Returns how many rows it added."""
    if TopicMapping.objects.exists():
        return 0
    TopicMapping.objects.bulk_create(
        [
            TopicMapping(kind=kind, code=code, topic=topic, note=why, needs_text=needs_text)
            for kind, code, topic, why, needs_text in DEFAULT_MAPPING
        ]
    )
    return len(DEFAULT_MAPPING)


def set_mapping(*, by: Any, kind: str, code: str, topic: str, note: str = "", needs_text: bool = False) -> TopicMapping:
    """Map a sector, sector category or policy marker to a topic, and re-map every activity. With `needs_text` (always
    for a policy marker) the code counts only where the activity's own words speak of the topic."""
    policy.require(by, "donors.manage")
    code = code.strip()
    if kind not in TopicMapping.Kind.values:
        raise InvalidInput(f"Unknown kind {kind!r}.", field="kind")
    if topic not in Topic.values:
        raise InvalidInput(f"Unknown topic {topic!r}.", field="topic")
    _check_code(kind, code)
    with transaction.atomic():
        mapping, _created = TopicMapping.objects.update_or_create(
            kind=kind,
            code=code,
            topic=topic,
            defaults={
                "note": note.strip()[:300],
                "needs_text": needs_text or kind == TopicMapping.Kind.POLICY_MARKER,
                "changed_by": by,
                "changed_at": timezone.now(),
            },
        )
        ledger.record("donors.mapping_set", actor=by, subject=mapping)
        remap()
    return mapping


def remove_mapping(mapping: TopicMapping, *, by: Any) -> None:
    policy.require(by, "donors.manage")
    with transaction.atomic():
        ledger.record("donors.mapping_removed", actor=by, subject=mapping)
        mapping.delete()
        remap()


_CODE_LISTS = {"sector": ("Sector", 5), "category": ("SectorCategory", 3), "marker": ("PolicyMarker", None)}


def _check_code(kind: str, code: str) -> None:
    listname, length = _CODE_LISTS[kind]
    if not code or (length and (len(code) != length or not code.isdigit())):
        raise InvalidInput(
            f"A {TopicMapping.Kind(kind).label} code has {length} digits; {code!r} does not.", field="code"
        )
    folder = reference_folder("DONORS_IATI_CODELISTS")
    if folder is not None:
        known = iati.codelist_codes(folder, listname)
        if code not in known:
            raise InvalidInput(f"{code!r} is not in the IATI {listname} codelist.", field="code")


# --- Currency -----------------------------------------------------------------------------------------------------


def add_rate(*, by: Any, currency: str, on: dt.date, rate: Decimal, source: str) -> ExchangeRate:
    """Record an exchange rate and re-convert every amount in that currency."""
    policy.require(by, "donors.manage")
    currency = currency.strip().upper()
    if currency == settings.DONORS_CURRENCY:
        raise InvalidInput(f"{currency} is the mechanism's own currency.", field="currency")
    folder = reference_folder("DONORS_IATI_CODELISTS")
    if len(currency) != 3 or (folder is not None and currency not in iati.codelist_codes(folder, "Currency")):
        raise InvalidInput(f"{currency!r} is not an ISO 4217 currency code.", field="currency")
    if rate is None or rate <= 0:
        raise InvalidInput("A rate is a positive number.", field="rate")
    if not source.strip():
        raise InvalidInput("Name the rate's source (e.g. ECB reference rate).", field="source")
    with transaction.atomic():
        saved, _created = ExchangeRate.objects.update_or_create(
            currency=currency, on=on, defaults={"rate": rate, "source": source.strip()[:200]}
        )
        ledger.record("donors.rate_set", actor=by, subject=saved, data={"rate": str(rate)})
        reconvert(currency)
    return saved


def reconvert(currency: str | None = None) -> int:
    """Re-convert the activities with amounts in `currency` (all when None), and their allocations."""
    context, mapping = ConversionContext(), load_mapping()
    activities = FundingActivity.objects.order_by("pk")
    if currency:
        activities = activities.filter(pk__in=FundingLine.objects.filter(currency=currency).values("activity_id"))
    count = 0
    for chunk in chunks(activities.prefetch_related("lines").iterator(chunk_size=CHUNK)):
        lines = [line for activity in chunk for line in converted(activity, list(activity.lines.all()), context)]
        FundingLine.objects.bulk_update(lines, ["converted", "rate"], batch_size=CHUNK)
        FundingActivity.objects.bulk_update(chunk, ["total", "total_basis"])
        reallocate(chunk, mapping)
        count += len(chunk)
    return count


# --- Self-assessment ----------------------------------------------------------------------------------------------


def assess(
    *, organisation: Organisation, document: Any, paragraph: int, rating: str, evidence: str, by: Any
) -> SelfAssessment:
    """A member's assessment of itself against one principle: a paragraph of the principles' latest version."""
    policy.require(by, "donors.assess", organisation)
    require_government(organisation)
    if document.kind != Document.Kind.PRINCIPLES or not policy.is_visible(by, document):
        raise InvalidInput("Assessments are made against a principles document you can read.", field="document")
    if rating not in SelfAssessment.Rating.values:
        raise InvalidInput(f"Unknown rating {rating!r}.", field="rating")
    version = document.versions.order_by("-number").first()
    texts = paragraphs_of(version.text) if version else []
    if not 1 <= paragraph <= len(texts) or texts[paragraph - 1].startswith("#"):
        raise InvalidInput(f"The principles have no principle {paragraph}.", field="paragraph")
    with transaction.atomic():
        item, _created = SelfAssessment.objects.update_or_create(
            organisation=organisation,
            document=document,
            paragraph_hash=text_hash(texts[paragraph - 1]),
            defaults={
                "version": version.number,
                "paragraph": paragraph,
                "rating": rating,
                "evidence": evidence.strip(),
                "by": by,
                "at": timezone.now(),
            },
        )
        ledger.record("donors.assessed", actor=by, subject=item, on_behalf_of=organisation, data={"rating": rating})
    return item
