"""Encrypt the TOTP secrets and recovery-code seeds allauth stored in clear before `MFAAdapter` encrypted them."""

from collections.abc import Callable
from typing import Any

from django.db import migrations

from coalition.accounts.adapters import FERNET_PREFIX
from coalition.core import crypto

# Where allauth keeps a secret in an authenticator's data: one value, or a list of values.
SECRET_KEYS = {"totp": ["secret"], "recovery_codes": ["seed", "migrated_codes"]}


def _convert(data: dict[str, Any], keys: list[str], change: Callable[[str], str]) -> bool:
    changed = False
    for key in keys:
        value = data.get(key)
        if isinstance(value, str):
            data[key] = change(value)
            changed = changed or data[key] != value
        elif isinstance(value, list):
            data[key] = [change(item) for item in value]
            changed = changed or data[key] != value
    return changed


def _seal(text: str) -> str:
    return text if text.startswith(FERNET_PREFIX) else crypto.encrypt(text)


def _open(text: str) -> str:
    return crypto.decrypt(text) if text.startswith(FERNET_PREFIX) else text


def _each(apps: Any, change: Callable[[str], str]) -> None:
    authenticator = apps.get_model("mfa", "Authenticator")
    for row in authenticator.objects.filter(type__in=SECRET_KEYS).iterator():
        if _convert(row.data, SECRET_KEYS[row.type], change):
            row.save(update_fields=["data"])


def encrypt_secrets(apps: Any, schema_editor: Any) -> None:
    _each(apps, _seal)


def decrypt_secrets(apps: Any, schema_editor: Any) -> None:
    _each(apps, _open)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False)]
