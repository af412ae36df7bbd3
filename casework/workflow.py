"""The status machine per case kind: statuses, allowed transitions and target times.

Data, not logic: ``services.case_transition`` applies it and refuses anything else.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import CaseKind, TriageOutcome, WeegtafelDecision

STATUS_LABELS = {
    "aangemeld": _("Registered"),
    "in_triage": _("In triage"),
    "in_procesregie": _("In procesregie"),
    "advies_gegeven": _("Advice given"),
    "niet_opgepakt": _("Not taken up"),
    "plan_van_aanpak": _("Plan van aanpak"),
    "monitoring": _("Monitoring"),
    "overgedragen": _("Handed over"),
    "afgesloten": _("Closed"),
    "signaal": _("Signal received"),
    "weegtafel": _("At the weegtafel"),
    "opnieuw_agenderen": _("Back on the weegtafel agenda"),
    "niet_opgepakt_ondersteund": _("Not taken up, aanmelder supported"),
    "opgepakt": _("Taken up"),
    "driehoeksbesluit": _("Driehoek decision"),
    "in_behandeling": _("Being handled"),
}

# What the partner sees as the next step, per status.
NEXT_STEP = {
    "aangemeld": _("A procesregisseur will assess your registration in triage."),
    "in_triage": _("The procesregisseur decides whether the case is taken into procesregie."),
    "in_procesregie": _("The procesregisseur organises a case meeting with the partners."),
    "advies_gegeven": _("You have received advice; the case will be closed."),
    "niet_opgepakt": _("The case was not taken up; you will hear why."),
    "plan_van_aanpak": _("The partners carry out the plan van aanpak."),
    "monitoring": _("The procesregisseur monitors the agreed plan."),
    "overgedragen": _("Direction has been handed over to a partner."),
    "afgesloten": _("The case is closed."),
    "signaal": _("The signal will be discussed at the weegtafel."),
    "weegtafel": _("The weegtafel weighs the signal."),
    "opnieuw_agenderen": _("The weegtafel will discuss the signal again."),
    "niet_opgepakt_ondersteund": _("Not taken up; the ZVH supports you as aanmelder."),
    "opgepakt": _("The driehoek (mayor, police, OM) decides on escalation."),
    "driehoeksbesluit": _("The driehoek has decided; procesregie follows."),
    "in_behandeling": _("A procesregisseur is preparing advice."),
}

# What ZVH staff see instead, where the partner's wording speaks to the aanmelder.
STAFF_NEXT_STEP = {
    "aangemeld": _("Assess the registration in triage."),
    "advies_gegeven": _("Advice has been given; the case can be closed."),
    "niet_opgepakt": _("Not taken up; tell the aanmelder why and close the case."),
    "niet_opgepakt_ondersteund": _("Not taken up; the ZVH supports the aanmelder."),
}

_REGIE_TAIL = {
    "in_procesregie": ["plan_van_aanpak", "overgedragen", "afgesloten"],
    "plan_van_aanpak": ["monitoring", "overgedragen", "afgesloten"],
    "monitoring": ["plan_van_aanpak", "overgedragen", "afgesloten"],
    "advies_gegeven": ["afgesloten"],
    "niet_opgepakt": ["afgesloten"],
    "overgedragen": [],
    "afgesloten": [],
}

TRANSITIONS: dict[str, dict[str, list[str]]] = {
    CaseKind.COM: {
        "aangemeld": ["in_triage"],
        "in_triage": ["in_procesregie", "advies_gegeven", "niet_opgepakt"],
        **_REGIE_TAIL,
    },
    CaseKind.PGA_OG: {
        "aangemeld": ["in_triage"],
        "in_triage": ["in_procesregie", "advies_gegeven", "niet_opgepakt"],
        **_REGIE_TAIL,
    },
    CaseKind.MDA: {
        "aangemeld": ["in_triage"],
        "in_triage": ["in_procesregie", "advies_gegeven", "niet_opgepakt"],
        **_REGIE_TAIL,
    },
    CaseKind.PGA_R: {
        "signaal": ["weegtafel"],
        "weegtafel": ["opnieuw_agenderen", "niet_opgepakt_ondersteund", "opgepakt"],
        "opnieuw_agenderen": ["weegtafel"],
        "niet_opgepakt_ondersteund": ["afgesloten"],
        "opgepakt": ["driehoeksbesluit"],
        "driehoeksbesluit": ["in_procesregie", "afgesloten"],
        **_REGIE_TAIL,
    },
    CaseKind.PGA_JEUGD: {
        "aangemeld": ["in_triage"],
        # Restcategorie cases go through the driehoek first.
        "in_triage": ["in_procesregie", "driehoeksbesluit", "advies_gegeven", "niet_opgepakt"],
        "driehoeksbesluit": ["in_procesregie", "afgesloten"],
        **_REGIE_TAIL,
    },
    CaseKind.ADVIES: {
        "aangemeld": ["in_behandeling"],
        "in_behandeling": ["advies_gegeven"],
        "advies_gegeven": ["afgesloten"],
        "afgesloten": [],
    },
}

INITIAL_STATUS: dict[str, str] = {
    kind: ("signaal" if kind == CaseKind.PGA_R else "aangemeld") for kind in CaseKind
}

CLOSED_STATUSES = frozenset({"afgesloten", "overgedragen"})

# The triage outcome a status implies, recorded the first time a case reaches it. For
# PGA-R the weegtafel plays the part of triage: supported-not-taken-up counts as advice.
TRIAGE_OUTCOME_BY_STATUS = {
    "in_procesregie": TriageOutcome.PROCESREGIE,
    "advies_gegeven": TriageOutcome.ADVIES,
    "niet_opgepakt": TriageOutcome.NIET_OPGEPAKT,
    "niet_opgepakt_ondersteund": TriageOutcome.ADVIES,
}

# PGA-R: the status a weegtafel decision leads to.
WEEGTAFEL_DECISIONS = {
    "opnieuw_agenderen": WeegtafelDecision.OPNIEUW,
    "niet_opgepakt_ondersteund": WeegtafelDecision.ONDERSTEUND,
    "opgepakt": WeegtafelDecision.OPGEPAKT,
}

# Target working time per status, in days; a case past it shows on the overdue list.
TARGET_DAYS = {
    "aangemeld": 2,
    "signaal": 5,
    "in_triage": 10,
    "weegtafel": 14,
    "opnieuw_agenderen": 28,
    "in_behandeling": 5,
    "opgepakt": 14,
    "driehoeksbesluit": 14,
    "in_procesregie": 28,
    "plan_van_aanpak": 90,
    "monitoring": 180,
    "advies_gegeven": 14,
    "niet_opgepakt": 14,
    "niet_opgepakt_ondersteund": 28,
}


@dataclass(frozen=True)
class Transition:
    to_status: str
    label: str


def allowed_transitions(kind: str, status: str) -> list[Transition]:
    targets = TRANSITIONS.get(kind, {}).get(status, [])
    return [Transition(target, str(STATUS_LABELS[target])) for target in targets]


def is_allowed(kind: str, status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(kind, {}).get(status, [])


def next_step(status: str, *, staff: bool) -> str:
    """The next step as the reader should hear it: staff are not the aanmelder."""
    if staff and status in STAFF_NEXT_STEP:
        return str(STAFF_NEXT_STEP[status])
    return str(NEXT_STEP.get(status, ""))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def every_status() -> set[str]:
    found = set()
    for machine in TRANSITIONS.values():
        for source, targets in machine.items():
            found.add(source)
            found.update(targets)
    return found
