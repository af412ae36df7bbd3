"""One login path through django-allauth: the admins' logins, rate limits, enumeration."""

from urllib.parse import parse_qs, urlsplit

from django.contrib.auth import get_user_model
from django.core.cache import cache

import pytest
from allauth.account.models import EmailAddress

from tests.mfa import totp_code, with_mfa

pytestmark = pytest.mark.django_db

PASSWORD = "lang-genoeg-wachtwoord-42"
LOGIN = "/accounts/login/"
SECOND_STEP = "/accounts/2fa/authenticate/"
TOTP_SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth keeps its rate-limit counters in the cache (Redis), which a test's
    # transaction rollback does not undo.
    cache.clear()
    yield
    cache.clear()


def make_user(email: str, *, superuser: bool = False):
    user = get_user_model().objects.create_user(
        username=email, email=email, password=PASSWORD, is_staff=superuser
    )
    if superuser:
        user.is_superuser = True
        user.save()
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@pytest.fixture
def beheerder():
    return make_user("beheer@zvh-bzo.example", superuser=True)


def next_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["next"][0]


def test_the_admin_login_pages_hand_over_to_allauth_keeping_the_next_url(client):
    for login_url, target in [
        ("/admin/login/?next=/admin/pages/", "/admin/pages/"),
        ("/django-admin/login/?next=/django-admin/auth/user/", "/django-admin/auth/user/"),
        ("/admin/login/?next=/admin/pages/%3Fq%3Da%26p%3D2", "/admin/pages/?q=a&p=2"),
    ]:
        response = client.get(login_url)

        assert response.status_code == 302
        assert urlsplit(response.url).path == LOGIN
        assert next_of(response.url) == target


def test_every_unauthenticated_admin_request_ends_at_the_allauth_login(client):
    for url in ["/admin/", "/admin/pages/", "/django-admin/", "/django-admin/auth/user/"]:
        response = client.get(url, follow=True)

        final_url = response.redirect_chain[-1][0]
        assert urlsplit(final_url).path == LOGIN, url
        assert next_of(final_url) == url
        assert response.status_code == 200
        assert "Inloggen" in response.content.decode()


def test_an_off_site_next_is_refused_by_the_admin_login_redirect(client):
    for evil in [
        "https://evil.example/",
        "//evil.example/",
        "http://evil.example/admin/",
        "javascript:alert(1)",
        "/\\evil.example/",
    ]:
        response = client.get("/admin/login/", {"next": evil})

        assert next_of(response.url) == "/admin/", evil


def test_an_off_site_next_is_ignored_after_logging_in(client, beheerder):
    response = client.post(
        LOGIN + "?next=https://evil.example/",
        {"login": beheerder.email, "password": PASSWORD, "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_a_superuser_logs_in_through_allauth_and_reaches_both_admins(client, beheerder):
    with_mfa(beheerder)
    password_step = client.post(
        LOGIN, {"login": beheerder.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert (password_step.status_code, password_step.url) == (302, SECOND_STEP)
    assert "_auth_user_id" not in client.session

    response = client.post(SECOND_STEP, {"code": totp_code(beheerder)})

    assert response.status_code == 302
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/django-admin/").status_code == 200


def test_a_superuser_without_a_second_factor_is_sent_from_the_admins_to_totp_setup(
    client, beheerder
):
    response = client.post(
        LOGIN, {"login": beheerder.email, "password": PASSWORD, "next": "/admin/"}
    )
    assert (response.status_code, response.url) == (302, "/admin/")

    for url in ["/admin/", "/admin/pages/", "/django-admin/", "/django-admin/auth/user/"]:
        response = client.get(url)

        assert response.status_code == 302, url
        assert urlsplit(response.url).path == TOTP_SETUP, url
        assert next_of(response.url) == url
    # allauth asks for the password again before it shows the TOTP setup form.
    confirm = client.get(response.url)
    assert urlsplit(confirm.url).path == "/accounts/reauthenticate/"
    setup = client.post(confirm.url, {"password": PASSWORD}, follow=True)
    assert urlsplit(setup.redirect_chain[-1][0]).path == TOTP_SETUP
    assert setup.status_code == 200
    assert 'name="code"' in setup.content.decode()


def test_logging_out_from_the_wagtail_admin_goes_through_allauth(client, beheerder):
    client.force_login(with_mfa(beheerder), backend="django.contrib.auth.backends.ModelBackend")

    response = client.post("/admin/logout/", follow=True)

    assert response.redirect_chain[0] == ("/accounts/logout/", 307)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_wagtail_admin_has_no_password_reset_of_its_own(client):
    response = client.get("/admin/password_reset/")

    assert response.status_code == 404


def test_the_sixth_bad_password_within_the_window_is_refused_even_if_it_is_right(
    client, beheerder, settings
):
    assert "Redis" in settings.CACHES["default"]["BACKEND"]
    for _ in range(5):
        response = client.post(LOGIN, {"login": beheerder.email, "password": "fout"})
        assert "e-mailadres en/of wachtwoord dat u hebt opgegeven, is niet juist" in (
            response.content.decode()
        )

    response = client.post(LOGIN, {"login": beheerder.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Te veel inlogpogingen" in response.content.decode()


def test_login_answers_the_same_for_a_known_and_an_unknown_address(client, beheerder):
    known = client.post(LOGIN, {"login": beheerder.email, "password": "fout-wachtwoord"})
    unknown = client.post(LOGIN, {"login": "niemand@zvh-bzo.example", "password": "fout"})

    assert known.status_code == unknown.status_code == 200
    assert errors(known) == errors(unknown)
    assert errors(known) != []


def errors(response) -> list[str]:
    form = response.context["form"]
    return [str(error) for error in form.non_field_errors()] + [
        f"{field}: {error}" for field, field_errors in form.errors.items() for error in field_errors
    ]


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(
    client, beheerder, mailoutbox
):
    known = client.post("/accounts/password/reset/", {"email": beheerder.email})
    unknown = client.post("/accounts/password/reset/", {"email": "niemand@zvh-bzo.example"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == "/accounts/password/reset/done/"
    # Each address gets a mail; only the owner's contains a reset link.
    assert [mail.to for mail in mailoutbox] == [[beheerder.email], ["niemand@zvh-bzo.example"]]
    assert "/accounts/password/reset/key/" in mailoutbox[0].body
    assert "/accounts/password/reset/key/" not in mailoutbox[1].body
    # The mails are Dutch, like the pages.
    assert mailoutbox[0].subject == "Nieuw wachtwoord"
    assert mailoutbox[1].subject == "Onbekend account"


def test_open_sign_up_is_closed_with_a_dutch_page(client, home):
    response = client.get("/accounts/signup/")
    posted = client.post(
        "/accounts/signup/",
        {"email": "nieuw@zvh-bzo.example", "password1": PASSWORD, "password2": PASSWORD},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Registratie gesloten" in html
    assert '<html lang="nl">' in html
    assert "Registratie gesloten" in posted.content.decode()
    assert not get_user_model().objects.filter(email="nieuw@zvh-bzo.example").exists()


def h1_text(html: str) -> str:
    return " ".join(html.split("<h1>", 1)[1].split("</h1>", 1)[0].split())


def test_the_account_pages_are_dutch_and_in_the_site_layout(client, home):
    for url, heading in [
        (LOGIN, "Inloggen"),
        ("/accounts/password/reset/", "Nieuw wachtwoord"),
        ("/accounts/password/reset/done/", "Nieuw wachtwoord"),
        ("/accounts/confirm-email/", "Bevestig uw e-mailadres"),
    ]:
        html = client.get(url).content.decode()

        assert '<html lang="nl">' in html, url
        assert h1_text(html) == heading, url
        assert 'class="site-header' in html, url
        assert 'class="site-footer"' in html, url


def test_behind_the_proxy_one_clients_failures_do_not_lock_out_another(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    make_user("een@zvh-bzo.example")
    make_user("twee@zvh-bzo.example")
    via_proxy = {"x-forwarded-for": "203.0.113.7"}
    for _ in range(6):
        client.post(LOGIN, {"login": "een@zvh-bzo.example", "password": "fout"}, headers=via_proxy)

    response = client.post(
        LOGIN,
        {"login": "twee@zvh-bzo.example", "password": PASSWORD},
        headers={"x-forwarded-for": "198.51.100.20"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"]
