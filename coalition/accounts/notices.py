"""Security notices (`accounts.security_notice`): a change to a person's account they should notice if they did not
make it — a password or second factor changed, repeated failed sign-ins, the account disabled.

Each notice says something of its own (which event, how many failures) that the kind's `render(subject, recipient)`
could not know, and it must reach a disabled account too (whose owner is told it was disabled), while `notify`
tells active accounts only. So a notice is sent through the notification service's mailer (`email.send_to`): at once,
whatever the person's preferences, without an unsubscribe link, recorded as a Delivery of this kind."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalition.notifications import email, kinds

SECURITY_NOTICE = "accounts.security_notice"


def render(subject: Any, user: Any) -> kinds.Message:
    """What the notification centre would say of a notice (they are emailed, see the module's docstring)."""
    return kinds.Message(
        subject=_("A security notice about your account"),
        text=_("Something changed on your Coalition account. If it was not you, tell the Support Unit at once."),
        path=reverse("accounts:me"),
    )


def register() -> None:
    kinds.register(
        kinds.Kind(
            key=SECURITY_NOTICE,
            label=gettext_lazy("Security notices"),
            description=gettext_lazy(
                "A password or second factor changed, repeated failed sign-ins, or your account disabled: emailed "
                "at once, so that a change you did not make is noticed."
            ),
            model=None,
            render=render,
            security=True,
        )
    )


def send(user: Any, *, subject: str, body: str) -> bool:
    """Email one security notice to `user` now (the task worker calls this). False: not sent (a service account
    or an account without an address)."""
    if getattr(user, "is_service_account", False) or not user.email:
        return False
    email.send_to(user, subject=subject, text=body, kind=SECURITY_NOTICE, unsubscribe=False)
    return True
