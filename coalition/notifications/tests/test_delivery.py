"""Sending: retries with a growing wait, then failed; bounces; the headers every email carries."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone, translation
from django.utils.translation import gettext

from coalition.accounts.models import User
from coalition.directory.tests.factories import PersonFactory
from coalition.notifications import email, kinds, service
from coalition.notifications.models import Delivery, Mode
from coalition.notifications.tests.helpers import NOTED, OBLIGED

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_kinds")]

REFUSING = "coalition.notifications.tests.helpers.RefusingBackend"


def _make_due() -> None:
    Delivery.objects.filter(status=Delivery.Status.QUEUED).update(next_attempt_at=timezone.now())


def test_a_refused_email_is_retried_later_then_fails_after_five_attempts(official, worker, settings):
    settings.EMAIL_BACKEND = REFUSING
    with worker():
        service.notify(kind=NOTED, subject=PersonFactory(), recipients=[official], reason="x")
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.QUEUED, 1)
    assert "went away" in delivery.last_error
    assert delivery.next_attempt_at is not None and delivery.next_attempt_at > timezone.now()
    assert service.deliver_due() == {}  # not due yet: the wait grows after each refusal
    for attempt in range(2, 6):
        _make_due()
        service.deliver_due()
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
    assert delivery.status == Delivery.Status.FAILED and delivery.next_attempt_at is None
    _make_due()
    assert service.deliver_due() == {}


def test_a_retry_that_succeeds_is_sent_once(official, worker, settings):
    settings.EMAIL_BACKEND = REFUSING
    with worker():
        service.notify(kind=NOTED, subject=PersonFactory(), recipients=[official], reason="x")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _make_due()
    assert service.deliver_due() == {Delivery.Status.SENT: 1}
    assert service.deliver_due() == {}
    assert len(mail.outbox) == 1
    assert Delivery.objects.get().attempts == 2


def test_a_bounce_is_recorded_on_its_delivery(official, worker):
    with worker():
        service.notify(kind=NOTED, subject=PersonFactory(), recipients=[official], reason="x")
    [sent] = mail.outbox
    found = service.record_bounce(message_id=sent.extra_headers["Message-ID"], reason="550 No such user")
    assert found is not None
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == (Delivery.Status.BOUNCED, "550 No such user")
    assert service.record_bounce(message_id="<unknown@example.org>", reason="550") is None


def test_an_email_carries_plain_text_html_and_one_click_unsubscribe(official, worker):
    with worker():
        service.notify(kind=NOTED, subject=PersonFactory(full_name="Ada Example"), recipients=[official], reason="x")
    [sent] = mail.outbox
    assert isinstance(sent, EmailMultiAlternatives) and sent.subject.startswith("[Coalition] ")
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html" and "Ada Example" in str(html)
    link = sent.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http://") and "/notifications/unsubscribe/" in link and link.endswith("/>")
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link[1:-1] in sent.body


def test_an_obliged_kind_carries_no_unsubscribe_link(make_user, worker):
    focal = make_user(None, email="focal@example.org")
    with worker():
        service.notify(kind=OBLIGED, recipients=[focal], reason="x", urgency="urgent")
    [sent] = mail.outbox
    assert "List-Unsubscribe" not in sent.extra_headers and "unsubscribe" not in sent.body


def test_the_email_is_rendered_in_the_recipients_language(official, worker, monkeypatch):
    monkeypatch.setattr(User, "language", "fr", raising=False)  # an account's chosen language, where it has one
    seen = []

    def render(subject, user):
        seen.append(translation.get_language())
        return kinds.Message(subject=gettext("yes,no,maybe"), text="t", path="/")

    kinds.register(kinds.Kind(key="tests.in_french", label="l", description="d", render=render, urgent=True))
    try:
        with worker():
            service.notify(kind="tests.in_french", recipients=[official], reason="x")
    finally:
        kinds.unregister("tests.in_french")
    assert seen == ["fr"]
    assert mail.outbox[0].subject == "[Coalition] oui,non,peut-être"  # Django's own catalogue


def test_send_to_records_a_delivery(official):
    delivery = email.send_to(official, subject="Your weekly digest", text="Three things.", kind="digest")
    [sent] = mail.outbox
    assert sent.subject == "[Coalition] Your weekly digest" and sent.to == [official.email]
    assert "List-Unsubscribe" not in sent.extra_headers  # "digest" is no registered kind
    assert delivery.status == Delivery.Status.SENT and delivery.message_id == sent.extra_headers["Message-ID"]


def test_send_to_a_registered_kind_offers_unsubscribe(official):
    email.send_to(
        official, subject="s", text="t", kind=NOTED, attachments=[("a.ics", "BEGIN:VCALENDAR", "text/calendar")]
    )
    [sent] = mail.outbox
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert sent.attachments[0][0] == "a.ics"


def test_send_to_a_refusing_server_records_the_failure(official, settings):
    settings.EMAIL_BACKEND = REFUSING
    with pytest.raises(OSError):
        email.send_to(official, subject="s", text="t", kind="digest")
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_a_preference_switched_to_digest_before_sending_drops_the_email(official, worker):
    with worker():
        service.notify(kind=NOTED, subject=PersonFactory(), recipients=[official], reason="x")
        service.set_preference(user=official, kind=NOTED, delivery=Mode.DIGEST)
    assert mail.outbox == [] and Delivery.objects.get().status == Delivery.Status.DROPPED
