"""StreamField blocks of expertise articles (on top of the portal's shared blocks)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from portal.blocks import CalloutBlock, HeadingBlock, QuoteBlock

YOUTUBE = re.compile(
    r"(?:youtube\.com/watch\?v=|youtu\.be/|youtube-nocookie\.com/embed/)([\w-]{6,})"
)
VIMEO = re.compile(r"vimeo\.com/(?:video/)?(\d+)")


def video_embed_url(url: str) -> str:
    """The privacy-friendly embed address of a YouTube or Vimeo video, or ''."""
    if match := YOUTUBE.search(url):
        return f"https://www.youtube-nocookie.com/embed/{match.group(1)}"
    if match := VIMEO.search(url):
        return f"https://player.vimeo.com/video/{match.group(1)}?dnt=1"
    return ""


class VideoBlock(blocks.StructBlock):
    """A YouTube/Vimeo video. Built here rather than with Wagtail's EmbedBlock, which
    fetches oEmbed data over the internet when a page renders; this block needs no
    network and always uses the no-cookie player the CSP allows."""

    url = blocks.URLBlock(label=_("Video address (YouTube or Vimeo)"))
    title = blocks.CharBlock(
        label=_("Title"), max_length=150, help_text=_("Describes the video for screen readers.")
    )
    transcript = blocks.TextBlock(label=_("Transcript or summary"), required=False)

    class Meta:
        icon = "media"
        template = "knowledge/blocks/video.html"
        label = _("Video")

    def clean(self, value):
        value = super().clean(value)
        if not video_embed_url(value["url"]):
            raise blocks.StructBlockValidationError(
                {"url": ValidationError(_("Use a YouTube or Vimeo address."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["embed_url"] = video_embed_url(value["url"])
        return context


class DownloadBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(label=_("Link text"), max_length=150, required=False)

    class Meta:
        icon = "download"
        template = "knowledge/blocks/download.html"
        label = _("Download")


class RelatedContentBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=120, default="Lees ook")
    pages = blocks.ListBlock(blocks.PageChooserBlock(), label=_("Pages"))

    class Meta:
        icon = "link"
        template = "knowledge/blocks/related.html"
        label = _("Related content")


class ArticleBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"),
        features=["bold", "italic", "link", "document-link", "ol", "ul"],
        template="portal/blocks/paragraph.html",
    )
    quote = QuoteBlock()
    callout = CalloutBlock()
    download = DownloadBlock()
    video = VideoBlock()
    related = RelatedContentBlock()
