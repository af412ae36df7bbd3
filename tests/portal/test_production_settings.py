"""Production settings, checked the way production starts them: in a fresh process.

Settings are read once at import, so every case runs in a subprocess with the
environment a real deployment would have (PORTAL_ENV=production and the URLs).
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.portal.conftest import PRODUCTION_KEY_VARIABLES

ROOT = Path(__file__).resolve().parents[2]
HOST = "portal.zvh-bzo.example"

# Prints the settings the security baseline depends on, plus the headers and
# headers of one real request through the whole middleware stack (a POST to
# /robots.txt is refused with 405 before any database or cache is asked, so the
# subprocess needs neither).
PROBE = """
import json
import os
import django
from django.conf import settings
django.setup()
from django.test import Client

client = Client(HTTP_HOST=os.environ["ALLOWED_HOSTS"])
response = client.post("/robots.txt", secure=True)
names = [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH", "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_DOMAIN", "CSRF_COOKIE_PATH", "SESSION_COOKIE_AGE",
    "LOGIN_DEVICE_COOKIE",
]
print(json.dumps({
    "settings": {name: getattr(settings, name) for name in names},
    "status": response.status_code,
    "headers": dict(response.headers),
}))
"""


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "PYTEST", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        PORTAL_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zvh_portal"
        ),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        BASE_URL=f"https://{HOST}",
        EMAIL_PROVIDER="smtp",
        EMAIL_HOST="relay.zvh-bzo.example",
        PORTAL_VAR_DIR=str(ROOT / "var" / "test-production"),
        **{name: Fernet.generate_key().decode() for name in PRODUCTION_KEY_VARIABLES},
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def probe(env: dict[str, str]) -> dict:
    result = run(["-c", PROBE], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def production():
    return probe(production_env())


def test_check_deploy_reports_nothing_with_production_settings():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        production_env(),
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert "SECRET_KEY is required when PORTAL_ENV=production" in result.stderr


def test_a_mail_provider_without_a_webhook_secret_does_not_start():
    """Anymail accepts an unauthenticated webhook with only a warning; a forged bounce
    would unsubscribe a reader (the newsletter's tracking webhook)."""
    result = run(
        ["manage.py", "check"],
        production_env(EMAIL_PROVIDER="postmark", ANYMAIL_API_KEY="token"),
    )
    assert result.returncode != 0
    assert "needs ANYMAIL_WEBHOOK_SECRET" in result.stderr

    result = run(
        ["manage.py", "check"],
        production_env(
            EMAIL_PROVIDER="postmark", ANYMAIL_API_KEY="token", ANYMAIL_WEBHOOK_SECRET="haak:geheim"
        ),
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"EMAIL_PROVIDER": None}, "EMAIL_PROVIDER is required when PORTAL_ENV=production"),
        ({"EMAIL_HOST": None}, "EMAIL_PROVIDER=smtp needs EMAIL_HOST"),
        # Per-process rate-limit counters: every gunicorn worker would count on its own.
        ({"REDIS_URL": None}, "REDIS_URL is required when PORTAL_ENV=production"),
    ],
)
def test_production_refuses_to_start_without_a_mail_route_or_redis(missing, message):
    result = run(["manage.py", "check"], production_env(**missing))

    assert result.returncode != 0
    assert message in result.stderr


def test_debug_stays_off_in_production_even_when_the_environment_asks_for_it():
    result = run(
        ["-c", "import django; from django.conf import settings; print(settings.DEBUG)"],
        production_env(DJANGO_DEBUG="1"),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_debug_can_only_be_switched_on_in_the_demo():
    env = production_env(PORTAL_ENV="demo", DJANGO_DEBUG="1")
    code = "import django; from django.conf import settings; print(settings.DEBUG)"

    result = run(["-c", code], env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_the_test_settings_never_run_with_debug(settings):
    assert settings.DEBUG is False


def test_production_sends_hsts_for_at_least_a_year_including_subdomains(production):
    hsts = production["headers"]["Strict-Transport-Security"]
    directives = [part.strip() for part in hsts.split(";")]

    max_age = int(directives[0].removeprefix("max-age="))
    assert max_age >= 365 * 24 * 60 * 60
    assert "includeSubDomains" in directives
    assert production["settings"]["SECURE_SSL_REDIRECT"] is True


def test_production_cookies_are_host_prefixed_secure_and_http_only(production):
    config = production["settings"]
    for kind in ["SESSION", "CSRF"]:
        # __Host- cookies must be Secure, on path / and without a Domain.
        assert config[f"{kind}_COOKIE_NAME"].startswith("__Host-"), kind
        assert config[f"{kind}_COOKIE_SECURE"] is True, kind
        assert config[f"{kind}_COOKIE_HTTPONLY"] is True, kind
        assert config[f"{kind}_COOKIE_SAMESITE"] in {"Lax", "Strict"}, kind
        assert config[f"{kind}_COOKIE_DOMAIN"] is None, kind
        assert config[f"{kind}_COOKIE_PATH"] == "/", kind
    assert config["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert config["CSRF_COOKIE_NAME"] == "__Host-csrftoken"


def test_production_sessions_last_a_working_day_at_most(production):
    assert production["settings"]["SESSION_COOKIE_AGE"] <= 12 * 60 * 60


def test_production_responses_carry_the_strict_policy(production):
    policy = production["headers"]["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_media_on_object_storage_is_allowed_by_the_policy_for_images_and_video():
    result = probe(
        production_env(
            MEDIA_STORAGE="s3",
            AWS_STORAGE_BUCKET_NAME="media",
            AWS_S3_ENDPOINT_URL="https://objects.zvh-bzo.example:9000",
        )
    )

    policy = result["headers"]["Content-Security-Policy"]
    assert "img-src 'self' data: https://objects.zvh-bzo.example:9000" in policy
    assert "media-src 'self' https://objects.zvh-bzo.example:9000" in policy


@pytest.mark.django_db
def test_logging_in_with_the_production_cookie_settings_sets_host_cookies(
    production, client, settings, home
):
    from django.contrib.auth import get_user_model

    from allauth.account.models import EmailAddress

    for name, value in production["settings"].items():
        if name.startswith(("SESSION_COOKIE_", "CSRF_COOKIE_", "LOGIN_DEVICE_COOKIE")):
            setattr(settings, name, value)
    email, password = "beheer@zvh-bzo.example", "lang-genoeg-wachtwoord-42"
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)

    form = client.get("/accounts/login/", secure=True)
    logged_in = client.post("/accounts/login/", {"login": email, "password": password}, secure=True)

    assert logged_in.status_code == 302
    for cookie in [
        form.cookies["__Host-csrftoken"],
        logged_in.cookies["__Host-sessionid"],
        # The browser that signed in passes the account-wide login brake (portal.accounts).
        logged_in.cookies["__Host-zvh_login_device"],
    ]:
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
