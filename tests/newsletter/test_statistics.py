import datetime as dt
import re

from django.core import mail
from django.utils import timezone

import pytest

from newsletter import services
from newsletter.models import ConsentEvent, Delivery, Link, Sending, TrackingEvent

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Thunderbird/128.0"


@pytest.fixture
def sent(issue, django_capture_on_commit_callbacks, time_machine):
    SubscriberFactory.create_batch(4)
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_schedule(issue=issue, when=timezone.now())
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=5))
    return Sending.objects.get()


def tracked_links(message) -> list[str]:
    return re.findall(
        r'href="(https://portal\.example/abonnement/k/[^"]+)"', message.alternatives[0][0]
    )


def local(url: str) -> str:
    return url.removeprefix("https://portal.example")


def test_links_go_through_signed_redirects_that_count_unique_human_clicks(client, sent):
    article_link = Link.objects.get(url="https://kennis.example/artikel")
    article = next(u for u in tracked_links(mail.outbox[0]) if f"/{article_link.pk}/" in u)

    response = client.get(local(article), HTTP_USER_AGENT=BROWSER)
    client.get(local(article), HTTP_USER_AGENT=BROWSER)
    client.get(local(article), HTTP_USER_AGENT="Mimecast Security Scanner")

    assert response.status_code == 302
    assert response["Location"] == "https://kennis.example/artikel"
    stored = Link.objects.get(url="https://kennis.example/artikel")
    assert (stored.unique_clicks, stored.machine_clicks) == (1, 1)
    stats = services.sending_stats(sending=sent)
    assert stats["unique_clickers"] == 1
    assert stats["delivered"] == 4
    assert stats["click_rate"] == 25.0


def test_a_forged_redirect_is_refused_so_it_is_no_open_redirect(client, sent):
    url = local(tracked_links(mail.outbox[0])[0])
    token, link_id, signature = url.strip("/").split("/")[-3:]
    forged = f"/abonnement/k/{token}/{int(link_id) + 1000}/{signature}/"
    assert client.get(forged).status_code == 404
    assert client.get(f"/abonnement/k/{token}/{link_id}/xyz/").status_code == 404


def test_opens_are_split_into_likely_human_and_machine(client, sent):
    pixels = [
        re.search(
            r'src="https://portal\.example(/abonnement/o/[^"]+)"', m.alternatives[0][0]
        ).group(1)
        for m in mail.outbox
    ]
    client.get(pixels[0], HTTP_USER_AGENT=BROWSER)
    client.get(pixels[1], HTTP_USER_AGENT="Mozilla/5.0")  # Apple Mail Privacy Protection
    client.get(pixels[1], HTTP_USER_AGENT="Mozilla/5.0")

    stats = services.sending_stats(sending=sent)
    assert stats["unique_opens"] == 2
    assert stats["opens_human"] == 1
    assert stats["opens_machine_only"] == 1
    assert stats["open_rate"] == 50.0


def test_bounces_and_unsubscribes_after_sending_are_counted(sent):
    first, second = (d.subscriber for d in Delivery.objects.order_by("pk")[:2])
    services.subscriber_unsubscribe(subscriber=first, channel=ConsentEvent.Channel.ONE_CLICK)
    services.subscriber_unsubscribe(subscriber=second, channel=ConsentEvent.Channel.BOUNCE)

    stats = services.sending_stats(sending=sent)
    assert (stats["recipients"], stats["delivered"], stats["bounces"], stats["unsubscribes"]) == (
        4,
        3,
        1,
        1,
    )


def test_events_are_purged_after_the_retention_period_keeping_aggregates(
    client, sent, settings, time_machine
):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "newsletter_tracking": 30}
    client.get(local(tracked_links(mail.outbox[0])[0]), HTTP_USER_AGENT=BROWSER)
    time_machine.move_to(timezone.now() + dt.timedelta(days=31))

    assert services.tracking_events_purge() == 1
    assert not TrackingEvent.objects.exists()
    assert services.sending_stats(sending=sent)["unique_clickers"] == 1


def test_with_tracking_off_links_are_direct_and_there_is_no_pixel(
    issue, settings, django_capture_on_commit_callbacks
):
    settings.NEWSLETTER_TRACKING = False
    SubscriberFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_schedule(issue=issue, when=timezone.now())
    html = mail.outbox[0].alternatives[0][0]
    assert "/abonnement/k/" not in html and "/abonnement/o/" not in html
    assert 'href="https://kennis.example/artikel"' in html


def test_the_issue_dashboard_shows_the_statistics_with_clicks_first(admin_client, client, sent):
    client.get(local(tracked_links(mail.outbox[0])[0]), HTTP_USER_AGENT=BROWSER)
    body = admin_client.get(f"/admin/nieuwsbrief/uitgave/{sent.issue_id}/").content.decode()
    assert body.index("Unieke klikken") < body.index("Openratio (unieke openingen / afgeleverd)")
    assert "Unieke klikken per link" in body


def test_a_mangled_tracking_token_still_redirects_and_counts_nothing(client, sent):
    url = local(tracked_links(mail.outbox[0])[0])
    token = url.strip("/").split("/")[-3]
    response = client.get(url.replace(token, "niet-een-token"), HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    assert client.get("/abonnement/o/niet-een-token/").status_code == 200
    assert not TrackingEvent.objects.exists()
