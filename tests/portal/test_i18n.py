"""Dutch by default, English on request; the Dutch catalogues are complete and compiled."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]


def catalogues() -> list[Path]:
    found = [*ROOT.glob("locale/*/LC_MESSAGES/*.po"), *ROOT.glob("*/locale/*/LC_MESSAGES/*.po")]
    return sorted(path for path in found if not {".venv", "node_modules"} & set(path.parts))


def key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def translation(entry):
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
    return entry.msgstr


@pytest.mark.django_db
def test_pages_are_dutch_even_when_the_browser_prefers_english(client, home):
    response = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})

    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "Naar de inhoud" in html
    assert response.headers["Content-Language"] == "nl"


@pytest.mark.django_db
def test_the_language_switch_in_the_footer_turns_the_site_english_and_back(client, home):
    home_html = client.get("/over-ons/").content.decode()
    assert 'action="/i18n/setlang/"' in home_html
    assert '<input name="next" type="hidden" value="/over-ons/">' in home_html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/over-ons/"})

    assert response.status_code == 302
    assert response.url == "/over-ons/"
    assert response.cookies["taal"].value == "en"
    english = client.get("/over-ons/").content.decode()
    assert '<html lang="en">' in english
    assert "Skip to content" in english
    assert "Naar de inhoud" not in english
    assert "Main navigation" in english

    client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert '<html lang="nl">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_dutch(client, home):
    client.cookies["taal"] = "xx"

    assert '<html lang="nl">' in client.get("/").content.decode()


def test_there_is_a_dutch_catalogue_for_the_portal():
    assert ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po" in catalogues()


def dutch_catalogues() -> list[Path]:
    return [path for path in catalogues() if path.parts[-3] == "nl"]


@pytest.mark.parametrize(
    "po_path", dutch_catalogues(), ids=lambda path: str(path.relative_to(ROOT))
)
def test_every_dutch_entry_is_translated_and_none_is_fuzzy(po_path):
    catalogue = polib.pofile(str(po_path))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("po_path", catalogues(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_compiled_catalogue_matches_its_source(po_path):
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run compilemessages"
    source = polib.pofile(str(po_path))
    compiled = polib.mofile(str(mo_path))

    expected = {
        key(entry): translation(entry)
        for entry in source.translated_entries()
        if not entry.obsolete and entry.msgid
    }
    actual = {key(entry): translation(entry) for entry in compiled if entry.msgid}
    assert actual == expected, "the .mo is out of date: run compilemessages"
