"""The secure area's own layout and forms: who is signed in, names and staff wording for
staff, an intake where Enter moves forward and deleting asks first, error summaries,
and no actions on a closed case that no longer apply."""

import re

from django.urls import reverse

import pytest

from casework import services
from casework.models import CaseDraft

from .factories import CaseFactory, closable_case

pytestmark = pytest.mark.django_db


def named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def detail(client, case) -> str:
    response = client.get(reverse("casework:case_detail", args=[case.public_id]))
    assert response.status_code == 200
    return response.content.decode()


# --- The layout -------------------------------------------------------------


def test_a_partner_sees_who_is_signed_in_and_signs_out_with_a_form(client, partner):
    named(partner, "Sanne", "de Wit")
    client.force_login(partner)
    html = client.get(reverse("casework:home")).content.decode()
    assert (
        "Ingelogd als <strong>Sanne de Wit (Gemeente Voorbeeld – sociaal domein)</strong>" in html
    )
    assert f'<form method="post" action="{reverse("account_logout")}">' in html
    # Not the public site's footer: no newsletter sign-up, no "log in" link.
    assert "footer-newsletter" not in html
    assert reverse("account_login") not in html
    assert 'role="search"' not in html


def test_staff_are_shown_with_the_zvh_and_their_account_pages_in_the_same_layout(client, regisseur):
    named(regisseur, "Ruben", "Hendriks")
    client.force_login(regisseur)
    html = client.get(reverse("casework:home")).content.decode()
    assert "Ingelogd als <strong>Ruben Hendriks (Zorg- en Veiligheidshuis)</strong>" in html
    html = client.get(reverse("mfa_index")).content.decode()
    assert "Ingelogd als" in html and "footer-newsletter" not in html


def test_the_public_footer_offers_the_secure_area_not_a_login_to_someone_signed_in(
    client, partner, home
):
    client.force_login(partner)
    html = client.get("/").content.decode()
    assert "Naar de beveiligde omgeving" in html
    assert reverse("account_login") not in html


# --- Names and wording for staff --------------------------------------------


def test_staff_see_names_not_addresses_and_their_own_next_step(client, regisseur, partner):
    named(regisseur, "Ruben", "Hendriks")
    case = CaseFactory(
        organisation=partner.casework_membership.organisation,
        procesregisseur=regisseur,
        registered_by=partner,
    )
    services.case_add_note(case=case, actor=regisseur, body="Eerste indruk (synthetisch)")
    client.force_login(regisseur)
    html = detail(client, case)
    assert "<dt>Procesregisseur</dt><dd>Ruben Hendriks</dd>" in html
    assert " · Ruben Hendriks</p>" in html  # the note's author on the timeline
    assert "Beoordeel de aanmelding in de triage." in html
    assert "uw aanmelding" not in html
    client.force_login(partner)
    assert "Een procesregisseur beoordeelt uw aanmelding in de triage." in detail(client, case)


# --- The intake ---------------------------------------------------------------


@pytest.fixture
def draft(client, partner):
    client.force_login(partner)
    client.post(reverse("casework:intake_start"), {"kind": "com"})
    return CaseDraft.objects.get(owner=partner)


def test_enter_in_a_step_moves_forward_because_the_forward_button_comes_first(client, draft):
    html = client.get(reverse("casework:intake_step", args=[draft.public_id, "vraag"])).content
    html = html.decode()
    forward = html.index(">Volgende stap</button>")
    back = html.index(">Vorige stap</button>")
    assert forward < back
    assert 'name="back"' in html[forward:]  # only the back button carries "back"
    # The steps say where you are; they are not links.
    start = html.index('<ol class="casework-steps"')
    steps = html[start : html.index("</ol>", start)]
    assert 'aria-current="step"' in steps and "<a " not in steps


def test_deleting_a_draft_asks_first_and_is_not_the_primary_button(client, draft):
    step = client.get(reverse("casework:intake_step", args=[draft.public_id, "persoon"]))
    discard_url = reverse("casework:intake_discard", args=[draft.public_id])
    assert f'class="button button--small button--danger" href="{discard_url}"' in (
        step.content.decode()
    )
    confirm = client.get(discard_url)
    assert confirm.status_code == 200
    assert "Dit concept verwijderen?" in confirm.content.decode()
    assert CaseDraft.objects.filter(pk=draft.pk).exists()
    assert client.post(discard_url).status_code == 302
    assert not CaseDraft.objects.filter(pk=draft.pk).exists()


def test_a_step_sent_back_has_an_error_summary_linked_to_the_fields(client, draft):
    response = client.post(
        reverse("casework:intake_step", args=[draft.public_id, "persoon"]), {"_step": "persoon"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Fout: " in html
    assert 'class="error-summary" role="alert" tabindex="-1"' in html
    assert '<a href="#id_person_name">' in html
    assert re.search(r'aria-describedby="[^"]*id_person_name_error"', html)


def test_starting_without_a_kind_says_so_in_the_title_and_at_the_choice(client, partner):
    client.force_login(partner)
    response = client.post(reverse("casework:intake_start"), {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Fout: " in html
    assert 'aria-describedby="kind-error"' in html


# --- Closing and closed cases ------------------------------------------------------


def test_each_closing_error_is_shown_at_its_own_field(client, regisseur, partner):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    client.force_login(regisseur)
    response = client.post(
        reverse("casework:case_action", args=[case.public_id, "afsluiten"]),
        {"to_status": "afgesloten", "content_goal": "volledig"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "veld.; " not in html  # no longer one run-on line
    assert 'id="id_closure_reason_error"' in html
    assert 'id="id_process_goal_1_error"' in html
    assert "<title>Fout: " in html


def test_a_closed_case_offers_no_assignment_meeting_or_plan(client, regisseur, partner):
    open_case = closable_case(regisseur=regisseur, registered_by=partner)
    closed = closable_case(regisseur=regisseur, registered_by=partner, status="afgesloten")
    client.force_login(regisseur)

    def offered(case):
        page = detail(client, case)
        return [
            name
            for name, url in {
                "assign": reverse("casework:case_action", args=[case.public_id, "toewijzen"]),
                "meeting": reverse("casework:meeting_plan", args=[case.public_id]),
                "plan": reverse("casework:plan_draft", args=[case.public_id]),
            }.items()
            if f'action="{url}"' in page
        ]

    assert offered(open_case) == ["assign", "meeting", "plan"]
    assert offered(closed) == []


@pytest.mark.parametrize(
    ("slug", "data"),
    [
        ("toewijzen", {}),
    ],
)
def test_the_services_refuse_to_change_a_closed_case(client, regisseur, partner, slug, data):
    closed = closable_case(regisseur=regisseur, registered_by=partner, status="afgesloten")
    client.force_login(regisseur)
    response = client.post(reverse("casework:case_action", args=[closed.public_id, slug]), data)
    assert response.status_code == 400
    assert "Deze casus loopt niet meer (status: Afgesloten)" in response.content.decode()
    assert not closed.timeline.filter(kind__in=["meeting", "plan"]).exists()


def test_a_partner_can_add_no_message_or_attachment_to_a_closed_case(client, regisseur, partner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    closed = closable_case(regisseur=regisseur, registered_by=partner, status="afgesloten")
    client.force_login(partner)
    page = detail(client, closed)
    assert reverse("casework:case_action", args=[closed.public_id, "bericht"]) not in page
    assert reverse("casework:case_attachment_upload", args=[closed.public_id]) not in page
    assert "Deze casus is afgesloten: er kunnen geen berichten of bijlagen meer bij." in page

    # A form kept open in another tab from before the closure is refused, in Dutch.
    response = client.post(
        reverse("casework:case_action", args=[closed.public_id, "bericht"]),
        {"body": "Nog een vraag over deze casus."},
    )
    assert response.status_code == 400
    assert "Deze casus loopt niet meer (status: Afgesloten)" in response.content.decode()
    assert not closed.timeline.filter(kind="message").exists()
    with pytest.raises(services.CaseworkError):
        services.attachment_add(
            upload=SimpleUploadedFile("verslag.pdf", b"%PDF-1.4\n", "application/pdf"),
            user=partner,
            case=closed,
        )
    assert not closed.attachments.exists()


def test_a_closed_case_refuses_an_assignment_in_the_service_itself(regisseur, partner):
    closed = closable_case(regisseur=regisseur, registered_by=partner, status="overgedragen")
    with pytest.raises(services.CaseworkError):
        services.case_assign(case=closed, actor=regisseur, procesregisseur=regisseur)


def test_every_form_on_the_case_page_has_its_own_ids_so_each_label_finds_its_field(
    client, regisseur, partner
):
    case = closable_case(regisseur=regisseur, registered_by=partner)
    client.force_login(regisseur)
    html = detail(client, case)
    ids = re.findall(r' id="([^"]+)"', html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    # The secure message's textarea is the one its label points at.
    assert '<label for="bericht-body">' in html and 'id="bericht-body"' in html
