"""Every write to the directory: one function per use case, access first, one transaction, then the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from coalition.core import ledger, policy
from coalition.core.errors import InvalidInput
from coalition.directory.models import ChairTerm, Country, Organisation, Participation, Person, Position
from coalition.directory.reference import all_country_facts


def load_countries() -> int:
    """Create or refresh every ISO 3166-1 country from the reference libraries (idempotent)."""
    facts = all_country_facts()
    existing = {c.code: c for c in Country.objects.all()}
    fields = [f for f in facts[0].__dataclass_fields__ if f != "code"]
    with transaction.atomic():
        for fact in facts:
            values = {name: getattr(fact, name) for name in fields}
            country = existing.get(fact.code)
            if country is None:
                Country.objects.create(code=fact.code, **values)
            elif any(getattr(country, k) != v for k, v in values.items()):
                Country.objects.filter(pk=country.pk).update(**values)
    return len(facts)


def record_participation(
    *,
    organisation: Organisation,
    status: str,
    effective_on: dt.date,
    by: Any,
    note: str = "",
    precision: str = Participation.Precision.DAY,
) -> Participation:
    """A step in an organisation's relation to the coalition: candidate, invited, member, observer, withdrawn."""
    policy.require(by, "directory.manage")
    if status not in Participation.Status.values:
        raise InvalidInput(f"{status!r} is not a participation status.", field="status")
    duplicate = InvalidInput(
        f"{organisation} already has a participation step on {effective_on}.", field="effective_on"
    )
    with transaction.atomic():
        if Participation.objects.filter(organisation=organisation, effective_on=effective_on).exists():
            raise duplicate
        try:
            with transaction.atomic():  # the unique constraint decides a race the check above cannot see
                step = Participation.objects.create(
                    organisation=organisation, status=status, effective_on=effective_on, note=note, precision=precision
                )
        except IntegrityError:
            raise duplicate from None
        ledger.record(
            "directory.participation_recorded",
            actor=by,
            subject=step,
            on_behalf_of=organisation,
            data={"status": status, "effective_on": effective_on},
        )
    return step


def appoint(
    *,
    person: Person,
    kind: str,
    by: Any,
    starts_on: dt.date,
    body: Any = None,
    organisation: Organisation | None = None,
    ends_on: dt.date | None = None,
    title: str = "",
    classification: str = policy.Classification.COALITION,
) -> Position:
    """A person takes up a position; their roles change with it, so the ledger records it as a role change."""
    policy.require(by, "directory.manage")
    if body is None and organisation is None:
        raise InvalidInput("A position is held in a body or on behalf of an organisation.", field="body")
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("The term cannot end before it starts.", field="ends_on")
    with transaction.atomic():
        position = Position.objects.create(
            person=person,
            kind=kind,
            body=body,
            organisation=organisation,
            starts_on=starts_on,
            ends_on=ends_on,
            title=title,
            classification=classification,
        )
        ledger.record(
            "role.position_granted",
            actor=by,
            subject=position,
            on_behalf_of=organisation,
            data={"kind": kind, "starts_on": starts_on, "ends_on": ends_on},
        )
    return position


def end_position(*, position: Position, ends_on: dt.date, by: Any) -> Position:
    policy.require(by, "directory.manage")
    if ends_on < position.starts_on:
        raise InvalidInput("The term cannot end before it starts.", field="ends_on")
    with transaction.atomic():
        position = Position.objects.select_for_update().get(pk=position.pk)
        position.ends_on = ends_on
        position.save(update_fields=["ends_on"])
        ledger.record(
            "role.position_ended",
            actor=by,
            subject=position,
            on_behalf_of=position.organisation,
            data={"ends_on": ends_on},
        )
    return position


def set_chair_term(*, organisation: Organisation, year: int, by: Any, note: str = "") -> ChairTerm:
    policy.require(by, "directory.manage")
    if organisation.kind != Organisation.Kind.GOVERNMENT:
        raise InvalidInput("Only a government can chair the coalition.", field="organisation")
    with transaction.atomic():
        term, _created = ChairTerm.objects.update_or_create(
            year=year,
            defaults={
                "organisation": organisation,
                "starts_on": dt.date(year, 1, 1),
                "ends_on": dt.date(year, 12, 31),
                "note": note,
            },
        )
        ledger.record("directory.chair_term_set", actor=by, subject=term, data={"year": year})
    return term
