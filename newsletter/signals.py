"""Bounces and complaints reported by the mail provider through Anymail's webhooks.

Anymail checks the webhook's shared secret (ANYMAIL["WEBHOOK_SECRET"], HTTP basic
auth) or the provider's signature before this receiver runs.
"""

from django.dispatch import receiver

from anymail.signals import tracking

from portal.mail import normalise_email

from . import services
from .models import ConsentEvent, Subscriber

# Providers report some temporary failures as "bounced"; these fields say so.
SOFT_BOUNCE_TYPES = {"SoftBounce", "Transient", "DnsError", "AutoResponder"}  # Postmark


def is_soft_bounce(event) -> bool:
    if event.event_type == "deferred":
        return True
    esp = event.esp_event if isinstance(event.esp_event, dict) else {}
    return esp.get("Type") in SOFT_BOUNCE_TYPES or esp.get("severity") == "temporary"  # Mailgun


@receiver(tracking, dispatch_uid="newsletter-tracking")
def handle_tracking_event(sender, event, esp_name, **kwargs) -> None:
    if not event.recipient:
        return
    subscriber = Subscriber.objects.filter(email=normalise_email(event.recipient)).first()
    if subscriber is None:
        return
    if event.event_type in {"bounced", "deferred"} and is_soft_bounce(event):
        services.subscriber_record_soft_bounce(subscriber=subscriber)
        return
    match event.event_type:
        case "bounced":
            services.subscriber_unsubscribe(
                subscriber=subscriber,
                channel=ConsentEvent.Channel.BOUNCE,
                provider=esp_name,
                reason="hard bounce",
            )
        case "rejected" if event.reject_reason in {"bounced", "invalid"}:
            services.subscriber_unsubscribe(
                subscriber=subscriber,
                channel=ConsentEvent.Channel.BOUNCE,
                provider=esp_name,
                reason=event.reject_reason,
            )
        case "complained" | "rejected" if event.event_type == "complained" or (
            event.reject_reason == "spam"
        ):
            services.subscriber_unsubscribe(
                subscriber=subscriber, channel=ConsentEvent.Channel.COMPLAINT, provider=esp_name
            )
        case "unsubscribed":
            services.subscriber_unsubscribe(
                subscriber=subscriber, channel=ConsentEvent.Channel.LINK, provider=esp_name
            )
        case "delivered":
            if subscriber.soft_bounces:
                Subscriber.objects.filter(pk=subscriber.pk).update(soft_bounces=0)
