from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from coalition.core import crypto


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Accounts are opened by the Support Unit for people who hold positions; nobody signs themselves up."""
        return False


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
