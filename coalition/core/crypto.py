"""Encryption at rest for sensitive fields (contact details of civil-society people).

Keys live outside the database: `FIELD_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first, so old keys can
be rotated out), or in development a key file created on first use under `var/`. Fernet (AES-128-CBC + HMAC-SHA256)
from the `cryptography` package does the work.
"""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@functools.cache
def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        path = Path(settings.FIELD_ENCRYPTION_KEY_FILE)
        if not path.exists():
            if settings.PRODUCTION:
                raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is required in production")
            create_key_file(path)
        keys = [path.read_text().strip()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def create_key_file(path: Path, key: bytes | None = None) -> None:
    """Write a new key (a Fernet key unless `key` is given) where none is, once: processes that start together (web
    and worker, parallel test workers) all read the key the first of them wrote. The key is written under a private
    name and linked into place, so no process ever reads a half-written file, and a process that loses the race keeps
    the winner's key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key or Fernet.generate_key())
        with contextlib.suppress(FileExistsError):  # another process linked its key first: keep that one
            os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured("An encrypted field cannot be read with the configured keys") from None


class EncryptedTextField(models.TextField):
    """Stores ciphertext; Python code only ever sees the plain text. Not searchable by design."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        return decrypt(value) if value else ""

    def get_prep_value(self, value: Any) -> str:
        return encrypt(str(value)) if value else ""
