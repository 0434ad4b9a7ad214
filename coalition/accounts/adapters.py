from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from coalition.accounts import attempts
from coalition.core import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are opened by the Support Unit for people who hold positions; nobody signs themselves up."""
        return False

    # Failed passwords are limited per address (allauth's `login_failed`) and per address and account (ours), never
    # per account alone: see coalition.accounts.attempts.
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        login = str(credentials.get("email") or credentials.get("username") or "")
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            attempts.refuse_attempt(request, login=login, stage="password", limit="address")
            raise
        self._attempt_here = attempts.consume_attempt(request, login=login)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        if user is not None:  # the right password does not count against its address
            self._attempt_here.rollback()
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        attempts.count_failure(login=str(credentials.get("email") or credentials.get("username") or ""))


# Fernet tokens are URL-safe base64 of a version byte 0x80 followed by a timestamp: they always begin "gAAAAA".
# Neither a TOTP secret (base32: A-Z, 2-7) nor a recovery seed (hexadecimal) can, so a value that does not is a secret
# written in clear before encryption was turned on (or by a process still running the old code during a deploy).
FERNET_PREFIX = "gAAAAA"


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted at rest with the keys of `core.crypto` (outside the
    database, rotated by prepending a new key), so a copy of the `mfa_authenticator` table or a backup yields no
    second factor."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(FERNET_PREFIX):
            return encrypted_text  # a clear legacy value: migration 0002 of accounts encrypts those at deploy
        return crypto.decrypt(encrypted_text)
