"""People's contact details are encrypted at rest: the database holds ciphertext, Python code sees the text."""

from __future__ import annotations

from collections.abc import Iterator

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
