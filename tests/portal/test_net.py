"""The client address behind our proxies: only the hops we added are trusted."""

from django.test import RequestFactory, override_settings

from portal.net import client_ip

factory = RequestFactory()


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return factory.get("/", **extra)


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_the_header_is_ignored():
    assert client_ip(request_from("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_appended_counts():
    assert client_ip(request_from("10.0.0.5", "203.0.113.9")) == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_an_address_the_visitor_forged_in_the_header_is_not_believed():
    # The visitor sent "X-Forwarded-For: 198.51.100.1"; nginx appended the real one.
    assert client_ip(request_from("10.0.0.5", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_a_header_shorter_than_the_proxy_chain_falls_back_to_the_peer():
    assert client_ip(request_from("10.0.0.5", "203.0.113.9")) == "10.0.0.5"
