"""The sending loop: chunks claimed in one statement, one row in flight per chain."""

import datetime as dt
import email
from email import policy

from django.core.mail import get_connection
from django.utils import timezone

import pytest

from newsletter import services
from newsletter.models import ConsentEvent, Delivery, Sending
from newsletter.services import sending as sending_service

from .factories import SubscriberFactory
from .smtp_sink import Sink, SinkHandler

pytestmark = pytest.mark.django_db


def started(issue) -> Sending:
    """A sending with its deliveries created, its batch tasks not yet run."""
    sending = services.issue_schedule(issue=issue, when=timezone.now() + dt.timedelta(hours=1))
    Sending.objects.filter(pk=sending.pk).update(scheduled_for=timezone.now())
    services.sending_start(sending_id=sending.pk)  # not committed: the batch task waits
    return Sending.objects.get(pk=sending.pk)


def test_over_a_real_smtp_session_every_reader_gets_one_personal_message(issue, settings):
    readers = SubscriberFactory.create_batch(5)
    handler = SinkHandler()
    with Sink(handler) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        sending = started(issue)
        assert services.sending_send_batch(sending_id=sending.pk) == "done"

    assert sorted(rcpt for rcpt, _id in handler.received) == sorted(r.email for r in readers)
    assert len({message_id for _rcpt, message_id in handler.received}) == 5
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_parallel_chains_claim_disjoint_chunks(issue):
    SubscriberFactory.create_batch(6)
    sending = started(issue)
    now = timezone.now()

    first = sending_service._claim_chunk(sending.pk, 4, now)
    second = sending_service._claim_chunk(sending.pk, 4, now)

    assert len(first) == 4 and len(second) == 2
    assert not {c.pk for c in first} & {c.pk for c in second}
    assert sending_service._claim_chunk(sending.pk, 4, now) == []


def test_someone_who_unsubscribes_after_the_claim_is_not_sent_the_issue(issue, mailoutbox):
    reader, other = SubscriberFactory.create_batch(2)
    sending = started(issue)
    chunk = sending_service._claim_chunk(sending.pk, 10, timezone.now())
    services.subscriber_unsubscribe(subscriber=reader, channel=ConsentEvent.Channel.LINK)

    sending_service._send_chunk(
        get_connection(), sending, services.issue_skeleton(subject="x"), chunk, 0
    )

    assert [m.to for m in mailoutbox] == [[other.email]]
    assert Delivery.objects.get(subscriber=reader).state == Delivery.State.SKIPPED


@pytest.mark.parametrize("policy_name", ["retry", "fail"])
def test_after_a_crash_claimed_rows_go_back_and_only_the_one_in_flight_is_in_doubt(
    issue, settings, policy_name
):
    settings.NEWSLETTER_STALE_SENDING_POLICY = policy_name
    SubscriberFactory.create_batch(4)
    sending = started(issue)
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    chunk = sending_service._claim_chunk(sending.pk, 10, long_ago)
    # The chain sent the first, had the second in flight, then died.
    sending_service._mark(sent=None, next_=chunk[0].pk, claimed_at=long_ago, now=long_ago)
    sending_service._mark(sent=chunk[0].pk, next_=chunk[1].pk, claimed_at=long_ago, now=long_ago)

    assert services.sendings_recover_stale() == 1

    states = dict(Delivery.objects.values_list("pk", "state"))
    assert states[chunk[0].pk] == Delivery.State.SENT
    in_doubt = Delivery.State.PENDING if policy_name == "retry" else Delivery.State.FAILED
    assert states[chunk[1].pk] in {in_doubt, Delivery.State.SENT}  # retry: sent again at once
    assert all(states[c.pk] in {Delivery.State.PENDING, Delivery.State.SENT} for c in chunk[2:])


def test_the_hourly_limit_counts_what_other_chains_have_claimed(issue, settings):
    settings.NEWSLETTER_RATE_PER_HOUR = 3
    SubscriberFactory.create_batch(5)
    sending = started(issue)
    sending_service._claim_chunk(sending.pk, 2, timezone.now())  # another chain's chunk

    chunk, limited = sending_service._claim_within_limits(sending.pk, 10)
    assert (len(chunk), limited) == (1, False)
    assert sending_service._claim_within_limits(sending.pk, 10) == ([], True)


def test_the_sink_receives_what_the_outbox_would_show(issue, settings, mailoutbox):
    """The skeleton-built bytes carry the personalised greeting and unsubscribe link."""
    reader = SubscriberFactory(name="Anna de Vries")
    handler = SinkHandler()
    raw = []
    handler_data = handler.handle_DATA

    async def keep(server, session, envelope):
        raw.append(envelope.content)
        return await handler_data(server, session, envelope)

    handler.handle_DATA = keep
    with Sink(handler) as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
        sending = started(issue)
        services.sending_send_batch(sending_id=sending.pk)

    message = email.message_from_bytes(raw[0], policy=policy.default)
    html = message.get_body(("html",)).get_content()
    text = message.get_body(("plain",)).get_content()
    unsubscribe = services.unsubscribe_url(subscriber=reader)
    assert "Beste Anna de Vries," in html and "Beste Anna de Vries," in text
    assert unsubscribe in html and unsubscribe in text
    assert message["List-Unsubscribe"] == f"<{unsubscribe}>"
