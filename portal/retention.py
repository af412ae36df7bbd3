"""Retention: what each term of ``settings.RETENTION_DAYS`` means, which service applies
it, and the one run that applies them all (beat ``retention``, ``manage.py retention_run``).

The rules stay in the apps' services; this module names them and calls them, so the
whole list of what is deleted when is in one place. docs/operations.md ("Retention")
is the same table for operators.
"""

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils import timezone
from django.utils.module_loading import import_string

from casework import services as casework_services
from events import services as events_services
from knowledge import services as knowledge_services
from newsletter import services as newsletter_services
from search import services as search_services

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rule:
    description: str  # what is deleted or anonymised, in a sentence
    # Dotted path of the app's public service that applies the rule (its services
    # package: the one door another part of the project may use).
    service: str


# One entry per key of settings.RETENTION_DAYS (the system check below holds them in
# step). "The term" is that many days.
TERMS: dict[str, Rule] = {
    "casework_draft": Rule(
        "Intake drafts untouched for the term are deleted, with their attachments.",
        "casework.services.drafts_purge",
    ),
    "casework_closed": Rule(
        "Cases closed longer than the term go on a destruction list a privacy officer "
        "proposes; once a second one approves, the cases are deleted with their timeline, "
        "shares, advice and files, and a tombstone without personal data remains. The run "
        "carries out approved lists left unfinished.",
        "casework.services.destruction_propose",
    ),
    "casework_advice": Rule(
        "Advice requests without a case lose their question and advice the term after "
        "the advice (or the question, if never answered); channel, organisation, "
        "municipality and dates stay for the annual figures.",
        "casework.services.advice_requests_anonymise",
    ),
    "events_anonymise": Rule(
        "Registrations are anonymised the term after the event (name, e-mail, account, "
        "answers); the rows stay, so counts and attendance figures stay.",
        "events.services.privacy_sweep",
    ),
    "events_accreditation": Rule(
        "Registrations with accreditation evidence (register number, certificate code) "
        "are anonymised only the term after the event.",
        "events.services.privacy_sweep",
    ),
    "knowledge_question": Rule(
        "Expert questions lose the asker's name, e-mail and organisation the term after "
        "closing, or twice the term after asking when never closed; question and answer "
        "stay.",
        "knowledge.services.question_purge_personal_data",
    ),
    "knowledge_unconfirmed": Rule(
        "Expert questions whose e-mail address was not confirmed within the term are "
        "deleted (they never reached an expert); the confirmation link expires after the "
        "same term.",
        "knowledge.services.question_purge_unconfirmed",
    ),
    "search_log": Rule(
        "Search-log entries (masked query and result count, no person) older than the "
        "term are deleted.",
        "search.services.search_log_purge",
    ),
    "newsletter_unconfirmed": Rule(
        "Sign-ups not confirmed within the term are deleted (a former subscriber goes back "
        "to unsubscribed); the confirmation link expires after the same term.",
        "newsletter.services.subscribers_purge_unconfirmed",
    ),
    "newsletter_tracking": Rule(
        "Per-subscriber opens and clicks older than the term are deleted; the totals on "
        "deliveries and links stay.",
        "newsletter.services.tracking_events_purge",
    ),
}

# What the run also applies that has no term in days: it follows an event, or its term
# has its own setting.
OTHER_RULES: dict[str, Rule] = {
    "casework_survey_addresses": Rule(
        "The e-mail address of an answered or expired satisfaction-survey invitation is cleared.",
        "casework.services.survey_addresses_purge",
    ),
    "casework_rescued_inputs": Rule(
        "Input kept at an idle timeout is deleted after CASEWORK_RESCUE_HOURS (default 24).",
        "casework.services.rescued_inputs_purge",
    ),
    "events_sensitive_answers": Rule(
        "Dietary and accessibility answers are deleted once the event has ended.",
        "events.services.privacy_sweep",
    ),
}


class RetentionRunFailed(Exception):
    """One or more steps of the run failed; the others ran. Each was logged."""


def _casework(now: dt.datetime) -> dict[str, int]:
    # Casework's own run (drafts, survey addresses, advice, rescued input, approved
    # destruction lists) reads the clock itself: it takes no ``now``.
    counts = casework_services.retention_run()
    return {
        "casework_draft": counts["drafts"],
        "casework_closed": counts["cases_destroyed"],
        "casework_advice": counts["advice_requests"],
        "casework_survey_addresses": counts["survey_addresses"],
        "casework_rescued_inputs": counts["rescued_inputs"],
    }


def _events(now: dt.datetime) -> dict[str, int]:
    counts = events_services.privacy_sweep(now=now)
    return {
        "events_sensitive_answers": counts["answers_stripped"],
        "events_anonymise": counts["anonymised"] - counts["evidence_anonymised"],
        "events_accreditation": counts["evidence_anonymised"],
    }


def _knowledge(now: dt.datetime) -> dict[str, int]:
    purged: int = knowledge_services.question_purge_personal_data(now=now)
    unconfirmed: int = knowledge_services.question_purge_unconfirmed(now=now)
    return {"knowledge_question": purged, "knowledge_unconfirmed": unconfirmed}


def _search(now: dt.datetime) -> dict[str, int]:
    return {"search_log": search_services.search_log_purge(now=now)}


def _newsletter(now: dt.datetime) -> dict[str, int]:
    return {
        "newsletter_unconfirmed": newsletter_services.subscribers_purge_unconfirmed(now=now),
        "newsletter_tracking": newsletter_services.tracking_events_purge(now=now),
    }


STEPS: tuple[Callable[[dt.datetime], dict[str, int]], ...] = (
    _casework,
    _events,
    _knowledge,
    _search,
    _newsletter,
)


def retention_run(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every retention rule; returns how many items each rule removed or
    anonymised, by the keys of ``TERMS`` and ``OTHER_RULES``.

    Every step selects what is due by ``now`` (casework's by the clock), so running
    again does nothing new and a missed run is caught up by the next. Each app's step
    commits on its own; a step that fails is logged and the others still run, then the
    run fails so the worker reports it."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    failed: dict[str, Exception] = {}
    for step in STEPS:
        name = step.__name__.lstrip("_")
        try:
            counts |= step(now)
        except Exception as exc:
            logger.exception("Retention step %s failed", name)
            failed[name] = exc
    if failed:
        first = next(iter(failed.values()))
        raise RetentionRunFailed(f"retention steps failed: {', '.join(failed)}") from first
    return counts


@checks.register()
def check_retention_terms(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Every term in settings.RETENTION_DAYS is described here, every description has
    a term, and every rule names a service that exists: a term nobody can explain, or
    a rule without a term, is refused."""
    configured = set(getattr(settings, "RETENTION_DAYS", {}))
    errors: list[checks.CheckMessage] = [
        checks.Error(
            f"settings.RETENTION_DAYS[{key!r}] has no description in portal.retention.TERMS.",
            hint="Describe the term and name the service that applies it.",
            id="portal.E001",
        )
        for key in sorted(configured - set(TERMS))
    ]
    errors += [
        checks.Error(
            f"portal.retention.TERMS[{key!r}] has no term in settings.RETENTION_DAYS.",
            hint="Add the term (in days) to the Retention block of portal/settings/base.py.",
            id="portal.E002",
        )
        for key in sorted(set(TERMS) - configured)
    ]
    for key, rule in (TERMS | OTHER_RULES).items():
        try:
            import_string(rule.service)
        except ImportError:
            errors.append(
                checks.Error(
                    f"The service of retention rule {key!r}, {rule.service}, does not exist.",
                    id="portal.E003",
                )
            )
    return errors
