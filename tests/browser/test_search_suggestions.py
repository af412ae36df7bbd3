"""The header search box suggests pages and words as a WAI-ARIA combobox: arrow keys
move, Escape closes, Enter on a title opens the page, Enter on a word searches; on
desktop and at 375 px, and as a plain form without JavaScript."""

import re

import pytest

from .conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def header_box(page):
    return page.get_by_role("search", name="Zoeken op de site").get_by_role(
        "combobox", name="Zoekterm"
    )


def active_option(page, box):
    return page.locator(f"#{box.get_attribute('aria-activedescendant')}")


def assert_accessible(page, name):
    violations = axe_violations(page)
    screenshot(page, name)
    assert violations == [], f"{name}: {describe(violations)}"


def test_keyboard_in_the_header_box_opens_a_suggested_page(page, demo_server):
    page.goto(demo_server.url + "/expertise/experts/")
    box = header_box(page)
    box.press_sequentially("contact", delay=20)
    listbox = page.get_by_role("listbox", name="Suggesties")
    listbox.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-controls") == listbox.get_attribute("id")
    assert listbox.get_by_role("group", name="Direct naar").get_by_role("option").count() >= 1

    box.press("ArrowDown")
    first = active_option(page, box)
    assert first.inner_text() == "Contact"
    assert first.get_attribute("aria-selected") == "true"
    assert page.get_by_role("status").filter(has_text="suggestie").count() == 1
    assert_accessible(page, "zoeken-suggesties-desktop")

    box.press("ArrowDown")
    assert active_option(page, box).inner_text() != "Contact"
    box.press("ArrowUp")
    assert active_option(page, box).inner_text() == "Contact"

    box.press("Escape")
    assert listbox.is_hidden()
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "contact"  # closing keeps what was typed

    box.press("ArrowDown")
    assert active_option(page, box).inner_text() == "Contact"
    box.press("Enter")
    page.wait_for_url(re.compile(r"/contact/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Contact"


def test_enter_on_a_suggested_word_searches_for_it(page, demo_server):
    page.goto(demo_server.url + "/over-ons/")
    box = header_box(page)
    box.press_sequentially("huiselijk gewe", delay=20)
    page.get_by_role("listbox", name="Suggesties").wait_for()
    box.press("ArrowUp")  # from the closed end: the last option, a word
    word = active_option(page, box)
    assert word.inner_text().startswith("huiselijk gewe")
    query = word.inner_text()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/zoeken/\?q="))
    assert page.get_by_role("combobox", name="Zoekterm").input_value() == query
    assert page.locator(".result").count() >= 1


def test_at_375px_a_suggested_expert_opens_from_the_keyboard(phone, demo_server):
    phone.goto(demo_server.url + "/over-ons/")
    box = header_box(phone)
    box.press_sequentially("marieke", delay=20)
    listbox = phone.get_by_role("listbox", name="Suggesties")
    listbox.wait_for()
    box.press("ArrowDown")
    assert active_option(phone, box).inner_text() == "Marieke van Dongen"
    bounds = listbox.bounding_box()
    assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 375
    assert_accessible(phone, "zoeken-suggesties-375")

    box.press("Enter")
    phone.wait_for_url(re.compile(r"/expertise/experts/marieke-van-dongen/$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Marieke van Dongen"


def test_the_search_page_box_suggests_the_same_way(page, demo_server):
    page.goto(demo_server.url + "/zoeken/")
    box = page.locator("main").get_by_role("combobox", name="Zoekterm")
    box.press_sequentially("nieuwsbrief", delay=20)
    page.get_by_role("listbox", name="Suggesties").wait_for()
    box.press("ArrowDown")
    assert active_option(page, box).inner_text() == "Nieuwsbrief"
    box.press("Enter")
    page.wait_for_url(re.compile(r"/nieuwsbrief/$"))


def test_without_javascript_the_header_box_is_a_plain_search_form(browser, demo_server):
    context = browser.new_context(locale="nl-NL", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_server.url + "/over-ons/")
        box = page.get_by_role("search", name="Zoeken op de site").get_by_role("searchbox")
        box.fill("contact")
        box.press("Enter")
        page.wait_for_url(re.compile(r"/zoeken/\?q=contact"))
        assert page.locator(".result__title a").first.inner_text() == "Contact"
    finally:
        context.close()
