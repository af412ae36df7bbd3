"""Retention: one table of terms in days (settings.RETENTION_DAYS), their meaning in
portal.retention, one run that applies them all, and the table operators read
(docs/operations.md, "Retention")."""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string

from wagtail.models import Locale, Page

import pytest

from casework.models import AdviceRequest, Case, CaseDraft, DestructionList, Tombstone
from events.models import Registration
from knowledge.models import ExpertQuestion
from newsletter.models import Subscriber, SubscriberStatus
from portal import retention
from search.models import SearchQueryLog
from tests.casework.factories import CaseFactory, OrganisationFactory, partner_user, staff_user
from tests.events.factories import RegistrationFactory, create_agenda, create_event
from tests.knowledge.factories import ExpertQuestionFactory
from tests.newsletter.factories import SubscriberFactory

ROOT = Path(__file__).resolve().parents[2]
EVERY_RULE = retention.TERMS | retention.OTHER_RULES


# --- The table and its meaning ----------------------------------------------------------


def test_every_term_has_a_description_and_every_description_a_term(settings):
    assert set(retention.TERMS) == set(settings.RETENTION_DAYS)
    assert not set(retention.TERMS) & set(retention.OTHER_RULES)
    assert all(isinstance(days, int) and days >= 1 for days in settings.RETENTION_DAYS.values())


@pytest.mark.parametrize("key", sorted(EVERY_RULE))
def test_every_rule_says_what_happens_and_names_a_service_that_exists(key):
    rule = EVERY_RULE[key]

    assert len(rule.description) > 20
    assert callable(import_string(rule.service))


def test_the_system_check_refuses_a_term_without_description_and_the_reverse(settings, monkeypatch):
    assert retention.check_retention_terms() == []

    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "chat_transcripts": 30}
    assert [e.id for e in retention.check_retention_terms()] == ["portal.E001"]

    settings.RETENTION_DAYS = {
        key: days for key, days in settings.RETENTION_DAYS.items() if key != "search_log"
    }
    assert [e.id for e in retention.check_retention_terms()] == ["portal.E001", "portal.E002"]

    monkeypatch.setitem(
        retention.OTHER_RULES, "gone", retention.Rule("Something is deleted.", "search.nowhere")
    )
    assert "portal.E003" in [e.id for e in retention.check_retention_terms()]


# --- The run ----------------------------------------------------------------------------


@pytest.fixture
def fake_services(monkeypatch):
    """Every service the run calls, replaced by one that records the call."""
    calls: dict[str, object] = {}

    def fake(name, result):
        def service(**kwargs):
            calls[name] = kwargs.get("now")
            return result

        monkeypatch.setattr(name, service)

    fake(
        "casework.services.retention_run",
        {
            "drafts": 1,
            "survey_addresses": 2,
            "advice_requests": 3,
            "rescued_inputs": 4,
            "cases_destroyed": 5,
        },
    )
    fake(
        "events.services.privacy_sweep",
        {"answers_stripped": 6, "anonymised": 9, "evidence_anonymised": 2},
    )
    fake("knowledge.services.question_purge_personal_data", 10)
    fake("knowledge.services.question_purge_unconfirmed", 14)
    fake("search.services.search_log_purge", 11)
    fake("newsletter.services.subscribers_purge_unconfirmed", 12)
    fake("newsletter.services.tracking_events_purge", 13)
    return calls


def test_the_run_calls_every_apps_service_and_counts_per_rule(fake_services):
    now = timezone.now() - dt.timedelta(days=3)

    counts = retention.retention_run(now=now)

    assert counts == {
        "casework_draft": 1,
        "casework_survey_addresses": 2,
        "casework_advice": 3,
        "casework_rescued_inputs": 4,
        "casework_closed": 5,
        "events_sensitive_answers": 6,
        "events_anonymise": 7,
        "events_accreditation": 2,
        "knowledge_question": 10,
        "knowledge_unconfirmed": 14,
        "search_log": 11,
        "newsletter_unconfirmed": 12,
        "newsletter_tracking": 13,
    }
    assert set(counts) == set(EVERY_RULE)
    # Casework's run reads the clock itself; every other service gets the run's time.
    assert fake_services.pop("casework.services.retention_run") is None
    assert set(fake_services.values()) == {now}


def test_a_failing_step_is_logged_and_the_others_still_run(fake_services, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("events.services.privacy_sweep", broken)

    with pytest.raises(retention.RetentionRunFailed, match="events") as failure:
        retention.retention_run()

    assert isinstance(failure.value.__cause__, RuntimeError)
    assert "newsletter.services.tracking_events_purge" in fake_services  # the last step ran
    assert "Retention step events failed" in caplog.text


def _home(slug):
    from portal.models import HomePage

    locale, _ = Locale.objects.get_or_create(language_code="nl")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    return root.add_child(instance=HomePage(title="Home", slug=slug))


@pytest.mark.django_db
def test_the_run_removes_what_is_past_its_term_and_keeps_the_rest(settings):
    """End to end, one item past its term and one within it per rule, where cheap."""
    now = timezone.now()
    terms = settings.RETENTION_DAYS

    def ago(days):
        return now - dt.timedelta(days=days)

    # casework: drafts, advice requests without a case, an approved destruction list
    organisation = OrganisationFactory()
    owner = partner_user(organisation)
    CaseDraft.objects.create(
        owner=owner,
        organisation=organisation,
        kind="com",
        updated_at=ago(terms["casework_draft"] + 1),
    )
    new_draft = CaseDraft.objects.create(owner=owner, organisation=organisation, kind="com")
    old_advice = AdviceRequest.objects.create(
        channel="telefoon",
        question="Vraag",
        advice="Advies",
        advised_at=ago(terms["casework_advice"] + 1),
    )
    new_advice = AdviceRequest.objects.create(channel="telefoon", question="Vraag")
    closed_long_ago = CaseFactory()
    Case.objects.filter(pk=closed_long_ago.pk).update(
        status="afgesloten", closed_at=ago(terms["casework_closed"] + 1)
    )
    approved = DestructionList.objects.create(
        proposed_by=staff_user("Privacy officer"),
        approved_by=staff_user("Privacy officer"),
        approved_at=now,
    )
    approved.cases.set([closed_long_ago])
    open_case = CaseFactory()

    # events: anonymised after a year, accreditation evidence after five
    agenda = create_agenda(_home("home-retention"))
    year_ago = create_event(agenda, days=-(terms["events_anonymise"] + 2))
    recent = create_event(agenda, days=-10)
    long_ago = create_event(agenda, days=-(terms["events_accreditation"] + 2))
    past_term = RegistrationFactory(event=year_ago)
    evidence_kept = RegistrationFactory(event=year_ago, certificate_code="ABCDEFGHJK")
    evidence_gone = RegistrationFactory(event=long_ago, certificate_code="KJHGFEDCBA")
    within_term = RegistrationFactory(event=recent)

    # knowledge, search, newsletter
    old_question = ExpertQuestionFactory(closed_at=ago(terms["knowledge_question"] + 1))
    new_question = ExpertQuestionFactory(closed_at=ago(1))
    never_confirmed = ExpertQuestionFactory(
        created_at=ago(terms["knowledge_unconfirmed"] + 1), email_confirmed_at=None
    )
    awaiting_confirmation = ExpertQuestionFactory(created_at=ago(1), email_confirmed_at=None)
    SearchQueryLog.objects.create(query="oud", result_count=1)
    SearchQueryLog.objects.filter(query="oud").update(
        searched_on=ago(terms["search_log"] + 1).date()
    )
    SearchQueryLog.objects.create(query="nieuw", result_count=1)
    stale_signup = SubscriberFactory(
        status=SubscriberStatus.PENDING, confirmed_at=None, requested_at=ago(8)
    )
    fresh_signup = SubscriberFactory(
        status=SubscriberStatus.PENDING, confirmed_at=None, requested_at=ago(1)
    )

    counts = retention.retention_run(now=now)

    assert {key: n for key, n in counts.items() if n} == {
        "casework_draft": 1,
        "casework_advice": 1,
        "casework_closed": 1,
        "events_anonymise": 1,
        "events_accreditation": 1,
        "knowledge_question": 1,
        "knowledge_unconfirmed": 1,
        "search_log": 1,
        "newsletter_unconfirmed": 1,
    }
    assert list(CaseDraft.objects.all()) == [new_draft]
    old_advice.refresh_from_db()
    new_advice.refresh_from_db()
    assert (old_advice.question, new_advice.question) == ("", "Vraag")
    assert list(Case.objects.all()) == [open_case]
    assert Tombstone.objects.filter(reference=closed_long_ago.reference).exists()
    anonymised = set(Registration.objects.filter(anonymised_at__isnull=False))
    assert anonymised == {past_term, evidence_gone}
    assert not anonymised & {evidence_kept, within_term}
    assert set(ExpertQuestion.objects.filter(email="")) == {old_question}
    assert new_question in ExpertQuestion.objects.exclude(email="")
    assert not ExpertQuestion.objects.filter(pk=never_confirmed.pk).exists()
    assert ExpertQuestion.objects.filter(pk=awaiting_confirmation.pk).exists()
    assert list(SearchQueryLog.objects.values_list("query", flat=True)) == ["nieuw"]
    assert list(Subscriber.objects.all()) == [fresh_signup]
    assert not Subscriber.objects.filter(pk=stale_signup.pk).exists()

    # Hourly runs: the next one finds nothing new.
    assert not any(retention.retention_run(now=now).values())


@pytest.mark.parametrize("command", ["retention_run", "casework_retention"])
def test_both_commands_run_the_same_service(command, fake_services, capsys):
    call_command(command)

    assert "casework.services.retention_run" in fake_services
    assert "newsletter.services.tracking_events_purge" in fake_services
    assert "search_log: 11" in capsys.readouterr().out


# --- The settings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("months_variable", "days_variable", "suggestion"),
    [
        ("EVENTS_ANONYMISE_AFTER_MONTHS", "EVENTS_ANONYMISE_AFTER_DAYS", "365"),
        ("EVENTS_ACCREDITATION_KEEP_MONTHS", "EVENTS_ACCREDITATION_KEEP_DAYS", "1826"),
    ],
)
def test_a_term_still_set_in_months_stops_the_settings_from_loading(
    months_variable, days_variable, suggestion
):
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PORTAL_", "PYTEST", "EVENTS_"))
    }
    environ[months_variable] = "12" if "ANONYMISE" in months_variable else "60"

    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings.base"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{months_variable} is no longer read" in result.stderr
    assert f"{days_variable}={suggestion}" in result.stderr


def test_an_empty_months_variable_is_not_set(load_settings):
    # docker-compose.yml passes the old names through, empty unless an operator set them.
    loaded = load_settings(EVENTS_ANONYMISE_AFTER_MONTHS="", EVENTS_ACCREDITATION_KEEP_MONTHS="")

    assert loaded["RETENTION_DAYS"]["events_anonymise"] == 365


def test_a_term_of_zero_days_is_refused(load_settings):
    with pytest.raises(ImproperlyConfigured, match="'casework_draft' must be at least 1 day"):
        load_settings(CASEWORK_DRAFT_RETENTION_DAYS="0")


# --- The table operators read -----------------------------------------------------------


def retention_table() -> dict[str, list[str]]:
    """The rows of the table under "## Retention" in docs/operations.md, by term."""
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("\n## Retention\n", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 5:
            rows[cells[0].strip("`")] = cells
    return rows


def test_the_operations_table_lists_every_term_with_its_variable_default_and_rule(
    load_settings, monkeypatch
):
    table = retention_table()
    assert set(table) == set(retention.TERMS)
    variables = {key: row[1].strip("`") for key, row in table.items()}
    for variable in variables.values():
        monkeypatch.delenv(variable, raising=False)

    defaults = load_settings()["RETENTION_DAYS"]
    distinct = {variables[key]: str(1000 + n) for n, key in enumerate(sorted(variables))}
    configured = load_settings(**distinct)["RETENTION_DAYS"]

    for key, row in table.items():
        assert re.sub(r"\D", "", row[2]) == str(defaults[key]), key
        assert configured[key] == int(distinct[variables[key]]), key
        assert row[4] == f"`{retention.TERMS[key].service}`", key
