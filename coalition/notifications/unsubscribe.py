"""One-click unsubscribe links (RFC 8058): a signed token naming the person, the kind and a nonce, valid for 90
days and good once. A forged, expired or used token changes nothing, and the page says which it was."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from coalition.core import ledger
from coalition.core.errors import InvalidInput
from coalition.notifications import kinds
from coalition.notifications.models import Mode, Preference, UsedUnsubscribe

SALT = "coalition.notifications.unsubscribe"
MAX_AGE = dt.timedelta(days=90)


def make_token(user: Any, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind, "n": secrets.token_urlsafe(16)}, salt=SALT, compress=True)


def url_for(user: Any, kind: str) -> str:
    return settings.SITE_URL + reverse("notifications:unsubscribe", args=[make_token(user, kind)])


def may_unsubscribe(user: Any, kind: str) -> bool:
    """Whether an email of `kind` to `user` carries an unsubscribe link: not for security notices, nor for what
    the person's position obliges them to answer, nor for mail that is no registered kind."""
    if getattr(user, "pk", None) is None:  # a person without an account (kinds.Addressee) has nothing to change
        return False
    try:
        spec = kinds.get(kind)
    except LookupError:
        return False
    return not spec.obliged(user)


class Refused(InvalidInput):
    """The link cannot act; `status` is the HTTP answer (400 forged, 410 expired or already used)."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message, field="token")
        self.status = status


@dataclass(frozen=True)
class Link:
    user: Any
    kind: kinds.Kind
    nonce: str


def read(token: str) -> Link:
    """What a token asks for, or Refused saying why it cannot act."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise Refused(_("This unsubscribe link has expired; nothing was changed."), status=410) from None
    except signing.BadSignature:
        raise Refused(_("This unsubscribe link is not valid; nothing was changed."), status=400) from None
    user = get_user_model()._default_manager.filter(pk=payload.get("u"), is_active=True).first()
    try:
        kind = kinds.get(str(payload.get("k")))
    except LookupError:
        kind = None
    if user is None or kind is None or not payload.get("n"):
        raise Refused(_("This unsubscribe link no longer applies; nothing was changed."), status=410)
    if UsedUnsubscribe.objects.filter(nonce=payload["n"]).exists():
        raise Refused(_("This unsubscribe link was already used; nothing was changed."), status=410)
    return Link(user=user, kind=kind, nonce=payload["n"])


def apply(token: str) -> Link:
    """Switch the link's kind off for its person, once."""
    link = read(token)
    if link.kind.obliged(link.user):
        raise Refused(_("This kind of notification cannot be turned off; nothing was changed."), status=400)
    try:
        with transaction.atomic():
            UsedUnsubscribe.objects.create(nonce=link.nonce, user=link.user, kind=link.kind.key)
            Preference.objects.update_or_create(user=link.user, kind=link.kind.key, defaults={"mode": Mode.OFF})
            ledger.record("notifications.unsubscribed", actor=link.user, data={"kind": link.kind.key})
    except IntegrityError:
        raise Refused(_("This unsubscribe link was already used; nothing was changed."), status=410) from None
    return link
