"""The account each request loads (issue 20, page cost): with its person, without decrypting their contact details."""

from __future__ import annotations

import pytest

from coalition.accounts.backends import ENCRYPTED_PERSON_FIELDS, CoalitionAuthenticationBackend
from coalition.accounts.models import User
from coalition.directory.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_request_account_loads_its_person_in_one_query_leaving_the_contact_details(django_assert_num_queries):
    person = PersonFactory.create(full_name="Ada Lovelace", email="ada@example.org", phone="+44 1")
    account = User.objects.create_user(email="ada@example.org", person=person)
    with django_assert_num_queries(1):
        user = CoalitionAuthenticationBackend().get_user(account.pk)
        assert user is not None and user.person is not None
        assert (user.person.full_name, user.person.time_zone) == ("Ada Lovelace", person.time_zone)
    assert ENCRYPTED_PERSON_FIELDS == ("email", "phone", "secure_messaging")
    assert set(ENCRYPTED_PERSON_FIELDS) <= user.person.get_deferred_fields()
    with django_assert_num_queries(2):  # still there when read, one query each
        assert (user.person.email, user.person.phone) == ("ada@example.org", "+44 1")
