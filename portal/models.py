"""The portal's own pages, site settings and shared reference data."""

from django.contrib import admin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from .blocks import BodyBlock


class BasePage(Page):
    """Fields every content page shares; page types extend ``search_fields``."""

    introduction = models.TextField(
        _("introduction"), blank=True, help_text=_("One or two sentences shown under the title.")
    )

    search_fields = [*Page.search_fields, index.SearchField("introduction")]
    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    class Meta:
        abstract = True

    def get_cache_key_parts(self):
        return [self.pk, self.latest_revision_id]


class HomePage(BasePage):
    """The front door: upcoming trainings, newest articles, the themes, the newsletter
    and the way in for partners. The lists come from the apps' selectors; editors
    choose how many items and write the texts around them."""

    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    events_count = models.PositiveSmallIntegerField(
        _("number of upcoming trainings"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    articles_count = models.PositiveSmallIntegerField(
        _("number of new articles"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    show_themes = models.BooleanField(_("show the themes"), default=True)
    newsletter_heading = models.CharField(
        _("newsletter heading"), max_length=120, default="Blijf op de hoogte"
    )
    newsletter_text = models.TextField(
        _("newsletter text"),
        blank=True,
        default=(
            "Vier keer per jaar het nieuws uit het Zorg- en Veiligheidshuis: nieuwe kennis, "
            "trainingen en bijeenkomsten. U kiest zelf de thema's."
        ),
    )
    newsletter_button = models.CharField(
        _("newsletter button"), max_length=60, default="Abonneer u op de nieuwsbrief"
    )
    partners_heading = models.CharField(
        _("partners heading"), max_length=120, default="Voor partners"
    )
    partners_text = models.TextField(
        _("partners text"),
        blank=True,
        default=(
            "Werkt u bij een convenantpartner? Meld een casus aan en volg uw aanmeldingen "
            "in de beveiligde omgeving."
        ),
    )

    content_panels = [
        *BasePage.content_panels,
        MultiFieldPanel(
            [FieldPanel("events_count"), FieldPanel("articles_count"), FieldPanel("show_themes")],
            heading=_("Lists"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("newsletter_heading"),
                FieldPanel("newsletter_text"),
                FieldPanel("newsletter_button"),
            ],
            heading=_("Newsletter call to action"),
        ),
        MultiFieldPanel(
            [FieldPanel("partners_heading"), FieldPanel("partners_text")],
            heading=_("Way in for partners"),
        ),
        FieldPanel("body"),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from .home import home_lists

        context = super().get_context(request, *args, **kwargs)
        context.update(home_lists(home=self))
        return context


class SectionPage(BasePage):
    """A landing page for one of the main sections, listing its sub-pages."""

    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [*BasePage.content_panels, FieldPanel("body")]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    parent_page_types = ["portal.HomePage"]

    class Meta:
        verbose_name = _("section page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["subpages"] = self.get_children().live().public().specific()
        return context


class StandardPage(BasePage):
    """Ordinary content: about us, contact, privacy statement, etc."""

    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    show_contact_details = models.BooleanField(
        _("show contact details"),
        default=False,
        help_text=_("Show the organisation's contact details from the site settings."),
    )

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("body"),
        FieldPanel("show_contact_details"),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    parent_page_types = ["portal.HomePage", "portal.SectionPage", "portal.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class ComplianceStatus(models.TextChoices):
    """The compliance statuses of the Dutch model accessibility statement
    (digitoegankelijk.nl); E means "no statement" and so is not a choice here."""

    A = "A", "A – voldoet volledig"
    B = "B", "B – voldoet gedeeltelijk"
    C = "C", "C – eerste maatregelen genomen"
    D = "D", "D – aanvullende maatregelen nodig"


class AccessibilityStatementPage(BasePage):
    """The toegankelijkheidsverklaring, after the Dutch model statement: the status, the
    dates and the reporting route are fields, so the page always shows them in the
    model's order; the explanation (research, known problems, measures) is free text."""

    status = models.CharField(
        _("compliance status"), max_length=1, choices=ComplianceStatus.choices
    )
    scope = models.CharField(
        _("scope"),
        max_length=250,
        help_text=_("The website (and subdomains) the statement is about."),
    )
    standard = models.CharField(
        _("standard"), max_length=120, default="WCAG 2.1 niveau AA (EN 301 549)"
    )
    statement_date = models.DateField(
        _("date of the statement"), help_text=_("When the statement was drawn up or revised.")
    )
    last_check_date = models.DateField(
        _("date of the last check"), help_text=_("When the website was last researched.")
    )
    check_method = models.CharField(
        _("how it was checked"),
        max_length=250,
        help_text=_("Who researched the site, and how (e.g. WCAG-EM audit by ...)."),
    )
    next_check_date = models.DateField(
        _("next check planned"),
        null=True,
        blank=True,
        help_text=_("Required for status C: a full audit within six months."),
    )
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("explanation"))
    contact_email = models.EmailField(_("e-mail for problems"))
    contact_phone = models.CharField(_("phone for problems"), max_length=40, blank=True)
    response_days = models.PositiveSmallIntegerField(_("answer within (working days)"), default=5)

    content_panels = [
        *BasePage.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("scope"),
                FieldPanel("standard"),
                FieldPanel("statement_date"),
                FieldPanel("last_check_date"),
                FieldPanel("check_method"),
                FieldPanel("next_check_date"),
            ],
            heading=_("Status"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("response_days")],
            heading=_("Reporting a problem"),
        ),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    parent_page_types = ["portal.HomePage", "portal.StandardPage"]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("accessibility statement")


@register_setting(icon="mail")
class ContactSettings(BaseSiteSetting):
    organisation_name = models.CharField(
        _("organisation name"), max_length=200, default="Zorg- en Veiligheidshuis Brabant Zuidoost"
    )
    visiting_address = models.TextField(_("visiting address"), blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)

    panels = [
        FieldPanel("organisation_name"),
        MultiFieldPanel(
            [FieldPanel("visiting_address"), FieldPanel("postal_address")], heading=_("Addresses")
        ),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("opening_hours")],
            heading=_("Reachability"),
        ),
    ]

    class Meta:
        verbose_name = _("contact details")


@register_setting(icon="list-ul")
class FooterSettings(BaseSiteSetting, ClusterableModel):
    tagline = models.CharField(_("tagline"), max_length=250, blank=True)

    panels = [FieldPanel("tagline"), InlinePanel("links", label=_("Footer links"))]

    class Meta:
        verbose_name = _("footer")


class FooterLink(Orderable):
    footer = ParentalKey(FooterSettings, related_name="links", on_delete=models.CASCADE)
    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(
        _("label"), max_length=80, blank=True, help_text=_("Defaults to the page title.")
    )

    panels = [FieldPanel("page"), FieldPanel("label")]

    @property
    def text(self) -> str:
        return self.label or self.page.title


class Basisteam(models.Model):
    """A police basisteam: the grouping procesregisseurs use for relatiemanagement."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    panels = [FieldPanel("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("basisteam")
        verbose_name_plural = _("basisteams")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    # Most municipalities lie in one basisteam; Eindhoven is split over two.
    basisteams = models.ManyToManyField(
        Basisteam, verbose_name=_("basisteams"), related_name="municipalities"
    )

    panels = [FieldPanel("name"), FieldPanel("basisteams")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return self.name

    @admin.display(description=_("basisteams"))
    def basisteam_names(self) -> str:
        return ", ".join(team.name for team in self.basisteams.all())


class WorkerHeartbeat(models.Model):
    """Written by a periodic Celery task, read by the health endpoint."""

    hostname = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")

    def __str__(self) -> str:
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M}"
