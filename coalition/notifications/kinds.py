"""The kinds of notification: what each app may tell people, registered once from its AppConfig.ready().

    kinds.register(kinds.Kind(
        key="response.situation_opened",      # "<app>.<event>", stored in rows: never rename
        label=_("A situation is opened"),     # on the preferences page
        description=_("…when and why you get it…"),
        model=Situation,                      # the subject's model (None: no subject)
        render=render_situation_opened,       # (subject, recipient) -> Message, in the recipient's language
        urgent=True,                          # emailed at once by default; otherwise gathered into the digest
        obligation=None,                      # (user) -> reason | None: why this person cannot switch it off
        security=False,                       # always immediate, never off, no unsubscribe link
    ))

A kind's text is rendered when it is shown or sent, never stored: what a person reads is what they may see then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KEY = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Message:
    """What a notification says to one person: the title (no "[Coalition]" prefix: the mailer adds it), the plain
    text, and the path of the page where they act. The HTML part is made from the text unless `html` is given."""

    subject: str
    text: str
    path: str
    html: str = ""
    attachments: tuple[tuple[str, bytes | str, str], ...] = ()


Render = Callable[[Any, Any], Message]
Obligation = Callable[[Any], "str | Promise | None"]
# (subject, person) -> whether this person, who has no account, may be emailed about the subject.
Addressable = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Addressee:
    """The recipient a kind renders for when it emails a person without an account (`service.notify_address`):
    their Person (name, time zone) and address. No account: no pk, no preferences, no centre, no unsubscribe link."""

    person: Any
    email: str
    pk: None = None
    is_authenticated: bool = False
    is_active: bool = True

    @property
    def person_id(self) -> Any:
        return self.person.pk

    @property
    def language(self) -> str:
        return str(getattr(self.person, "language", "") or "")


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    description: str | Promise
    render: Render
    model: type | None = None
    urgent: bool = False
    obligation: Obligation | None = None
    security: bool = False
    # Who without an account may be emailed this kind (`service.notify_address`); None: accounts only.
    addressable: Addressable | None = None

    def obliged(self, user: Any) -> str:
        """Why `user` cannot switch this kind off ("" when they can)."""
        if self.security:
            return str(_("Security notices reach you at once, whatever you choose, so they cannot be turned off."))
        reason = self.obligation(user) if self.obligation else None
        return str(reason) if reason else ""


class AlreadyRegistered(ValueError):
    """Two apps (or one app twice) registered the same key: the second would silently replace the first."""


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if not KEY.match(kind.key) or len(kind.key) > 100:
        raise ValueError(f"A kind's key is '<app>.<event>' in lower case, at most 100 characters: {kind.key!r}")
    if kind.key in _KINDS:
        raise AlreadyRegistered(f"The notification kind {kind.key!r} is already registered")
    _KINDS[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    """For tests that register a kind of their own; the platform never unregisters."""
    _KINDS.pop(key, None)


def get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"No notification kind {key!r} is registered") from None


def registered() -> dict[str, Kind]:
    """Every registered kind by key, in the order they were registered."""
    return dict(_KINDS)
