"""Login hardening for casework users, through allauth's real pages (no force_login):
the sixth bad password from one address is refused, answers do not reveal which addresses exist, a
password reset never signs anyone in past the second factor, there is no "trust
this browser", and exports and downloads ask for re-authentication."""

import re
from datetime import timedelta

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

import pytest
import time_machine

from tests.mfa import totp_code

from .factories import CaseFactory, staff_user

pytestmark = pytest.mark.django_db

PASSWORD = "een-lang-wachtwoord-123"
NEW_PASSWORD = "Nieuw-en-lang-wachtwoord-77"
LOGIN = "/accounts/login/"
SECOND_STEP = "/accounts/2fa/authenticate/"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts failed attempts in the cache (Redis); a rollback does not reset it.
    cache.clear()
    yield
    cache.clear()


def sign_in(client, user, password=PASSWORD, next_path="/partners/"):
    """Password step, then the TOTP step; returns the final response."""
    response = client.post(LOGIN, {"login": user.email, "password": password, "next": next_path})
    assert (response.status_code, response.url) == (302, SECOND_STEP)
    return client.post(SECOND_STEP, {"code": totp_code(user)})


def form_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(error) for errors in form.errors.values() for error in errors]


def normalised(response) -> str:
    """The page without what differs on every response anyway (CSP nonce, form values)."""
    html = response.content.decode()
    return re.sub(r'(nonce|value)="[^"]*"', "", html)


def test_a_partner_signs_in_with_password_and_totp_and_reaches_the_casework(client, partner):
    response = sign_in(client, partner)
    assert (response.status_code, response.url) == (302, "/partners/")
    assert client.get("/partners/").status_code == 200


def test_after_the_password_alone_no_casework_page_is_served(client, partner, case):
    client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    # Half-way through the login the user is not signed in at all.
    assert "_auth_user_id" not in client.session
    for url in ["/partners/", reverse("casework:case_detail", args=[case.public_id])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)
        assert case.reference.encode() not in response.content


def test_the_sixth_bad_password_is_refused_even_when_it_is_right(client, partner):
    for _ in range(5):
        response = client.post(LOGIN, {"login": partner.email, "password": "fout-wachtwoord"})
        assert response.status_code == 200
    response = client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Te veel inlogpogingen" in response.content.decode()
    # No second-factor stage was started either.
    assert client.get(SECOND_STEP).status_code == 302


def test_the_per_account_lock_holds_from_the_failing_address_only(client, partner, settings):
    """Five failures lock the account from that address (whatever is typed next there),
    not for the owner at another address: knowing an address is not enough to lock an
    account (the account-wide brake for many addresses: test_insider_audit.py)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    stranger = {"x-forwarded-for": "203.0.113.7"}
    for _ in range(5):
        client.post(
            LOGIN, {"login": partner.email, "password": "fout-wachtwoord"}, headers=stranger
        )
    response = client.post(LOGIN, {"login": partner.email, "password": PASSWORD}, headers=stranger)
    assert "Te veel inlogpogingen" in response.content.decode()

    response = client.post(
        LOGIN,
        {"login": partner.email, "password": PASSWORD},
        headers={"x-forwarded-for": "198.51.100.9"},
    )
    assert (response.status_code, response.url) == (302, SECOND_STEP)


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, partner):
    known = client.post(LOGIN, {"login": partner.email, "password": "fout-wachtwoord"})
    unknown = client.post(LOGIN, {"login": "niemand@example.org", "password": "fout-wachtwoord"})
    assert known.status_code == unknown.status_code == 200
    assert form_errors(known) == form_errors(unknown) != []
    assert normalised(known) == normalised(unknown)


def test_a_password_reset_answers_the_same_for_a_known_and_an_unknown_address(
    client, partner, mailoutbox
):
    known = client.post("/accounts/password/reset/", {"email": partner.email})
    unknown = client.post("/accounts/password/reset/", {"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert normalised(client.get(known.url)) == normalised(client.get(unknown.url))


def test_a_password_reset_does_not_sign_in_and_the_next_login_still_asks_for_totp(
    client, partner, case, mailoutbox
):
    client.post("/accounts/password/reset/", {"email": partner.email})
    link = re.search(r"http\S+/accounts/password/reset/key/\S+", mailoutbox[0].body).group(0)
    form_page = client.get(link.split("testserver", 1)[-1])
    assert form_page.status_code == 302
    done = client.post(
        form_page.url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )
    assert done.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/partners/").url.startswith(LOGIN)

    response = client.post(LOGIN, {"login": partner.email, "password": NEW_PASSWORD})
    assert (response.status_code, response.url) == (302, SECOND_STEP)
    detail = reverse("casework:case_detail", args=[case.public_id])
    assert client.get(detail).url.startswith(LOGIN)
    assert client.post(SECOND_STEP, {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(SECOND_STEP, {"code": totp_code(partner)})
    assert response.status_code == 302
    assert client.get(detail).status_code == 200


def test_there_is_no_trust_this_browser_step(client, partner):
    response = sign_in(client, partner)
    assert response.url == "/partners/"
    assert not any("trust" in name for name in client.cookies)
    client.post(reverse("account_logout"))
    # The next login asks for the code again.
    response = client.post(LOGIN, {"login": partner.email, "password": PASSWORD})
    assert response.url == SECOND_STEP


def test_an_export_asks_for_the_password_even_right_after_login_and_again_later(client, case):
    regisseur = staff_user("Procesregisseur")
    case.procesregisseur = regisseur
    case.save()
    export = reverse("casework:case_export", args=[case.public_id])
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        sign_in(client, regisseur)
        # Signing in is not a re-authentication: allauth wants an explicit one.
        response = client.get(export)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_reauthenticate"))
        # A wrong password does not open the export.
        assert client.post(response.url, {"password": "fout-wachtwoord"}).status_code == 200
        confirmed = client.post(response.url, {"password": PASSWORD})
        assert confirmed.status_code == 302
        assert client.get(export).status_code == 200
        # The confirmation lasts five minutes (ACCOUNT_REAUTHENTICATION_TIMEOUT).
        traveller.shift(timedelta(minutes=6))
        assert client.get(export).url.startswith(reverse("account_reauthenticate"))


def test_re_authentication_is_by_password_only_not_by_a_mailed_code(client, case, mailoutbox):
    regisseur = staff_user("Procesregisseur")
    case.procesregisseur = regisseur
    case.save()
    sign_in(client, regisseur)
    page = client.get(reverse("account_reauthenticate"))
    assert page.status_code == 200
    assert reverse("account_request_reauthentication_code") not in page.content.decode()

    # Asking for a code anyway sends none and confirms nothing.
    client.post(reverse("account_request_reauthentication_code"))
    assert mailoutbox == []
    export = reverse("casework:case_export", args=[case.public_id])
    assert client.get(export).url.startswith(reverse("account_reauthenticate"))


def test_a_download_right_after_login_asks_again(client, partner, organisation):
    from casework.models import Attachment

    case = CaseFactory(organisation=organisation)
    attachment = Attachment.objects.create(
        case=case,
        original_name="verslag.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        storage_name="bestaat-niet",
    )
    url = reverse("casework:case_attachment_download", args=[case.public_id, attachment.public_id])
    sign_in(client, partner)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
