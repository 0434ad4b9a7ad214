"""resolve_actor reads plain values instead of whole rows (issue 20, page cost): the actor it makes must be exactly
the one the model-loading version made. `_resolve_actor_before` is that version, kept here as the reference."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import OuterRef, Subquery

from coalition.accounts.models import User
from coalition.accounts.roles import resolve_actor
from coalition.core.policy import Actor, Role
from coalition.directory.models import Body, ChairTerm, Participation, Person, Position
from coalition.directory.queries import today
from coalition.directory.tests.factories import PersonFactory, PositionFactory, body, chair_term, government

pytestmark = pytest.mark.django_db

LONG_AGO = dt.date(2020, 1, 1)


def _resolve_actor_before(user: Any) -> Actor:
    if not user.person_id:
        return Actor(user=user, roles=frozenset(), principals=frozenset({f"user:{user.pk}"}))
    on = today()
    latest_step = Participation.objects.filter(organisation=OuterRef("organisation_id"), effective_on__lte=on)
    chairing = ChairTerm.objects.filter(starts_on__lte=on, ends_on__gte=on).order_by("year")
    positions = list(
        Position.objects.filter(Position.current_q(on), person_id=user.person_id)
        .select_related("body", "organisation")
        .annotate(
            organisation_status=Subquery(latest_step.order_by("-effective_on").values("status")[:1]),
            chairing_today=Subquery(chairing.values("organisation_id")[:1]),
        )
    )
    status = {p.organisation_id: p.organisation_status for p in positions if p.organisation_id}
    members = {pk for pk, value in status.items() if value == "member"}
    chair_id = positions[0].chairing_today if positions else None
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
                if chair_id == organisation.pk:
                    roles.add(Role.CHAIR)
        elif status.get(organisation.pk) == "observer":
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
            "acts_for_names": {p.organisation.pk: p.organisation.name for p in positions if p.organisation},
            "consents_for": frozenset(
                p.organisation_id for p in positions if p.kind == Position.Kind.FOCAL_POINT and p.organisation_id
            ),
        },
    )


def _same(user: User) -> Actor:
    actor, reference = resolve_actor(user), _resolve_actor_before(user)
    assert actor == reference
    assert (actor.roles, actor.principals, actor.acts_for, actor.focal_point_for, actor.extra) == (
        reference.roles,
        reference.principals,
        reference.acts_for,
        reference.focal_point_for,
        reference.extra,
    )
    return actor


def _hold(person: Person, kind: str, **fields: Any) -> Position:
    return PositionFactory.create(person=person, kind=kind, starts_on=fields.pop("starts_on", LONG_AGO), **fields)


def test_a_person_of_many_positions_has_exactly_the_actor_of_before():
    member, chairing, turned_observer, turned_member, observer = (
        government(code) for code in ("EE", "CL", "CA", "KE", "FR")
    )
    chair_term(chairing, today().year)
    Participation.objects.create(organisation=turned_observer, status="observer", effective_on=dt.date(2021, 1, 1))
    Participation.objects.create(organisation=turned_member, status="observer", effective_on=dt.date(2010, 1, 1))
    Participation.objects.filter(organisation=observer).update(status="observer")
    # A step still to come counts for nothing yet.
    Participation.objects.create(organisation=member, status="withdrawn", effective_on=today() + dt.timedelta(days=30))
    person = PersonFactory.create()
    _hold(person, Position.Kind.OFFICIAL, organisation=member)
    _hold(person, Position.Kind.FOCAL_POINT, organisation=chairing)
    _hold(person, Position.Kind.FOCAL_POINT, organisation=turned_observer)
    _hold(person, Position.Kind.OFFICIAL, organisation=turned_member)
    _hold(person, Position.Kind.FOCAL_POINT, organisation=observer)
    network = body(Body.Kind.ADVISORY_NETWORK)
    _hold(person, Position.Kind.MEMBER, body=network)
    task_force = body(Body.Kind.TASK_FORCE)
    _hold(person, Position.Kind.GUEST, body=task_force, organisation=member)
    # Not in force: ended, not started, awaiting the member's word.
    _hold(person, Position.Kind.SUPPORT_UNIT_STAFF, body=body(Body.Kind.SUPPORT_UNIT), ends_on=dt.date(2021, 1, 1))
    _hold(person, Position.Kind.CHAIR_LEAD, body=body(Body.Kind.CHAIR), starts_on=today() + dt.timedelta(days=1))
    _hold(person, Position.Kind.FOCAL_POINT, organisation=member, consent=Position.Consent.AWAITED)

    actor = _same(User.objects.create_user(email="many@example.org", person=person))

    assert actor.roles == {
        Role.MEMBER_OFFICIAL,
        Role.FOCAL_POINT,
        Role.CHAIR,
        Role.OBSERVER,
        Role.ADVISORY_NETWORK,
        Role.GUEST,
    }
    assert actor.acts_for == {member.pk, chairing.pk, turned_observer.pk, turned_member.pk, observer.pk}
    assert actor.focal_point_for == {chairing.pk}
    assert actor.extra["consents_for"] == {chairing.pk, turned_observer.pk, observer.pk}
    assert actor.extra["acts_for_names"][turned_member.pk] == turned_member.name
    assert f"body:{network.pk}" in actor.principals
    assert f"body:{task_force.pk}" in actor.principals


def test_a_person_without_positions_and_an_account_without_a_person_are_unchanged():
    _same(User.objects.create_user(email="nobody@example.org", person=PersonFactory.create()))
    _same(User.objects.create_user(email="account-only@example.org"))
