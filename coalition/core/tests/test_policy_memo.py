"""What the policy works out for a person is kept for that person's actor alone (one request's user): a second person
in the same process gets their own answers, and a change of positions is seen once the actor is forgotten."""

from __future__ import annotations

import pytest

from coalition.core import policy
from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification as C
from coalition.core.policy import Role as R
from coalition.directory.models import Person
from coalition.directory.tests.factories import PersonFactory
from coalition.statements.models import Statement

pytestmark = pytest.mark.django_db


def _restricted_to(principal: str) -> Person:
    audience = Audience.objects.create(name="Named audience")
    AudienceMember.objects.create(audience=audience, principal=principal)
    return PersonFactory.create(classification=C.RESTRICTED, audience=audience)


def _sees(user, record) -> bool:
    return policy.visible_to(user, Person).filter(pk=record.pk).exists()


def test_a_second_person_in_the_same_process_gets_their_own_rows(make_user):
    support, official, advisory = make_user(R.SUPPORT_UNIT), make_user(R.MEMBER_OFFICIAL), make_user(R.ADVISORY_NETWORK)
    members_only = PersonFactory.create(classification=C.MEMBERS)
    named_for_advisory = _restricted_to(f"person:{advisory.person_id}")

    # Each asks twice, in turns: a memo shared across people (by model alone) would answer the later ones wrongly.
    for _ in range(2):
        assert _sees(support, members_only) and _sees(support, named_for_advisory)
        assert _sees(official, members_only) and not _sees(official, named_for_advisory)
        assert not _sees(advisory, members_only) and _sees(advisory, named_for_advisory)
        assert not _sees(None, members_only) and not _sees(None, named_for_advisory)


def test_the_rows_are_worked_out_once_per_actor_and_each_caller_gets_a_copy(make_user):
    official = make_user(R.MEMBER_OFFICIAL)
    first, second = policy.visible_to(official, Person), policy.visible_to(official, Person)
    assert first is not second
    list(first)  # one caller's evaluated rows are not another's
    assert second._result_cache is None
    assert str(first.query) == str(second.query)
    assert Person in policy.actor_for(official).extra[policy._VISIBLE_MEMO]


def test_nothing_is_kept_on_the_shared_anonymous_actor_nor_across_a_change_of_positions(make_user):
    policy.visible_to(None, Person)
    assert policy._VISIBLE_MEMO not in policy.ANONYMOUS_ACTOR.extra

    person_user = make_user(R.ADVISORY_NETWORK)
    members_only = PersonFactory.create(classification=C.MEMBERS)
    assert not _sees(person_user, members_only)
    person_user.person = make_user(R.MEMBER_OFFICIAL).person  # now holds an official's positions
    policy.forget_actor(person_user)
    assert _sees(person_user, members_only)


def test_rows_that_come_into_view_with_time_are_worked_out_at_each_call(make_user):
    """An embargoed statement is members-only until its release: never kept, so a later call sees the release."""
    observer = make_user(R.OBSERVER)
    policy.visible_to(observer, Statement)
    assert Statement not in policy.actor_for(observer).extra.get(policy._VISIBLE_MEMO, {})
