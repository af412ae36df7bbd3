"""Knowledge centre and site search in a real browser: every page type passes axe."""

import re

from django.core import mail

import pytest

from knowledge.models import (
    Expert,
    ExpertiseArticlePage,
    KnowledgeIndexPage,
    PublicationPage,
    ThemePage,
)

from .conftest import axe_violations, describe, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_searching_radicaliseren_finds_and_opens_a_highlighted_result(page, demo_server):
    page.goto(demo_server.url + "/")
    # The header box is a combobox (search/static/search/suggest.js).
    page.get_by_role("combobox", name="Zoekterm").fill("radicaliseren")
    page.get_by_role("combobox", name="Zoekterm").press("Enter")
    page.wait_for_url("**/zoeken/?q=radicaliseren")

    marks = page.locator(".results mark")
    assert marks.count() >= 3
    assert {m.lower() for m in marks.all_inner_texts()} >= {"radicaliseren", "geradicaliseerde"}
    screenshot(page, "search-radicaliseren")
    assert axe_violations(page) == []

    first = page.locator(".result__title a").first
    title = first.inner_text()
    first.click()
    # The theme page "Radicalisering" is named by the query, so it comes first; its
    # heading adds the theme's short name: "Radicalisering (PGA-R)".
    assert page.get_by_role("heading", level=1).inner_text().startswith(title)


def test_every_knowledge_and_search_page_type_passes_axe(page, demo_server):
    expert = Expert.objects.first()
    urls = {
        "kennis-index": KnowledgeIndexPage.objects.get().url,
        "kennis-thema": ThemePage.objects.get(theme__slug="radicalisering").url,
        "kennis-artikel": ExpertiseArticlePage.objects.live().first().url,
        "kennis-publicatie": PublicationPage.objects.live().first().url,
        "kennis-experts": "/expertise/experts/",
        "kennis-expert": expert.get_absolute_url(),
        "kennis-vraag-bedankt": "/expertise/vraag/bedankt/",
        "kennis-vraag-verstuurd": "/expertise/vraag/verstuurd/",
        "kennis-vraag-link-verlopen": "/expertise/vraag/bevestigen/verlopen/",
        "zoeken-leeg": "/zoeken/",
        "zoeken-filters": "/zoeken/?q=gedrag&thema=onbegrepen-gedrag&sorteer=date",
        "zoeken-typfout": "/zoeken/?q=radicalisring",
        "zoeken-niets": "/zoeken/?q=xqzwvbla",
    }
    for name, url in urls.items():
        page.goto(demo_server.url + url)
        violations = axe_violations(page)
        screenshot(page, name)
        assert violations == [], f"{url}: {describe(violations)}"


def test_a_question_with_errors_keeps_the_text_and_passes_axe(page, demo_server):
    page.goto(demo_server.url + ThemePage.objects.get(theme__slug="hgkm-mda").url)
    # The footer's newsletter sign-up has an e-mail field too: stay inside <main>.
    main = page.locator("main")
    main.get_by_label("Uw vraag").fill("Hoe werkt de MDA++ aanpak bij ons in de wijk?")
    main.get_by_label("Uw naam").fill("Ellen Vraagsteller")
    main.get_by_label("Uw e-mailadres").fill("geen-adres")
    main.get_by_role("button", name="Vraag versturen").click()

    # Said twice: in the error summary (a link to the field) and at the field itself.
    error = main.locator(".field-error").get_by_text("Voer een geldig e-mailadres in.")
    error.wait_for()
    assert main.get_by_label("Uw vraag").input_value().startswith("Hoe werkt de MDA++")
    assert error.is_visible()
    screenshot(page, "kennis-vraag-fout")
    assert axe_violations(page) == []

    mail.outbox.clear()
    main.get_by_label("Uw e-mailadres").fill("ellen@gemeente.example")
    main.get_by_role("button", name="Vraag versturen").click()
    page.wait_for_url("**/expertise/vraag/bedankt/")
    assert "Nog één stap" in page.get_by_role("heading", level=1).inner_text()
    assert axe_violations(page) == []

    # The address is confirmed through the link in the mail, which repeats nothing typed.
    (request,) = mail.outbox
    assert "MDA++" not in request.body and "Ellen" not in request.body
    link = re.search(r"https?://[^/\s]+(/expertise/vraag/bevestigen/\S+/)", request.body)
    page.goto(demo_server.url + link.group(1))
    assert "MDA++" not in page.inner_text("main")
    screenshot(page, "kennis-vraag-bevestigen")
    assert axe_violations(page) == []
    main.get_by_role("button", name="Ja, verstuur mijn vraag").click()
    page.wait_for_url("**/expertise/vraag/verstuurd/")
    assert "onderweg naar onze experts" in page.inner_text("main")
    screenshot(page, "kennis-vraag-verstuurd")
    assert axe_violations(page) == []
    assert any("MDA++" in m.body for m in mail.outbox[1:]), "the expert and the copy follow"


def test_a_question_over_the_rate_limit_keeps_the_text_and_passes_axe(
    page, demo_server, settings, monkeypatch
):
    from django.core.cache import cache

    settings.RATELIMIT_ENABLE = True
    monkeypatch.setattr("knowledge.views.QUESTION_RATE", "1/h")  # the real limit is 10/h
    cache.clear()
    theme_url = demo_server.url + ThemePage.objects.get(theme__slug="hgkm-mda").url
    main = page.locator("main")
    for _ in range(2):
        page.goto(theme_url)
        main.get_by_label("Uw vraag").fill("Hoe werkt de MDA++ aanpak bij ons in de wijk?")
        main.get_by_label("Uw naam").fill("Ellen Vraagsteller")
        main.get_by_label("Uw e-mailadres").fill("ellen@gemeente.example")
        main.get_by_role("button", name="Vraag versturen").click()
        page.wait_for_load_state()

    message = main.get_by_text("probeer het over een uur opnieuw")
    message.wait_for()
    assert main.get_by_label("Uw vraag").input_value().startswith("Hoe werkt de MDA++")
    screenshot(page, "kennis-vraag-te-vaak")
    assert axe_violations(page) == []
