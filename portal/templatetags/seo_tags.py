"""The <head> metadata of every public page: canonical link and OpenGraph."""

from typing import Any

from django import template
from django.utils.text import Truncator

from portal.seo import canonical_url, og_image_url

register = template.Library()

SITE_NAME = "ZVH Brabant Zuidoost"


@register.inclusion_tag("portal/includes/head_meta.html", takes_context=True)
def head_meta(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    page = context.get("page")
    if request is None:
        return {}
    meta: dict[str, Any] = {"canonical": canonical_url(request, page), "site_name": SITE_NAME}
    if page is None or not hasattr(page, "get_url"):
        return meta
    specific = getattr(page, "specific", page)
    description = (
        page.search_description
        or getattr(specific, "summary", "")
        or getattr(specific, "introduction", "")
    )
    meta |= {
        "page": page,
        "title": page.seo_title or page.title,
        "description": Truncator(" ".join(description.split())).chars(300),
        # An article is an article; every other page is part of the website.
        "type": "article" if hasattr(specific, "publication_date") else "website",
        "image": og_image_url(specific),
        "image_alt": getattr(specific, "image_alt", ""),
    }
    return meta
