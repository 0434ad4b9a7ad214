from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db.models import Exists, OuterRef

from coalition.accounts.models import User


class CoalitionAuthenticationBackend(AuthenticationBackend):
    """allauth's backend, loading the account's person with it, and whether it has a second factor: every page
    needs the person (time zone, name, roles) and the MFA check, so this saves two queries on each request."""

    def get_user(self, user_id: Any) -> User | None:
        user = (
            User.objects.select_related("person")
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
