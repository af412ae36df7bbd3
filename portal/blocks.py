"""Content blocks shared by the portal's page types."""

from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Level 2")), ("h3", _("Level 3"))], default="h2", label=_("Level")
    )

    class Meta:
        icon = "title"
        template = "portal/blocks/heading.html"
        label = _("Heading")
        description = _("A section heading; level 2 for main sections, level 3 below them.")
        preview_value = {"text": "Wat doet het Zorg- en Veiligheidshuis?", "level": "h2"}


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link"])
    tone = blocks.ChoiceBlock(
        choices=[("info", _("Information")), ("warning", _("Attention"))],
        default="info",
        label=_("Tone"),
    )

    class Meta:
        icon = "help"
        template = "portal/blocks/callout.html"
        label = _("Callout")
        description = _("A framed message that stands out from the text.")
        preview_value = {
            "title": "Direct gevaar?",
            "text": "<p>Bel 112. Het Zorg- en Veiligheidshuis is geen crisisdienst.</p>",
            "tone": "warning",
        }


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "portal/blocks/quote.html"
        label = _("Quote")
        preview_value = {
            "quote": "Samen zien we meer dan ieder afzonderlijk.",
            "attribution": "Procesregisseur",
        }


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "portal/blocks/figure.html"
        label = _("Image")


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "document-link", "ol", "ul"],
        template="portal/blocks/paragraph.html",
    )
    callout = CalloutBlock()
    quote = QuoteBlock()
    figure = FigureBlock()
