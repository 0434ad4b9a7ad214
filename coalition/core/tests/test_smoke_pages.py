import pytest

from coalition.core.policy import Role


@pytest.mark.django_db
def test_home_page_answers_anonymous_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Skip to main content" in response.content


def test_support_unit_sees_the_audit_ledger(signed_in_client):
    client = signed_in_client(Role.SUPPORT_UNIT)
    assert client.get("/audit/").status_code == 200


def test_advisory_network_member_is_refused_the_audit_ledger(signed_in_client):
    client = signed_in_client(Role.ADVISORY_NETWORK)
    assert client.get("/audit/").status_code == 403
