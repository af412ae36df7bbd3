from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "nl" / "LC_MESSAGES"


def test_the_portal_dutch_catalogue_translates_every_message():
    po = polib.pofile(str(CATALOGUE / "django.po"))

    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


def test_the_compiled_dutch_catalogue_matches_its_source():
    po = polib.pofile(str(CATALOGUE / "django.po"))
    mo = polib.mofile(str(CATALOGUE / "django.mo"))

    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, entry.msgid
