from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend

from coalition.accounts.models import User


class CoalitionAuthenticationBackend(AuthenticationBackend):
    """allauth's backend, loading the account's person with it: every page needs the person (time zone, name,
    roles), so this saves a query on each request."""

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("person").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
