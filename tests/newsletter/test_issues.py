import datetime as dt
import re

from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

import pytest

from newsletter import services
from newsletter.models import NewsletterIssuePage, Sending
from portal.models import StandardPage

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("mode", ["newsletter", "newsletter-mobile"])
def test_editors_preview_the_issue_as_the_email(issue, mode, admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    html = issue.serve_preview(request, mode).content.decode()
    if mode == "newsletter-mobile":
        assert "<iframe" in html and "width:375px" in html
    assert "Winter bij het ZVH" in html
    assert "Beste lezer," in html


def test_editors_send_a_test_and_schedule_from_the_admin(admin_client, issue):
    url = f"/admin/nieuwsbrief/uitgave/{issue.pk}/"
    assert admin_client.get(url).status_code == 200

    admin_client.post(url, {"test-addresses": "redactie@zvh.example, tweede@zvh.example"})
    assert [m.to for m in mail.outbox] == [["redactie@zvh.example"], ["tweede@zvh.example"]]
    assert mail.outbox[0].subject == "[TEST] Winter bij het ZVH"

    later = timezone.localtime() + dt.timedelta(days=1)
    admin_client.post(url, {"schedule-when": later.strftime("%Y-%m-%dT%H:%M")})
    assert Sending.objects.get(issue=issue).state == Sending.State.SCHEDULED


def test_a_bad_test_address_gets_a_dutch_message(admin_client, issue):
    response = admin_client.post(
        f"/admin/nieuwsbrief/uitgave/{issue.pk}/", {"test-addresses": "geen-adres"}
    )
    assert "geen-adres is geen geldig e-mailadres." in response.content.decode()
    assert mail.outbox == []


def test_a_new_issue_starts_prefilled_with_pages_published_since_the_last_issue(
    admin_client, index, site
):
    sent = index.add_child(instance=NewsletterIssuePage(title="Vorige", slug="vorige"))
    sent.save_revision().publish()
    NewsletterIssuePage.objects.filter(pk=sent.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=1)
    )
    new = site.add_child(instance=StandardPage(title="Nieuwe werkwijze", slug="werkwijze"))
    new.save_revision().publish()

    response = admin_client.post(f"/admin/nieuwsbrief/nieuw/{index.pk}/")

    draft = NewsletterIssuePage.objects.exclude(pk=sent.pk).get()
    assert response.status_code == 302
    assert not draft.live
    featured = next(b for b in draft.body if b.block_type == "featured")
    assert [p.pk for p in featured.value["pages"]] == [new.pk]
    assert any(b.block_type == "events" for b in draft.body)


def test_a_newly_confirmed_subscriber_gets_a_welcome_with_the_latest_issue(issue):
    NewsletterIssuePage.objects.filter(pk=issue.pk).update(sent_at=timezone.now())
    reader = SubscriberFactory()

    assert services.subscriber_send_welcome(subscriber_id=reader.pk)

    message = mail.outbox[0]
    assert message.subject == "Welkom bij de nieuwsbrief van het ZVH"
    assert "Het nieuws van de winter." in message.body
    assert "Welkom!" in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://portal.example/")


def test_the_archive_and_feeds_list_only_sent_issues_without_personal_data(
    client, issue, index, django_capture_on_commit_callbacks
):
    draft = index.add_child(
        instance=NewsletterIssuePage(title="Nog niet verstuurd", slug="concept")
    )
    draft.save_revision().publish()
    reader = SubscriberFactory(name="Kim Lezer")
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_schedule(issue=issue, when=timezone.now())

    archive = client.get(index.url).content.decode()
    rss = client.get("/abonnement/archief/rss/").content.decode()
    atom = client.get("/abonnement/archief/atom/").content.decode()
    web = client.get(issue.url).content.decode()

    for body in (archive, rss, atom):
        assert "Nieuwsbrief winter" in body
        assert "Nog niet verstuurd" not in body
    for body in (archive, rss, atom, web):
        assert reader.email not in body and "Kim Lezer" not in body
        assert not re.search(r"afmelden/|voorkeuren/", body)
    assert "<rss" in rss and "<feed" in atom
