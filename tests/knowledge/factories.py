"""Factories for knowledge content; pages are created under the demo's index page."""

import datetime

from django.utils import timezone
from django.utils.text import slugify

import factory

from knowledge.models import Expert, ExpertiseArticlePage, ExpertQuestion, Theme


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Testthema {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Sanne Voorbeeld {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    job_title = "Procesregisseur"
    email = factory.Sequence(lambda n: f"expert{n}@zvh-bzo.example")

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set(extracted)
            self.save()  # a ParentalManyToManyField is committed by save()


class ExpertQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertQuestion

    theme = factory.SubFactory(ThemeFactory)
    name = "Ellen Vraagsteller"
    email = "vraag@gemeente.example"
    question = "Hoe bespreek ik een zorgelijke situatie met de wijkagent?"
    created_at = factory.LazyFunction(timezone.now)
    # Confirmed when asked, unless a test says otherwise (email_confirmed_at=None).
    email_confirmed_at = factory.LazyAttribute(lambda o: o.created_at)


def make_article(index, *, title, themes, body_text="", live=True, **fields):
    """Create (and publish) an expertise article under ``index``."""
    page = ExpertiseArticlePage(
        title=title,
        slug=slugify(title)[:50],
        summary=fields.pop("summary", f"Samenvatting van {title}."),
        body=[{"type": "paragraph", "value": f"<p>{body_text}</p>"}] if body_text else [],
        publication_date=fields.pop("publication_date", datetime.date(2025, 3, 1)),
        **fields,
    )
    index.add_child(instance=page)
    page.themes.set(themes)
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        page.unpublish()
    page.refresh_from_db()
    return page
