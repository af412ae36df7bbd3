import base64
import datetime as dt
import json

from django.core import mail
from django.utils import timezone

import pytest

from newsletter import services
from newsletter.models import ConsentEvent, Delivery, Sending, Subscriber, SubscriberStatus
from newsletter.services import sending as sending_service

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def start(issue, capture) -> Sending:
    with capture(execute=True):
        sending = services.issue_schedule(issue=issue, when=timezone.now())
    return Sending.objects.get(pk=sending.pk)


def test_every_active_subscriber_gets_the_issue_exactly_once_with_list_headers(
    issue, django_capture_on_commit_callbacks
):
    readers = SubscriberFactory.create_batch(3)
    SubscriberFactory(status=SubscriberStatus.UNSUBSCRIBED)
    SubscriberFactory(status=SubscriberStatus.PENDING)

    sending = start(issue, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in readers)
    assert sending.state == Sending.State.DONE
    message = mail.outbox[0]
    delivery = Delivery.objects.get(subscriber__email=message.to[0])
    unsubscribe = services.unsubscribe_url(subscriber=delivery.subscriber)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert unsubscribe.startswith("https://portal.example/abonnement/afmelden/")
    assert delivery.subscriber.email not in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Id"] == "ZVH Nieuwsbrief <nieuwsbrief.zvh-bzo.example>"
    assert message.extra_headers["Message-ID"] == delivery.message_id
    html = message.alternatives[0][0]
    assert unsubscribe in html and unsubscribe in message.body
    assert f"Beste {delivery.subscriber.name}," in html
    assert "[[" not in html and "[[" not in message.body


def test_starting_a_sending_twice_sends_nobody_a_second_message(
    issue, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(2)
    sending = start(issue, django_capture_on_commit_callbacks)
    Sending.objects.filter(pk=sending.pk).update(state=Sending.State.SENDING)

    assert services.sending_send_batch(sending_id=sending.pk) == "done"
    Sending.objects.filter(pk=sending.pk).update(state=Sending.State.SCHEDULED)
    services.sending_start(sending_id=sending.pk)

    assert len(mail.outbox) == 2
    assert Delivery.objects.filter(sending=sending).count() == 2


def test_an_issue_scheduled_for_later_starts_when_it_is_due(
    issue, time_machine, django_capture_on_commit_callbacks
):
    SubscriberFactory()
    when = timezone.now() + dt.timedelta(hours=2)
    sending = services.issue_schedule(issue=issue, when=when)

    assert services.sendings_start_due() == 0
    time_machine.move_to(when + dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sendings_start_due() == 1
    sending.refresh_from_db()
    assert sending.state == Sending.State.DONE
    assert len(mail.outbox) == 1


def test_a_paused_sending_stops_and_resumes_where_it_was(issue, settings):
    settings.NEWSLETTER_BATCH_SIZE = 2
    SubscriberFactory.create_batch(5)
    sending = services.issue_schedule(issue=issue, when=timezone.now() + dt.timedelta(hours=1))
    Sending.objects.filter(pk=sending.pk).update(scheduled_for=timezone.now())
    services.sending_start(sending_id=sending.pk)  # not committed: the batch task waits

    assert services.sending_send_batch(sending_id=sending.pk) == "more"
    services.sending_pause(sending=sending)
    assert services.sending_send_batch(sending_id=sending.pk) == "paused"
    assert len(mail.outbox) == 2

    services.sending_resume(sending=sending)
    while services.sending_send_batch(sending_id=sending.pk) == "more":
        pass
    assert len(mail.outbox) == 5
    assert services.sending_progress(sending=sending)["percent"] == 100


def test_the_hourly_limit_defers_the_next_batch(issue, settings):
    settings.NEWSLETTER_RATE_PER_HOUR = 2
    SubscriberFactory.create_batch(3)
    sending = services.issue_schedule(issue=issue, when=timezone.now() + dt.timedelta(hours=1))
    Sending.objects.filter(pk=sending.pk).update(scheduled_for=timezone.now())
    services.sending_start(sending_id=sending.pk)

    assert services.sending_send_batch(sending_id=sending.pk) == "done" or len(mail.outbox) == 2
    assert len(mail.outbox) == 2
    assert services.sending_send_batch(sending_id=sending.pk) == "wait:60"


def test_the_rate_per_second_spaces_the_messages(issue, settings, monkeypatch):
    settings.NEWSLETTER_RATE_PER_SECOND = 4
    sleeps = []
    monkeypatch.setattr(sending_service.time, "sleep", sleeps.append)
    SubscriberFactory.create_batch(3)
    sending = services.issue_schedule(issue=issue, when=timezone.now() + dt.timedelta(hours=1))
    Sending.objects.filter(pk=sending.pk).update(scheduled_for=timezone.now())
    services.sending_start(sending_id=sending.pk)
    services.sending_send_batch(sending_id=sending.pk)

    assert len(sleeps) == 3
    assert all(0.2 < pause <= 0.25 for pause in sleeps)


@pytest.mark.parametrize(("policy", "state"), [("retry", "pending"), ("fail", "failed")])
def test_a_delivery_left_sending_by_a_dead_worker_follows_the_stale_policy(
    issue, settings, policy, state
):
    settings.NEWSLETTER_STALE_SENDING_POLICY = policy
    SubscriberFactory()
    sending = services.issue_schedule(issue=issue, when=timezone.now() + dt.timedelta(hours=1))
    Sending.objects.filter(pk=sending.pk).update(
        scheduled_for=timezone.now(), state=Sending.State.SCHEDULED
    )
    services.sending_start(sending_id=sending.pk)
    Delivery.objects.update(
        state=Delivery.State.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=10)
    )

    assert services.sendings_recover_stale() == 1
    assert Delivery.objects.get().state in {state, "sent"}
    expected = 1 if policy == "retry" else 0
    assert len(mail.outbox) == expected


def test_unsubscribing_skips_what_is_still_queued(issue):
    reader = SubscriberFactory()
    sending = services.issue_schedule(issue=issue, when=timezone.now() + dt.timedelta(hours=1))
    Sending.objects.filter(pk=sending.pk).update(scheduled_for=timezone.now())
    services.sending_start(sending_id=sending.pk)
    services.subscriber_unsubscribe(subscriber=reader, channel=ConsentEvent.Channel.LINK)

    services.sending_send_batch(sending_id=sending.pk)
    assert mail.outbox == []
    assert Delivery.objects.get().state == Delivery.State.SKIPPED


def postmark_webhook(client, settings, payload):
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "haak:geheim"}
    auth = base64.b64encode(b"haak:geheim").decode()
    return client.post(
        "/abonnement/anymail/postmark/tracking/",
        json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def bounce(email, kind):
    return {
        "RecordType": "Bounce",
        "Type": kind,
        "Email": email,
        "MessageID": "00000000-0000-0000-0000-000000000000",
        "BouncedAt": "2026-11-28T10:00:00Z",
        "Description": "",
        "Details": "",
    }


def test_a_hard_bounce_stops_mail_to_the_address_at_once(client, settings):
    reader = SubscriberFactory()
    response = postmark_webhook(client, settings, bounce(reader.email, "HardBounce"))
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.BOUNCED
    assert reader.consent.get().channel == ConsentEvent.Channel.BOUNCE


def test_soft_bounces_stop_mail_only_after_the_threshold(client, settings):
    settings.NEWSLETTER_SOFT_BOUNCE_LIMIT = 2
    reader = SubscriberFactory()
    postmark_webhook(client, settings, bounce(reader.email, "SoftBounce"))
    assert Subscriber.objects.get(pk=reader.pk).status == SubscriberStatus.ACTIVE
    postmark_webhook(client, settings, bounce(reader.email, "SoftBounce"))
    assert Subscriber.objects.get(pk=reader.pk).status == SubscriberStatus.BOUNCED


def test_a_spam_complaint_stops_mail_at_once(client, settings):
    reader = SubscriberFactory()
    payload = {**bounce(reader.email, "SpamComplaint"), "RecordType": "SpamComplaint"}
    postmark_webhook(client, settings, payload)
    reader.refresh_from_db()
    assert reader.status == SubscriberStatus.COMPLAINED
    assert reader.consent.get().channel == ConsentEvent.Channel.COMPLAINT


def test_a_webhook_without_the_secret_is_refused(client, settings):
    reader = SubscriberFactory()
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": "haak:geheim"}
    response = client.post(
        "/abonnement/anymail/postmark/tracking/",
        json.dumps(bounce(reader.email, "HardBounce")),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Subscriber.objects.get(pk=reader.pk).status == SubscriberStatus.ACTIVE


@pytest.mark.parametrize(
    ("provider", "secret", "path"),
    [
        # Mail over SMTP: no provider webhook exists at all.
        ("smtp", "haak:geheim", "/abonnement/anymail/postmark/tracking/"),
        # A provider without a secret: Anymail would accept anyone's POST.
        ("postmark", "", "/abonnement/anymail/postmark/tracking/"),
        # Another provider's webhook than the configured one.
        ("postmark", "haak:geheim", "/abonnement/anymail/mailgun/tracking/"),
    ],
)
def test_a_forged_bounce_finds_no_webhook(client, settings, provider, secret, path):
    reader = SubscriberFactory()
    settings.EMAIL_PROVIDER = provider
    settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": secret}
    response = client.post(
        path, json.dumps(bounce(reader.email, "HardBounce")), content_type="application/json"
    )
    assert response.status_code == 404
    assert Subscriber.objects.get(pk=reader.pk).status == SubscriberStatus.ACTIVE


def test_recovery_leaves_a_sending_whose_batches_are_alive_alone(issue, monkeypatch):
    SubscriberFactory()
    sending = services.issue_schedule(issue=issue, when=timezone.now() + dt.timedelta(hours=1))
    Sending.objects.filter(pk=sending.pk).update(scheduled_for=timezone.now())
    services.sending_start(sending_id=sending.pk)
    Sending.objects.filter(pk=sending.pk).update(active_at=timezone.now())
    started = []
    monkeypatch.setattr("newsletter.tasks.send_batch.delay", started.append)

    services.sendings_recover_stale()
    assert started == []

    Sending.objects.filter(pk=sending.pk).update(active_at=timezone.now() - dt.timedelta(hours=1))
    services.sendings_recover_stale()
    assert started == [sending.pk]
