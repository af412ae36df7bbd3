"""The accepted spellings of each coded column's values, matched case-, dash- and
spacing-insensitively (``normalise``)."""

import re
import unicodedata

from ..models import (
    Achievement,
    CaseKind,
    ClosureReason,
    JeugdClosureResult,
    JeugdEntry,
    TriageOutcome,
    WeegtafelDecision,
)


def normalise(value: str) -> str:
    """Case-, dash- and spacing-insensitive form used to match labels and names."""
    text = unicodedata.normalize("NFKC", value or "").casefold()
    text = re.sub(r"[-–—_/()]+", " ", text)
    return " ".join(text.split())


class Vocabulary:
    """Accepted spellings of a column's values; the first spelling of each is shown in
    error messages."""

    def __init__(self, pairs: dict[str, list[str]]) -> None:
        self.values = {
            normalise(alias): value for value, aliases in pairs.items() for alias in aliases
        }
        self.labels = [aliases[0] for aliases in pairs.values()]

    def get(self, value: str) -> str | None:
        return self.values.get(normalise(value))

    def __contains__(self, value: str) -> bool:
        return normalise(value) in self.values


KINDS = Vocabulary(
    {
        CaseKind.COM: ["COM", "casus op maat", "casus op maat (com)"],
        CaseKind.ADVIES: ["Advies", "adviesvraag", "adviesaanvraag", "advies aanvraag"],
        CaseKind.PGA_R: ["PGA-R", "pgar", "pga radicalisering", "pga-radicalisering"],
        CaseKind.PGA_JEUGD: ["PGA Jeugd", "pga-jeugd", "pga jeugd (hic)", "pga hic"],
        CaseKind.PGA_OG: [
            "PGA OG",
            "pga-og",
            "pga onbegrepen gedrag",
            "pga verward gedrag",
        ],
        CaseKind.MDA: ["MDA++", "mda", "mda+"],
    }
)
TRIAGE_OUTCOMES = Vocabulary(
    {
        TriageOutcome.PENDING: ["in triage", "nog in triage"],
        TriageOutcome.PROCESREGIE: ["procesregie", "in procesregie", "procesregie gestart"],
        TriageOutcome.ADVIES: ["advies", "advies gegeven"],
        TriageOutcome.NIET_OPGEPAKT: ["niet opgepakt", "niet-opgepakt"],
    }
)
ACHIEVEMENTS = Vocabulary(
    {
        Achievement.FULLY: ["volledig", "volledig behaald", "volledig bereikt"],
        Achievement.PARTLY: ["deels", "gedeeltelijk", "deels behaald", "deels bereikt"],
        Achievement.NOT: ["niet", "niet behaald", "niet bereikt"],
    }
)
FLAGS = Vocabulary({"ja": ["ja", "j"], "nee": ["nee", "n"]})
CLOSURE_REASONS = Vocabulary(
    {
        ClosureReason.GOAL_REACHED: ["doel bereikt", "doel-bereikt"],
        ClosureReason.HANDED_OVER: ["overgedragen", "regie overgedragen"],
        ClosureReason.ADVICE_GIVEN: ["advies gegeven", "advies-gegeven"],
        ClosureReason.NOT_TAKEN_UP: ["niet opgepakt", "niet-opgepakt"],
        ClosureReason.NO_OPTIONS: ["geen mogelijkheden", "geen mogelijkheden meer"],
        ClosureReason.MOVED: ["verhuisd", "verhuisd uit de regio"],
        ClosureReason.DECEASED: ["overleden"],
        ClosureReason.OTHER: ["anders", "overig", "overige"],
    }
)
# PGA Jeugd is closed with one of the 2019 report's results; the general closure reason
# follows from it.
JEUGD_RESULTS = Vocabulary(
    {
        JeugdClosureResult.POSITIVE: [
            "systeemaanpak positief bijgedragen",
            "systeemaanpak positief",
            "systeemaanpak heeft positief bijgedragen",
        ],
        JeugdClosureResult.NO_OPTIONS: [
            "geen mogelijkheden meer in PGA",
            "geen mogelijkheden pga",
            "geen mogelijkheden meer",
            "geen mogelijkheden",
        ],
        JeugdClosureResult.DETENTION: ["langdurige detentie"],
        JeugdClosureResult.NEVER: ["nooit actief opgepakt"],
        JeugdClosureResult.DECEASED: ["overleden"],
    }
)
# Typed by the plain values: the rows hold str, and a TextChoices member is a str.
JEUGD_REASON: dict[str, str] = {
    JeugdClosureResult.POSITIVE: ClosureReason.GOAL_REACHED,
    JeugdClosureResult.NO_OPTIONS: ClosureReason.NO_OPTIONS,
    JeugdClosureResult.DETENTION: ClosureReason.OTHER,
    JeugdClosureResult.NEVER: ClosureReason.NOT_TAKEN_UP,
    JeugdClosureResult.DECEASED: ClosureReason.DECEASED,
}
ENTRY_CHANNELS = Vocabulary(
    {
        JeugdEntry.BLUELIST: ["bluelist", "blue list"],
        JeugdEntry.KOPSTUK: ["kopstuk"],
        JeugdEntry.REST: ["restcategorie", "rest categorie", "restcategorie via de driehoek"],
    }
)
WEEGTAFEL_BY_OUTCOME: dict[str, str] = {
    TriageOutcome.PROCESREGIE: WeegtafelDecision.OPGEPAKT,
    TriageOutcome.ADVIES: WeegtafelDecision.ONDERSTEUND,
}
