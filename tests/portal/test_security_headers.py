"""Security headers and the error pages: on every response, public and admin."""

import re

from django.test import Client

import pytest

from .failing_urls import SECRET_DETAIL

pytestmark = pytest.mark.django_db

NONCE_IN_HEADER = re.compile(r"script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'")


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_baseline_headers(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    permissions = response.headers["Permissions-Policy"]
    for feature in ["camera=()", "microphone=()", "geolocation=()"]:
        assert feature in permissions
    assert "Content-Security-Policy" in response.headers


def assert_strict_public_policy(response):
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    # 'self' plus, when the page has scripts, this response's nonce; nothing else.
    assert policy["script-src"][0] == "'self'"
    assert all(source.startswith("'nonce-") for source in policy["script-src"][1:])
    assert len(policy["script-src"]) <= 2
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    header = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


PUBLIC_URLS = [
    "/",
    "/over-ons/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/bestaat-niet/",
    "/health/",
]


def test_public_responses_carry_the_baseline_headers_and_the_strict_policy(client, home):
    # One test for all URLs: loading the demo content per URL would be slow.
    for url in PUBLIC_URLS:
        response = client.get(url)

        assert_baseline_headers(response)
        assert_strict_public_policy(response)


def test_the_nonce_in_the_header_is_the_nonce_on_the_pages_script_tag(client, home):
    response = client.get("/")

    header_nonce = NONCE_IN_HEADER.search(response.headers["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    script_nonces = re.findall(r'<script[^>]*\snonce="([^"]+)"', html)
    assert script_nonces  # the page has scripts (the header's search suggestions, ...)
    assert set(script_nonces) == {header_nonce}
    # Every script on the public page carries the nonce.
    assert html.count("<script") == len(script_nonces)


def test_every_response_gets_a_fresh_nonce(client, home):
    nonces = {
        NONCE_IN_HEADER.search(client.get("/").headers["Content-Security-Policy"]).group(1)
        for _ in range(3)
    }

    assert len(nonces) == 3
    assert all(len(nonce) >= 22 for nonce in nonces)  # 16 random bytes, base64


def test_the_admins_get_the_looser_admin_policy(admin_client, home):
    for url in ["/admin/", f"/admin/pages/{home.pk}/edit/", "/django-admin/"]:
        response = admin_client.get(url)

        assert response.status_code == 200, url
        assert_baseline_headers(response)
        policy = directives(response)
        assert policy["script-src"] == ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'self'"]
        # A nonce would make browsers ignore 'unsafe-inline', breaking the admin.
        assert "nonce-" not in response.headers["Content-Security-Policy"]


def test_the_admin_policy_does_not_leak_onto_public_paths_that_start_alike(client, home):
    response = client.get("/administratie/")

    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_the_404_page_is_dutch_and_does_not_echo_a_script_from_the_path(client, home):
    response = client.get("/<script>alert('x')</script>/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Pagina niet gevonden" in html
    assert "<script>alert" not in html
    assert "Traceback" not in html
    assert_baseline_headers(response)
    assert_strict_public_policy(response)


@pytest.mark.urls("tests.portal.failing_urls")
def test_the_500_page_is_dutch_and_leaks_nothing(client, home, settings, caplog):
    client.raise_request_exception = False

    with caplog.at_level("CRITICAL", logger="django.request"):
        response = client.get("/kapot/")

    html = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="nl">' in html
    assert "Er ging iets mis" in html
    for leak in [SECRET_DETAIL, "Traceback", "RuntimeError", "failing_view", settings.SECRET_KEY]:
        assert leak not in html
    assert "DATABASE" not in html
    assert_baseline_headers(response)
    assert_strict_public_policy(response)


def test_the_500_page_needs_no_inline_styles_or_scripts(client, home):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "<script" not in html
    assert "style=" not in html
    assert "<style" not in html


@pytest.mark.urls("tests.portal.failing_urls")
def test_the_403_and_400_pages_are_dutch_and_leak_nothing(client, home, caplog):
    with caplog.at_level("CRITICAL", logger="django.security"):
        forbidden = client.get("/verboden/")
        bad = client.get("/verdacht/")

    assert forbidden.status_code == 403
    assert "Geen toegang" in forbidden.content.decode()
    assert bad.status_code == 400
    assert "Ongeldig verzoek" in bad.content.decode()
    for response in [forbidden, bad]:
        assert SECRET_DETAIL not in response.content.decode()
        assert_baseline_headers(response)
        assert_strict_public_policy(response)


def test_a_form_without_a_valid_csrf_token_gets_a_dutch_403(home):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/abonnement/", {"email": "iemand@example.nl"})

    html = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="nl">' in html
    assert "Het formulier kon niet worden verstuurd" in html
    assert "CSRF" not in html
    assert "<script" not in html
    assert_baseline_headers(response)
