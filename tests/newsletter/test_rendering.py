import shutil

import pytest

from newsletter import rendering
from newsletter.models import NewsletterIssuePage
from portal.models import StandardPage

from . import mjml_compare
from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_issue(issue, site) -> NewsletterIssuePage:
    article = site.add_child(
        instance=StandardPage(
            title="Handreiking weegtafel", slug="handreiking", introduction="Zo werkt de weegtafel."
        )
    )
    article.save_revision().publish()
    issue.body.append(("featured", {"heading": "Uitgelicht", "pages": [article]}))
    issue.body.append(("colophon", "<p>Redactie: team communicatie.</p>"))
    issue.save_revision().publish()
    return NewsletterIssuePage.objects.get(pk=issue.pk)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js for the npm reference")
@pytest.mark.parametrize("welcome", [False, True])
def test_mjml_python_renders_the_same_structure_as_the_official_mjml(rich_issue, welcome):
    source = rendering.issue_mjml(rich_issue, welcome=welcome)

    ours = mjml_compare.structure(rendering.mjml_to_html(source))
    reference = mjml_compare.structure(mjml_compare.render_with_npm(source))

    assert ours == reference
    assert "https://portal.example/handreiking/" in ours["links"]
    assert "[[unsubscribe_url]]" in ours["links"]


def test_an_issue_is_rendered_once_with_placeholders_and_personalised_per_reader(rich_issue):
    rendered = rendering.render_issue(rich_issue)
    reader = SubscriberFactory(name='<b>"Kim"</b> [[unsubscribe_url]]')

    values = rendering.personalisation(subscriber=reader)
    html = rendering.personalise_html(rendered.html, values)
    text = rendering.personalise_text(rendered.text, values)

    assert "Beste &lt;b&gt;&quot;Kim&quot;&lt;/b&gt; [[unsubscribe_url]]," in html
    assert html.count(values["unsubscribe_url"]) == 1
    assert (
        "Handreiking weegtafel\n  Zo werkt de weegtafel.\n  https://portal.example/handreiking/"
        in text
    )
    assert f"Afmelden: {values['unsubscribe_url']}" in text
    assert "@media only screen and (min-width:480px)" in rendered.html  # responsive columns
