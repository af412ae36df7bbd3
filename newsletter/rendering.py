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

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from mjml import mjml2html

from portal.mail import absolute_url

PLACEHOLDER = re.compile(r"\[\[(\w+)\]\]")


@dataclass
class Rendered:
    html: str
    text: str
    subject: str


def _page_card(page) -> dict:
    page = page.specific
    image_url = ""
    image = getattr(page, "image", None)
    if image is not None and hasattr(image, "get_rendition"):
        image_url = absolute_url(image.get_rendition("fill-560x300").url)
    summary = (
        getattr(page, "summary", "")
        or getattr(page, "introduction", "")
        or page.search_description
        or ""
    )
    themes = getattr(page, "themes", None)
    return {
        "title": page.title,
        "summary": strip_tags(str(summary))[:300],
        "image_url": image_url,
        "url": absolute_url(page.url or "/"),
        "themes": sorted(themes.values_list("pk", flat=True)) if themes is not None else [],
    }


def issue_sections(issue) -> list[dict]:
    """The blocks of an issue as plain data for the e-mail templates."""
    from .selectors import upcoming_events_for_issue

    sections = []
    for block in issue.body:
        value = block.value
        match block.block_type:
            case "intro":
                sections.append(
                    {
                        "type": "intro",
                        "heading": value["heading"],
                        "text": value["text"],
                        "audience": _audience(value),
                    }
                )
            case "featured":
                cards = [_page_card(p) for p in value["pages"] if p is not None and p.live]
                if cards:
                    sections.append(
                        {
                            "type": "featured",
                            "heading": value["heading"],
                            "cards": cards,
                            "audience": _audience(value),
                        }
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
                        "audience": _audience(value),
                    }
                )
    return sections


def _audience(value) -> int | None:
    theme = value.get("audience")
    return theme.pk if theme is not None else None


# --- Themes of interest -------------------------------------------------------
# An issue is rendered once per *theme key*: "" for readers who chose no themes
# (everything, nothing marked, as on the website), else "t:" and the ids of the
# reader's themes that occur in this issue. Readers with the same key get the
# same e-mail, so a sending renders a handful of variants, not one per reader.

ALL = ""


def issue_themes(sections) -> set[int]:
    """The themes that make a difference in this issue."""
    found = set()
    for section in sections:
        if section.get("audience"):
            found.add(section["audience"])
        for item in section.get("cards", []) + section.get("events", []):
            found.update(item.get("themes", []))
    return found


def theme_key(reader_themes, relevant: set[int]) -> str:
    if not reader_themes:
        return ALL
    return "t:" + ",".join(str(pk) for pk in sorted(set(reader_themes) & relevant))


def _key_themes(key: str) -> set[int] | None:
    if key == ALL:
        return None
    return {int(pk) for pk in key[2:].split(",") if pk}


def personalise_sections(sections, key: str) -> list[dict]:
    """The sections a reader with this theme key gets: theme-specific blocks only
    for their themes; matching articles and events first and marked "for you"."""
    themes = _key_themes(key)
    if themes is None:
        return sections
    result = []
    for section in sections:
        if section.get("audience") and section["audience"] not in themes:
            continue
        section = dict(section)
        for name in ("cards", "events"):
            if name in section:
                items = [{**item, "for_you": bool(themes & set(item.get("themes", [])))}
                         for item in section[name]]  # fmt: skip
                section[name] = sorted(items, key=lambda item: not item["for_you"])
        result.append(section)
    return result


def _absolute_links(html: str) -> str:
    return re.sub(r'href="/', f'href="{absolute_url("/")}', html)


def html_to_text(html: str) -> str:
    text = re.sub(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', r"\2 (\1)", html, flags=re.S)
    text = re.sub(r"<li[^>]*>", "- ", text)
    text = re.sub(r"</(p|h\d|li|ul|ol)>", "\n", text)
    text = re.sub(r"<br\s*/?>", "\n", text)
    return html_lib.unescape(strip_tags(text)).strip()


def issue_mjml(issue, *, welcome: bool = False) -> str:
    return render_to_string("newsletter/email/issue.mjml", _context(issue, welcome=welcome))


def _context(issue, *, welcome: bool, sections=None, key: str = ALL) -> dict:
    if sections is None:
        sections = issue_sections(issue) if issue else []
    return {
        "issue": issue,
        "subject": issue.email_subject if issue else _("Welcome to the ZVH newsletter"),
        "preheader": issue.preheader if issue else "",
        "sections": personalise_sections(sections, key),
        "welcome": welcome,
        "web_url": absolute_url(issue.url) if issue and issue.live and issue.url else "",
        "base_url": absolute_url(""),
    }


def mjml_to_html(source: str) -> str:
    return mjml2html(source, disable_comments=True)


def render_issue(
    issue,
    *,
    welcome: bool = False,
    preview: bool = False,
    sending=None,
    sections=None,
    key: str = ALL,
) -> Rendered:
    """The e-mail for readers with theme ``key``; pass ``sections`` to render
    several variants from one database read."""
    context = _context(issue, welcome=welcome, sections=sections, key=key)
    html = mjml_to_html(render_to_string("newsletter/email/issue.mjml", context))
    text: str = render_to_string("newsletter/email/issue.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return Rendered(html=html, text=text, subject=context["subject"])


def digest_sections(issues) -> list[dict]:
    """A quarterly digest: per issue its featured articles and a link to the whole
    issue, then the events coming up now (those in the old issues have passed)."""
    from .selectors import upcoming_events_for_issue

    sections = []
    for issue in issues:
        cards = [
            card
            for section in issue_sections(issue)
            if section["type"] == "featured"
            for card in section["cards"]
        ]
        cards.append(
            {
                "title": _("Read the whole newsletter"),
                "summary": issue.preheader,
                "image_url": "",
                "url": absolute_url(issue.url or "/"),
            }
        )
        sent = timezone.localtime(issue.sent_at).date() if issue.sent_at else None
        heading = f"{issue.title} ({sent:%d-%m-%Y})" if sent else issue.title
        sections.append({"type": "featured", "heading": heading, "cards": cards})
    today = timezone.localdate()
    events = upcoming_events_for_issue(start=today, end=today + dt.timedelta(days=90))
    if events:
        sections.append({"type": "events", "heading": _("Coming up"), "events": events})
    return sections


def render_digest(issues, *, quarter: str) -> Rendered:
    subject = _("Quarterly digest %(quarter)s") % {"quarter": quarter}
    count = len(issues)
    intro = {
        "type": "intro",
        "heading": _("The past quarter in one e-mail"),
        "text": _(
            "You chose to receive a quarterly digest. Here are the highlights of the "
            "%(count)s newsletter(s) we sent since your last digest."
        )
        % {"count": count},
    }
    context = {
        "issue": None,
        "subject": subject,
        "preheader": _("The highlights of %(count)s newsletter(s).") % {"count": count},
        "sections": [intro, *digest_sections(issues)],
        "welcome": False,
        "web_url": "",
        "base_url": absolute_url(""),
    }
    html = mjml_to_html(render_to_string("newsletter/email/issue.mjml", context))
    text: str = render_to_string("newsletter/email/issue.txt", context)
    text = re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return Rendered(html=html, text=text, subject=subject)


def render_welcome() -> Rendered:
    return render_issue(None, welcome=True)


def personalisation(*, subscriber, delivery_token: str = "") -> dict[str, str]:
    from .services.links import subscriber_links

    if subscriber.pk:
        links = subscriber_links(subscriber=subscriber)
        prefs, unsub = links["preferences_url"], links["unsubscribe_url"]
    else:  # a test send to an address that is not a subscriber
        prefs = unsub = absolute_url(reverse("newsletter:subscribe"))
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


def personalise_html(html: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: html_lib.escape(values.get(m.group(1), "")), html)


def personalise_text(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def wrap_mobile_preview(html: str) -> str:
    """The e-mail in a 375px wide frame, as a phone shows it."""
    return render_to_string("newsletter/email/mobile_preview.html", {"srcdoc": html})
