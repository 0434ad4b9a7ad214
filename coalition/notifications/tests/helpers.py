"""Kinds for tests: a notification about a person's record (a Classified model every test can make and reclassify),
one a person's position obliges them to keep, and a security notice. Register them with the `test_kinds` fixture.
And what the apps' tests of their own kinds ask: who was told, what was emailed, whether a person's centre is empty."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.translation import gettext as _

from coalition.core import policy
from coalition.directory.models import Person
from coalition.notifications import kinds, service
from coalition.notifications.models import Notification

NOTED = "tests.person_noted"
OBLIGED = "tests.answer_due"
SECURITY = "tests.security_notice"


def render_noted(person: Any, user: Any) -> kinds.Message:
    return kinds.Message(
        subject=_("%(name)s was noted") % {"name": person.full_name},
        text=_("The record of %(name)s was noted.") % {"name": person.full_name},
        path=f"/people/?person={person.pk}",
    )


def render_plain(subject: Any, user: Any) -> kinds.Message:
    return kinds.Message(subject="Something needs you", text="Something needs you.", path="/notifications/")


TEST_KINDS = (
    kinds.Kind(
        key=NOTED, label="A person is noted", description="For tests.", model=Person, render=render_noted, urgent=True
    ),
    kinds.Kind(
        key=OBLIGED,
        label="An answer is due",
        description="For tests.",
        render=render_plain,
        obligation=lambda user: "you are the focal point of your member" if user.email.startswith("focal") else None,
    ),
    kinds.Kind(key=SECURITY, label="Security notice", description="For tests.", render=render_plain, security=True),
)


@contextmanager
def registered_test_kinds() -> Iterator[None]:
    for kind in TEST_KINDS:
        kinds.register(kind)
    try:
        yield
    finally:
        for kind in TEST_KINDS:
            kinds.unregister(kind.key)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message (settings.EMAIL_BACKEND in tests of retries)."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise smtplib.SMTPServerDisconnected("the mail server went away")


def told(kind: str) -> set[Any]:
    """The accounts notified of `kind`."""
    return {n.recipient for n in Notification.objects.filter(kind=kind).select_related("recipient")}


def emailed() -> dict[str, Any]:
    """The emails sent, by their address."""
    return {email.to[0]: email for email in mail.outbox}


def hidden_from(user: Any) -> bool:
    """Nothing in the person's centre, and no unread count (their actor read afresh)."""
    policy.forget_actor(user)
    return not service.visible_notifications(user).exists() and service.unread_count(user) == 0


def visible_to_calls(monkeypatch: Any) -> list[Any]:
    """The models `service` asks `policy.visible_to` about from now on (each asked is a subquery built)."""
    calls: list[Any] = []
    real = policy.visible_to

    def counted(user: Any, model: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(model)
        return real(user, model, *args, **kwargs)

    monkeypatch.setattr(service.policy, "visible_to", counted)
    return calls
