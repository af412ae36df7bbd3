"""Issues are personalised by the readers' themes of interest, rendered once per theme key."""

from django.core import mail
from django.utils import timezone

import pytest

from knowledge.models import KnowledgeIndexPage, Theme
from newsletter import rendering, services
from newsletter.models import Delivery, NewsletterIssuePage, Sending
from tests.knowledge.factories import make_article

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def themed_issue(site, index):
    zorg, veilig, jeugd = Theme.objects.order_by("pk")[:3]
    kennis = site.add_child(instance=KnowledgeIndexPage(title="Kennis", slug="kennis"))
    general = make_article(kennis, title="Algemeen stuk", themes=[])
    about_zorg = make_article(kennis, title="Over zorg", themes=[zorg])
    page = index.add_child(
        instance=NewsletterIssuePage(
            title="Nieuwsbrief thema",
            slug="thema",
            body=[
                {"type": "featured", "value": {"heading": "Nieuw", "pages": [general.pk, about_zorg.pk]}},
                {"type": "intro", "value": {"heading": "Alleen jeugd", "text": "Voor jeugdprofessionals.", "audience": jeugd.pk}},
                {"type": "intro", "value": {"heading": "Voor iedereen", "text": "Algemeen nieuws."}},
            ],
        )
    )  # fmt: skip
    page.save_revision().publish()
    return NewsletterIssuePage.objects.get(pk=page.pk), (zorg, veilig, jeugd)


def html_for(email_address):
    message = next(m for m in mail.outbox if m.to == [email_address])
    return message.alternatives[0][0], message.body


def test_matching_articles_come_first_marked_for_you_and_theme_blocks_reach_only_their_readers(
    themed_issue, django_capture_on_commit_callbacks
):
    issue, (zorg, veilig, jeugd) = themed_issue
    everything = SubscriberFactory()
    zorg_reader = SubscriberFactory()
    zorg_reader.themes.set([zorg])
    jeugd_reader = SubscriberFactory()
    jeugd_reader.themes.set([jeugd, veilig])

    with django_capture_on_commit_callbacks(execute=True):
        services.issue_schedule(issue=issue, when=timezone.now())

    html, text = html_for(zorg_reader.email)
    assert html.index("Over zorg") < html.index("Algemeen stuk")
    assert "Voor u" in html and "[Voor u] Over zorg" in text
    assert "Alleen jeugd" not in html and "Voor iedereen" in html

    html, text = html_for(jeugd_reader.email)
    assert "Alleen jeugd" in html and "Voor u" not in html
    assert html.index("Algemeen stuk") < html.index("Over zorg")

    # Readers who chose no themes get everything, unmarked, as on the website.
    html, _text = html_for(everything.email)
    assert "Alleen jeugd" in html and "Voor u" not in html


def test_readers_with_the_same_relevant_themes_share_one_rendering(themed_issue):
    issue, (zorg, veilig, jeugd) = themed_issue
    for themes in ([], [zorg], [zorg, veilig], [veilig], [jeugd]):
        SubscriberFactory().themes.set(themes)
    sending = services.issue_schedule(issue=issue, when=timezone.now())
    Sending.objects.filter(pk=sending.pk).update(state=Sending.State.SCHEDULED)
    services.sending_start(sending_id=sending.pk)

    sending.refresh_from_db()
    # "veilig" occurs nowhere in this issue: [zorg] and [zorg, veilig] are one key,
    # and [veilig] gets the key without relevant themes.
    assert set(sending.variants) == {"t:", f"t:{jeugd.pk}", f"t:{zorg.pk}"}
    assert Delivery.objects.filter(variant=f"t:{zorg.pk}").count() == 2


def test_the_web_archive_shows_every_block_unmarked(themed_issue, client):
    issue, _themes = themed_issue
    sections = rendering.issue_sections(issue)
    assert rendering.personalise_sections(sections, rendering.ALL) == sections
    assert [s.get("heading") for s in sections] == ["Nieuw", "Alleen jeugd", "Voor iedereen"]
