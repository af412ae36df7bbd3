"""Dutch only, whatever the browser asks; the Dutch catalogues are complete and compiled."""

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
def test_there_is_no_language_switch_the_site_is_dutch_only(client, home):
    # No English content exists, so there is no switch and no setlang endpoint:
    # lang="nl" is always true (docs/site.md, "Language").
    html = client.get("/over-ons/").content.decode()

    assert "/i18n/setlang/" not in html
    assert 'name="language"' not in html
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 404


@pytest.mark.django_db
def test_a_leftover_english_language_cookie_changes_nothing(client, home):
    client.cookies["taal"] = "en"
    client.cookies["django_language"] = "en"

    html = client.get("/over-ons/").content.decode()

    assert '<html lang="nl">' in html
    assert "Naar de inhoud" in html
    assert "Skip to content" not in html


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
