"""Roles derive from a person's current positions; nothing else grants them (DESIGN: one access policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, OuterRef, Subquery

from coalition.core.policy import Actor, Role
from coalition.directory.models import Body, ChairTerm, Participation, Position
from coalition.directory.queries import today

_BODY_ROLES = {
    Body.Kind.SUPPORT_UNIT: Role.SUPPORT_UNIT,
    Body.Kind.ADVISORY_NETWORK: Role.ADVISORY_NETWORK,
    Body.Kind.CHAIR: Role.CHAIR,
}


def resolve_actor(user: Any) -> Actor:
    if not user.person_id:
        return Actor(user=user, roles=frozenset(), principals=frozenset({f"user:{user.pk}"}))
    on = today()
    # Each position with its organisation's participation status that day, and the government chairing that day (the
    # troika's current term: the first by year that covers the day), in the one query every page pays for.
    latest_step = Participation.objects.filter(organisation=OuterRef("organisation_id"), effective_on__lte=on)
    chairing = ChairTerm.objects.filter(starts_on__lte=on, ends_on__gte=on).order_by("year")
    # Plain values, not models: only the columns the roles are made of (the organisations' and bodies' whole rows
    # cost most of the time this takes), and no order (sets and a mapping by organisation come out of it).
    positions = list(
        Position.objects.filter(Position.current_q(on), person_id=user.person_id)
        .order_by()
        .values(
            "kind",
            "body_id",
            "organisation_id",
            body_kind=F("body__kind"),
            organisation_name=F("organisation__name"),
            organisation_status=Subquery(latest_step.order_by("-effective_on").values("status")[:1]),
            chairing_today=Subquery(chairing.values("organisation_id")[:1]),
        )
    )
    status = {p["organisation_id"]: p["organisation_status"] for p in positions if p["organisation_id"]}
    chair_id = positions[0]["chairing_today"] if positions else None
    roles: set[Role] = set()
    principals = {f"person:{user.person_id}", f"user:{user.pk}"}
    acts_for: set[int] = set()
    focal_point_for: set[int] = set()
    for position in positions:
        kind = position["kind"]
        if position["body_id"]:
            principals.add(f"body:{position['body_id']}")
            role = _BODY_ROLES.get(position["body_kind"])
            if role is not None:
                roles.add(role)
        if kind == Position.Kind.GUEST:
            roles.add(Role.GUEST)
            continue
        organisation_id = position["organisation_id"]
        if organisation_id is None:
            continue
        principals.add(f"org:{organisation_id}")
        acts_for.add(organisation_id)
        if status[organisation_id] == "member":
            roles.add(Role.MEMBER_OFFICIAL)
            if kind == Position.Kind.FOCAL_POINT:
                roles.add(Role.FOCAL_POINT)
                focal_point_for.add(organisation_id)
                if chair_id == organisation_id:
                    roles.add(Role.CHAIR)
        elif status[organisation_id] == "observer":
            roles.add(Role.OBSERVER)
    principals.update(f"role:{role.value}" for role in roles)
    return Actor(
        user=user,
        roles=frozenset(roles),
        principals=frozenset(principals),
        person_id=user.person_id,
        acts_for=frozenset(acts_for),
        focal_point_for=frozenset(focal_point_for),
        extra={
            "acts_for_names": {p["organisation_id"]: p["organisation_name"] for p in positions if p["organisation_id"]},
            # Whose positions this person agrees to: the governments they are a focal point of, whatever their
            # participation, so a candidate or observer can consent before its people act as a member's.
            "consents_for": frozenset(
                p["organisation_id"]
                for p in positions
                if p["kind"] == Position.Kind.FOCAL_POINT and p["organisation_id"]
            ),
        },
    )
