"""Every write to the directory: one function per use case, access first, one transaction, then the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction

from coalition.core import ledger, policy
from coalition.core.errors import InvalidInput
from coalition.directory import notices
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


def _speaks_for(by: Any, organisation: Organisation | None) -> bool:
    return organisation is not None and policy.can(by, "directory.consent", organisation)


def _tell_member(position: Position, change: str, key: str) -> None:
    """Tell the government's focal points, in the change's transaction: the emails go only once it commits (never
    for one that rolled back), sent by the task worker (`directory.position_consent`)."""
    if position.organisation is None or position.organisation.kind != Organisation.Kind.GOVERNMENT:
        return
    notices.tell_member(position, change, key)


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
    """A person takes up a position; their roles change with it, so the ledger records it as a role change.

    A position on behalf of a government speaks for that government (its focal point signs for it, its officials
    read its bilateral records), so it starts only with the government's consent: given at once when one of its
    own focal points appoints, otherwise awaited from them (`confirm_position`). The Support Unit proposes; it
    never agrees for a member, whatever else it may do (PoA 3A.1: positions managed by members' focal points)."""
    speaks = _speaks_for(by, organisation)
    if not speaks:
        policy.require(by, "directory.manage")
    if body is None and organisation is None:
        raise InvalidInput("A position is held in a body or on behalf of an organisation.", field="body")
    if kind not in Position.Kind.values:
        raise InvalidInput(f"{kind!r} is not a kind of position.", field="kind")
    if ends_on is not None and ends_on < starts_on:
        raise InvalidInput("The term cannot end before it starts.", field="ends_on")
    needs_consent = organisation is not None and organisation.kind == Organisation.Kind.GOVERNMENT
    awaited = needs_consent and not speaks
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
            consent=Position.Consent.AWAITED if awaited else Position.Consent.GIVEN,
        )
        ledger.record(
            "role.position_proposed" if awaited else "role.position_granted",
            actor=by,
            subject=position,
            on_behalf_of=organisation,
            data={"kind": kind, "starts_on": starts_on, "ends_on": ends_on},
        )
        _tell_member(
            position,
            f"Proposed by {by}; it starts only when one of your focal points confirms it."
            if awaited
            else f"Appointed by {by}, a focal point of your government.",
            "proposed" if awaited else "appointed",
        )
    return position


def _decide(*, position: Position, by: Any, consent: str) -> Position:
    policy.require(by, "directory.consent", position.organisation)
    with transaction.atomic():
        position = Position.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=position.pk)
        if position.consent != Position.Consent.AWAITED:
            raise InvalidInput(
                f"This position is already {position.get_consent_display()}; nothing is awaited.", field="position"
            )
        position.consent = consent
        position.save(update_fields=["consent"])
        granted = consent == Position.Consent.GIVEN
        ledger.record(
            "role.position_granted" if granted else "role.position_declined",
            actor=by,
            subject=position,
            on_behalf_of=position.organisation,
            data={"kind": position.kind, "consent": consent},
        )
        _tell_member(
            position,
            f"{'Confirmed' if granted else 'Declined'} by {by}, a focal point of your government.",
            "confirmed" if granted else "declined",
        )
    return position


def confirm_position(*, position: Position, by: Any) -> Position:
    """One of the government's own focal points agrees to a proposed position, which then starts (PoA 3A.1)."""
    return _decide(position=position, by=by, consent=Position.Consent.GIVEN)


def decline_position(*, position: Position, by: Any) -> Position:
    """One of the government's own focal points refuses a proposed position; it never starts."""
    return _decide(position=position, by=by, consent=Position.Consent.DECLINED)


def end_position(*, position: Position, ends_on: dt.date, by: Any) -> Position:
    """The Support Unit or the government's own focal points end a term; the government is told either way."""
    if not _speaks_for(by, position.organisation):
        policy.require(by, "directory.manage")
    if ends_on < position.starts_on:
        raise InvalidInput("The term cannot end before it starts.", field="ends_on")
    with transaction.atomic():
        position = Position.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=position.pk)
        position.ends_on = ends_on
        position.save(update_fields=["ends_on"])
        ledger.record(
            "role.position_ended",
            actor=by,
            subject=position,
            on_behalf_of=position.organisation,
            data={"ends_on": ends_on},
        )
        _tell_member(position, f"Ended on {ends_on} by {by}.", f"ended:{ends_on}")
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
