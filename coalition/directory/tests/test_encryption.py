"""People's contact details are encrypted at rest: the database holds ciphertext, Python code sees the text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from coalition.core import crypto
from coalition.directory.models import Person
from coalition.directory.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

EMAIL = "amara@example-digital-rights.org"


def stored(person: Person, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM directory_person WHERE id = %s", [person.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def fresh_keys() -> Iterator[None]:
    """The key set is read once per process; tests that change it start and end with it forgotten."""
    crypto._fernet.cache_clear()
    yield
    crypto._fernet.cache_clear()


@pytest.mark.parametrize(
    ("column", "value"), [("email", EMAIL), ("phone", "+254 700 000000"), ("secure_messaging", "@amara.01")]
)
def test_a_contact_detail_is_stored_as_ciphertext(column, value):
    person = PersonFactory.create(**{column: value})
    raw = stored(person, column)
    assert raw
    assert value not in raw
    assert crypto.decrypt(raw) == value


def test_a_contact_detail_reads_back_as_plain_text():
    person = PersonFactory.create(email=EMAIL)
    assert Person.objects.get(pk=person.pk).email == EMAIL


def test_the_same_address_encrypts_differently_each_time():
    first, second = PersonFactory.create(email=EMAIL), PersonFactory.create(email=EMAIL)
    assert stored(first, "email") != stored(second, "email")


def test_an_empty_contact_detail_stays_empty():
    person = PersonFactory.create(email="")
    assert stored(person, "email") == ""
    assert Person.objects.get(pk=person.pk).email == ""


def test_the_database_cannot_be_searched_for_an_address():
    PersonFactory.create(email=EMAIL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM directory_person WHERE email LIKE %s", [f"%{EMAIL}%"])
        assert cursor.fetchone()[0] == 0


def test_contact_details_stay_readable_after_a_new_key_is_put_first(fresh_keys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old]):
        person = PersonFactory.create(email=EMAIL)
    crypto._fernet.cache_clear()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new, old]):
        assert Person.objects.get(pk=person.pk).email == EMAIL


def test_contact_details_encrypted_with_an_unknown_key_are_refused_loudly(fresh_keys):
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        person = PersonFactory.create(email=EMAIL)
    crypto._fernet.cache_clear()
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]), pytest.raises(ImproperlyConfigured):
        Person.objects.get(pk=person.pk)


def test_a_development_key_file_is_created_once_and_private(fresh_keys, settings, tmp_path):
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.FIELD_ENCRYPTION_KEY_FILE = str(tmp_path / "var" / "field-encryption.key")

    token = crypto.encrypt(EMAIL)

    key_file = tmp_path / "var" / "field-encryption.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert Fernet(key_file.read_bytes().strip()).decrypt(token.encode()).decode() == EMAIL
    assert [path.name for path in key_file.parent.iterdir()] == [key_file.name]  # no draft left behind


def test_a_process_that_loses_the_race_for_the_key_file_uses_the_winners_key(
    fresh_keys, settings, tmp_path, monkeypatch
):
    """Web and worker (or parallel test workers) start together: both find no key file, one writes it first."""
    settings.FIELD_ENCRYPTION_KEYS = []
    key_file = tmp_path / "field-encryption.key"
    settings.FIELD_ENCRYPTION_KEY_FILE = str(key_file)
    winner = Fernet.generate_key()
    looked = Path.exists

    def another_process_writes_it_after_this_one_looked(self: Path) -> bool:
        found = looked(self)
        if self == key_file and not found:
            key_file.write_bytes(winner)
        return found

    monkeypatch.setattr(Path, "exists", another_process_writes_it_after_this_one_looked)

    token = crypto.encrypt(EMAIL)

    assert key_file.read_bytes() == winner
    assert Fernet(winner).decrypt(token.encode()).decode() == EMAIL
