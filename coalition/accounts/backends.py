from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db.models import Exists, OuterRef

from coalition.accounts.models import User
from coalition.core.crypto import EncryptedTextField
from coalition.directory.models import Person

# The person's fields no page needs from the signed-in account (see CoalitionAuthenticationBackend.get_user).
ENCRYPTED_PERSON_FIELDS = tuple(f.name for f in Person._meta.concrete_fields if isinstance(f, EncryptedTextField))


class CoalitionAuthenticationBackend(AuthenticationBackend):
    """allauth's backend, loading the account's person with it, and whether it has a second factor: every page
    needs the person (time zone, name, roles) and the MFA check, so this saves two queries on each request. The
    person's encrypted contact details are left out: no page reads them from the account, and decrypting them cost
    every request a Fernet check of each (they still load, one query each, if something does read them)."""

    def get_user(self, user_id: Any) -> User | None:
        user = (
            User.objects.select_related("person")
            .defer(*(f"person__{name}" for name in ENCRYPTED_PERSON_FIELDS))
            .annotate(second_factor_at_sign_in=Exists(Authenticator.objects.filter(user_id=OuterRef("pk"))))
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


def has_second_factor(user: Any) -> bool:
    """Whether the request's account has a second factor, as read with the account at the start of the request
    (allauth's `is_mfa_enabled` otherwise). Only for the check made before any view runs: a view that adds or
    removes an authenticator must ask allauth."""
    known = getattr(user, "second_factor_at_sign_in", None)
    return bool(known) if known is not None else is_mfa_enabled(user)
