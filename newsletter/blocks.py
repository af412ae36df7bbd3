"""The blocks an issue is made of. Each knows how to give its e-mail data."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


def audience_theme():
    """Makes a block theme-specific: only readers of that theme (or of no theme) get it."""
    return SnippetChooserBlock(
        "knowledge.Theme",
        label=_("only for readers of theme"),
        required=False,
        help_text=_(
            "Leave empty for everyone. With a theme, only subscribers who chose it, or "
            "who chose no themes at all, see this block in their e-mail."
        ),
    )


class IntroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False)
    text = blocks.TextBlock(label=_("text"))
    audience = audience_theme()

    class Meta:
        icon = "openquote"
        label = _("Intro")


class FeaturedArticlesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False)
    # Generic page choosers: any page type with an introduction and an image
    # field (articles, events) renders as a card.
    pages = blocks.ListBlock(blocks.PageChooserBlock(), label=_("pages"), min_num=1)
    audience = audience_theme()

    class Meta:
        icon = "doc-full"
        label = _("Featured articles")


class UpcomingEventsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False)
    days_ahead = blocks.IntegerBlock(label=_("days ahead"), default=90, min_value=1)
    theme = SnippetChooserBlock("knowledge.Theme", label=_("theme"), required=False)

    class Meta:
        icon = "date"
        label = _("Upcoming events")


class CallToActionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("text"))
    label = blocks.CharBlock(label=_("button text"))
    url = blocks.URLBlock(label=_("link"))
    audience = audience_theme()

    class Meta:
        icon = "link"
        label = _("Call to action")


class IssueBlock(blocks.StreamBlock):
    intro = IntroBlock()
    featured = FeaturedArticlesBlock()
    events = UpcomingEventsBlock()
    rich_text = blocks.RichTextBlock(
        label=_("Text"), features=["h3", "bold", "italic", "link", "ol", "ul"]
    )
    call_to_action = CallToActionBlock()
    colophon = blocks.RichTextBlock(label=_("Colophon"), features=["bold", "italic", "link"])
