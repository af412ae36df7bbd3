"""Issue → MJML → HTML (+ plain text), rendered once per issue, personalised late.

The rendered HTML and text contain placeholders such as ``[[name]]`` and
``[[unsubscribe_url]]``; ``personalise_*`` fills them per recipient in one
regular-expression pass, so a value can never inject another placeholder.
The renderer is mjml-python (Rust, mrml); docs/newsletter.md has the
comparison with the official npm renderer that led to this choice.
"""

import datetime as dt
import html as html_lib
import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from mjml import mjml2html

PLACEHOLDER = re.compile(r"\[\[(\w+)\]\]")


@dataclass
class Rendered:
    html: str
    text: str
    subject: str


def base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _page_card(page) -> dict:
    page = page.specific
    image_url = ""
    image = getattr(page, "image", None)
    if image is not None and hasattr(image, "get_rendition"):
        image_url = base_url() + image.get_rendition("fill-560x300").url
    summary = (
        getattr(page, "summary", "")
        or getattr(page, "introduction", "")
        or page.search_description
        or ""
    )
    return {
        "title": page.title,
        "summary": strip_tags(str(summary))[:300],
        "image_url": image_url,
        "url": base_url() + (page.url or "/"),
    }


def issue_sections(issue) -> list[dict]:
    """The blocks of an issue as plain data for the e-mail templates."""
    from .services import upcoming_events_for_issue

    sections = []
    for block in issue.body:
        value = block.value
        match block.block_type:
            case "intro":
                sections.append(
                    {"type": "intro", "heading": value["heading"], "text": value["text"]}
                )
            case "featured":
                cards = [_page_card(p) for p in value["pages"] if p is not None and p.live]
                if cards:
                    sections.append(
                        {"type": "featured", "heading": value["heading"], "cards": cards}
                    )
            case "events":
                today = timezone.localdate()
                events = upcoming_events_for_issue(
                    start=today,
                    end=today + dt.timedelta(days=value["days_ahead"] or 90),
                    theme=value["theme"],
                )
                if events:
                    sections.append(
                        {"type": "events", "heading": value["heading"], "events": events}
                    )
            case "rich_text" | "colophon":
                html = _absolute_links(str(value))
                sections.append(
                    {"type": block.block_type, "html": html, "text": html_to_text(html)}
                )
            case "call_to_action":
                sections.append(
                    {
                        "type": "cta",
                        "text": value["text"],
                        "label": value["label"],
                        "url": value["url"],
                    }
                )
    return sections


def _absolute_links(html: str) -> str:
    return re.sub(r'href="/', f'href="{base_url()}/', html)


def html_to_text(html: str) -> str:
    text = re.sub(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', r"\2 (\1)", html, flags=re.S)
    text = re.sub(r"<li[^>]*>", "- ", text)
    text = re.sub(r"</(p|h\d|li|ul|ol)>", "\n", text)
    text = re.sub(r"<br\s*/?>", "\n", text)
    return html_lib.unescape(strip_tags(text)).strip()


def issue_mjml(issue, *, welcome: bool = False) -> str:
    return render_to_string("newsletter/email/issue.mjml", _context(issue, welcome=welcome))


def _context(issue, *, welcome: bool) -> dict:
    return {
        "issue": issue,
        "subject": issue.email_subject if issue else _("Welcome to the ZVH newsletter"),
        "preheader": issue.preheader if issue else "",
        "sections": issue_sections(issue) if issue else [],
        "welcome": welcome,
        "web_url": base_url() + issue.url if issue and issue.live and issue.url else "",
        "base_url": base_url(),
    }


def mjml_to_html(source: str) -> str:
    return mjml2html(source, disable_comments=True)


def render_issue(issue, *, welcome: bool = False, preview: bool = False, sending=None) -> Rendered:
    context = _context(issue, welcome=welcome)
    html = mjml_to_html(render_to_string("newsletter/email/issue.mjml", context))
    text = render_to_string("newsletter/email/issue.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return Rendered(html=html, text=text, subject=context["subject"])


def render_welcome() -> Rendered:
    return render_issue(None, welcome=True)


def personalisation(*, subscriber, delivery_token: str = "") -> dict:
    from .services import subscriber_links

    if subscriber.pk:
        links = subscriber_links(subscriber=subscriber)
        prefs, unsub = links["preferences_url"], links["unsubscribe_url"]
    else:  # a test send to an address that is not a subscriber
        prefs = unsub = base_url() + reverse("newsletter:subscribe")
    greeting = (
        _("Dear %(name)s,") % {"name": subscriber.name} if subscriber.name else _("Dear reader,")
    )
    return {
        "greeting": greeting,
        "name": subscriber.name,
        "preferences_url": prefs,
        "unsubscribe_url": unsub,
        "d": delivery_token or "0",
    }


def preview_personalisation(issue) -> dict:
    return {
        "greeting": _("Dear reader,"),
        "name": "",
        "preferences_url": "#",
        "unsubscribe_url": "#",
        "d": "0",
    }


def personalise_html(html: str, values: dict) -> str:
    return PLACEHOLDER.sub(lambda m: html_lib.escape(values.get(m.group(1), "")), html)


def personalise_text(text: str, values: dict) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def wrap_mobile_preview(html: str) -> str:
    """The e-mail in a 375px wide frame, as a phone shows it."""
    return render_to_string("newsletter/email/mobile_preview.html", {"srcdoc": html})
