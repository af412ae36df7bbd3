"""Synthetic demo content for casework, loaded by ``manage.py load_demo``.

Idempotent: objects are looked up by a natural key and only created when missing.
No demo cases or accounts: case data is never invented into a running portal;
staff invite users through /partners/uitnodigen/.
"""

from django.urls import reverse

from portal.demo import ensure_section_page
from portal.models import Municipality

from .models import CaseKind, Department, PartnerKind, PartnerOrganisation, Prognosis

PARTNER_KINDS = [
    ("gemeente-sociaal-domein", "Gemeente – sociaal domein"),
    ("gemeente-integrale-veiligheid", "Gemeente – integrale veiligheid"),
    ("gemeente-handhaving", "Gemeente – handhaving"),
    ("politie", "Politie"),
    ("politie-ccb", "Politie – CCB"),
    ("om", "Openbaar Ministerie / ZSM"),
    ("reclassering", "Reclassering"),
    ("ggz", "GGZ"),
    ("veilig-thuis", "Veilig Thuis"),
    ("jeugdbescherming", "Jeugdbescherming"),
    ("raad-kinderbescherming", "Raad voor de Kinderbescherming"),
    ("dji-pi", "DJI / PI"),
    ("woningcorporatie", "Woningcorporatie"),
    ("overige-zorgpartners", "Overige zorgpartners"),
]


def load_reference_data() -> None:
    """The kinds of partner organisation (``portal.demo.load_reference_data``)."""
    for order, (code, name) in enumerate(PARTNER_KINDS):
        PartnerKind.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


# (name, partner kind code, municipality, department)
ORGANISATIONS = [
    ("Gemeente Helmond – sociaal domein", "gemeente-sociaal-domein", "Helmond", Department.SOCIAL),
    (
        "Gemeente Helmond – integrale veiligheid",
        "gemeente-integrale-veiligheid",
        "Helmond",
        Department.SAFETY,
    ),
    (
        "Gemeente Eindhoven – sociaal domein",
        "gemeente-sociaal-domein",
        "Eindhoven",
        Department.SOCIAL,
    ),
    ("Gemeente Eindhoven – handhaving", "gemeente-handhaving", "Eindhoven", Department.ENFORCEMENT),
    ("Politie basisteam Peelland", "politie", None, Department.NONE),
    ("Reclassering regio Oost-Brabant", "reclassering", None, Department.NONE),
    ("Veilig Thuis Zuidoost-Brabant", "veilig-thuis", None, Department.NONE),
]

# The 2023 year plan's expected new registrations (editable in the admin: Prognoses).
PROGNOSIS_2023 = {
    CaseKind.COM: 100,
    CaseKind.ADVIES: 50,
    CaseKind.PGA_R: 5,
    CaseKind.PGA_JEUGD: 20,
    CaseKind.PGA_OG: 15,
    CaseKind.MDA: 15,
}


def load(home) -> None:
    for kind, expected in PROGNOSIS_2023.items():
        # get_or_create: a figure the manager has changed is left alone.
        Prognosis.objects.get_or_create(year=2023, kind=kind, defaults={"expected": expected})
    for name, kind_code, municipality_name, department in ORGANISATIONS:
        partner_kind = PartnerKind.objects.filter(code=kind_code).first()
        if partner_kind is None:
            partner_kind = PartnerKind.objects.order_by("sort_order").first()
        if partner_kind is None:
            continue
        municipality = (
            Municipality.objects.filter(name=municipality_name).first()
            if municipality_name
            else None
        )
        PartnerOrganisation.objects.get_or_create(
            name=name,
            defaults={
                "kind": partner_kind,
                "municipality": municipality,
                "department": department,
            },
        )
    entrance = reverse("casework:home")
    ensure_section_page(
        home,
        slug="voor-partners",
        title="Voor partners",
        introduction="Meld een casus aan, volg uw aanmeldingen en vraag advies. Alleen voor convenantpartners.",
        text=(
            "Convenantpartners melden complexe casuïstiek aan bij het Zorg- en Veiligheidshuis. Na aanmelding "
            "beoordeelt een procesregisseur in de triage of de casus in procesregie wordt genomen of dat u advies krijgt."
        ),
        callout={
            "title": "Beveiligde omgeving",
            "text": "<p>Voor het aanmelden en volgen van casussen logt u in met uw account en een tweede factor. "
            "Een account krijgt u via een uitnodiging van het Zorg- en Veiligheidshuis.</p>"
            f'<p><a href="{entrance}">Naar de beveiligde omgeving voor partners</a></p>',
            "tone": "info",
        },
    )
