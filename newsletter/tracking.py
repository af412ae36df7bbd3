"""Click and open tracking: signed redirects, a pixel, and a machine-vs-human guess.

Links are stored per sending (``Link``) and the redirect only goes to a stored URL,
so a forged link cannot turn the portal into an open redirect. The signature
covers the link id, so ids cannot be enumerated either.
"""

import datetime as dt
import html as html_lib
import re

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .models import Delivery, Link, Sending, TrackingEvent

LINK_SALT = "newsletter.link"
HREF = re.compile(r'href="(https?://[^"]+)"')
# Security scanners and prefetchers that fetch every link or image.
MACHINE_AGENTS = re.compile(
    r"bot|crawl|spider|scan|preview|barracuda|mimecast|proofpoint|safelinks|python|curl|wget|"
    r"go-http|java/|headless",
    re.I,
)
# Opens or clicks this soon after sending are prefetches, not people.
MACHINE_SECONDS = 10


def link_signature(link_id: int) -> str:
    return signing.Signer(salt=LINK_SALT).sign(str(link_id)).rsplit(":", 1)[1]


def link_from_signature(link_id: int, signature: str) -> Link | None:
    try:
        signing.Signer(salt=LINK_SALT).unsign(f"{link_id}:{signature}")
    except signing.BadSignature:
        return None
    return Link.objects.filter(pk=link_id).first()


def instrument(html: str, *, sending: Sending, base_url: str) -> str:
    """Rewrites every http(s) link through the click redirect and adds the open pixel."""

    def rewrite(match):
        url = html_lib.unescape(match.group(1))
        link, _created = Link.objects.get_or_create(sending=sending, url=url)
        path = reverse("newsletter:click", args=["DTOKEN", link.pk, link_signature(link.pk)])
        return f'href="{base_url}{path.replace("DTOKEN", "[[d]]")}"'

    html = HREF.sub(rewrite, html)
    pixel_path = reverse("newsletter:open", args=["DTOKEN"]).replace("DTOKEN", "[[d]]")
    pixel = f'<img src="{base_url}{pixel_path}" width="1" height="1" alt="" style="display:block;border:0">'
    return html.replace("</body>", pixel + "</body>", 1)


def is_machine(*, user_agent: str, delivery: Delivery) -> bool:
    """A guess. Apple Mail Privacy Protection fetches images through a proxy with a
    bare ``Mozilla/5.0`` agent; scanners announce themselves or act at once."""
    agent = (user_agent or "").strip()
    if not agent or agent == "Mozilla/5.0" or MACHINE_AGENTS.search(agent):
        return True
    sent = delivery.sent_at
    return bool(sent and timezone.now() - sent < dt.timedelta(seconds=MACHINE_SECONDS))


def _delivery(token: str) -> Delivery | None:
    try:
        return Delivery.objects.filter(token=token, sending__tracking=True).first()
    except (ValidationError, ValueError, TypeError):  # a mangled token
        return None


@transaction.atomic
def record_open(*, token: str, user_agent: str) -> None:
    delivery = _delivery(token)
    if delivery is None:
        return
    machine = is_machine(user_agent=user_agent, delivery=delivery)
    TrackingEvent.objects.create(delivery=delivery, kind=TrackingEvent.Kind.OPEN, machine=machine)
    updates: dict[str, object] = {}
    if delivery.opened_at is None:
        updates["opened_at"] = timezone.now()
    if not machine and not delivery.opened_by_human:
        updates["opened_by_human"] = True
    if updates:
        Delivery.objects.filter(pk=delivery.pk).update(**updates)


@transaction.atomic
def record_click(*, token: str, link: Link, user_agent: str) -> None:
    delivery = _delivery(token)
    if delivery is None or delivery.sending_id != link.sending_id:
        return
    machine = is_machine(user_agent=user_agent, delivery=delivery)
    seen = TrackingEvent.objects.filter(
        delivery=delivery, link=link, kind=TrackingEvent.Kind.CLICK, machine=False
    ).exists()
    TrackingEvent.objects.create(
        delivery=delivery, kind=TrackingEvent.Kind.CLICK, link=link, machine=machine
    )
    if machine:
        Link.objects.filter(pk=link.pk).update(machine_clicks=F("machine_clicks") + 1)
        return
    if not seen:
        Link.objects.filter(pk=link.pk).update(unique_clicks=F("unique_clicks") + 1)
    # A click means a person read it, whatever the pixel said.
    Delivery.objects.filter(pk=delivery.pk, clicked_at__isnull=True).update(
        clicked_at=timezone.now()
    )
    Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=timezone.now())
    Delivery.objects.filter(pk=delivery.pk).update(opened_by_human=True)


def tracking_events_purge(*, now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - dt.timedelta(
        days=settings.RETENTION_DAYS["newsletter_tracking"]
    )
    count, _details = TrackingEvent.objects.filter(at__lt=cutoff).delete()
    return count
