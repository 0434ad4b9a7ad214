"""THE ONLY MODULE THAT SENDS EMAIL (`tests/test_single_sender.py` holds the platform to it).

Every email is plain text plus HTML, subject prefixed "[Coalition] ", with a Message-ID recorded on its Delivery
(so a bounce can be matched) and, for a kind a person may switch off, the RFC 8058 one-click unsubscribe headers.
Notifications come here through `service.deliver` (a text/calendar attachment also goes inline, for calendar
clients); other mail (the weekly digest) through `send_to`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from coalition.notifications import kinds
from coalition.notifications import unsubscribe as links
from coalition.notifications.models import Delivery, Notification

PREFIX = "[Coalition] "

Attachment = tuple[str, bytes | str, str]


def absolute(path: str) -> str:
    """A link in an email: this site's address (settings.SITE_URL) in front of a path; full URLs stay as they are."""
    return path if urlsplit(path).scheme else settings.SITE_URL + path


def build(
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    attachments: Iterable[Attachment] = (),
    unsubscribe_url: str = "",
    context: dict[str, Any] | None = None,
) -> EmailMultiAlternatives:
    """The email as it is sent: the HTML part is `html`, or the service's template around `text`."""
    domain = urlsplit(settings.SITE_URL).hostname or "coalition.localhost"
    headers = {"Message-ID": make_msgid(domain=domain)}
    if unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    page = {
        "subject": subject,
        "text": text,
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": absolute(reverse("notifications:preferences")),
        **(context or {}),
    }
    body = render_to_string("notifications/email/message.txt", page)
    message = EmailMultiAlternatives(PREFIX + subject, body, None, [to], headers=headers)
    message.attach_alternative(html or render_to_string("notifications/email/message.html", page), "text/html")
    for filename, content, mimetype in attachments:
        if mimetype.startswith("text/calendar"):  # RFC 6047: clients show accept/decline from the inline part
            message.attach_alternative(content if isinstance(content, str) else content.decode(), mimetype)
        message.attach(filename, content, mimetype)
    return message


def send_notification(notification: Notification, message: kinds.Message, *, to: str) -> str:
    """Send one notification's email (already rendered for its recipient); returns its Message-ID. A mail server's
    refusal propagates, for the service to retry."""
    user = notification.recipient
    link = links.url_for(user, notification.kind) if links.may_unsubscribe(user, notification.kind) else ""
    email = build(
        to=to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        attachments=message.attachments,
        unsubscribe_url=link,
        context={"url": absolute(message.path), "reason": notification.reason},
    )
    email.send()
    return str(email.extra_headers["Message-ID"])


def send_addressed(delivery: Delivery, message: kinds.Message) -> str:
    """Send an email to a person without an account (`service.notify_address`), already rendered for them; returns
    its Message-ID. No unsubscribe headers and no preferences link (they have none): the email says why they get it
    instead. A refusal propagates, for the service to retry."""
    email = build(
        to=delivery.to,
        subject=message.subject,
        text=message.text,
        html=message.html,
        attachments=message.attachments,
        context={"url": "", "reason": delivery.reason, "preferences_url": "", "addressed": True},
    )
    email.send()
    return str(email.extra_headers["Message-ID"])


def send_to(
    user: Any,
    *,
    subject: str,
    text: str,
    html: str = "",
    attachments: Iterable[Attachment] = (),
    kind: str = "",
    unsubscribe: bool = True,
) -> Delivery:
    """Send mail that is not a notification (the weekly digest) to `user` now, recorded as a Delivery. The
    unsubscribe headers are added when `unsubscribe` and `kind` is a registered kind the person may
    switch off. A mail server's refusal is recorded (status failed) and propagates, so the caller can retry."""
    link = ""
    if unsubscribe and links.may_unsubscribe(user, kind):
        link = links.url_for(user, kind)
    email = build(to=user.email, subject=subject, text=text, html=html, attachments=attachments, unsubscribe_url=link)
    delivery = Delivery.objects.create(
        recipient=user,
        kind=kind,
        to=user.email,
        status=Delivery.Status.SENDING,
        attempts=1,
        message_id=str(email.extra_headers["Message-ID"]),
    )
    try:
        email.send()
    except Exception as error:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error=str(error))
        raise
    delivery.status, delivery.sent_at = Delivery.Status.SENT, timezone.now()
    delivery.save(update_fields=["status", "sent_at"])
    return delivery
