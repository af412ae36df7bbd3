from datetime import timedelta

from django.contrib.auth.models import Permission
from django.core import mail
from django.test import override_settings
from django.utils import timezone

import pytest

from portal.mail import outbox_message_get, outbox_message_list
from tests.mfa import with_mfa

pytestmark = pytest.mark.django_db

CONFIRMATION_LINK = "http://127.0.0.1:8000/accounts/confirm-email/MQ:1tXyzA:aB3dEf9GhIj/"


@pytest.fixture
def outbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "portal.mail.OutboxBackend"
    settings.MAIL_OUTBOX_DIR = tmp_path / "mail"
    return settings.MAIL_OUTBOX_DIR


def send_confirmation(to="sanne@voorbeeld.example", subject="Bevestig je e-mailadres"):
    message = mail.EmailMultiAlternatives(
        subject=subject,
        body=f"Hallo,\n\nBevestig je adres: {CONFIRMATION_LINK}\n",
        to=[to],
        cc=["team@zvh-bzo.example"],
    )
    message.attach_alternative(
        f'<html><head><title>x</title></head><body><p>Hallo</p><a href="{CONFIRMATION_LINK}">Bevestigen</a>'
        '<script>alert("xss")</script></body></html>',
        "text/html",
    )
    message.send()


@pytest.fixture
def staff(django_user_model):
    user = django_user_model.objects.create_user(
        username="beheer", email="beheer@zvh-bzo.example", is_staff=True, is_superuser=True
    )
    return with_mfa(user)


@pytest.fixture
def editor(django_user_model):
    """Has access to the Wagtail admin (with the second factor it requires), but no staff status."""
    user = django_user_model.objects.create_user(username="redactie", email="r@zvh-bzo.example")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return with_mfa(user)


def test_every_sent_message_is_written_to_the_outbox_as_an_eml_file(outbox):
    send_confirmation()
    send_confirmation(to="piet@voorbeeld.example", subject="Tweede")

    files = sorted(outbox.glob("*.eml"))
    assert len(files) == 2
    assert b"Subject: Bevestig je e-mailadres" in files[0].read_bytes()


def test_the_outbox_lists_messages_newest_first_with_time_recipient_and_subject(outbox):
    send_confirmation(subject="Eerste")
    send_confirmation(to="piet@voorbeeld.example", subject="Tweede")

    messages, total = outbox_message_list()

    assert total == 2
    assert [(m.to, m.subject) for m in messages] == [
        ("piet@voorbeeld.example", "Tweede"),
        ("sanne@voorbeeld.example", "Eerste"),
    ]
    assert messages[0].sent_at >= messages[1].sent_at
    # A real moment in time, shown in the portal's time zone.
    assert abs(timezone.now() - messages[0].sent_at) < timedelta(minutes=5)


def test_the_outbox_list_is_limited_but_counts_everything(outbox):
    for number in range(3):
        send_confirmation(subject=f"Bericht {number}")

    messages, total = outbox_message_list(limit=2)

    assert [m.subject for m in messages] == ["Bericht 2", "Bericht 1"]
    assert total == 3


def test_one_message_has_its_headers_text_and_html_parts(outbox):
    send_confirmation()
    (summary,), _ = outbox_message_list()

    message = outbox_message_get(message_id=summary.id)

    assert message.sender == "ZVH Brabant Zuidoost <noreply@zvh-bzo.example>"
    assert message.cc == "team@zvh-bzo.example"
    assert CONFIRMATION_LINK in message.text
    assert '<a href="' + CONFIRMATION_LINK in message.html


@pytest.mark.parametrize("message_id", ["../../settings", "20260101-000000-000000-zzzzzzzz", ""])
def test_unknown_or_malformed_message_ids_find_nothing(outbox, message_id):
    send_confirmation()

    assert outbox_message_get(message_id=message_id) is None


def test_anonymous_visitors_are_sent_to_the_login_page(client, outbox):
    send_confirmation()

    response = client.get("/admin/demo-outbox/")

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_editors_without_staff_status_are_refused(client, outbox, editor):
    send_confirmation()
    client.force_login(editor)
    (summary,), _ = outbox_message_list()

    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    for url in ("/admin/demo-outbox/", f"/admin/demo-outbox/{summary.id}/"):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, "/admin/")
    assert "/admin/demo-outbox/" not in client.get("/admin/").content.decode()


def test_staff_see_the_outbox_in_the_admin_menu_and_the_list(client, outbox, staff):
    send_confirmation()
    client.force_login(staff)

    assert "/admin/demo-outbox/" in client.get("/admin/").content.decode()
    response = client.get("/admin/demo-outbox/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Verzonden e-mail (demo)" in html
    assert "sanne@voorbeeld.example" in html
    assert "Bevestig je e-mailadres" in html


def test_a_message_shows_clickable_links_and_its_html_in_a_sandbox_without_scripts(
    client, outbox, staff
):
    send_confirmation()
    client.force_login(staff)
    (summary,), _ = outbox_message_list()

    response = client.get(f"/admin/demo-outbox/{summary.id}/")

    assert response.status_code == 200
    html = response.content.decode()
    # The plain text part, with its link made clickable.
    assert f'<a href="{CONFIRMATION_LINK}"' in html
    # The HTML part lives only in the iframe's escaped srcdoc, sandboxed without scripts,
    # its links opening in a new tab.
    assert '<script>alert("xss")</script>' not in html
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;" in html
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in html
    assert "allow-scripts" not in html.split("<iframe", 1)[1].split(">", 1)[0]
    assert "&lt;head&gt;&lt;base target=&quot;_blank&quot;&gt;" in html


def test_an_unknown_message_is_a_404(client, outbox, staff):
    client.force_login(staff)

    assert client.get("/admin/demo-outbox/20260101-000000-000000-abcdef12/").status_code == 404


def test_outside_the_demo_there_is_no_outbox_even_for_staff(client, outbox, staff):
    client.force_login(staff)

    with override_settings(DEMO=False):
        assert client.get("/admin/demo-outbox/").status_code == 404
        assert "/admin/demo-outbox/" not in client.get("/admin/").content.decode()
