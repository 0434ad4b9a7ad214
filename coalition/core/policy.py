"""The one access policy: who sees and does what in Coalition.

Every read that reaches a page, an API response, a feed, an export or an email starts from `visible_to(user, qs)`;
every other question is `can(user, action, obj)`. Nothing else in the code base decides who sees what.

This module is the engine and knows no app: each app declares the rules of its own actions in its `rules.py` and
registers them at start-up (`register_rules`, from its AppConfig.ready()); what the policy needs to know of an app's
models, the models declare (`visible_through`, `visible_with`, `released_field`, `owned_by`, `sharing`).

Who a person is comes from their current positions (see `coalition.accounts.roles`), resolved into an `Actor`:
their roles and the principals ("org:12", "body:3", "person:7") a restricted audience may name.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeVar

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coalition.core.errors import AccessDenied


class Role(models.TextChoices):
    SUPPORT_UNIT = "support_unit", _("Support Unit")
    CHAIR = "chair", _("Chair")
    FOCAL_POINT = "focal_point", _("Member focal point")
    MEMBER_OFFICIAL = "member_official", _("Member official")
    OBSERVER = "observer", _("Observer")
    ADVISORY_NETWORK = "advisory_network", _("Advisory Network")
    GUEST = "guest", _("Invited guest")
    ANONYMOUS = "anonymous", _("Anonymous")


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    COALITION = "coalition", _("Coalition")
    MEMBERS = "members", _("Members")
    RESTRICTED = "restricted", _("Restricted")


class Tier(models.TextChoices):
    """How widely a member shares a record shared by tier (issue 8; see `sharing_q`): the reporter always reads its
    own."""

    PUBLIC = "public", _("Public")
    MECHANISM = "mechanism", _("All participants in the mechanism")
    GROUP = "group", _("A named donor group")
    BILATERAL = "bilateral", _("Bilateral, with named members")


# What an embargoed public record reads as until its release time (see `released_field` below).
EMBARGOED_AS = Classification.MEMBERS

ALL_ROLES = frozenset(Role)
PARTICIPANTS = frozenset(
    {
        Role.SUPPORT_UNIT,
        Role.CHAIR,
        Role.FOCAL_POINT,
        Role.MEMBER_OFFICIAL,
        Role.OBSERVER,
        Role.ADVISORY_NETWORK,
    }
)
GOVERNMENTS = frozenset({Role.SUPPORT_UNIT, Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL})

# Which roles read each classification. RESTRICTED is read by the Support Unit and by the named audience.
READERS: dict[str, frozenset[Role]] = {
    Classification.PUBLIC: ALL_ROLES,
    Classification.COALITION: PARTICIPANTS,
    Classification.MEMBERS: GOVERNMENTS,
    Classification.RESTRICTED: frozenset({Role.SUPPORT_UNIT}),
}


@dataclass(frozen=True)
class Actor:
    """Who is asking: the user, their roles today and the principals a restricted audience can name."""

    user: Any = None
    roles: frozenset[Role] = frozenset({Role.ANONYMOUS})
    principals: frozenset[str] = frozenset()
    person_id: int | None = None
    acts_for: frozenset[int] = frozenset()  # organisations on whose behalf the person holds a position
    focal_point_for: frozenset[int] = frozenset()  # members the person may commit as focal point
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def readable_classifications(self) -> set[str]:
        return {c for c, readers in READERS.items() if self.roles & readers}


ANONYMOUS_ACTOR = Actor()

_resolver: Callable[[Any], Actor] | None = None


def register_actor_resolver(resolver: Callable[[Any], Actor]) -> None:
    """`accounts` registers how a user becomes an Actor; core knows nothing of positions."""
    global _resolver
    _resolver = resolver


def actor_for(user: Any) -> Actor:
    if isinstance(user, Actor):
        return user
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ANONYMOUS_ACTOR
    cached = getattr(user, "_coalition_actor", None)
    if cached is not None:
        return cached
    actor = _resolver(user) if _resolver else Actor(user=user, roles=frozenset())
    user._coalition_actor = actor
    return actor


def forget_actor(user: Any) -> None:
    """Drop the cached actor (and with it what was worked out for it), after the person's positions changed within a
    request."""
    if hasattr(user, "_coalition_actor"):
        del user._coalition_actor


# --- Rules ------------------------------------------------------------------------------------------------------


class Rule:
    description = ""

    def allows(self, actor: Actor, obj: Any = None, **context: Any) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Anyone(Rule):
    description: str = "anyone, including anonymous visitors"

    def allows(self, actor: Actor, obj: Any = None, **context: Any) -> bool:
        return True


@dataclass(frozen=True)
class Roles(Rule):
    roles: frozenset[Role]
    description: str = ""

    def allows(self, actor: Actor, obj: Any = None, **context: Any) -> bool:
        return bool(actor.roles & self.roles)


@dataclass(frozen=True)
class SignedIn(Rule):
    description: str = "any signed-in account (the authentication pages themselves)"

    def allows(self, actor: Actor, obj: Any = None, **context: Any) -> bool:
        return actor.user is not None


@dataclass(frozen=True)
class ByClassification(Rule):
    """Reading a classified record: its classification, and for restricted records its audience."""

    description: str = "by the record's classification"

    def allows(self, actor: Actor, obj: Any = None, **context: Any) -> bool:
        if obj is None:
            return True  # listing pages: the queryset is filtered by visible_to
        return is_visible(actor, obj)


@dataclass(frozen=True)
class Predicate(Rule):
    """A rule that needs the object: `test(actor, obj, **context)`. Kept rare and named in RULES."""

    test: Callable[..., bool]
    description: str = ""

    def allows(self, actor: Actor, obj: Any = None, **context: Any) -> bool:
        return self.test(actor, obj, **context)


def acts_for_member(actor: Actor, organisation: Any, **context: Any) -> bool:
    """A member acts through those who hold a position on its behalf (focal points and officials); the Support Unit
    records what reaches it by other means. A building block that apps' rules share (see their `rules.py`): it reads
    only the actor and the organisation's id."""
    if actor.has(Role.SUPPORT_UNIT):
        return True
    if not actor.has(Role.FOCAL_POINT, Role.MEMBER_OFFICIAL):
        return False
    return organisation is None or organisation.pk in actor.acts_for


# Every action's rule, registered at start-up: `core.rules` for the core's own actions, and each app's `rules.py`
# for the actions named after it, from the app's AppConfig.ready(). Read-only: adding a rule goes through
# `register_rules`, which refuses an action declared twice.
_RULES: dict[str, Rule] = {}
RULES: Mapping[str, Rule] = MappingProxyType(_RULES)


def register_rules(rules: Mapping[str, Rule]) -> None:
    """Declare the rules of an app's actions (called once, from the app's AppConfig.ready())."""
    for action, rule in rules.items():
        if not isinstance(rule, Rule):
            raise TypeError(f"The rule for {action!r} is not a policy.Rule: {rule!r}")
        if action in _RULES:
            raise ValueError(f"An access rule for {action!r} is already registered")
    _RULES.update(rules)


def can(user: Any, action: str, obj: Any = None, **context: Any) -> bool:
    try:
        rule = RULES[action]
    except KeyError:
        raise LookupError(f"No access rule is declared for {action!r}") from None
    return rule.allows(actor_for(user), obj, **context)


def require(user: Any, action: str, obj: Any = None, **context: Any) -> None:
    if not can(user, action, obj, **context):
        raise AccessDenied(str(_("You do not have access to this.")))


# --- Classified records -----------------------------------------------------------------------------------------

M = TypeVar("M", bound=models.Model)


# From the widest audience to the narrowest (the order the choices are declared in).
NARROWING: list[str] = [str(c) for c in Classification]


def narrowest(classifications: Iterable[str]) -> str:
    return max(classifications, key=NARROWING.index, default=str(Classification.PUBLIC))


def classification_of(obj: Any) -> str:
    """The classification a record declares: its own field, its model's `fixed_classification`, or, for a model
    `visible_through` other records (read only by whoever reads them all), the narrowest of theirs as read now."""
    own = getattr(obj, "classification", None) or getattr(type(obj), "fixed_classification", None)
    if own:
        return own
    through = getattr(type(obj), "visible_through", None)
    if through:
        return narrowest(effective_classification(getattr(obj, relation)) for relation in through)
    raise LookupError(f"{type(obj).__name__} declares no classification: the policy cannot state it")


def effective_classification(obj: Any) -> str:
    """The classification a record is read under right now: an embargoed public record reads as members-only."""
    classification = classification_of(obj)
    return EMBARGOED_AS if classification == Classification.PUBLIC and _embargoed(obj) else classification


def _embargoed(obj: Any) -> bool:
    """A public record under embargo: its model names a `released_field`, and that moment is unset or to come."""
    field_name = getattr(type(obj), "released_field", None)
    if not field_name:
        return False
    released = getattr(obj, field_name)
    return released is None or released > timezone.now()


def is_visible(user_or_actor: Any, obj: Any) -> bool:
    actor = actor_for(user_or_actor)
    model = type(obj)
    if _decided_by_relations(model):
        return model._base_manager.filter(pk=obj.pk).filter(_relations_q(actor, model)).exists()
    if not _reads_classification(actor, obj):
        return False
    for relation in getattr(model, "visible_with", ()):  # and the record it belongs to, where it has one
        related = getattr(obj, relation)
        if related is not None and not is_visible(actor, related):
            return False
    return True


def _reads_classification(actor: Actor, obj: Any) -> bool:
    classification = effective_classification(obj)  # until an embargo lifts, a public record reads as members-only
    if actor.roles & READERS[classification]:
        return True
    if classification == Classification.RESTRICTED and obj.audience_id is not None:
        return _audience_members().filter(audience_id=obj.audience_id, principal__in=actor.principals).exists()
    return False


def _audience_members() -> QuerySet[Any]:
    """The named audiences' members. Looked up in the app registry rather than imported: `core.models` builds its
    fields on this module's Classification, so importing it here would make the two modules import each other."""
    return apps.get_model("core", "AudienceMember")._default_manager.all()


def name_if_visible(user_or_actor: Any, record: Any) -> str | None:
    """What a page, an export or an API answer calls a person, organisation or body: its name if the reader may see
    that record, else None. An account stands for its person, so no one is named by their sign-in address."""
    if record is not None and hasattr(record, "is_authenticated"):
        record = getattr(record, "person", None)
    if record is None or not is_visible(user_or_actor, record):
        return None
    return str(record)


def visibility_q(actor: Actor, prefix: str = "", model: Any = None) -> Q:
    """The Q that keeps the rows of a Classified model an actor may read (prefix follows a relation to `model`).

    A model may declare `released_field` (e.g. a statement's publication time): its public rows stay members-only
    until that moment — an embargo — whoever asks. A model may also declare `visible_with`: relations to records
    that, where set, must be readable too (a text that belongs to another record is read only with that record)."""
    readable = actor.readable_classifications()
    condition = Q(**{f"{prefix}classification__in": readable})
    released_field = getattr(model, "released_field", None) if model is not None else None
    if released_field and Classification.PUBLIC in readable and EMBARGOED_AS not in readable:
        # A public record under embargo reads as members-only until its release time has come.
        condition &= ~Q(**{f"{prefix}classification": Classification.PUBLIC}) | Q(
            **{f"{prefix}{released_field}__lte": timezone.now()}
        )
    if Classification.RESTRICTED not in readable and actor.principals:
        named = Exists(
            _audience_members().filter(audience_id=OuterRef(f"{prefix}audience_id"), principal__in=actor.principals)
        )
        condition |= Q(**{f"{prefix}classification": Classification.RESTRICTED}) & Q(named)
    for relation in getattr(model, "visible_with", ()):
        related = model._meta.get_field(relation).related_model
        condition &= Q(**{f"{prefix}{relation}__isnull": True}) | Q(
            **{f"{prefix}{relation}__in": visible_to(actor, related).values("pk")}
        )
    return condition


# Where an actor keeps the rows it may read of each model, worked out once (see `visible_to`).
_VISIBLE_MEMO = "policy.visible_to"


def visible_to(user: Any, queryset: QuerySet[M] | type[M]) -> QuerySet[M]:
    """The rows of `queryset` that `user` may read. Every read starts here.

    Asked with a model, the answer is kept on the signed-in person's `Actor` (one per request: `actor_for` keeps it
    on the request's user), so that the sections, context processors and subqueries of one page do not build the
    same filter again; each caller gets its own copy. Never for the shared anonymous actor, and never for a model
    whose rows come into view with time (an embargo, today's participants): those are built on each call, with the
    time of that call."""
    if not isinstance(queryset, type):
        return _visible_rows(user, queryset)
    actor = actor_for(user)
    if actor.user is None or not _timeless_model(queryset):
        return _visible_rows(actor, queryset._default_manager.all())
    memo = actor.extra.setdefault(_VISIBLE_MEMO, {})
    if queryset not in memo:
        memo[queryset] = _visible_rows(actor, queryset._default_manager.all())
    return memo[queryset].all()


@functools.cache
def _timeless_model(model: Any) -> bool:
    return _timeless(model)


def _timeless(model: Any, seen: frozenset[Any] = frozenset()) -> bool:
    """Whether who reads `model`'s rows depends on the person and the rows alone, not on the time of asking."""
    if model in seen:
        return True
    if getattr(model, "released_field", None) or getattr(model, "sharing", None) is not None:
        return False
    relations = (*getattr(model, "visible_with", ()), *getattr(model, "visible_through", ()))
    return all(_timeless(model._meta.get_field(relation).related_model, seen | {model}) for relation in relations)


def _visible_rows(user: Any, qs: QuerySet[M]) -> QuerySet[M]:
    model = qs.model
    if _decided_by_relations(model):
        return qs.filter(_relations_q(actor_for(user), model))
    if not any(f.name == "classification" for f in model._meta.get_fields()):
        fixed = getattr(model, "fixed_classification", None)
        if fixed is None:
            raise LookupError(f"{model.__name__} declares no classification: the policy cannot filter it")
        return qs if actor_for(user).roles & READERS[fixed] else qs.none()
    return qs.filter(visibility_q(actor_for(user), model=model))


# --- Records shared by tier -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharingTiers:
    """How a model whose rows are shared by `Tier` names its parts; the policy knows no app's models.

    `participants()` gives the ids of the organisations taking part in the mechanism today (a one-column queryset);
    the other fields are lookups from a row: its reporting organisation, its tier, its group's member organisations
    and the organisations a bilateral row names."""

    participants: Callable[[], QuerySet[Any]]
    reporter: str
    tier: str
    group_members: str
    bilateral: str


def _decided_by_relations(model: Any) -> bool:
    return any(hasattr(model, name) for name in ("sharing", "visible_through", "owned_by"))


def _relations_q(actor: Actor, model: Any) -> Q:
    if (sharing := getattr(model, "sharing", None)) is not None:
        return sharing_q(actor, model, sharing)
    if (owner := getattr(model, "owned_by", None)) is not None:  # the owner's people alone
        if not actor.has(Role.FOCAL_POINT, Role.MEMBER_OFFICIAL):
            return Q(pk__in=[])
        return Q(**{f"{owner}_id__in": actor.acts_for})
    condition = Q()
    for relation in model.visible_through:  # readable only by whoever reads every record it joins
        related = model._meta.get_field(relation).related_model
        condition &= Q(**{f"{relation}__in": visible_to(actor, related).values("pk")})
    return condition


def sharing_q(actor: Actor, model: Any, sharing: SharingTiers) -> Q:
    """Who reads a record shared by tier:

    - anyone: a public record;
    - the reporter's own people: every record it reported, whether or not it takes part;
    - the Support Unit, to run the mechanism: records of participants shared with all participants or with a group
      (never a bilateral one);
    - a member government taking part today: records of other participants shared with all participants, with a
      group it belongs to, or bilaterally with it by name. A member that does not take part reads only its own."""
    tier = sharing.tier
    own = Q(**{f"{sharing.reporter}_id__in": actor.acts_for})
    public = Q(**{tier: Tier.PUBLIC})
    from_participant = Q(**{f"{sharing.reporter}_id__in": sharing.participants()})
    if actor.has(Role.SUPPORT_UNIT):
        return public | own | (from_participant & Q(**{f"{tier}__in": [Tier.MECHANISM, Tier.GROUP]}))
    mine = sorted(actor.acts_for)
    if not mine or not actor.has(*GOVERNMENTS):
        return public | own
    # Only the members the person acts for that take part today open anything (in SQL: no extra query); a person
    # holding positions for two members reads what reaches the one taking part, not what is shared with the other.
    organisations = model._meta.get_field(sharing.reporter).related_model._base_manager
    taking_part = organisations.filter(pk__in=mine).filter(pk__in=sharing.participants()).values("pk")
    i_take_part = Q(Exists(taking_part))
    rows = model._base_manager
    in_my_group = Q(**{tier: Tier.GROUP}) & Q(
        pk__in=rows.filter(**{f"{sharing.group_members}__in": taking_part}).values("pk")
    )
    named_me = Q(**{tier: Tier.BILATERAL}) & Q(
        pk__in=rows.filter(**{f"{sharing.bilateral}__in": taking_part}).values("pk")
    )
    return public | own | (i_take_part & from_participant & (Q(**{tier: Tier.MECHANISM}) | in_my_group | named_me))


def principals_of(items: Iterable[tuple[str, object]]) -> frozenset[str]:
    return frozenset(f"{kind}:{key}" for kind, key in items)
