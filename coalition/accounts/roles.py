"""Roles derive from a person's current positions; nothing else grants them (DESIGN: one access policy)."""

from __future__ import annotations

from typing import Any

from coalition.core.policy import Actor, Role
from coalition.directory.models import Body, Position
from coalition.directory.queries import member_ids_on, status_of, today, troika_on


def resolve_actor(user: Any) -> Actor:
    if not user.person_id:
        return Actor(user=user, roles=frozenset(), principals=frozenset({f"user:{user.pk}"}))
    on = today()
    positions = list(
        Position.objects.filter(Position.current_q(on), person_id=user.person_id).select_related("body", "organisation")
    )
    members = member_ids_on(on) if any(p.organisation_id for p in positions) else set()
    current_chair = troika_on(on).current
    roles: set[Role] = set()
    principals = {f"person:{user.person_id}", f"user:{user.pk}"}
    acts_for: set[int] = set()
    focal_point_for: set[int] = set()
    for position in positions:
        if position.body_id:
            principals.add(f"body:{position.body_id}")
            body_kind = position.body.kind if position.body else ""
            if body_kind == Body.Kind.SUPPORT_UNIT:
                roles.add(Role.SUPPORT_UNIT)
            elif body_kind == Body.Kind.ADVISORY_NETWORK:
                roles.add(Role.ADVISORY_NETWORK)
            elif body_kind == Body.Kind.CHAIR:
                roles.add(Role.CHAIR)
        if position.kind == Position.Kind.GUEST:
            roles.add(Role.GUEST)
            continue
        organisation = position.organisation
        if organisation is None:
            continue
        principals.add(f"org:{organisation.pk}")
        acts_for.add(organisation.pk)
        if organisation.pk in members:
            roles.add(Role.MEMBER_OFFICIAL)
            if position.kind == Position.Kind.FOCAL_POINT:
                roles.add(Role.FOCAL_POINT)
                focal_point_for.add(organisation.pk)
                if current_chair and current_chair.organisation_id == organisation.pk:
                    roles.add(Role.CHAIR)
        elif status_of(organisation, on) == "observer":
            roles.add(Role.OBSERVER)
    principals.update(f"role:{role.value}" for role in roles)
    return Actor(
        user=user,
        roles=frozenset(roles),
        principals=frozenset(principals),
        person_id=user.person_id,
        acts_for=frozenset(acts_for),
        focal_point_for=frozenset(focal_point_for),
    )
