"""Knowledge & expertise: themes, experts, articles, publications and expert questions."""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.search import index

from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel

from portal.models import BasePage

from .blocks import ArticleBodyBlock

# A theme page asks other apps for extra sections (e.g. upcoming events) through
# this Wagtail hook; knowledge never imports those apps. A hook function takes
# ``(theme, request)`` and returns a ``ThemeSection`` or ``None``.
THEME_PAGE_SECTIONS_HOOK = "knowledge_theme_page_sections"
# How many of its newest articles and of its publications a theme page lists.
THEME_PAGE_ARTICLES = 12
THEME_PAGE_PUBLICATIONS = 5


class Theme(models.Model):
    """A theme of the knowledge centre (e.g. radicalisering). Editable data, not code."""

    if TYPE_CHECKING:
        # The reverse of Expert.themes, a modelcluster field the type checker cannot see.
        experts: models.Manager["Expert"]

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), unique=True)
    short_name = models.CharField(
        _("short name"), max_length=30, blank=True, help_text=_("Abbreviation, e.g. HGKM.")
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("short_name"),
        FieldPanel("description"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name

    @property
    def page(self):
        return ThemePage.objects.live().public().filter(theme=self).first()


class Audience(models.TextChoices):
    MUNICIPALITY_SOCIAL = "gemeente-sociaal-domein", _("Municipality – social domain")
    MUNICIPALITY_SAFETY = "gemeente-veiligheid", _("Municipality – safety")
    POLICE = "politie", _("Police")
    JUSTICE = "justitie", _("Justice")
    CARE = "zorg-ggz", _("Care / mental health")
    EDUCATION = "onderwijs", _("Education")
    YOUTH_WORK = "jongerenwerk", _("Youth work")


class ArticleKind(models.TextChoices):
    BACKGROUND = "achtergrond", _("Background")
    GUIDE = "handreiking", _("Guide / working method")
    RESEARCH = "onderzoek", _("Research / publication")
    TREND = "trendsignalering", _("Trend signal")
    CASE = "casusvoorbeeld", _("Case example")
    NEWS = "nieuws", _("News")


class ExpertRole(models.TextChoices):
    PROCESREGISSEUR = "procesregisseur", _("Procesregisseur")
    PARTNER = "partner", _("Partner expert")


class Expert(index.Indexed, ClusterableModel):
    """A procesregisseur or partner expert people can put a question to."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), unique=True)
    role = models.CharField(
        _("role"), max_length=20, choices=ExpertRole.choices, default=ExpertRole.PROCESREGISSEUR
    )
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    themes = ParentalManyToManyField(
        Theme, verbose_name=_("specialisation themes"), related_name="experts", blank=True
    )
    basisteam = models.ForeignKey(
        "portal.Basisteam",
        verbose_name=_("region / basisteam"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experts",
    )
    biography = models.TextField(_("biography"), blank=True)
    email = models.EmailField(
        _("work e-mail"),
        blank=True,
        help_text=_("Where questions for this expert are forwarded. Not shown on the site."),
    )
    active = models.BooleanField(_("active"), default=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("job_title"),
        FieldPanel("organisation"),
        FieldPanel("themes"),
        FieldPanel("basisteam"),
        FieldPanel("biography"),
        FieldPanel("email"),
        FieldPanel("active"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("knowledge:expert", kwargs={"slug": self.slug})


class KnowledgeIndexPage(BasePage):
    """The "Kennis & expertise" section: themes, recent articles, experts."""

    body = RichTextField(_("body"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*BasePage.content_panels, FieldPanel("body")]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = [
        "knowledge.ThemePage",
        "knowledge.ExpertiseArticlePage",
        "knowledge.PublicationPage",
        "portal.StandardPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("knowledge index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["theme_pages"] = (
            ThemePage.objects.child_of(self).live().public().select_related("theme")
        )
        context["recent_articles"] = (
            ExpertiseArticlePage.objects.live()
            .public()
            .descendant_of(self)
            .order_by("-publication_date")[:6]
        )
        context["publications"] = (
            PublicationPage.objects.live()
            .public()
            .descendant_of(self)
            .order_by("-publication_date")[:3]
        )
        context["experts"] = Expert.objects.filter(active=True).select_related("basisteam")
        return context


class ThemeSection:
    """What a ``knowledge_theme_page_sections`` hook returns: a heading and items."""

    def __init__(self, *, title: str, items: list[dict], more_url: str = "") -> None:
        # items: dicts with "title", "url" and optionally "meta" (e.g. a date).
        self.title = title
        self.items = items
        self.more_url = more_url


class ThemePage(BasePage):
    """One page per theme: its articles, experts and (via a hook) its events."""

    theme = models.OneToOneField(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="theme_page"
    )
    body = RichTextField(_("body"), blank=True, features=["bold", "italic", "link", "ul"])

    content_panels = [*BasePage.content_panels, FieldPanel("theme"), FieldPanel("body")]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    parent_page_types = ["knowledge.KnowledgeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("theme page")

    # The site search finds a theme page by the titles it lists, too: its articles and
    # publications (``IndexedDoc.listing``, re-indexed when one of those changes). The
    # upcoming events it also shows are left out: they change with the date, not with
    # an edit that would re-index the page.
    search_lists = ("knowledge.expertisearticlepage", "knowledge.publicationpage")

    def search_document(self) -> dict:
        titles = [
            *self.articles()[:THEME_PAGE_ARTICLES].values_list("title", flat=True),
            *self.publications()[:THEME_PAGE_PUBLICATIONS].values_list("title", flat=True),
        ]
        return {"listing": " ".join(titles)}

    def publications(self):
        return PublicationPage.objects.live().public().filter(themes=self.theme)

    def articles(self):
        return (
            ExpertiseArticlePage.objects.live()
            .public()
            .filter(themes=self.theme)
            .order_by("-publication_date")
        )

    def get_context(self, request, *args, **kwargs):
        from .forms import ExpertQuestionForm

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = self.articles()[:THEME_PAGE_ARTICLES]
        context["publications"] = self.publications()[:THEME_PAGE_PUBLICATIONS]
        context["experts"] = self.theme.experts.filter(active=True).select_related("basisteam")
        context["extra_sections"] = [
            section
            for hook in hooks.get_hooks(THEME_PAGE_SECTIONS_HOOK)
            if (section := hook(self.theme, request)) is not None
        ]
        context["question_form"] = ExpertQuestionForm(
            themes=Theme.objects.filter(pk=self.theme.pk), initial={"theme": self.theme.pk}
        )
        context["question_action"] = reverse(
            "knowledge:ask_theme", kwargs={"slug": self.theme.slug}
        )
        return context


class ExpertiseArticlePage(BasePage):
    """An expertise article: background, guide, research, trend signal, case, news."""

    summary = models.TextField(
        _("summary"), help_text=_("Two or three sentences; shown in lists and search results.")
    )
    body = StreamField(ArticleBodyBlock(), blank=True, verbose_name=_("body"))
    themes = ParentalManyToManyField(Theme, verbose_name=_("themes"), related_name="articles")
    audience = models.CharField(
        _("audience"), max_length=40, choices=Audience.choices, default=Audience.MUNICIPALITY_SOCIAL
    )
    kind = models.CharField(
        _("kind"), max_length=30, choices=ArticleKind.choices, default=ArticleKind.BACKGROUND
    )
    authors = ParentalManyToManyField(
        Expert, verbose_name=_("authors"), related_name="articles", blank=True
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    image_alt = models.CharField(
        _("image alt text"),
        max_length=250,
        blank=True,
        help_text=_("Describe the image for people who cannot see it; empty if decorative."),
    )
    publication_date = models.DateField(_("publication date"), default=timezone.localdate)
    reviewed_on = models.DateField(
        _("reviewed on"),
        null=True,
        blank=True,
        help_text=_("When an expert last checked that the content is still correct."),
    )

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("themes"),
                FieldPanel("audience"),
                FieldPanel("kind"),
                FieldPanel("authors"),
            ],
            heading=_("Classification"),
        ),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        MultiFieldPanel(
            [FieldPanel("publication_date"), FieldPanel("reviewed_on")], heading=_("Dates")
        ),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.FilterField("audience"),
        index.FilterField("publication_date"),
    ]
    parent_page_types = ["knowledge.KnowledgeIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("expertise article")
        verbose_name_plural = _("expertise articles")

    @property
    def needs_review(self) -> bool:
        return self.reviewed_on is None or self.reviewed_on < review_cutoff()


def review_cutoff():
    """Articles reviewed before this date are due for review (12 months)."""
    return timezone.localdate() - timedelta(days=365)


class PublicationPage(BasePage):
    """A PDF publication; its text is extracted by a background task and searched."""

    summary = models.TextField(_("summary"))
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("PDF document"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    themes = ParentalManyToManyField(
        Theme, verbose_name=_("themes"), related_name="publications", blank=True
    )
    audience = models.CharField(
        _("audience"), max_length=40, choices=Audience.choices, default=Audience.MUNICIPALITY_SOCIAL
    )
    publication_date = models.DateField(_("publication date"), default=timezone.localdate)
    extracted_text = models.TextField(_("extracted text"), blank=True, editable=False)
    extracted_at = models.DateTimeField(_("text extracted at"), null=True, editable=False)

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("summary"),
        FieldPanel("document"),
        FieldPanel("themes"),
        FieldPanel("audience"),
        FieldPanel("publication_date"),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("extracted_text"),
    ]
    parent_page_types = ["knowledge.KnowledgeIndexPage"]
    subpage_types: list[str] = []

    kind = "onderzoek"

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "beantwoord", _("Answered")
    REFERRED = "doorverwezen", _("Referred")


class ExpertQuestion(models.Model):
    """A "Vraag het de expert" question: an advice request staff answer in the admin.

    The asker's name and e-mail are personal data: ``question_purge_personal_data``
    blanks them a fixed period after the question was closed (docs/knowledge.md).
    Until the asker confirms the address (``email_confirmed_at``) the question goes
    nowhere: no expert hears of it, staff do not see it, and the only mail to the
    address asks for the confirmation, without a word the asker wrote.
    """

    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="questions"
    )
    expert = models.ForeignKey(
        Expert,
        verbose_name=_("expert"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        help_text=_("The expert the question is routed to."),
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    question = models.TextField(_("question"))
    status = models.CharField(
        _("status"), max_length=20, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now, db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(
        _("confirmation request sent at"), null=True, blank=True
    )
    email_confirmed_at = models.DateTimeField(
        _("e-mail address confirmed at"), null=True, blank=True, db_index=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    expert_notified_at = models.DateTimeField(_("experts notified at"), null=True, blank=True)
    reply_sent_at = models.DateTimeField(
        _("answer mailed at"),
        null=True,
        blank=True,
        help_text=_("When the answer or referral was e-mailed to the asker."),
    )
    personal_data_purged_at = models.DateTimeField(_("personal data purged at"), null=True)

    panels = [
        FieldPanel("theme"),
        FieldPanel("expert"),
        FieldPanel("question", read_only=True),
        FieldPanel("name", read_only=True),
        FieldPanel("email", read_only=True),
        FieldPanel("organisation", read_only=True),
        FieldPanel(
            "status",
            help_text=_(
                "Saving as answered or referred e-mails the answer (or referral) to the asker."
            ),
        ),
        FieldPanel(
            "answer",
            help_text=_(
                "Sent to the asker by e-mail. For a referral: to whom and why, and how to reach them."
            ),
        ),
    ]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("expert question")
        verbose_name_plural = _("expert questions")

    def __str__(self) -> str:
        return f"{self.theme} – {self.created_at:%Y-%m-%d}"

    def clean(self):
        # The answer is what the asker receives: closing without one would mail nothing.
        if self.status != QuestionStatus.OPEN and not (self.answer or "").strip():
            raise ValidationError(
                {"answer": _("Write the answer (or, for a referral, where the question went).")}
            )
