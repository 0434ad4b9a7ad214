from django.test import RequestFactory, override_settings

from coalition.accounts.services import client_ip


def request_from(forwarded: str):
    return RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)


def test_without_a_trusted_proxy_the_connecting_address_counts():
    assert client_ip(request_from("203.0.113.9")) == "10.0.0.1"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_the_clients_own_address_counts():
    assert client_ip(request_from("203.0.113.9")) == "203.0.113.9"
