"""Compare mjml-python (mrml) with the official npm ``mjml`` renderer.

Used by the structure test (test_rendering.py) and by bench/newsletter.py. The npm
renderer is a development tool here (node_modules, package.json); production renders with
mjml-python only.
"""

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NPM_MJML = ROOT / "node_modules" / "mjml" / "bin" / "mjml"
NODE = shutil.which("node") or "node"


def render_with_npm(source: str) -> str:
    result = subprocess.run(  # noqa: S603 -- fixed argv, our own template as stdin
        [
            NODE,
            str(NPM_MJML),
            "-i",
            "-s",
            "--config.minify=false",
            "--config.validationLevel=strict",
        ],
        input=source.encode(),
        capture_output=True,
        check=True,
        timeout=60,
    )
    return result.stdout.decode()


class _Structure(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.classes: set[str] = set()
        self.links: list[str] = []
        self.images: list[str] = []
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.add(tag)
        if tag in {"style", "title"}:
            self._skip += 1
        for name in (attrs.get("class") or "").split():
            self.classes.add(name)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag in {"style", "title"} and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.words.extend(data.split())


def structure(html: str) -> dict:
    """Tags, classes, links, images and visible text, without Outlook conditionals."""
    html = re.sub(r"<!--\[if.*?<!\[endif\]-->", "", html, flags=re.S)
    html = re.sub(r"<!--.*?-->", "", html, flags=re.S)
    parser = _Structure()
    parser.feed(html)
    return {
        "tags": parser.tags,
        "classes": parser.classes,
        "links": parser.links,
        "images": parser.images,
        "text": " ".join(parser.words),
    }
