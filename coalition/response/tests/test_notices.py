"""What rapid response tells people through the notification service (issue 19): who is told of an alert, of a
situation opened and of the pledge asked of their member, who is not, the link in the email, and that nobody is
told (in the centre or by email) about a record they may no longer see when the email goes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core import mail

from coalition.core.models import Audience, AudienceMember
from coalition.core.policy import Classification, Role
from coalition.directory.models import Organisation, Participation, Position
from coalition.directory.queries import today
from coalition.meetings.tests.factories import focal_point
from coalition.notifications import service
from coalition.notifications.models import Delivery, Mode, Notification
from coalition.notifications.tests.helpers import emailed, hidden_from, told
from coalition.response import notices, services
from coalition.response.models import Situation, Source
from coalition.response.tests.scenes import open_by_hand, signal

pytestmark = pytest.mark.django_db


def raise_alert(country: Any, now: dt.datetime) -> Any:
    signal(Source.IODA, country, starts_at=now - dt.timedelta(hours=7), ends_at=now - dt.timedelta(hours=1))
    signal(Source.CLOUDFLARE, country, starts_at=now - dt.timedelta(hours=6))
    (raised,) = services.raise_alerts(now=now)
    return raised


@pytest.fixture
def ghana_official(ghana: tuple[Organisation, Any]) -> Any:
    return focal_point(ghana[0], kind=Position.Kind.OFFICIAL).account


def test_an_alert_tells_the_members_focal_points_and_the_support_unit(
    ethiopia, now, estonia, ghana, official, advisory, support, chair, worker
):
    with worker():
        alert = raise_alert(ethiopia, now)
    assert told(notices.ALERT_RAISED) == {estonia[1], ghana[1], support, chair}  # not officials, not the network
    email = emailed()[estonia[1].email]
    assert email.subject == "[Coalition] Alert: network disruption in Ethiopia"
    assert settings.SITE_URL + f"/response/alerts/{alert.pk}/" in email.body
    assert "Cloudflare Radar, IODA agree on a network disruption in Ethiopia" in email.body
    assert advisory.email not in emailed() and official.email not in emailed()
    assert not Notification.objects.filter(recipient=advisory).exists()


def test_raising_the_same_alert_again_tells_nobody_twice(ethiopia, now, estonia, worker):
    with worker():
        raise_alert(ethiopia, now)
        assert services.raise_alerts(now=now) == []
    assert len(mail.outbox) == 1


def test_an_alert_the_member_may_no_longer_see_when_the_email_goes_is_dropped_and_hidden(
    ethiopia, now, estonia, ghana, worker
):
    with worker():
        raise_alert(ethiopia, now)
        # Ghana leaves between the queueing and the sending: its focal point no longer reads members-only alerts.
        Participation.objects.create(organisation=ghana[0], status=Participation.Status.WITHDRAWN, effective_on=today())
    assert list(emailed()) == [estonia[1].email]
    assert Delivery.objects.get(recipient=ghana[1]).status == Delivery.Status.DROPPED
    assert hidden_from(ghana[1]) and not hidden_from(estonia[1])


def test_the_alert_email_links_to_the_situation_once_one_is_opened(ethiopia, now, estonia, support):
    alert = raise_alert(ethiopia, now)
    situation = services.open_situation(by=support, country=ethiopia, alert=alert)
    mine = service.visible_notifications(estonia[1]).filter(kind=notices.ALERT_RAISED)
    [shown] = service.rendered(list(mine), estonia[1])
    assert shown.message.path == f"/response/situations/{situation.pk}/"


def test_an_opened_situation_asks_focal_points_to_pledge_and_tells_the_others_it_concerns(
    ethiopia, estonia, ghana, official, ghana_official, advisory, support, chair, worker
):
    with worker():
        situation = open_by_hand(support, ethiopia, title="Ethiopia: Amhara shutdown")
    assert told(notices.PLEDGE_REQUESTED) == {estonia[1], ghana[1]}
    assert told(notices.SITUATION_OPENED) == {official, ghana_official, chair}  # not the opener, once per person
    pledge = emailed()[ghana[1].email]
    assert pledge.subject == "[Coalition] A pledge is asked of your member: Ethiopia: Amhara shutdown"
    assert settings.SITE_URL + f"/response/situations/{situation.pk}/#pledge" in pledge.body
    assert "No pledge yet from Government of GH." in pledge.body
    opened = emailed()[official.email]
    assert opened.subject == "[Coalition] Situation opened: Ethiopia: Amhara shutdown"
    assert settings.SITE_URL + f"/response/situations/{situation.pk}/" in opened.body
    assert advisory.email not in emailed() and not Notification.objects.filter(recipient=advisory).exists()


def test_a_focal_point_who_turned_pledge_requests_off_is_still_told_the_situation_opened(
    ethiopia, estonia, support, worker
):
    service.set_preference(user=estonia[1], kind=notices.PLEDGE_REQUESTED, delivery=Mode.OFF)
    with worker():
        open_by_hand(support, ethiopia)
    assert told(notices.PLEDGE_REQUESTED) == set() and told(notices.SITUATION_OPENED) == {estonia[1]}
    assert list(emailed()) == [estonia[1].email]


def test_a_situation_restricted_before_the_email_goes_reaches_only_its_audience(
    ethiopia, estonia, ghana, official, ghana_official, support, worker
):
    audience = Audience.objects.create(name="Estonia only")
    AudienceMember.objects.create(audience=audience, principal=f"org:{estonia[0].pk}")
    with worker():
        situation = open_by_hand(support, ethiopia)
        Situation.objects.filter(pk=situation.pk).update(classification=Classification.RESTRICTED, audience=audience)
    assert set(emailed()) == {estonia[1].email, official.email}  # Estonia's focal point and official
    for outsider in (ghana[1], ghana_official):
        assert Delivery.objects.get(recipient=outsider).status == Delivery.Status.DROPPED
        assert hidden_from(outsider)
    assert not hidden_from(estonia[1])


@pytest.mark.parametrize("kind", [notices.PLEDGE_REQUESTED, notices.SITUATION_OPENED])
def test_a_situation_told_to_someone_who_may_not_see_it_is_not_told(kind, ethiopia, estonia, advisory, make_user):
    situation = Situation.objects.create(
        country=ethiopia, title="Members only", opened_by=make_user(Role.SUPPORT_UNIT), classification="members"
    )
    assert service.notify(kind=kind, subject=situation, recipients=[advisory], reason="x") == []
    assert [n.recipient for n in service.notify(kind=kind, subject=situation, recipients=[estonia[1]], reason="x")] == [
        estonia[1]
    ]


def test_the_alert_email_offers_each_reader_only_what_they_may_do_on_its_page(ethiopia, now, estonia, support, worker):
    with worker():
        raise_alert(ethiopia, now)
    focal, unit = emailed()[estonia[1].email].body, emailed()[support.email].body
    assert "open a situation from it if the coalition should respond" in focal and "dismiss it" not in focal
    assert "open a situation from it or dismiss it with a reason" in unit
