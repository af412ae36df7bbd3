"""The account screens and mails (allauth, Django's password rules) say "u" and "inloggen".

allauth's own Dutch says "je" and "aanmelden"; the portal's catalogue overrides it
(portal/wording.py lists the msgids). These tests render what a person meets on the
way in and out, and in the account pages, and read the words.
"""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation

import pytest
from allauth.account.models import EmailAddress

from tests.mfa import totp_code, with_mfa

pytestmark = pytest.mark.django_db

PASSWORD = "lang-genoeg-wachtwoord-42"
INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.IGNORECASE)
# "Aanmelden" is a case's word; allauth uses it for signing in and out.
SIGN_IN_AS_AANMELDEN = re.compile(r"aanmeld|afmeld|afgemeld", re.IGNORECASE)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def make_user(email: str):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def main_text(html: str) -> str:
    """What the page says in <main>, without tags (the header and footer are the site's)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def assert_formal(text: str, where: str) -> None:
    assert not INFORMAL.search(text), f"{where}: {INFORMAL.search(text).group()!r} in {text!r}"
    assert not SIGN_IN_AS_AANMELDEN.search(text), f"{where}: {text!r}"


def test_the_pages_on_the_way_in_say_u_and_inloggen(client, home):
    for url in [
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/1-ongeldig/",
        "/accounts/confirm-email/",
        "/accounts/signup/",
    ]:
        response = client.get(url, follow=True)

        assert response.status_code == 200, url
        assert_formal(main_text(response.content.decode()), url)
    login = client.get("/accounts/login/").content.decode()
    assert "<h1>Inloggen</h1>" in login
    assert ">Inloggen</button>" in login


def test_a_wrong_password_is_refused_in_the_u_form(client, home):
    make_user("iemand@zvh-bzo.example")

    response = client.post(
        "/accounts/login/", {"login": "iemand@zvh-bzo.example", "password": "niet-goed"}
    )

    text = main_text(response.content.decode())
    assert "Het e-mailadres en/of wachtwoord dat u hebt opgegeven, is niet juist." in text
    assert_formal(text, "refused login")


def test_the_second_step_and_the_account_pages_say_u(client, home):
    user = with_mfa(make_user("tweede@zvh-bzo.example"))
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/accounts/2fa/authenticate/"
    second_step = main_text(response.content.decode())
    assert "Uw account is beveiligd met twee-factor-authenticatie." in second_step
    assert_formal(second_step, "second step")

    client.post("/accounts/2fa/authenticate/", {"code": totp_code(user)})
    for url in [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
    ]:
        response = client.get(url, follow=True)

        assert response.status_code == 200, url
        assert_formal(main_text(response.content.decode()), url)
    logout = client.get("/accounts/logout/").content.decode()
    assert "Weet u zeker dat u wilt uitloggen?" in logout
    assert ">Uitloggen</button>" in logout


def test_a_short_password_is_refused_in_dutch(client, home):
    user = make_user("kort@zvh-bzo.example")
    client.force_login(user)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "kort", "password2": "kort"},
    )

    text = main_text(response.content.decode())
    assert "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten." in text
    assert "too short" not in text
    assert_formal(text, "password change")


@pytest.mark.parametrize(
    "password, message",
    [
        ("annedevries1", "Het wachtwoord lijkt te veel op uw gebruikersnaam."),
        ("kort", "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten."),
        ("password1234", "Dit wachtwoord is te algemeen."),
        ("314159265358", "Dit wachtwoord bevat alleen cijfers."),
    ],
)
def test_every_password_rule_speaks_dutch_in_the_u_form(password, message):
    # As in the portal, the user name is the e-mail address.
    address = "annedevries@zvh-bzo.example"
    user = get_user_model()(username=address, email=address)

    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)

    assert refused.value.messages[0] == message
    assert_formal(message, password)


def test_the_account_mails_say_u_and_carry_no_subject_prefix(client, home, mailoutbox):
    make_user("bekend@zvh-bzo.example")

    client.post("/accounts/password/reset/", {"email": "bekend@zvh-bzo.example"})
    client.post("/accounts/password/reset/", {"email": "onbekend@zvh-bzo.example"})

    assert [mail.subject for mail in mailoutbox] == ["Nieuw wachtwoord", "Onbekend account"]
    assert mailoutbox[0].body.startswith("Hallo,") or "U ontvangt deze e-mail" in mailoutbox[0].body
    for mail in mailoutbox:
        assert_formal(mail.subject + "\n" + mail.body, mail.subject)
