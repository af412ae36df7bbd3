"""Template filters of the knowledge pages."""

from django import template
from django.utils.formats import number_format

register = template.Library()

KILOBYTE = 1024
MEGABYTE = 1024 * 1024


@register.filter
def download_size(document) -> str:
    """A document's size as a reader sees it next to a download link: "240 kB",
    "1,3 MB" (in the active language's number format); "" when the file is gone.

    Reads ``get_file_size()``, which measures and stores the size of a document
    saved without one."""
    size = document.get_file_size() if document is not None else None
    if not size:
        return ""
    if size < MEGABYTE:
        return f"{max(1, round(size / KILOBYTE))} kB"
    return f"{number_format(size / MEGABYTE, 1)} MB"
