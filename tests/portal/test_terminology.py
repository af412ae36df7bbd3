"""One voice: the site says "u", and each word has one meaning (docs/look-and-voice.md).

The scan reads what a visitor can read: the Dutch of every catalogue (``msgstr``) and
the text of every template (``*.html``, ``*.txt``, ``*.mjml``; tags, attributes and
template tags are left out, so ids and URL names such as ``#afmelden`` do not count).
A failure names the file and line and the rule it breaks.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("portal", "knowledge", "events", "newsletter", "casework", "search")


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    # Apps whose own words the rule does not cover (the root catalogue is "portal").
    except_in: tuple[str, ...] = ()
    # A line that matches this is not a breach (it is about what the word is for).
    unless: re.Pattern[str] | None = None


RULES = [
    Rule(
        'the site says "u", never "je", "jij" or "jouw"',
        re.compile(r"\b(je|jij|jou|jouw|jezelf|jullie)\b", re.IGNORECASE),
    ),
    Rule(
        '"aanmelden" and "aanmelding" are only for a case; trainings: "inschrijven", '
        'newsletter: "abonneren", signing in: "inloggen"',
        re.compile(
            r"aanmeld|aangemeld|\bmeld\w*\s+(u|zich|mij|een)\s+(\w+\s+)?aan\b", re.IGNORECASE
        ),
        # Casework's own domain word, and any text about registering a case.
        except_in=("casework",),
        unless=re.compile(r"\bcasus", re.IGNORECASE),
    ),
    Rule(
        'signing in again is "opnieuw inloggen", never "opnieuw aanmelden"',
        re.compile(r"\bmeld\w*\s+u\s+opnieuw\s+aan\b", re.IGNORECASE),
    ),
    Rule(
        '"afmelden" is only for the newsletter; signing out is "uitloggen", a training '
        'is "uitschrijven" or "annuleren"',
        re.compile(r"afmeld|afgemeld|\bmeld\w*\s+(u|zich|mij)\s+af\b", re.IGNORECASE),
        except_in=("newsletter",),
    ),
    Rule('an optional field says "(optioneel)"', re.compile(r"niet verplicht", re.IGNORECASE)),
    Rule(
        'the list of someone\'s trainings is "Mijn inschrijvingen"',
        re.compile(r"\bmijn trainingen\b", re.IGNORECASE),
    ),
    Rule(
        'no e-mail subject starts with "[ZVH]": the sender\'s name says who writes',
        re.compile(r"\[ZVH\]"),
    ),
]


def app_of(path: Path) -> str:
    first = path.relative_to(ROOT).parts[0]
    return first if first in APPS else "portal"


def dutch_catalogues() -> list[Path]:
    found = [ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"]
    found += [ROOT / app / "locale" / "nl" / "LC_MESSAGES" / "django.po" for app in APPS]
    return [path for path in found if path.exists()]


def templates() -> list[Path]:
    found = []
    for app in APPS:
        for suffix in ("html", "txt", "mjml"):
            found += (ROOT / app / "templates").glob(f"**/*.{suffix}")
    return sorted(found)


# Template syntax, comments and markup are not read by anyone: blank them out (keeping
# the line breaks, so line numbers stay right) and scan what is left.
NOT_TEXT = re.compile(
    r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}|{%.*?%}|{{.*?}}|<!--.*?-->|<[^>]*>",
    re.DOTALL,
)


def template_text(path: Path) -> str:
    return NOT_TEXT.sub(
        lambda match: "\n" * match.group().count("\n"), path.read_text(encoding="utf-8")
    )


def catalogue_lines(path: Path) -> list[tuple[int, str]]:
    """(line, Dutch) for every translated entry; msgids are English and not scanned."""
    lines = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                lines.append((entry.linenum, text))
    return lines


def breaks(rule: Rule, text: str) -> bool:
    return bool(rule.pattern.search(text)) and not (rule.unless and rule.unless.search(text))


def breaches(rule: Rule) -> list[str]:
    found = []
    for path in dutch_catalogues():
        if app_of(path) in rule.except_in:
            continue
        for line, text in catalogue_lines(path):
            if breaks(rule, text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    for path in templates():
        if app_of(path) in rule.except_in:
            continue
        for number, text in enumerate(template_text(path).splitlines(), start=1):
            if breaks(rule, text):
                found.append(f"{path.relative_to(ROOT)}:{number}: {text.strip()!r}")
    return found


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name[:60])
def test_no_catalogue_or_template_breaks_the_rule(rule):
    found = breaches(rule)

    assert found == [], f"{rule.name}:\n" + "\n".join(found)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name[:60])
def test_each_rule_catches_what_it_forbids(rule, tmp_path):
    # The scan itself works: a forbidden word in a sample line is found.
    samples = {
        RULES[0]: "Weet je het zeker?",
        RULES[1]: "Meld u aan voor de nieuwsbrief",
        RULES[2]: "meld u opnieuw aan om verder te gaan",
        RULES[3]: "U bent afgemeld.",
        RULES[4]: "Naam (niet verplicht)",
        RULES[5]: "Mijn trainingen",
        RULES[6]: "[ZVH] Bevestig uw inschrijving",
    }

    assert breaks(rule, samples[rule])


def test_a_case_may_be_registered_anywhere_a_training_may_not():
    aanmelden = RULES[1]

    assert not breaks(aanmelden, "Meld een casus aan en volg uw aanmeldingen.")
    assert breaks(aanmelden, "Meld u aan voor de training.")


def test_the_scan_reads_template_text_but_not_markup_or_template_syntax(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        '<section id="afmelden" aria-labelledby="aanmelden">\n'
        "{% url 'export' 'aanmeldingen' %}{# meld je aan #}\n"
        "<p>Weet je het zeker?</p>\n",
        encoding="utf-8",
    )

    lines = template_text(page).splitlines()

    assert [n for n, text in enumerate(lines, 1) if RULES[0].pattern.search(text)] == [3]
    assert not any(RULES[1].pattern.search(text) for text in lines)
    assert not any(RULES[3].pattern.search(text) for text in lines)


def test_account_mails_carry_no_subject_prefix_and_name_the_sender():
    assert settings.ACCOUNT_EMAIL_SUBJECT_PREFIX == ""
    assert settings.DEFAULT_FROM_EMAIL.startswith("ZVH Brabant Zuidoost <")


def test_no_source_file_writes_a_zvh_subject_prefix():
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in (ROOT / app).glob("**/*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"[\"']\[ZVH\]", line)
    ]

    assert found == []
