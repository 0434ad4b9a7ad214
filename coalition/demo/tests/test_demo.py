"""The demo coalition: real members and bodies, one login per role with TOTP, loaded once however often it runs."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from coalition.accounts.models import User
from coalition.core import policy
from coalition.core.models import AuditEvent
from coalition.demo import data
from coalition.demo.loader import DEMO_DOMAIN, LOGINS, load_demo
from coalition.directory.queries import participants_on, today
from coalition.directory.tests.factories import PersonFactory
from coalition.donors.models import FundingActivity, Overlap

pytestmark = pytest.mark.django_db

FOUNDERS = {code for code, year, _note in data.FOC_MEMBERS if year == 2011}


@pytest.fixture
def demo():
    return load_demo()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_loading_the_demo_twice_creates_nothing_new(demo):
    before = row_counts()
    again = load_demo()
    assert row_counts() == before
    assert again == demo


def test_the_demo_has_forty_members_today(demo):
    assert participants_on(AnonymousUser(), on=today()).count() == 40


def test_the_members_on_1_january_2012_are_the_fifteen_founders(demo):
    members = participants_on(AnonymousUser(), on=dt.date(2012, 1, 1))
    assert set(members.values_list("country__code", flat=True)) == FOUNDERS
    assert len(FOUNDERS) == 15


def test_there_is_one_login_per_role_each_with_totp(demo):
    assert [login.email for login in demo] == [f"{login}@{DEMO_DOMAIN}" for _role, login, _name, _tz in LOGINS]
    for login in demo:
        user = User.objects.get(email=login.email)
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert login.totp_secret


@pytest.mark.parametrize(
    ("login", "role"),
    [
        ("support", policy.Role.SUPPORT_UNIT),
        ("chair", policy.Role.CHAIR),
        ("focal", policy.Role.FOCAL_POINT),
        ("official", policy.Role.MEMBER_OFFICIAL),
        ("observer", policy.Role.OBSERVER),
        ("advisory", policy.Role.ADVISORY_NETWORK),
        ("guest", policy.Role.GUEST),
    ],
)
def test_each_demo_login_holds_the_role_it_is_named_for(demo, login, role):
    user = User.objects.get(email=f"{login}@{DEMO_DOMAIN}")
    assert role in policy.actor_for(user).roles


def test_loading_the_demo_is_recorded_once_in_the_ledger(demo):
    load_demo()
    assert AuditEvent.objects.filter(action="demo.loaded").count() == 1


def test_the_demo_is_recognised_even_beside_other_data(demo):
    PersonFactory.create(full_name="Someone added later")
    before = row_counts()
    load_demo()
    assert row_counts() == before


def test_the_demo_shares_funding_at_every_tier_with_an_overlap_to_review(demo):
    focal = User.objects.get(email="focal@demo.coalition.example")  # Estonia, taking part
    official = User.objects.get(email="official@demo.coalition.example")  # Ghana, not taking part
    support = User.objects.get(email="support@demo.coalition.example")
    assert set(FundingActivity.objects.values_list("tier", flat=True)) == {"public", "mechanism", "group", "bilateral"}
    assert set(policy.visible_to(official, FundingActivity).values_list("tier", flat=True)) == {"public"}
    assert not policy.visible_to(support, FundingActivity).filter(tier="bilateral").exists()
    assert policy.visible_to(focal, FundingActivity).filter(tier="group").exists()  # Estonia is in the Kenya group
    pairs = {(o.first.identifier, o.second.identifier) for o in Overlap.objects.all()}
    assert ("XM-DEMO-NL-1", "XM-DEMO-DE-1") in pairs or ("XM-DEMO-DE-1", "XM-DEMO-NL-1") in pairs
    assert FundingActivity.objects.filter(total__isnull=False).count() == FundingActivity.objects.count()
