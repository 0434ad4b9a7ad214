"""The embargo in the one policy: a public record of a model that names a `released_field` reads as members-only
until that moment, in querysets and in single-record checks alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coalition.accounts.models import User
from coalition.core import policy
from coalition.core.policy import Classification, Role
from coalition.directory.tests.factories import person_with_role
from coalition.meetings.tests.factories import focal_point, government
from coalition.statements import services
from coalition.statements.models import Freeze, Statement

pytestmark = pytest.mark.django_db

EMBARGO_READERS = {Role.SUPPORT_UNIT, Role.CHAIR, Role.FOCAL_POINT, Role.MEMBER_OFFICIAL}


def published_statement(*, embargo_until: dt.datetime) -> Statement:
    """A joint statement signed by one member, decided and published under an embargo."""
    support = User.objects.create_user(email="embargo-su@example.org", person=person_with_role(Role.SUPPORT_UNIT))
    member = government("NL")
    signer = focal_point(member).account
    statement = services.create_statement(by=support, title="Embargoed statement", text="We speak at noon.")
    frozen = services.freeze(
        statement=statement,
        by=support,
        deadline=timezone.now() + dt.timedelta(hours=2),
        deadline_time_zone="Europe/Amsterdam",
        mode=Freeze.Mode.SIGN_ON,
    )
    services.respond(freeze=frozen, by=signer, organisation=member, kind="signed")
    services.decide(frozen, now=frozen.deadline)
    return services.publish(statement=statement, by=support, embargo_until=embargo_until)


@pytest.mark.parametrize("role", list(Role))
def test_a_statement_under_embargo_reads_as_members_only(make_user, role):
    statement = published_statement(embargo_until=timezone.now() + dt.timedelta(hours=2))
    user = None if role == Role.ANONYMOUS else make_user(role)
    expected = role in EMBARGO_READERS
    assert statement.classification == Classification.PUBLIC
    assert policy.visible_to(user, Statement).filter(pk=statement.pk).exists() is expected
    assert policy.is_visible(user, statement) is expected


@pytest.mark.parametrize("role", list(Role))
def test_once_the_embargo_lifts_everyone_reads_it(make_user, role):
    statement = published_statement(embargo_until=timezone.now() + dt.timedelta(hours=2))
    Statement.objects.filter(pk=statement.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1))
    statement.refresh_from_db()
    user = None if role == Role.ANONYMOUS else make_user(role)
    assert policy.visible_to(user, Statement).filter(pk=statement.pk).exists()
    assert policy.is_visible(user, statement)


def test_an_embargoed_record_is_labelled_by_what_it_reads_as():
    statement = published_statement(embargo_until=timezone.now() + dt.timedelta(hours=2))
    assert policy.effective_classification(statement) == Classification.MEMBERS
    Statement.objects.filter(pk=statement.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1))
    statement.refresh_from_db()
    assert policy.effective_classification(statement) == Classification.PUBLIC
