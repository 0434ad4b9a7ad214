"""`directory.position_consent`: a position proposed on a government's behalf is told to that government's focal
points alone, who cannot switch it off, and never about a position they may no longer see."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from coalition.core.errors import InvalidInput
from coalition.core.models import Audience
from coalition.core.policy import Classification, Role
from coalition.directory import notices, services
from coalition.directory.models import Position
from coalition.directory.tests.factories import PersonFactory, government
from coalition.notifications import service
from coalition.notifications.models import Delivery, Mode, Notification

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)


def propose(support, member, **fields) -> Position:
    return services.appoint(
        person=PersonFactory.create(full_name="Newcomer Example"),
        kind=Position.Kind.OFFICIAL,
        organisation=member,
        by=support,
        starts_on=START,
        **fields,
    )


def test_only_the_members_focal_points_are_asked(support, make_user, worker):
    focal_point = make_user(Role.FOCAL_POINT)  # Estonia's
    official, advisory = make_user(Role.MEMBER_OFFICIAL), make_user(Role.ADVISORY_NETWORK)
    with worker():
        position = propose(support, government("EE"))

    [message] = mail.outbox
    assert message.to == [focal_point.email]
    assert "consent is asked" in message.subject and "Newcomer Example" in message.body
    assert "Proposed by" in message.body  # the reason: what changed and who did it
    told = Notification.objects.get()
    assert (told.recipient, told.kind, told.subject, told.mode) == (
        focal_point,
        notices.POSITION_CONSENT,
        position,
        Mode.IMMEDIATE,
    )
    assert not Notification.objects.filter(recipient__in=[support, official, advisory]).exists()


def test_the_focal_points_of_another_government_are_not_told(support, make_user, worker):
    make_user(Role.FOCAL_POINT)  # Estonia's
    with worker():
        propose(support, government("FI"))
    assert mail.outbox == [] and not Notification.objects.exists()


def test_a_focal_point_cannot_switch_it_off_but_an_official_can(make_user):
    focal_point, official = make_user(Role.FOCAL_POINT), make_user(Role.MEMBER_OFFICIAL)
    with pytest.raises(InvalidInput, match="focal point"):
        service.set_preference(user=focal_point, kind=notices.POSITION_CONSENT, delivery=Mode.OFF)
    service.set_preference(user=official, kind=notices.POSITION_CONSENT, delivery=Mode.OFF)
    assert service.effective_delivery(official, notices.POSITION_CONSENT) == Mode.OFF


def test_a_position_reclassified_before_sending_is_dropped_and_hidden(
    support, make_user, django_capture_on_commit_callbacks
):
    focal_point = make_user(Role.FOCAL_POINT)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        position = propose(support, government("EE"))
    assert Notification.objects.filter(recipient=focal_point).exists()

    # Reclassified for the Support Unit alone between queueing and sending.
    Position.objects.filter(pk=position.pk).update(
        classification=Classification.RESTRICTED, audience=Audience.objects.create(name="Support Unit only")
    )
    for callback in queued:
        callback()

    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.DROPPED
    assert not service.visible_notifications(focal_point).exists()
