"""Experts, newsletter issues and the standard pages are in the index, and follow
their changes: an expert saved, made inactive or deleted; an issue once it is sent."""

from django.utils import timezone

import pytest

from knowledge.models import Expert, Theme
from newsletter.models import NewsletterIndexPage, NewsletterIssuePage
from search.documents import EXPERT_ID_OFFSET
from search.models import SearchDocument
from search.services import search_query
from tests.knowledge.factories import ExpertFactory

pytestmark = pytest.mark.django_db


def hits(text, **kwargs):
    return {hit.title: hit for hit in search_query(text=text, **kwargs).hits}


def test_every_active_expert_is_a_document_that_opens_the_profile(home, client):
    experts = Expert.objects.filter(active=True)
    results = search_query(text="", filters={"kind": ["expert"]}, page_size=100)
    assert {h.title for h in results.hits} == {e.name for e in experts}
    kinds = {f.value: f.label for f in results.facets["kind"]}
    assert kinds["expert"] == "Expert"
    hit = next(h for h in results.hits if h.title == "Karim el Amrani")
    assert client.get(hit.url).status_code == 200
    assert "Karim el Amrani" in client.get(hit.url).content.decode()


def test_an_expert_is_found_by_function_expertise_and_theme(home):
    karim = "Karim el Amrani"
    assert karim in hits("procesregisseur PGA jeugd")
    # A theme filter lists the experts on that theme with the articles.
    on_theme = search_query(text="", filters={"theme": ["jeugd-hic"]}, page_size=200)
    assert karim in {h.title for h in on_theme.hits}
    assert "Marieke van Dongen" not in {h.title for h in on_theme.hits}


def test_an_experts_work_address_is_not_indexed(home):
    expert = Expert.objects.get(name="Liesbeth Hoeks")
    document = SearchDocument.objects.get(page_id=EXPERT_ID_OFFSET + expert.pk)
    assert expert.email
    assert "@" not in f"{document.title} {document.summary} {document.body}"


def test_experts_follow_their_changes(home, django_capture_on_commit_callbacks):
    theme = Theme.objects.get(slug="onbegrepen-gedrag")
    with django_capture_on_commit_callbacks(execute=True):
        expert = ExpertFactory(
            name="Joost Wijnhoven",
            job_title="Wijkagent en expert zorgmijding",
            biography="Denkt mee over zorgmijders in de wijk.",
            themes=[theme],
        )
    assert hits("zorgmijding")["Joost Wijnhoven"].kind_label == "Expert"

    with django_capture_on_commit_callbacks(execute=True):
        expert.active = False
        expert.save()
    assert "Joost Wijnhoven" not in hits("Joost Wijnhoven")

    with django_capture_on_commit_callbacks(execute=True):
        expert.active = True
        expert.save()
    assert "Joost Wijnhoven" in hits("Joost Wijnhoven")

    document_id = EXPERT_ID_OFFSET + expert.pk
    with django_capture_on_commit_callbacks(execute=True):
        expert.delete()
    assert not SearchDocument.objects.filter(page_id=document_id).exists()


def test_a_sent_issue_is_found_as_a_newsletter(home):
    hit = hits("najaar 2026")["Nieuwsbrief najaar 2026"]
    assert hit.kind_label == "Nieuwsbrief"
    assert hit.url.startswith("/nieuwsbrief/")


def test_an_issue_enters_the_index_when_it_is_sent_not_when_it_is_published(
    home, settings, django_capture_on_commit_callbacks
):
    from newsletter import services as newsletter

    settings.NEWSLETTER_RATE_PER_SECOND = 0
    settings.NEWSLETTER_RATE_PER_HOUR = 0
    with django_capture_on_commit_callbacks(execute=True):
        issue = NewsletterIndexPage.objects.get().add_child(
            instance=NewsletterIssuePage(
                title="Nieuwsbrief winter",
                slug="winter",
                body=[{"type": "rich_text", "value": "<p>Het nieuws over zorgboerderijen.</p>"}],
            )
        )
        issue.save_revision().publish()
    assert "Nieuwsbrief winter" not in hits("zorgboerderijen")
    assert "Nieuwsbrief" not in hits("nieuwsbrief winter")  # the archive lists sent issues

    with django_capture_on_commit_callbacks(execute=True):
        newsletter.issue_schedule(issue=issue, when=timezone.now())
    assert hits("zorgboerderijen")["Nieuwsbrief winter"].kind_label == "Nieuwsbrief"
    # The archive carries the titles of the issues it lists: it is found with them.
    assert {"Nieuwsbrief winter", "Nieuwsbrief"} <= set(hits("nieuwsbrief winter"))


def test_the_contact_page_is_found_by_the_contact_details_it_shows(home):
    # The address comes from the site settings, not from the page's own text.
    assert "Contact" in hits("Voorbeeldstraat")


def test_every_public_standard_and_index_page_is_indexed(home):
    indexed = set(SearchDocument.objects.values_list("content_type", flat=True))
    assert {
        "portal.homepage",
        "portal.standardpage",
        "portal.sectionpage",
        "knowledge.knowledgeindexpage",
        "events.agendapage",
        "newsletter.newsletterindexpage",
        "newsletter.newsletterissuepage",
        "knowledge.expert",
    } <= indexed


def test_an_event_is_found_by_what_its_page_shows_besides_the_body(home):
    from events.models import EventPage

    event = next(e for e in EventPage.objects.live().specific() if e.trainer_experts.exists())
    trainer = event.trainer_experts.first()
    events = {"kind": ["evenement"]}
    # A trainer's name finds her trainings, not only her profile; so does the venue.
    assert event.title in hits(trainer.name, filters=events)
    assert event.venue and event.title in hits(f'"{event.venue}"', filters=events)


def test_an_event_follows_its_trainers_name(home, django_capture_on_commit_callbacks):
    from events.models import EventPage

    event = next(e for e in EventPage.objects.live().specific() if e.trainer_experts.exists())
    trainer = event.trainer_experts.first()
    events = {"kind": ["evenement"]}
    with django_capture_on_commit_callbacks(execute=True):
        trainer.name = "Jolien Verstappen"
        trainer.save()
    assert event.title in hits("Jolien Verstappen", filters=events)

    with django_capture_on_commit_callbacks(execute=True):
        trainer.delete()
    assert event.title not in hits("Jolien Verstappen", filters=events)
