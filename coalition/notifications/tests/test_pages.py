"""The notification centre and the preferences page, through HTTP."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coalition.core.policy import Classification
from coalition.core.tests.clients import client_for, text_of
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import kinds, service
from coalition.notifications.models import Mode, Notification, Preference
from coalition.notifications.tests.helpers import NOTED, OBLIGED, SECURITY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]

CENTRE = "/notifications/"
PREFERENCES = "/notifications/preferences/"


def _noted(user, name="Ada Example", **fields):
    [notification] = service.notify(
        kind=NOTED, subject=PersonFactory(full_name=name, **fields), recipients=[user], reason="You follow them."
    )
    return notification


def test_the_centre_lists_notifications_with_their_reason_unread_marked(official):
    _noted(official)
    page = text_of(client_for(official).get(CENTRE))
    assert "Ada Example was noted" in page and "You follow them." in page and "Unread" in page


def test_the_centre_hides_what_the_reader_may_no_longer_see(official, advisory):
    person = PersonFactory.create(full_name="Ada Example")
    service.notify(kind=NOTED, subject=person, recipients=[advisory], reason="x")
    person.classification = Classification.MEMBERS
    person.save()
    page = text_of(client_for(advisory).get(CENTRE))
    assert "Ada Example" not in page and "Nothing yet" in page


def test_the_centre_is_for_signed_in_people():
    response = client_for(None).get(CENTRE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_mark_read_marks_one(official):
    first, second = _noted(official, "One"), _noted(official, "Two")
    response = client_for(official).post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db(), second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    assert service.unread_count(official) == 1


def test_nobody_marks_anothers_notification(official, chair):
    theirs = _noted(official)
    response = client_for(chair).post(reverse("notifications:mark_read", args=[theirs.pk]))
    assert response.status_code == 400 and "not yours" in text_of(response)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(official):
    _noted(official, "One"), _noted(official, "Two")
    client_for(official).post(reverse("notifications:mark_all_read"))
    assert service.unread_count(official) == 0


def test_open_marks_read_and_goes_where_the_person_acts(official):
    notification = _noted(official)
    response = client_for(official).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == f"/people/?person={notification.subject_id}"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_never_sends_anyone_to_another_site(official):
    def away(subject, user):
        return kinds.Message(subject="s", text="t", path="https://evil.example/")

    kinds.register(kinds.Kind(key="tests.away", label="l", description="d", render=away))
    try:
        [notification] = service.notify(kind="tests.away", recipients=[official], reason="x")
        response = client_for(official).post(reverse("notifications:open", args=[notification.pk]))
    finally:
        kinds.unregister("tests.away")
    assert response["Location"] == CENTRE


def test_the_unread_count_is_in_the_header(official):
    _noted(official)
    assert "Notifications (1)" in text_of(client_for(official).get(PREFERENCES))


def test_the_preferences_page_explains_what_cannot_be_turned_off(make_user):
    focal = make_user(None, email="focal@example.org")
    page = text_of(client_for(focal).get(PREFERENCES))
    assert "You cannot turn this off: you are the focal point of your member" in page
    assert "Security notices reach you at once" in page
    assert "weekly digest would say" in page


def test_choosing_the_digest_is_saved(official):
    response = client_for(official).post(
        PREFERENCES, service.preferences_of(official) | {NOTED: Mode.DIGEST, OBLIGED: Mode.OFF}
    )
    assert response.status_code == 302
    assert service.effective_delivery(official, NOTED) == Mode.DIGEST
    assert service.effective_delivery(official, OBLIGED) == Mode.OFF


def test_switching_off_an_obligation_is_refused_on_its_field_and_nothing_is_saved(make_user):
    focal = make_user(None, email="focal@example.org")
    response = client_for(focal).post(
        PREFERENCES, service.preferences_of(focal) | {NOTED: Mode.DIGEST, OBLIGED: Mode.OFF}
    )
    assert response.status_code == 400
    assert "This cannot be turned off: you are the focal point of your member" in text_of(response)
    assert not Preference.objects.exists()


def test_security_notices_cannot_be_moved_to_the_digest(official):
    response = client_for(official).post(
        PREFERENCES, service.preferences_of(official) | {OBLIGED: Mode.DIGEST, SECURITY: Mode.DIGEST}
    )
    assert response.status_code == 400 and "Security notices reach you at once" in text_of(response)
    assert not Preference.objects.exists()
    assert not Notification.objects.exists()


def test_the_centres_queries_do_not_grow_with_its_rows(official):
    def queries_for_centre() -> int:
        client = client_for(official)
        client.get(CENTRE)  # the session's first request does its own writes
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CENTRE).status_code == 200
        return len(captured)

    _noted(official, "First")
    few = queries_for_centre()
    for n in range(15):
        _noted(official, f"Person {n}")
    assert queries_for_centre() == few
