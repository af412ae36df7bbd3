"""The newsletter: subscribers with a consent ledger, issues as pages, deliveries."""

import uuid

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.query import PageQuerySet

from portal.models import BasePage

from .blocks import IssueBlock

CONSENT_TEXT_VERSION = "2026-1"


class Frequency(models.TextChoices):
    EVERY_ISSUE = "issue", _("Every issue")
    QUARTERLY = "quarterly", _("Quarterly digest")


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    ACTIVE = "active", _("Subscribed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Stopped: address bounces")
    COMPLAINED = "complained", _("Stopped: marked as spam")


class Subscriber(models.Model):
    """One e-mail address. Only ``ACTIVE`` subscribers receive issues."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    themes = models.ManyToManyField(
        "knowledge.Theme", blank=True, verbose_name=_("themes"), related_name="+"
    )
    frequency = models.CharField(
        _("frequency"), max_length=20, choices=Frequency.choices, default=Frequency.EVERY_ISSUE
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.PENDING,
        db_index=True,
    )
    # A new value for every sign-up request, so an old confirmation link cannot
    # confirm a later request.
    confirmation_nonce = models.CharField(max_length=32, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    soft_bounces = models.PositiveSmallIntegerField(_("soft bounces in a row"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("email", read_only=True),
        FieldPanel("name"),
        FieldPanel("organisation"),
        FieldPanel("themes"),
        FieldPanel("frequency"),
        FieldPanel("status", read_only=True),
    ]

    class Meta:
        ordering = ["email"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")

    def __str__(self) -> str:
        return self.email

    @property
    def is_active(self) -> bool:
        return self.status == SubscriberStatus.ACTIVE


class ConsentEvent(models.Model):
    """Append-only ledger: the proof of consent and of every change to it.

    Rows are never updated; they disappear only with the subscriber (erasure
    on request, or the purge of unconfirmed requests).
    """

    class Kind(models.TextChoices):
        REQUEST = "request", _("Sign-up requested")
        CONFIRM = "confirm", _("Confirmed")
        PREFERENCES = "preferences", _("Preferences changed")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribed")
        IMPORT = "import", _("Imported with documented consent")

    class Channel(models.TextChoices):
        FORM = "form", _("Web form")
        ONE_CLICK = "one-click", _("One-click unsubscribe header")
        LINK = "link", _("Link in the e-mail")
        BOUNCE = "bounce", _("Bounce")
        COMPLAINT = "complaint", _("Spam complaint")
        STAFF = "staff", _("Staff")
        IMPORT = "import", _("Import")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="consent")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    consent_text_version = models.CharField(max_length=20, blank=True)
    # HMAC of the IP address with a secret key: proves "same origin" without storing the IP.
    ip_hash = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The consent ledger is append-only.")
        super().save(*args, **kwargs)

    def as_proof(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "kind": self.kind,
            "channel": self.channel,
            "consent_text_version": self.consent_text_version,
            "ip_hash": self.ip_hash,
            "details": self.details,
        }


class NewsletterIndexPage(BasePage):
    """The "Nieuwsbrief" section: sign-up form and the archive of sent issues."""

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["newsletter.NewsletterIssuePage"]
    max_count = 1

    class Meta:
        verbose_name = _("newsletter index page")

    # The site search finds the archive by the titles of the issues it lists
    # (``IndexedDoc.listing``): "nieuwsbrief najaar 2026" finds the archive too.
    search_lists = ("newsletter.newsletterissuepage",)

    def search_document(self) -> dict:
        return {"listing": " ".join(sent_issues(self).values_list("title", flat=True))}

    def get_context(self, request, *args, **kwargs):
        from .forms import SubscribeForm

        context = super().get_context(request, *args, **kwargs)
        context["issues"] = sent_issues(self)
        context["form"] = SubscribeForm(auto_id="nb_%s")
        return context


def sent_issues(index: Page | None = None) -> PageQuerySet:
    qs = NewsletterIssuePage.objects.live().public().filter(sent_at__isnull=False)
    if index is not None:
        qs = qs.child_of(index)
    return qs.order_by("-sent_at")


class NewsletterIssuePage(Page):
    """One issue. Its web version is the archive page; the e-mail is rendered from it."""

    subject = models.CharField(
        _("e-mail subject"), max_length=150, blank=True, help_text=_("Defaults to the title.")
    )
    preheader = models.CharField(
        _("preview text"),
        max_length=150,
        blank=True,
        help_text=_("Shown by mail programs after the subject."),
    )
    body = StreamField(IssueBlock(), blank=True, verbose_name=_("content"))
    # Set when sending starts; an issue without it is not in the public archive.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)

    content_panels = [
        *Page.content_panels,
        FieldPanel("subject"),
        FieldPanel("preheader"),
        FieldPanel("body"),
    ]
    parent_page_types = ["newsletter.NewsletterIndexPage"]
    subpage_types: list = []

    preview_modes = [
        ("", _("Web page")),
        ("newsletter", _("E-mail (desktop)")),
        ("newsletter-mobile", _("E-mail (mobile)")),
    ]

    class Meta:
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    @property
    def email_subject(self) -> str:
        return self.subject or self.title

    def get_context(self, request, *args, **kwargs):
        from .rendering import issue_sections

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = issue_sections(self)
        return context

    def serve_preview(self, request, mode_name):
        from django.http import HttpResponse

        from . import rendering

        if mode_name in {"newsletter", "newsletter-mobile"}:
            rendered = rendering.render_issue(self, preview=True)
            html = rendering.personalise_html(
                rendered.html, rendering.preview_personalisation(self)
            )
            if mode_name == "newsletter-mobile":
                html = rendering.wrap_mobile_preview(html)
            return HttpResponse(html)
        return super().serve_preview(request, mode_name)


class Sending(models.Model):
    """The sending of one issue: its schedule, state and the rendered e-mail."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", pgettext_lazy("newsletter sending", "Done")

    # Empty for a quarterly digest, which is composed of several sent issues.
    issue = models.OneToOneField(
        NewsletterIssuePage,
        on_delete=models.CASCADE,
        related_name="sending",
        null=True,
        blank=True,
    )
    # A quarterly digest: its quarter ("2027-Q1") and the issues it covers (sent in
    # (covers_from, covers_until]).
    digest_quarter = models.CharField(max_length=7, blank=True, db_index=True)
    covers_from = models.DateTimeField(null=True, blank=True)
    covers_until = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.SCHEDULED)
    scheduled_for = models.DateTimeField(_("scheduled for"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=150, blank=True)
    # Rendered once, personalised per recipient through placeholders.
    html = models.TextField(blank=True)
    text = models.TextField(blank=True)
    # Per theme key (see rendering.theme_key) the e-mail for readers with those
    # themes: {"t:3,7": {"html": ..., "text": ...}}; html/text above are for
    # readers without themes.
    variants = models.JSONField(default=dict, blank=True)
    tracking = models.BooleanField(default=False)
    # Last sign of life of the batch chain; recovery starts a new chain only
    # when this is older than NEWSLETTER_STALE_SENDING_SECONDS.
    active_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sending")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_state_display()})"

    @property
    def title(self) -> str:
        if self.issue is not None:
            return self.issue.title
        return _("Quarterly digest %(quarter)s") % {"quarter": self.digest_quarter}


class Delivery(models.Model):
    """One (issue, subscriber): the unit that is sent at most once.

    pending → claimed (by a batch chain) → sending (in flight, just before SMTP)
    → sent; or skipped / failed.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Claimed")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    sending = models.ForeignKey(Sending, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    error = models.CharField(max_length=200, blank=True)
    # Per-delivery aggregates of the tracking events; they outlive the events.
    opened_at = models.DateTimeField(null=True, blank=True)
    opened_by_human = models.BooleanField(default=False)
    clicked_at = models.DateTimeField(null=True, blank=True)
    # Set on digest deliveries: the database allows one digest per subscriber per quarter.
    digest_quarter = models.CharField(max_length=7, blank=True, default="")
    # The reader's theme key when the deliveries were made: which variant they get.
    variant = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sending", "subscriber"], name="newsletter_one_delivery_per_subscriber"
            ),
            models.UniqueConstraint(
                fields=["subscriber", "digest_quarter"],
                condition=~models.Q(digest_quarter=""),
                name="newsletter_one_digest_per_quarter",
            ),
        ]
        indexes = [models.Index(fields=["sending", "state"])]

    def __str__(self) -> str:
        return f"{self.sending_id}/{self.subscriber_id}: {self.state}"

    @property
    def message_id(self) -> str:
        from django.conf import settings

        return f"<{self.token}@{settings.NEWSLETTER_MESSAGE_ID_DOMAIN}>"


class Link(models.Model):
    """A link in a sent issue; clicks go through a signed redirect to ``url``.

    The redirect only ever goes to a URL stored here, so it is no open redirect.
    """

    sending = models.ForeignKey(Sending, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(max_length=2000)
    # Aggregates survive the purge of per-subscriber events.
    unique_clicks = models.PositiveIntegerField(default=0)
    machine_clicks = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sending", "url"], name="newsletter_link_unique_url")
        ]

    def __str__(self) -> str:
        return self.url


class TrackingEvent(models.Model):
    """One open or click by one delivery; purged after the ``newsletter_tracking`` term."""

    class Kind(models.TextChoices):
        OPEN = "open", pgettext_lazy("newsletter tracking event", "Open")
        CLICK = "click", _("Click")

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    link = models.ForeignKey(Link, null=True, blank=True, on_delete=models.CASCADE)
    # Likely a machine: Apple Mail Privacy Protection, a security scanner, a prefetch.
    machine = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["delivery", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
