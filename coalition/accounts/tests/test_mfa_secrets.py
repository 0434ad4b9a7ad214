"""Second factors at rest: the TOTP secret and the recovery-code seed are stored encrypted, and still sign in."""

from __future__ import annotations

import importlib
import json
import re

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.apps import apps
from django.test import Client

from coalition.accounts.tests.test_sign_in import SECOND_FACTOR, enter_password, is_signed_in
from coalition.accounts.tests.totp import fresh_totp_code
from coalition.core.policy import Role

migration = importlib.import_module("coalition.accounts.migrations.0002_encrypt_mfa_secrets")
HEX_SEED = re.compile(r"[0-9a-f]{80}")


def stored(user, kind: str) -> dict:
    """The row as the database holds it, read past the model's own code."""
    return Authenticator.objects.filter(user=user, type=kind).values_list("data", flat=True).get()


def store_in_clear(user, kind: str, **data: str) -> None:
    """What a row written before encryption looks like."""
    row = Authenticator.objects.get(user=user, type=kind)
    row.data.update(data)
    Authenticator.objects.filter(pk=row.pk).update(data=row.data)


def second_factor(user, code: str) -> Client:
    """A person enters their password, then a code from their authenticator app or their recovery sheet."""
    client = Client()
    enter_password(client, user.email)
    client.post(SECOND_FACTOR, {"code": code})
    return client


def test_the_stored_totp_row_holds_no_clear_secret(make_user):
    user = make_user(Role.FOCAL_POINT)
    data = stored(user, Authenticator.Type.TOTP)
    assert user.totp_secret not in json.dumps(data)
    assert data["secret"].startswith("gAAAAA")


def test_the_stored_recovery_row_holds_no_clear_seed(make_user):
    user = make_user(Role.FOCAL_POINT)
    codes = RecoveryCodes.activate(user).generate_codes()
    data = stored(user, Authenticator.Type.RECOVERY_CODES)
    assert not HEX_SEED.search(json.dumps(data))
    assert not any(code in json.dumps(data) for code in codes)


def test_password_then_totp_signs_in_with_an_encrypted_secret(make_user):
    user = make_user(Role.FOCAL_POINT)
    client = second_factor(user, fresh_totp_code(user.totp_secret))
    assert is_signed_in(client)


def test_password_then_a_recovery_code_signs_in_and_uses_the_code(make_user):
    user = make_user(Role.FOCAL_POINT)
    code = RecoveryCodes.activate(user).generate_codes()[3]
    client = second_factor(user, code)
    assert is_signed_in(client)
    row = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert code not in RecoveryCodes(row).get_unused_codes()


def test_a_wrong_recovery_code_does_not_sign_in(make_user):
    user = make_user(Role.FOCAL_POINT)
    RecoveryCodes.activate(user)
    client = second_factor(user, "00000000")
    assert not is_signed_in(client)


def test_a_secret_stored_in_clear_before_the_upgrade_still_signs_in(make_user):
    user = make_user(Role.FOCAL_POINT)
    store_in_clear(user, Authenticator.Type.TOTP, secret=user.totp_secret)
    client = second_factor(user, fresh_totp_code(user.totp_secret))
    assert is_signed_in(client)


def test_the_migration_encrypts_clear_secrets_and_seeds_which_then_still_sign_in(make_user):
    user = make_user(Role.FOCAL_POINT)
    RecoveryCodes.activate(user)
    seed = "ab" * 40
    store_in_clear(user, Authenticator.Type.TOTP, secret=user.totp_secret)
    store_in_clear(user, Authenticator.Type.RECOVERY_CODES, seed=seed)
    codes = RecoveryCodes(Authenticator.objects.get(user=user, type="recovery_codes")).generate_codes()

    migration.encrypt_secrets(apps, None)

    assert user.totp_secret not in json.dumps(stored(user, Authenticator.Type.TOTP))
    assert seed not in json.dumps(stored(user, Authenticator.Type.RECOVERY_CODES))
    client = second_factor(user, codes[0])
    assert is_signed_in(client)


def test_the_migration_leaves_encrypted_rows_as_they_are_and_reverses(make_user):
    user = make_user(Role.FOCAL_POINT)
    before = stored(user, Authenticator.Type.TOTP)
    migration.encrypt_secrets(apps, None)
    assert stored(user, Authenticator.Type.TOTP) == before
    migration.decrypt_secrets(apps, None)
    assert stored(user, Authenticator.Type.TOTP)["secret"] == user.totp_secret
