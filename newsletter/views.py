"""Public views: sign-up, confirmation, preference centre, unsubscribe, archive feeds."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from django_ratelimit.core import is_ratelimited

from portal.middleware import no_store
from portal.net import client_ip

from . import services, tracking
from .forms import DeleteForm, PreferencesForm, SubscribeForm
from .models import CONSENT_TEXT_VERSION, ConsentEvent, NewsletterIssuePage, sent_issues


def _rate_limited(request, group: str, rate: str) -> bool:
    """Counts this POST against the client's budget (django-ratelimit, per IP)."""
    return request.method == "POST" and is_ratelimited(
        request, group=f"newsletter.{group}", key="ip", rate=rate, method="POST", increment=True
    )


def _too_many(request, template: str, context: dict):
    """429 with the form as it was typed and a message saying when to try again."""
    context["form"].add_error(
        None, _("Too many attempts from your connection. Please wait a while and try again.")
    )
    return render(request, template, context, status=429)


@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SubscribeForm(request.POST or None, auto_id="nb_%s")
    if _rate_limited(request, "subscribe", settings.NEWSLETTER_SIGNUP_RATE):
        return _too_many(request, "newsletter/subscribe.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.subscriber_request(
            email=data["email"],
            name=data["name"],
            organisation=data["organisation"],
            themes=data["themes"],
            frequency=data["frequency"] or "issue",
            ip=client_ip(request),
            consent_text_version=CONSENT_TEXT_VERSION,
        )
        return redirect("newsletter:check_mail")
    status = 400 if request.method == "POST" else 200
    return render(request, "newsletter/subscribe.html", {"form": form}, status=status)


def check_mail(request):
    return render(request, "newsletter/check_mail.html")


@no_store
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button; only the POST confirms, so link scanners cannot."""
    subscriber = services.subscriber_from_confirmation_token(token=token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    if request.method == "POST":
        services.subscriber_confirm(subscriber=subscriber, ip=client_ip(request))
        messages.success(request, _("Thank you: your subscription is confirmed."))
        return redirect("newsletter:preferences", services.subscriber_token(subscriber=subscriber))
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


def _subscriber_or_404(token):
    subscriber = services.subscriber_from_token(token=token)
    if subscriber is None:
        raise Http404
    return subscriber


@no_store
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    subscriber = services.subscriber_from_token(token=token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    initial = {
        "name": subscriber.name,
        "organisation": subscriber.organisation,
        "themes": subscriber.themes.all(),
        "frequency": subscriber.frequency,
    }
    form = PreferencesForm(request.POST or None, initial=initial, auto_id="vk_%s")
    context = {"form": form, "subscriber": subscriber, "token": token}
    if _rate_limited(request, "preferences", settings.NEWSLETTER_PREFERENCES_RATE):
        return _too_many(request, "newsletter/preferences.html", context)
    if request.method == "POST":
        if form.is_valid():
            services.subscriber_update_preferences(subscriber=subscriber, **form.cleaned_data)
            messages.success(request, _("Your preferences have been saved."))
            return redirect("newsletter:preferences", token)
        return render(
            request,
            "newsletter/preferences.html",
            {"form": form, "subscriber": subscriber, "token": token},
            status=400,
        )
    return render(
        request,
        "newsletter/preferences.html",
        {"form": form, "subscriber": subscriber, "token": token},
    )


@no_store
@csrf_exempt  # RFC 8058: mail providers POST here without a session or CSRF token.
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET only shows a page with a button; POST unsubscribes at once."""
    subscriber = services.subscriber_from_token(token=token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        channel = ConsentEvent.Channel.ONE_CLICK if one_click else ConsentEvent.Channel.LINK
        services.subscriber_unsubscribe(subscriber=subscriber, channel=channel)
        if one_click:
            return HttpResponse(status=200)
        return render(request, "newsletter/unsubscribed.html", {"token": token})
    return render(
        request, "newsletter/unsubscribe.html", {"subscriber": subscriber, "token": token}
    )


@no_store
@require_http_methods(["GET"])
def export(request, token):
    subscriber = _subscriber_or_404(token)
    data = services.subscriber_export(subscriber=subscriber)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="nieuwsbrief-gegevens.json"'
    return response


@no_store
@require_http_methods(["GET", "POST"])
def delete(request, token):
    subscriber = services.subscriber_from_token(token=token)
    if subscriber is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    if _rate_limited(request, "preferences", settings.NEWSLETTER_PREFERENCES_RATE):
        form = DeleteForm(data={})
        return _too_many(
            request,
            "newsletter/delete.html",
            {"subscriber": subscriber, "token": token, "form": form},
        )
    if request.method == "POST":
        services.subscriber_delete(subscriber=subscriber)
        return render(request, "newsletter/deleted.html")
    return render(request, "newsletter/delete.html", {"subscriber": subscriber, "token": token})


# The smallest transparent GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
    b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@no_store
@require_http_methods(["GET", "HEAD"])
def click(request, token, link_id, signature):
    """Signed redirect to a URL stored for the sending: never an open redirect."""
    link = tracking.link_from_signature(link_id, signature)
    if link is None:
        return render(request, "newsletter/link_invalid.html", status=404)
    if request.method == "GET":
        tracking.record_click(
            token=token, link=link, user_agent=request.headers.get("User-Agent", "")
        )
    return HttpResponseRedirect(link.url)


@no_store
@require_http_methods(["GET"])
def open_pixel(request, token):
    tracking.record_open(token=token, user_agent=request.headers.get("User-Agent", ""))
    return HttpResponse(PIXEL, content_type="image/gif")


class IssuesFeed(Feed):
    title = "Nieuwsbrief Zorg- en Veiligheidshuis Brabant Zuidoost"
    description = "De verzonden nieuwsbrieven van het ZVH Brabant Zuidoost."

    def link(self):
        index = sent_issues().first()
        return index.get_parent().url if index else "/"

    def items(self):
        return sent_issues()[:20]

    def item_title(self, item: NewsletterIssuePage):
        return item.title

    def item_description(self, item: NewsletterIssuePage):
        return item.preheader or item.email_subject

    def item_link(self, item: NewsletterIssuePage):
        return item.url

    def item_pubdate(self, item: NewsletterIssuePage):
        return item.sent_at


class IssuesAtomFeed(IssuesFeed):
    feed_type = Atom1Feed
    subtitle = IssuesFeed.description


# The tracking webhook view of each Anymail provider EMAIL_PROVIDER may name.
_ANYMAIL_TRACKING = {
    "amazon_ses": "anymail.webhooks.amazon_ses.AmazonSESTrackingWebhookView",
    "brevo": "anymail.webhooks.brevo.BrevoTrackingWebhookView",
    "mailgun": "anymail.webhooks.mailgun.MailgunTrackingWebhookView",
    "mailjet": "anymail.webhooks.mailjet.MailjetTrackingWebhookView",
    "postmark": "anymail.webhooks.postmark.PostmarkTrackingWebhookView",
    "sendgrid": "anymail.webhooks.sendgrid.SendGridTrackingWebhookView",
    "sparkpost": "anymail.webhooks.sparkpost.SparkPostTrackingWebhookView",
}


@csrf_exempt
def anymail_tracking(request, provider: str):
    """Bounces and complaints from the mail provider (newsletter.signals turns them
    into unsubscribes). Only the configured provider's webhook exists, and only with
    ANYMAIL_WEBHOOK_SECRET set: Anymail itself would accept an unauthenticated POST with
    a warning, so anyone could mark any reader as bounced. Anymail's view then checks
    the secret (HTTP basic auth) and the provider's payload."""
    from django.utils.module_loading import import_string

    if provider != settings.EMAIL_PROVIDER or provider not in _ANYMAIL_TRACKING:
        raise Http404
    if not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        raise Http404
    return import_string(_ANYMAIL_TRACKING[provider]).as_view()(request)
