"""allauth's security-key pages (/accounts/2fa/webauthn/): the list, renaming and
removing a key answer with the site's layout, in Dutch, under the strict CSP.

The list once answered 500 for everyone: its template loads ``humanize``, which was
not installed. The browser test (tests/browser/test_passkeys.py) goes through the
same pages in Chromium."""

import time

from django.urls import reverse

import pytest
from allauth.mfa.models import Authenticator

from casework.models import AuditEntry

pytestmark = pytest.mark.django_db


def security_key(user, name="Sleutel op de werkplek"):
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": {}}
    )


def reauthenticated(client, user):
    """allauth asks for the password again before a key is changed; as if just given."""
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()


def test_the_security_key_list_answers_200_with_the_keys(client, partner):
    key = security_key(partner)
    client.force_login(partner)
    response = client.get(reverse("mfa_list_webauthn"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Sleutel op de werkplek" in page
    assert reverse("mfa_edit_webauthn", args=[key.pk]) in page
    assert reverse("mfa_remove_webauthn", args=[key.pk]) in page
    assert "Not used" not in page  # allauth's one untranslated phrase
    assert "script-src 'self' 'nonce-" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_list_answers_200_without_any_key_too(client, partner):
    client.force_login(partner)
    assert client.get(reverse("mfa_list_webauthn")).status_code == 200


def test_a_key_is_renamed_and_removed_from_the_list(client, partner):
    key = security_key(partner)
    client.force_login(partner)
    reauthenticated(client, partner)
    listing = reverse("mfa_list_webauthn")
    assert client.get(listing).status_code == 200

    edit = reverse("mfa_edit_webauthn", args=[key.pk])
    form = client.get(edit)
    assert form.status_code == 200
    assert "Naam van de sleutel" in form.content.decode()
    response = client.post(edit, {"name": "Sleutel thuis"})
    assert response.status_code == 302 and response["Location"] == listing
    key.refresh_from_db()
    assert key.data["name"] == "Sleutel thuis"
    assert "Sleutel thuis" in client.get(listing).content.decode()

    remove = reverse("mfa_remove_webauthn", args=[key.pk])
    confirm = client.get(remove)
    assert confirm.status_code == 200
    assert "Weet u zeker" in confirm.content.decode()
    response = client.post(remove)
    assert response.status_code == 302 and response["Location"] == listing
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    assert AuditEntry.objects.filter(
        action="mfa.removed", actor_pk=partner.pk, purpose="webauthn"
    ).exists()
    page = client.get(listing).content.decode()
    assert "Sleutel thuis" not in page
    assert "Er zijn geen beveiligingssleutels gekoppeld." in page


def test_someone_else_neither_sees_nor_changes_a_key(client, partner, other_partner):
    key = security_key(partner)
    client.force_login(other_partner)
    reauthenticated(client, other_partner)
    listing = client.get(reverse("mfa_list_webauthn"))
    assert listing.status_code == 200
    assert "Sleutel op de werkplek" not in listing.content.decode()
    assert client.get(reverse("mfa_edit_webauthn", args=[key.pk])).status_code == 404
    assert client.post(reverse("mfa_remove_webauthn", args=[key.pk])).status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()
