"""Step C: the guided multi-step aanmelding with drafts that are never lost."""

from django.core import mail
from django.urls import reverse

import pytest

from casework.models import Case, CaseDraft, CaseShare
from casework.selectors import cases_visible_to

from .factories import MunicipalityFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(name="Voorbeeldstad")


def start(client, kind="com"):
    response = client.post(reverse("casework:intake_start"), {"kind": kind})
    assert response.status_code == 302
    return CaseDraft.objects.latest("created_at")


def step_url(draft, step):
    return reverse("casework:intake_step", args=[draft.public_id, step])


def fill_all(client, draft, municipality, *, extra_situation=None, partners=()):
    assert (
        client.post(
            step_url(draft, "persoon"),
            {
                "person_name": "Testpersoon De Vries",
                "person_birth_date": "01-02-1990",
                "municipality": municipality.pk,
            },
        ).status_code
        == 302
    )
    situation = {
        "problem": "Synthetische overlast",
        "safety_risk": "Dreiging naar buren",
        "tried": "Wijkteam ingezet",
    }
    situation.update(extra_situation or {})
    assert client.post(step_url(draft, "situatie"), situation).status_code == 302
    assert (
        client.post(
            step_url(draft, "vraag"),
            {
                "question": "Graag procesregie",
                "urgency": "hoog",
                "partners": [p.pk for p in partners],
            },
        ).status_code
        == 302
    )
    return client.post(step_url(draft, "controle"), {"confirm": "on"}, follow=False)


def test_a_partner_files_a_com_aanmelding_in_four_steps(
    client, partner, municipality, django_capture_on_commit_callbacks
):
    client.force_login(partner)
    draft = start(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = fill_all(client, draft, municipality, extra_situation={"ave_level": "ave-3"})
    case = Case.objects.get()
    assert response["Location"] == reverse("casework:case_detail", args=[case.public_id])
    assert case.reference.startswith("ZVH-")
    assert case.status == "aangemeld"
    assert case.person_name == "Testpersoon De Vries"
    assert case.ave_level == "ave-3"
    assert not CaseDraft.objects.exists()


def test_the_confirmation_email_carries_only_the_reference_and_a_link(
    client, partner, municipality, django_capture_on_commit_callbacks
):
    client.force_login(partner)
    draft = start(client)
    with django_capture_on_commit_callbacks(execute=True):
        fill_all(client, draft, municipality)
    case = Case.objects.get()
    message = next(m for m in mail.outbox if partner.email in m.to)
    assert case.reference in message.subject
    assert str(case.public_id) in message.body
    for secret in ["De Vries", "overlast", "Dreiging", "Wijkteam", "procesregie", "Voorbeeldstad"]:
        assert secret not in message.body and secret not in message.subject


def test_a_validation_error_keeps_what_was_typed(client, partner):
    client.force_login(partner)
    draft = start(client)
    response = client.post(
        step_url(draft, "persoon"),
        {"person_name": "Testpersoon Bakker", "other_persons": "Partner en twee kinderen"},
    )
    assert response.status_code == 400
    assert "Testpersoon Bakker" in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["other_persons"] == "Partner en twee kinderen"


def test_the_draft_survives_a_new_login(client, partner):
    client.force_login(partner)
    draft = start(client)
    client.post(step_url(draft, "persoon"), {"person_name": "Testpersoon Smit"})
    client.logout()
    client.force_login(partner)
    response = client.get(step_url(draft, "persoon"))
    assert 'value="Testpersoon Smit"' in response.content.decode()


def test_autosave_stores_the_fields_of_the_current_step(client, partner):
    client.force_login(partner)
    draft = start(client)
    response = client.post(
        reverse("casework:intake_autosave", args=[draft.public_id]),
        {"_step": "situatie", "problem": "Half getypte tekst"},
    )
    assert response.status_code == 204
    draft.refresh_from_db()
    assert draft.data["problem"] == "Half getypte tekst"


def test_drafts_are_stored_encrypted(client, partner):
    client.force_login(partner)
    draft = start(client)
    client.post(step_url(draft, "persoon"), {"person_name": "Testpersoon Geheim"})
    raw = CaseDraft.objects.filter(pk=draft.pk).values_list("payload", flat=True)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM casework_casedraft WHERE id = %s", [draft.pk])
        assert "Geheim" not in cursor.fetchone()[0]
    assert raw  # the ORM decrypts


def test_someone_elses_draft_is_404(client, partner, other_partner):
    client.force_login(partner)
    draft = start(client)
    client.force_login(other_partner)
    assert client.get(step_url(draft, "persoon")).status_code == 404
    assert (
        client.post(
            reverse("casework:intake_autosave", args=[draft.public_id]),
            {"_step": "persoon", "person_name": "x"},
        ).status_code
        == 404
    )


def test_pga_jeugd_asks_for_the_entry(client, partner, municipality):
    client.force_login(partner)
    draft = start(client, "pga-jeugd")
    client.post(
        step_url(draft, "persoon"), {"person_name": "Testjongere", "municipality": municipality.pk}
    )
    response = client.post(
        step_url(draft, "situatie"), {"problem": "x", "safety_risk": "y", "tried": "z"}
    )
    assert response.status_code == 400
    assert "jeugd_entry" in response.context["form"].errors
    assert (
        client.post(
            step_url(draft, "situatie"),
            {"problem": "x", "safety_risk": "y", "tried": "z", "jeugd_entry": "kopstuk"},
        ).status_code
        == 302
    )


def test_the_ave_level_is_only_asked_where_it_applies(client, partner):
    client.force_login(partner)
    draft = start(client, "pga-og")
    response = client.get(step_url(draft, "situatie"))
    assert "ave_level" not in response.context["form"].fields


def test_the_radicalisation_signal_starts_at_signaal(client, partner, municipality):
    client.force_login(partner)
    draft = start(client, "pga-r")
    fill_all(client, draft, municipality)
    assert Case.objects.get().status == "signaal"


def test_involved_partners_are_recorded_as_shares(client, partner, municipality):
    client.force_login(partner)
    police = OrganisationFactory(name="Politie Test")
    draft = start(client)
    fill_all(client, draft, municipality, partners=[police])
    assert CaseShare.objects.filter(organisation=police).exists()


def test_submitting_with_an_incomplete_earlier_step_returns_to_that_step(client, partner):
    client.force_login(partner)
    draft = start(client)
    response = client.post(step_url(draft, "controle"), {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == step_url(draft, "persoon")
    assert not Case.objects.exists()


def test_nul_bytes_get_a_message_not_an_error(client, partner):
    client.force_login(partner)
    draft = start(client)
    response = client.post(step_url(draft, "persoon"), {"person_name": "Test\x00persoon"})
    assert response.status_code == 400


def test_oversized_text_gets_a_message_and_is_kept(client, partner):
    client.force_login(partner)
    draft = start(client)
    response = client.post(
        step_url(draft, "situatie"), {"problem": "a" * 10_001, "safety_risk": "b"}
    )
    assert response.status_code == 400
    assert "10000" in response.content.decode().replace(".", "")


def test_staff_cannot_file_an_aanmelding(client, regisseur):
    client.force_login(regisseur)
    assert client.get(reverse("casework:intake_start")).status_code == 403


def test_the_new_case_goes_to_the_municipalitys_regisseur(client, partner, regisseur, municipality):
    from casework.models import Relatiebeheer

    Relatiebeheer.objects.create(regisseur=regisseur, municipality=municipality)
    client.force_login(partner)
    fill_all(client, start(client), municipality)
    case = Case.objects.get()
    assert case.procesregisseur == regisseur
    assert cases_visible_to(regisseur).filter(pk=case.pk).exists()


def test_the_summary_step_survives_ids_that_only_look_like_digits(client, partner):
    """Found by the fuzz run: "05²" passes str.isdigit() but not int()."""
    client.force_login(partner)
    draft = start(client)
    draft.data = {"municipality": "05²", "partners": ["²", "9" * 30, "٣"]}
    draft.save()

    response = client.get(step_url(draft, "controle"))

    assert response.status_code == 200
