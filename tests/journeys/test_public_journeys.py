"""Journeys of a member of the public (and an editor) through the running embedded demo.

Each test starts at the home page and goes on only by clicking what a person sees, or
by following a link from an e-mail in the demo's outbox; no URL is built here.
"""

import datetime as dt
import re
import secrets
import time
from zoneinfo import ZoneInfo

import pytest

from .conftest import assert_accessible, step

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("journeys")]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the portal's TIME_ZONE, the admin's clock


def address(name: str) -> str:
    """A fresh address per run, so a journey may also run again against the same demo."""
    return f"{name}.{secrets.token_hex(3)}@voorbeeld.example"


def results_count(page) -> int:
    heading = page.locator("#resultaten").inner_text()
    return int(re.match(r"\d+", heading).group(0))


def test_a_visitor_browses_from_theme_to_publication_and_narrows_a_search(
    embedded_demo, journey_page
):
    page = journey_page
    page.goto(embedded_demo.url + "/")
    assert_accessible(page, "home")

    page.locator(".main-nav").get_by_role("link", name="Kennis & expertise").click()
    page.get_by_role("heading", level=1, name="Kennis & expertise").wait_for()
    assert_accessible(page, "knowledge-centre")

    themes = page.locator("section[aria-labelledby=themas]")
    themes.get_by_role("link", name="Radicalisering").click()
    page.get_by_role("heading", level=1, name=re.compile("Radicalisering")).wait_for()
    assert_accessible(page, "theme")

    articles = page.locator("section[aria-labelledby=artikelen]")
    article_link = articles.get_by_role("link").first
    article_title = article_link.inner_text().strip()
    article_link.click()
    page.get_by_role("heading", level=1, name=article_title).wait_for()
    assert_accessible(page, "article")

    # The author links to the expert's profile.
    author = page.locator(".article-meta").get_by_role("link").last
    expert_name = author.inner_text().strip()
    author.click()
    page.get_by_role("heading", level=1, name=expert_name).wait_for()
    assert article_title in page.inner_text("main"), "the profile lists the expert's article"
    assert_accessible(page, "expert")

    # Back to the theme through the expert's specialisation, on to a publication.
    page.locator(".article-meta").get_by_role("link", name="Radicalisering").click()
    page.get_by_role("heading", level=1, name=re.compile("Radicalisering")).wait_for()
    publications = page.locator("section[aria-labelledby=publicaties]")
    publication_link = publications.get_by_role("link").first
    publication_title = publication_link.inner_text().strip()
    publication_link.click()
    page.get_by_role("heading", level=1, name=publication_title).wait_for()
    assert_accessible(page, "publication")

    download = page.locator(".download").get_by_role("link", name=re.compile("Download"))
    response = page.request.get(download.evaluate("link => link.href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # The site search box, on every page (a combobox: search/static/search/suggest.js).
    page.get_by_role("search", name="Zoeken op de site").get_by_role("combobox").fill(
        "radicalisering"
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/zoeken/**")
    page.locator("#resultaten").wait_for()
    everything = results_count(page)
    titles = page.locator(".result__title").all_inner_texts()
    assert everything > 2
    assert publication_title in titles
    assert_accessible(page, "search-results")

    facets = page.get_by_role("form", name="Resultaten filteren")
    kind = facets.get_by_label(re.compile(r"^Training of bijeenkomst"))
    expected = int(re.search(r"\((\d+)\)", kind.locator("xpath=..").inner_text()).group(1))
    kind.check()
    facets.get_by_role("button", name="Filters toepassen").click()
    page.wait_for_url(re.compile(r"soort="))
    page.locator("#resultaten").wait_for()
    assert 0 < results_count(page) == expected < everything
    metas = page.locator(".result__meta").all_inner_texts()
    assert len(metas) == expected
    assert all(meta.startswith("Training of bijeenkomst") for meta in metas), metas
    assert publication_title not in page.locator(".result__title").all_inner_texts()
    assert_accessible(page, "search-narrowed")
    step(page, "done")


# --- Trainingen & bijeenkomsten ----------------------------------------------------


def open_agenda(page, demo) -> None:
    page.goto(demo.url + "/")
    page.locator(".main-nav").get_by_role("link", name="Trainingen & bijeenkomsten").click()
    page.get_by_role("heading", level=1, name="Trainingen & bijeenkomsten").wait_for()


def open_event(page, demo, title: str) -> None:
    open_agenda(page, demo)
    page.locator(".event-list").get_by_role("link", name=title).click()
    page.get_by_role("heading", level=1, name=title).wait_for()


def register_as_guest(page, name: str, email: str, organisation: str) -> None:
    form = page.locator("section.registration form")
    form.get_by_label("Naam").fill(name)
    form.get_by_label("E-mailadres").fill(email)
    form.get_by_label("Organisatie").fill(organisation)
    form.get_by_role("button").click()
    page.wait_for_url("**/controleer-uw-e-mail/")


def confirm_from_mail(page, demo, email: str, title: str) -> None:
    """Follow the link in the confirmation request and press the button."""
    mail = demo.wait_for_mail(email, f"Bevestig uw inschrijving: {title}")
    link = demo.link(mail, "/bevestigen/")
    assert link.startswith(demo.url + "/"), "mail links point at the server's own port"
    page.goto(link)
    page.get_by_role("button", name="Mijn inschrijving bevestigen").click()
    page.wait_for_url("**/agenda/aanmelding/**")


def seats_free(page) -> int:
    places = page.locator(".event-facts dt", has_text="Plaatsen").locator(
        "xpath=following-sibling::dd[1]"
    )
    text = places.inner_text()
    match = re.match(r"(\d+) plaats", text)
    return int(match.group(1)) if match else 0


def calendar_events(data: bytes) -> list:
    from icalendar import Calendar

    calendar = Calendar.from_ical(data)
    assert calendar.name == "VCALENDAR"
    return list(calendar.walk("VEVENT"))


def test_a_guest_registers_for_a_training_through_the_mails_and_cancels(
    embedded_demo, journey_page
):
    demo, page = embedded_demo, journey_page
    title = "Training procesregie bij complexe casuïstiek"
    gerda = address("gerda.gast")

    open_agenda(page, demo)
    assert_accessible(page, "agenda")
    page.locator(".event-list").get_by_role("link", name=title).click()
    page.get_by_role("heading", level=1, name=title).wait_for()
    free = seats_free(page)
    assert free > 0
    assert_accessible(page, "training")

    register_as_guest(page, "Gerda Gast", gerda, "Gemeente Voorbeeld")
    assert page.get_by_role("heading", level=1).inner_text() == "Controleer uw e-mail"
    assert_accessible(page, "check-your-mail")

    mail = demo.wait_for_mail(gerda, f"Bevestig uw inschrijving: {title}")
    # Until the address is confirmed, the mail repeats nothing typed in the form.
    assert "Gerda" not in mail.get_body(preferencelist=("plain",)).get_content()
    page.goto(demo.link(mail, "/bevestigen/"))
    assert_accessible(page, "confirm")
    page.get_by_role("button", name="Mijn inschrijving bevestigen").click()
    page.wait_for_url("**/agenda/aanmelding/**")
    main = page.locator("main")
    main.get_by_text("Uw inschrijving is bevestigd.").wait_for()
    assert "Bevestigd" in page.inner_text(".facts")
    assert_accessible(page, "confirmed")

    # The confirmation mail carries the invitation; the page offers the same event.
    confirmed = demo.wait_for_mail(gerda, f"Inschrijving bevestigd: {title}")
    attachments = {part.get_filename(): part for part in confirmed.iter_attachments()}
    assert "uitnodiging.ics" in attachments
    invited = calendar_events(attachments["uitnodiging.ics"].get_payload(decode=True))
    assert invited and all(title in str(event["SUMMARY"]) for event in invited)
    ics = main.get_by_role("link", name="Toevoegen aan agenda (.ics)")
    response = page.request.get(ics.evaluate("link => link.href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/calendar")
    downloaded = calendar_events(response.body())
    assert [str(e["UID"]) for e in downloaded] == [str(e["UID"]) for e in invited]
    assert all(title in str(event["SUMMARY"]) for event in downloaded)

    # Registering the same address again looks like any registration; only the mail,
    # to the address itself, says it is registered already, with its own link.
    open_event(page, demo, title)
    register_as_guest(page, "Iemand Anders", gerda, "Elders")
    assert page.get_by_role("heading", level=1).inner_text() == "Controleer uw e-mail"
    notice = demo.wait_for_mail(gerda, f"U bent al ingeschreven: {title}")
    assert "Iemand Anders" not in notice.get_body(preferencelist=("plain",)).get_content()
    page.goto(demo.link(notice, "/agenda/aanmelding/"))
    facts = page.inner_text(".facts")
    assert "Bevestigd" in facts and "Gerda Gast" in facts, "the registration that exists"
    step(page, "registered-again")

    # Self-service from the mail: change an answer.
    page.goto(demo.link(confirmed, "/agenda/aanmelding/"))
    answers = page.locator("section[aria-labelledby=antwoorden] form")
    answers.get_by_label("Functie").fill("Procesregisseur")
    step(page, "change-answers")
    answers.get_by_role("button", name="Antwoorden opslaan").click()
    main.get_by_text("Uw antwoorden zijn opgeslagen.").wait_for()
    assert answers.get_by_label("Functie").input_value() == "Procesregisseur"
    assert_accessible(page, "answers-saved")

    # And cancel.
    page.get_by_role("button", name="Mijn inschrijving annuleren").click()
    main.get_by_text("Uw inschrijving is geannuleerd.").wait_for()
    assert "Geannuleerd" in page.inner_text(".facts")
    assert_accessible(page, "cancelled")
    demo.wait_for_mail(gerda, f"Inschrijving geannuleerd: {title}")

    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", level=1, name=title).wait_for()
    assert seats_free(page) == free, "the seat is free again"
    step(page, "seat-free-again")


# --- The editor --------------------------------------------------------------------


# Who publishes: the demo's editor, in Wagtail's "Editors" and "Moderators" groups
# (publishing a page and sending a newsletter both need the publish permission).
PUBLISHER_ROLE = "redacteur"


def log_in_as_editor(page, demo) -> dict:
    """The editor signs in from the footer link, with password and authenticator code."""
    editor = demo.account(PUBLISHER_ROLE)
    page.goto(demo.url + "/")
    page.get_by_role("link", name="Inloggen voor partners en medewerkers").click()
    page.wait_for_url("**/accounts/login/**")
    assert_accessible(page, "login")
    main = page.locator("main")
    main.get_by_label("E-mail").fill(editor["email"])
    main.get_by_label("Wachtwoord").fill(editor["password"])
    main.get_by_role("button", name="Inloggen").click()
    page.locator("input[name=code]").wait_for()
    assert_accessible(page, "second-factor")
    page.locator("input[name=code]").fill(demo.totp(editor["email"]))
    page.locator("form:has(input[name=code]) button[type=submit]").first.click()
    page.get_by_text("U bent ingelogd als").wait_for()
    return editor


def edit_this_page(page) -> None:
    """Wagtail's user bar on the public page: "Wijzig deze pagina"."""
    page.locator("wagtail-userbar").get_by_role("button").first.click()
    page.locator("wagtail-userbar a", has_text="Wijzig deze pagina").click()
    page.wait_for_url("**/admin/pages/*/edit/")


def header_action(page, name: str) -> None:
    """A button in the page header of the Wagtail editor (behind its "..." menu)."""
    action = page.get_by_role("link", name=name)
    if not action.is_visible():
        page.get_by_role("button", name="Acties").first.click()
    action.click()


def publish(page, action: str = "Publiceren") -> None:
    page.get_by_role("button", name="Meer acties").click()
    page.get_by_role("button", name=action, exact=True).click()
    page.locator(".messages .success").first.wait_for()


def test_a_full_event_puts_the_next_guest_on_the_waiting_list_and_a_cancellation_promotes_them(
    embedded_demo, journey_page_factory
):
    demo = embedded_demo
    title = "Webinar: gegevens delen binnen het convenant"
    editor_page, guest_page = journey_page_factory(), journey_page_factory()
    first, second = address("eerste.gast"), address("tweede.gast")

    # The editor leaves exactly one seat free.
    log_in_as_editor(editor_page, demo)
    open_event(editor_page, demo, title)
    free = seats_free(editor_page)
    assert free > 1, "a fresh demo: the webinar has room"
    edit_this_page(editor_page)
    capacity = editor_page.get_by_label("Capaciteit")
    capacity.fill(str(int(capacity.input_value()) - free + 1))
    step(editor_page, "capacity")
    publish(editor_page)
    step(editor_page, "published")

    # The first guest takes that seat.
    open_event(guest_page, demo, title)
    assert seats_free(guest_page) == 1
    register_as_guest(guest_page, "Eerste Gast", first, "GGD")
    confirm_from_mail(guest_page, demo, first, title)
    guest_page.locator("main").get_by_text("Uw inschrijving is bevestigd.").wait_for()
    seated = demo.wait_for_mail(first, f"Inschrijving bevestigd: {title}")
    step(guest_page, "first-guest-confirmed")

    # The event is full now: the agenda says so, and the next guest joins the waiting list.
    open_agenda(guest_page, demo)
    item = guest_page.locator(".event-item", has=guest_page.get_by_role("link", name=title))
    assert "Vol – wachtlijst" in item.inner_text()
    item.get_by_role("link", name=title).click()
    guest_page.get_by_role("heading", level=1, name=title).wait_for()
    assert seats_free(guest_page) == 0
    assert guest_page.get_by_role("button", name="Op de wachtlijst").is_visible()
    assert_accessible(guest_page, "full-event")
    register_as_guest(guest_page, "Tweede Gast", second, "Reclassering")
    confirm_from_mail(guest_page, demo, second, title)
    assert "Wachtlijst" in guest_page.inner_text(".facts")
    assert_accessible(guest_page, "waiting-list")
    demo.wait_for_mail(second, f"U staat op de wachtlijst: {title}")

    # The first guest cancels through the link in their confirmation mail ...
    guest_page.goto(demo.link(seated, "/agenda/aanmelding/"))
    guest_page.get_by_role("button", name="Mijn inschrijving annuleren").click()
    guest_page.locator("main").get_by_text("Uw inschrijving is geannuleerd.").wait_for()
    step(guest_page, "first-guest-cancelled")

    # ... and the waiting guest is offered the seat, accepts it and is confirmed.
    offer = demo.wait_for_mail(second, f"Er is een plaats vrij voor u: {title}")
    guest_page.goto(demo.link(offer, "/agenda/plaats/"))
    assert_accessible(guest_page, "offer")
    guest_page.get_by_role("button", name="Ja, ik neem de plaats aan").click()
    guest_page.wait_for_url("**/agenda/aanmelding/**")
    assert "Bevestigd" in guest_page.inner_text(".facts")
    assert_accessible(guest_page, "promoted")
    promoted = demo.wait_for_mail(second, f"Inschrijving bevestigd: {title}")
    assert "uitnodiging.ics" in [part.get_filename() for part in promoted.iter_attachments()]


# --- Nieuwsbrief -------------------------------------------------------------------


def link_named(message, text: str) -> str:
    """The address of the link with this text in the HTML part of a mail."""
    html = message.get_body(preferencelist=("html",)).get_content()
    for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S):
        if text in re.sub(r"<[^>]+>", "", label):
            return href.replace("&amp;", "&")
    raise AssertionError(f"No link {text!r} in the mail")


def test_a_reader_manages_their_subscription_and_an_editor_sends_an_issue_once(
    embedded_demo, journey_page_factory
):
    demo = embedded_demo
    page, editor_page = journey_page_factory(), journey_page_factory()
    sam, rita = address("sam.lezer"), address("rita.lezer")

    # Sam subscribes on the newsletter page and confirms through the mail.
    page.goto(demo.url + "/")
    page.locator(".main-nav").get_by_role("link", name="Nieuwsbrief").click()
    assert_accessible(page, "newsletter-page")
    form = page.locator("main form.nb-form")
    form.get_by_label("E-mailadres").fill(sam)
    form.get_by_label("Naam (optioneel)").fill("Sam Lezer")
    form.get_by_label("Radicalisering").check()
    form.get_by_role("button", name="Abonneren").click()
    page.wait_for_url("**/controleer-uw-mail/")
    assert_accessible(page, "check-your-mail")
    request = demo.wait_for_mail(sam, "Bevestig uw abonnement op de nieuwsbrief")
    page.goto(demo.link(request, "/bevestigen/"))
    assert_accessible(page, "confirm")
    page.get_by_role("button", name="Ja, stuur mij de nieuwsbrief").click()
    page.get_by_text("Bedankt: uw abonnement is bevestigd.").wait_for()
    step(page, "confirmed")

    # The welcome mail links to Sam's preferences: change them ...
    welcome = demo.wait_for_mail(sam, "Welkom bij de nieuwsbrief")
    page.goto(demo.link(welcome, "/abonnement/voorkeuren/"))
    assert_accessible(page, "preferences")
    page.get_by_label("Onbegrepen gedrag").check()
    page.get_by_role("button", name="Voorkeuren opslaan").click()
    page.get_by_text("Uw voorkeuren zijn opgeslagen.").wait_for()
    assert page.get_by_label("Onbegrepen gedrag").is_checked()
    assert page.get_by_label("Radicalisering").is_checked()
    step(page, "preferences-saved")

    # ... and unsubscribe with the mail's unsubscribe link.
    page.goto(demo.link(welcome, "/abonnement/afmelden/"))
    assert_accessible(page, "unsubscribe")
    page.get_by_role("button", name="Ja, meld mij af").click()
    page.get_by_role("heading", name="U bent afgemeld").wait_for()
    assert_accessible(page, "unsubscribed")

    # Rita subscribes with the footer form and stays.
    page.goto(demo.url + "/")
    footer = page.locator(".nb-footer")
    footer.get_by_label("Uw e-mailadres").fill(rita)
    footer.get_by_role("button", name="Abonneren").click()
    page.wait_for_url("**/controleer-uw-mail/")
    page.goto(demo.link(demo.wait_for_mail(rita, "Bevestig uw abonnement"), "/bevestigen/"))
    page.get_by_role("button", name="Ja, stuur mij de nieuwsbrief").click()
    page.get_by_text("Bedankt: uw abonnement is bevestigd.").wait_for()
    step(page, "second-reader-confirmed")

    # The editor composes an issue from what is new, publishes it, tests it and sends it.
    title, desk = f"Nieuwsbrief journey-editie {secrets.token_hex(2)}", address("redactie")
    log_in_as_editor(editor_page, demo)
    editor_page.locator(".main-nav").get_by_role("link", name="Nieuwsbrief").click()
    edit_this_page(editor_page)
    header_action(editor_page, "Nieuwe uitgave, gevuld sinds de vorige")
    editor_page.get_by_role("button", name="Concept aanmaken").click()
    editor_page.wait_for_url("**/admin/pages/*/edit/")
    editor_page.locator("#id_title").fill(title)
    intro = editor_page.locator("[data-contentpath=text] textarea").first
    intro.fill("Het nieuwste van het portaal, en wat er binnenkort op de agenda staat.")
    step(editor_page, "issue-draft")
    publish(editor_page)
    step(editor_page, "issue-published")
    editor_page.get_by_role("link", name=title).first.click()
    header_action(editor_page, "Verzending en statistieken")
    editor_page.get_by_label("Stuur een test naar").fill(desk)
    editor_page.get_by_role("button", name="Test versturen").click()
    editor_page.get_by_text("Test verstuurd naar 1 adressen.").wait_for()
    test_mail = demo.wait_for_mail(desk, f"[TEST] {title}")
    assert demo.links(test_mail)
    step(editor_page, "test-sent")
    editor_page.get_by_role("button", name="Verzending inplannen").click()
    editor_page.get_by_text("De uitgave is ingepland.").wait_for()
    step(editor_page, "scheduled")

    issue = demo.wait_for_mail(rita, title, timeout=90)
    time.sleep(5)  # anything sent twice would be in the outbox by now
    assert [str(m["Subject"]) for m in demo.mails(rita)].count(str(issue["Subject"])) == 1
    assert not [m for m in demo.mails(sam) if title in str(m["Subject"])], "Sam unsubscribed"
    editor_page.reload()
    step(editor_page, "sent")

    # Its links work: the web version, the preferences and the unsubscribe page.
    for url in (
        link_named(issue, "Lees deze nieuwsbrief op de website"),
        demo.link(issue, "/abonnement/voorkeuren/"),
        demo.link(issue, "/abonnement/afmelden/"),
    ):
        assert url.startswith(demo.url + "/")
        response = page.goto(url)
        assert response.status == 200, url
        step(page, "issue-link")
    page.goto(link_named(issue, "Lees deze nieuwsbrief op de website"))
    page.get_by_role("heading", level=1, name=title).wait_for()
    assert_accessible(page, "web-version")


# --- Gepland publiceren ------------------------------------------------------------


def test_an_editor_schedules_a_page_and_it_goes_live_by_itself(embedded_demo, journey_page):
    demo, page = embedded_demo, journey_page
    log_in_as_editor(page, demo)
    page.get_by_role("link", name="Privacyverklaring").click()
    page.get_by_role("heading", level=1, name="Privacyverklaring").wait_for()
    public_url = page.url  # the address a visitor found by clicking
    step(page, "page-live")

    # Take the page offline first, so it can go live again on schedule.
    edit_this_page(page)
    page.get_by_role("button", name="Meer acties").click()
    page.get_by_role("link", name="Publicatie intrekken").click()
    page.get_by_role("button", name="Ja, trek de publicatie in").click()
    page.locator(".messages .success").first.wait_for()
    step(page, "unpublished")
    assert page.request.get(public_url).status == 404

    # Edit it again, set "go live" in the scheduling dialog, publish.
    page.get_by_role("link", name="Privacyverklaring").first.click()
    page.wait_for_url("**/admin/pages/*/edit/")
    page.get_by_role("button", name="Status").first.click()
    page.get_by_role("button", name=re.compile("^(Stel schema in|Schema bewerken)$")).first.click()
    # The dialog takes whole minutes: the first minute at least 25 s away (time to
    # save and publish before it passes).
    go_live = (dt.datetime.now(AMSTERDAM) + dt.timedelta(seconds=85)).replace(second=0)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Publiceer op").fill(go_live.strftime("%Y-%m-%d %H:%M"))
    step(page, "schedule-dialog")
    # The date picker covers the button: save with the keyboard, as a person would.
    dialog.get_by_role("button", name="Schema opslaan").focus()
    page.keyboard.press("Enter")
    page.locator(".messages .success").first.wait_for()
    publish(page, "Publicatie inplannen")
    published_at = time.monotonic()
    step(page, "scheduled")
    assert page.request.get(public_url).status == 404, "not live before its time"

    # Nobody does anything: the in-process scheduler publishes it.
    deadline = published_at + 200
    while (status := page.request.get(public_url).status) != 200:
        assert time.monotonic() < deadline, f"still {status} after {deadline - published_at:.0f} s"
        time.sleep(2)
    took = time.monotonic() - published_at
    late = (dt.datetime.now(AMSTERDAM) - go_live).total_seconds()
    print(f"Scheduled page live {took:.0f} s after publishing, {late:.0f} s after its go-live")
    page.goto(public_url)
    page.get_by_role("heading", level=1, name="Privacyverklaring").wait_for()
    assert dt.datetime.now(AMSTERDAM) >= go_live, "not before the go-live moment"
    assert_accessible(page, "live-by-itself")
