"""The look: NL Design System tokens in the site's own CSS, and the logo in the header
(docs/look-and-voice.md)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE_CSS = ROOT / "portal" / "static" / "css" / "site.css"
STYLESHEETS = sorted(
    path
    for path in [*ROOT.glob("portal/static/css/*.css"), *ROOT.glob("*/static/*/*.css")]
    if not {".venv", "node_modules"} & set(path.parts)
)


def defined_in(css: str) -> set[str]:
    return set(re.findall(r"(--[a-z0-9-]+)\s*:", css))


def test_every_custom_property_the_stylesheets_use_is_defined():
    defined = defined_in(SITE_CSS.read_text(encoding="utf-8"))
    missing = []
    for path in STYLESHEETS:
        css = path.read_text(encoding="utf-8")
        # A var() with a fallback may name a token the theme leaves out.
        used = set(re.findall(r"var\((--[a-z0-9-]+)\s*\)", css))
        missing += [
            f"{path.relative_to(ROOT)}: {name}" for name in used - defined - defined_in(css)
        ]

    assert missing == []


def test_the_theme_is_named_after_the_nl_design_system_tokens():
    css = SITE_CSS.read_text(encoding="utf-8")
    root = css.split(":root {", 1)[1].split("\n}", 1)[0]
    tokens = defined_in(root)

    for required in [
        "--basis-focus-outline-color",
        "--basis-pointer-target-min-block-size",
        "--nl-link-color",
        "--nl-button-min-block-size",
        "--nl-heading-level-1-font-size",
        "--utrecht-textbox-border-color",
    ]:
        assert required in tokens
    # No stylesheet loads the NL Design System's packages at run time (no npm there).
    assert "@import" not in css and "node_modules" not in css


def test_a_button_is_at_least_the_44_pixel_target_size():
    css = SITE_CSS.read_text(encoding="utf-8")

    assert "--basis-pointer-target-min-block-size: 2.75rem;" in css
    button = re.search(r"\.button, button\[type=\"submit\"\] \{([^}]*)\}", css).group(1)
    assert "min-block-size: var(--nl-button-min-block-size)" in button
    assert "min-inline-size: var(--nl-button-min-inline-size)" in button


@pytest.mark.django_db
def test_the_header_carries_the_mark_and_the_name_as_the_link_text(client, home):
    html = client.get("/").content.decode()

    logo = html.split('<a class="site-logo"', 1)[1].split("</a>", 1)[0]
    assert re.search(r'<svg class="site-logo__mark"[^>]*aria-hidden="true"', logo)
    text = " ".join(re.sub(r"<svg.*?</svg>|<[^>]+>", " ", logo, flags=re.DOTALL).split())
    assert text.endswith("Zorg- en Veiligheidshuis Brabant Zuidoost")
