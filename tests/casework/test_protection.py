"""Step E: audit log, encryption at rest, blind index, key rotation and retention."""

from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

import pytest
from cryptography.fernet import Fernet

from casework import audit, services
from casework.crypto import blind_index
from casework.models import AuditEntry, Case, CaseDraft, Tombstone

from .factories import CaseFactory, staff_user
from .tamper import audit_trigger_disabled

pytestmark = pytest.mark.django_db


def raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_reading_a_case_is_audited_with_actor_organisation_and_origin(
    client, partner, case, organisation
):
    client.force_login(partner)
    client.get(reverse("casework:case_detail", args=[case.public_id]))
    entry = AuditEntry.objects.filter(action="case.read").latest("pk")
    assert entry.actor_pk == partner.pk
    assert entry.organisation == organisation.name
    assert entry.object_id == case.reference
    assert entry.origin == "127.0.0.1"
    assert entry.result == "ok"


def test_a_refused_read_is_audited_as_denied(client, other_partner, case):
    client.force_login(other_partner)
    assert client.get(reverse("casework:case_detail", args=[case.public_id])).status_code == 404
    assert AuditEntry.objects.filter(
        action="case.read", result="denied", actor_pk=other_partner.pk
    ).exists()


def test_logins_and_failed_logins_are_audited(client, partner):
    client.post(reverse("account_login"), {"login": partner.email, "password": "fout-wachtwoord"})
    assert AuditEntry.objects.filter(action="login.failed").exists()
    assert "fout-wachtwoord" not in str(list(AuditEntry.objects.values()))


def test_the_chain_verifies_when_untouched(case, regisseur):
    for _ in range(3):
        audit.record(action="case.read", user=regisseur, obj=case)
    call_command("verify_audit_chain")


def test_the_chain_verification_catches_an_altered_row(case, regisseur):
    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(3)]
    with audit_trigger_disabled():
        AuditEntry.objects.filter(pk=entries[1].pk).update(actor_label="iemand-anders@example.org")
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


def test_the_chain_verification_catches_a_removed_row(case, regisseur):
    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(3)]
    with audit_trigger_disabled():
        AuditEntry.objects.filter(pk=entries[1].pk)._raw_delete(AuditEntry.objects.db)
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


def test_audit_entries_cannot_be_changed_or_deleted_through_the_model(regisseur):
    entry = audit.record(action="login", user=regisseur)
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE casework_auditentry SET actor_label = 'iemand-anders' WHERE id = %s",
        "DELETE FROM casework_auditentry WHERE id = %s",
    ],
)
def test_the_database_refuses_to_change_or_delete_audit_entries(regisseur, statement):
    entry = audit.record(action="login", user=regisseur)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).actor_label == regisseur.email
    # Through the ORM's bulk paths too, which skip the model's own refusal.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(result="denied")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk)._raw_delete(AuditEntry.objects.db)
    call_command("verify_audit_chain")


def test_new_entries_are_still_appended_with_the_trigger_in_place(regisseur, case):
    before = AuditEntry.objects.count()
    audit.record(action="case.read", user=regisseur, obj=case)
    assert AuditEntry.objects.count() == before + 1


def test_a_change_made_with_the_trigger_switched_off_is_still_caught(case, regisseur):
    """Someone with the owner's rights can disable the trigger; the chain still tells."""
    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(3)]
    with audit_trigger_disabled():
        AuditEntry.objects.filter(pk=entries[1].pk).update(result="denied")
    problems = list(audit.verify_chain())
    assert [problem.entry_id for problem in problems] == [entries[1].pk]
    with pytest.raises(CommandError):
        call_command("verify_audit_chain")


def test_the_privacy_officer_queries_the_log_per_case(client, privacy_officer, regisseur, case):
    audit.record(action="case.read", user=regisseur, obj=case)
    client.force_login(privacy_officer)
    response = client.get(reverse("casework:audit"), {"reference": case.reference})
    assert response.status_code == 200
    assert regisseur.email in response.content.decode()


def test_off_hours_reads_are_flagged(client, privacy_officer, regisseur, case):
    entry = audit.record(action="case.read", user=regisseur, obj=case)
    night = timezone.now().replace(hour=2) - timedelta(days=1)
    # Rewriting a row breaks the chain; this test only checks the report.
    with audit_trigger_disabled():
        AuditEntry.objects.filter(pk=entry.pk).update(at=night)
    client.force_login(privacy_officer)
    response = client.get(reverse("casework:audit"))
    assert list(response.context["off_hours"])


def test_the_privacy_officer_verifies_the_chain_from_the_audit_page(
    client, privacy_officer, regisseur, case
):
    entries = [audit.record(action="case.read", user=regisseur, obj=case) for _ in range(3)]
    client.force_login(privacy_officer)
    page = client.get(reverse("casework:audit")).content.decode()
    assert reverse("casework:audit_verify") in page

    intact = client.post(reverse("casework:audit_verify"), follow=True).content.decode()
    assert "De auditketen is intact" in intact

    with audit_trigger_disabled():
        AuditEntry.objects.filter(pk=entries[1].pk).update(result="denied")
    broken = client.post(reverse("casework:audit_verify"), follow=True).content.decode()
    assert "De auditketen is op 1 plaats(en) verbroken" in broken
    assert f"regel {entries[1].pk}" in broken
    assert AuditEntry.objects.filter(action="audit.verify", result="broken").exists()


def test_only_the_privacy_officer_may_verify_the_chain(client, regisseur):
    client.force_login(regisseur)
    assert client.post(reverse("casework:audit_verify")).status_code == 403
    assert client.get(reverse("casework:audit_verify")).status_code == 405


def test_regisseurs_cannot_query_the_audit_log(client, regisseur):
    client.force_login(regisseur)
    assert client.get(reverse("casework:audit")).status_code == 403


def test_personal_fields_are_ciphertext_in_the_database(case):
    for column in ["person_name", "problem", "safety_risk", "question"]:
        raw = raw_column("casework_case", column, case.pk)
        assert raw.startswith("gAAAA")
        assert "Synthetisch" not in raw and "Testpersoon" not in raw


def test_timeline_text_is_ciphertext_in_the_database(case, regisseur):
    entry = services.case_add_note(case=case, actor=regisseur, body="Geheime notitie")
    assert "Geheime" not in raw_column("casework_timelineentry", "body", entry.pk)


def test_the_blind_index_finds_the_same_person_regardless_of_spelling():
    assert blind_index("Testpersoon  Jansen", "1990-01-01") == blind_index(
        "testpersoon jansen", "1990-01-01"
    )
    assert blind_index("Testpersoon Jansen", "1990-01-01") != blind_index(
        "Testpersoon Jansen", "1991-01-01"
    )


def test_staff_see_that_a_person_appears_in_another_case(client, regisseur, organisation):
    first = CaseFactory(
        organisation=organisation,
        procesregisseur=regisseur,
        person_index=blind_index("Testpersoon Jansen", "1990-01-01"),
    )
    CaseFactory(person_index=first.person_index)
    client.force_login(regisseur)
    response = client.get(reverse("casework:case_detail", args=[first.public_id]))
    assert response.context["duplicate_count"] == 1


def test_key_rotation_re_encrypts_with_the_new_key_and_keeps_the_data(case, settings):
    old_keys = list(settings.CASEWORK_ENCRYPTION_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.CASEWORK_ENCRYPTION_KEYS = [new_key, *old_keys]
    call_command("casework_rotate_keys")
    settings.CASEWORK_ENCRYPTION_KEYS = [new_key]
    assert Case.objects.get(pk=case.pk).person_name == "Testpersoon Jansen"


def test_drafts_older_than_thirty_days_are_purged(partner, organisation):
    old = CaseDraft.objects.create(
        owner=partner,
        organisation=organisation,
        kind="com",
        updated_at=timezone.now() - timedelta(days=31),
    )
    recent = CaseDraft.objects.create(owner=partner, organisation=organisation, kind="com")
    call_command("casework_retention")
    assert not CaseDraft.objects.filter(pk=old.pk).exists()
    assert CaseDraft.objects.filter(pk=recent.pk).exists()


def test_closed_cases_are_destroyed_only_after_a_second_privacy_officer_approves(
    privacy_officer, regisseur, case, settings
):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "casework_closed": 365}
    services.case_add_note(case=case, actor=regisseur, body="Iets")
    Case.objects.filter(pk=case.pk).update(
        status="afgesloten", closed_at=timezone.now() - timedelta(days=400)
    )
    open_case = CaseFactory()
    audit.record(action="case.read", user=regisseur, obj=case)
    destruction_list = services.destruction_propose(actor=privacy_officer)
    assert list(destruction_list.cases.all()) == [case]
    with pytest.raises(services.CaseworkError):
        services.destruction_approve(destruction_list=destruction_list, actor=privacy_officer)
    with pytest.raises(services.CaseworkError):
        services.destruction_execute(destruction_list=destruction_list)
    second = staff_user("Privacy officer")
    services.destruction_approve(destruction_list=destruction_list, actor=second)
    report = services.destruction_execute(destruction_list=destruction_list, actor=second)
    assert report["count"] == 1 and report["removed"][0]["timeline_entries"] == 1
    assert not Case.objects.filter(pk=case.pk).exists()
    assert Case.objects.filter(pk=open_case.pk).exists()
    tombstone = Tombstone.objects.get(reference=case.reference)
    assert tombstone.final_status == "afgesloten"
    # The audit log outlives the case and still verifies.
    assert AuditEntry.objects.filter(object_id=case.reference, action="case.read").exists()
    call_command("verify_audit_chain")


def test_the_retention_page_is_for_privacy_officers_only(client, regisseur, privacy_officer):
    client.force_login(regisseur)
    assert client.get(reverse("casework:retention")).status_code == 403
    client.force_login(privacy_officer)
    assert client.get(reverse("casework:retention")).status_code == 200


def advice_request(**fields):
    from casework.models import AdviceRequest

    defaults = {"channel": AdviceRequest.Channel.PHONE, "question": "Vraag over buurman Pietersen"}
    return AdviceRequest.objects.create(**(defaults | fields))


def test_phoned_in_advice_requests_lose_their_content_after_the_configured_term(
    regisseur, case, organisation, settings
):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "casework_advice": 90}
    long_ago = timezone.now() - timedelta(days=91)
    answered = advice_request(
        organisation=organisation, asked_at=long_ago, advice="Bel de wijkagent", advised_at=long_ago
    )
    never_answered = advice_request(asked_at=long_ago)
    answered_recently = advice_request(asked_at=long_ago, advice="Later", advised_at=timezone.now())
    recent = advice_request()
    with_a_case = advice_request(case=case, asked_at=long_ago, advised_at=long_ago, advice="Zo")

    call_command("casework_retention")

    for erased in (answered, never_answered):
        erased.refresh_from_db()
        assert erased.anonymised_at is not None
        assert erased.question == "" and erased.advice == ""
        assert "Pietersen" not in raw_column("casework_advicerequest", "question", erased.pk)
    # What the annual figures count stays.
    assert answered.channel == "telefoon" and answered.organisation == organisation
    assert answered.asked_at == long_ago
    for kept in (answered_recently, recent, with_a_case):
        kept.refresh_from_db()
        assert kept.anonymised_at is None
        assert kept.question == "Vraag over buurman Pietersen"
    assert AuditEntry.objects.get(action="advice.anonymise").object_id == "2"
    # Running again finds nothing new.
    assert services.advice_requests_anonymise() == 0


def test_the_advice_term_defaults_to_two_years(settings):
    assert settings.RETENTION_DAYS["casework_advice"] == 730


def test_an_erased_advice_request_cannot_be_answered_and_says_why(client, regisseur):
    erased = advice_request(anonymised_at=timezone.now(), question="")
    client.force_login(regisseur)
    response = client.post(
        reverse("casework:advice_answer", args=[erased.pk]), {"advice": "Toch nog advies"}
    )
    assert response.status_code == 302
    erased.refresh_from_db()
    assert erased.advice == ""
    page = client.get(reverse("casework:advice")).content.decode()
    assert "bewaartermijn" in page
