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


def test_a_message_means_one_thing_across_the_apps_catalogues():
    # Django merges every app's catalogue into one: when two apps translate the same
    # msgid differently, one of them silently shows the other's word ("Registration"
    # became "Inschrijving" on the case page). Same msgid, same Dutch; a different
    # meaning needs its own msgid or a context (pgettext).
    root = CATALOGUE.parents[2]
    translations: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in sorted(root.glob("*/locale/nl/LC_MESSAGES/django.po")) + [CATALOGUE / "django.po"]:
        for entry in polib.pofile(str(path)).translated_entries():
            key = (entry.msgctxt, entry.msgid)
            translations.setdefault(key, {})[str(path.relative_to(root))] = entry.msgstr

    clashes = {
        key: by_file for key, by_file in translations.items() if len(set(by_file.values())) > 1
    }
    assert clashes == {}
