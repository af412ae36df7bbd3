"""The public site in a real browser: Dutch navigation, keyboard, accessibility."""

from wagtail.models import Page

import pytest

from .conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAIN_SECTIONS = [
    "Kennis & expertise",
    "Trainingen & bijeenkomsten",
    "Nieuwsbrief",
    "Voor partners",
    "Over ons",
    "Contact",
]


def test_home_page_renders_with_dutch_navigation(page, demo_server):
    page.goto(demo_server.url + "/")

    assert page.locator("html").get_attribute("lang") == "nl"
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    for title in MAIN_SECTIONS:
        assert nav.get_by_role("link", name=title).is_visible()
    screenshot(page, "home")


def test_main_sections_are_reachable_by_keyboard_alone(page, demo_server):
    page.goto(demo_server.url + "/")

    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused in MAIN_SECTIONS and focused not in reached:
            reached.append(focused)
        if len(reached) == len(MAIN_SECTIONS):
            break
    assert reached == MAIN_SECTIONS

    # Enter follows the focused link: the last section reached is Contact.
    page.keyboard.press("Enter")
    page.wait_for_url("**/contact/")
    assert page.get_by_role("heading", level=1).inner_text() == "Contact"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, demo_server):
    page.goto(demo_server.url + "/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhoud"


@pytest.mark.pages  # every demo page, a minute and a half: make test-pages, not make test
def test_every_demo_page_has_no_wcag_21_aa_violations(page, demo_server):
    urls = [p.url for p in Page.objects.live().public().filter(depth__gte=2).specific()]
    urls.append("/bestaat-niet/")  # the 404 page
    assert len(urls) >= 7

    for url in urls:
        page.goto(demo_server.url + url)
        violations = axe_violations(page)
        screenshot(page, "page" + url.strip("/").replace("/", "-") if url != "/" else "page-home")
        assert violations == [], f"{url}: {describe(violations)}"


def test_mobile_menu_opens_with_the_keyboard(page, demo_server):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo_server.url + "/")
    toggle = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Hoofdmenu")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.get_by_role("link", name="Over ons").is_visible()

    toggle.focus()
    page.keyboard.press("Enter")

    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="Over ons").is_visible()
    screenshot(page, "home-mobile-menu-open")
