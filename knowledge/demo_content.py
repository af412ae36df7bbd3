"""Synthetic articles, experts and publications for the demo and the search tests.

All of it is invented: expert names are fictional, cases are composites written for
this demo. Articles are assembled from Dutch building blocks per theme so they read
naturally and contain the words the search must handle (radicalisering,
radicaliseren, geradicaliseerd, casuïstiek, veiligheidshuis, huiselijk geweld,
onbegrepen/verward gedrag, HGKM, PGA, AVG, Wvggz ...). Deterministic, idempotent:
pages are looked up by slug, experts by slug, documents by title.
"""

import datetime
import random
from typing import Any

from django.core.files.base import ContentFile
from django.utils.text import slugify

from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.signals import page_published

from portal.models import Basisteam

from .models import (
    ArticleKind,
    Audience,
    Expert,
    ExpertiseArticlePage,
    ExpertRole,
    KnowledgeIndexPage,
    PublicationPage,
    Theme,
)

# name, role, job title, organisation, theme slugs, basisteam
EXPERTS = [
    (
        "Marieke van Dongen",
        ExpertRole.PROCESREGISSEUR,
        "Procesregisseur",
        "Zorg- en Veiligheidshuis Brabant Zuidoost",
        ["radicalisering", "com-ave-model"],
        "Eindhoven-Noord",
    ),
    (
        "Karim el Amrani",
        ExpertRole.PROCESREGISSEUR,
        "Procesregisseur PGA Jeugd",
        "Zorg- en Veiligheidshuis Brabant Zuidoost",
        ["jeugd-hic"],
        "Eindhoven-Zuid",
    ),
    (
        "Liesbeth Hoeks",
        ExpertRole.PROCESREGISSEUR,
        "Procesregisseur",
        "Zorg- en Veiligheidshuis Brabant Zuidoost",
        ["onbegrepen-gedrag", "com-ave-model"],
        "Peelland",
    ),
    (
        "Tom Verhagen",
        ExpertRole.PROCESREGISSEUR,
        "Procesregisseur MDA++",
        "Zorg- en Veiligheidshuis Brabant Zuidoost",
        ["hgkm-mda"],
        "Dommelstroom",
    ),
    (
        "Fleur Swinkels",
        ExpertRole.PROCESREGISSEUR,
        "Procesregisseur",
        "Zorg- en Veiligheidshuis Brabant Zuidoost",
        ["mensenhandel", "jeugd-hic"],
        "De Kempen",
    ),
    (
        "Joost Aarts",
        ExpertRole.PARTNER,
        "Privacy officer",
        "Gemeente (fictief)",
        ["privacy-informatiedeling"],
        None,
    ),
    (
        "Ayşe Demir",
        ExpertRole.PARTNER,
        "Sociaal psychiatrisch verpleegkundige",
        "GGZ-instelling (fictief)",
        ["onbegrepen-gedrag"],
        "Peelland",
    ),
    (
        "Wouter de Bruijn",
        ExpertRole.PARTNER,
        "Wijkagent",
        "Politie (fictief)",
        ["radicalisering", "jeugd-hic"],
        "Eindhoven-Noord",
    ),
    (
        "Sanne Kuijpers",
        ExpertRole.PARTNER,
        "Gedragsdeskundige",
        "Veilig Thuis (fictief)",
        ["hgkm-mda"],
        "Dommelstroom",
    ),
]

# Per theme: (title, kind, audience, summary). Bodies come from the pools below.
ARTICLES = {
    "radicalisering": [
        (
            "Wanneer radicaliseren zorgelijk wordt",
            ArticleKind.BACKGROUND,
            Audience.MUNICIPALITY_SAFETY,
            "Niet elke uitgesproken mening is een risico. Dit artikel beschrijft wanneer radicalisering aanleiding geeft tot een persoonsgerichte aanpak.",
        ),
        (
            "De weegtafel radicalisering: zo werkt het",
            ArticleKind.GUIDE,
            Audience.MUNICIPALITY_SAFETY,
            "Stap voor stap door de weegtafel: wie er aan tafel zit, welke informatie wordt gedeeld en hoe het driehoeksoverleg besluit.",
        ),
        (
            "Jongeren die online radicaliseren",
            ArticleKind.TREND,
            Audience.YOUTH_WORK,
            "Trendsignaal: steeds jongere tieners raken via sociale media en gameplatforms in extremistische kringen.",
        ),
        (
            "Casus: een geradicaliseerde twintiger keert terug",
            ArticleKind.CASE,
            Audience.POLICE,
            "Een samengestelde casus over een jongeman die geradicaliseerd terugkeert naar zijn gemeente en de samenwerking rond nazorg.",
        ),
        (
            "Signalen van radicalisering op school",
            ArticleKind.GUIDE,
            Audience.EDUCATION,
            "Handreiking voor docenten en zorgcoördinatoren: signalen herkennen, bespreken en delen met de juiste partner.",
        ),
        (
            "Onderzoek: beschermende factoren tegen extremisme",
            ArticleKind.RESEARCH,
            Audience.CARE,
            "Wat helpt jongeren weerbaar te blijven? Een overzicht van recent onderzoek naar beschermende factoren.",
        ),
    ],
    "hgkm-mda": [
        (
            "Huiselijk geweld: de systeemgerichte aanpak MDA++",
            ArticleKind.BACKGROUND,
            Audience.MUNICIPALITY_SOCIAL,
            "Bij ernstig en langdurig huiselijk geweld werkt een systeemgerichte aanpak beter dan losse hulp. Zo werkt MDA++ in Brabant Zuidoost.",
        ),
        (
            "HGKM en de meldcode: wat doet u wanneer?",
            ArticleKind.GUIDE,
            Audience.CARE,
            "De vijf stappen van de meldcode huiselijk geweld en kindermishandeling, en wanneer u Veilig Thuis inschakelt.",
        ),
        (
            "Kindermishandeling in gezinnen met schulden",
            ArticleKind.TREND,
            Audience.MUNICIPALITY_SOCIAL,
            "Trendsignaal: financiële stress vergroot de kans op kindermishandeling. Wat betekent dat voor de schuldhulpverlening?",
        ),
        (
            "Casus: een gezin na het tijdelijk huisverbod",
            ArticleKind.CASE,
            Audience.POLICE,
            "Een samengestelde casus over wat er gebeurt na een tijdelijk huisverbod en hoe partners samen de veiligheid bewaken.",
        ),
        (
            "Ouderenmishandeling herkennen",
            ArticleKind.GUIDE,
            Audience.CARE,
            "Ook ouderen worden slachtoffer van huiselijk geweld. Signalen en handelingsopties voor wijkverpleging en thuiszorg.",
        ),
        (
            "Nieuws: nieuwe werkafspraken Veilig Thuis en ZVH",
            ArticleKind.NEWS,
            Audience.MUNICIPALITY_SOCIAL,
            "Veilig Thuis en het veiligheidshuis hebben de werkafspraken over de overdracht van HGKM-casuïstiek vernieuwd.",
        ),
    ],
    "onbegrepen-gedrag": [
        (
            "Onbegrepen gedrag: wat verstaan we eronder?",
            ArticleKind.BACKGROUND,
            Audience.MUNICIPALITY_SOCIAL,
            "Verward gedrag heet tegenwoordig liever onbegrepen gedrag. Wat valt eronder en waarom is de term veranderd?",
        ),
        (
            "De Wvggz in de praktijk: verplichte zorg aanvragen",
            ArticleKind.GUIDE,
            Audience.MUNICIPALITY_SOCIAL,
            "Hoe verloopt een verkennend onderzoek onder de Wet verplichte ggz (Wvggz) en welke rol heeft de gemeente?",
        ),
        (
            "Meldingen over verward gedrag nemen toe",
            ArticleKind.TREND,
            Audience.POLICE,
            "Trendsignaal: de politie registreert meer meldingen over personen met verward gedrag. Een duiding van de cijfers.",
        ),
        (
            "Casus: overlast in de wijk door onbegrepen gedrag",
            ArticleKind.CASE,
            Audience.MUNICIPALITY_SAFETY,
            "Een samengestelde casus over een bewoner met psychische problemen, overlast voor buren en een gezamenlijk plan van zorg en veiligheid.",
        ),
        (
            "Zorg en straf verbinden bij onbegrepen gedrag",
            ArticleKind.BACKGROUND,
            Audience.JUSTICE,
            "Wanneer is een strafrechtelijke reactie passend en wanneer zorg? Over de verbinding tussen de Wvggz, de Wzd en het strafrecht.",
        ),
        (
            "Onderzoek: levensloop van mensen met verward gedrag",
            ArticleKind.RESEARCH,
            Audience.CARE,
            "Een onderzoek naar de levensloop van mensen die herhaaldelijk met onbegrepen gedrag in beeld komen.",
        ),
    ],
    "jeugd-hic": [
        (
            "PGA Jeugd: de persoonsgerichte aanpak voor jongeren",
            ArticleKind.BACKGROUND,
            Audience.MUNICIPALITY_SAFETY,
            "De persoonsgerichte aanpak (PGA) voor jongeren in High Impact Crime: wie doet mee en hoe werkt de Bluelist?",
        ),
        (
            "Jongeren en drugscriminaliteit: signalen voor het jongerenwerk",
            ArticleKind.GUIDE,
            Audience.YOUTH_WORK,
            "Handreiking voor jongerenwerkers: signalen van ronselen voor drugscriminaliteit en wat u kunt doen.",
        ),
        (
            "Excessief geweld onder jongeren",
            ArticleKind.TREND,
            Audience.POLICE,
            "Trendsignaal: meer geweld met messen en explosieven onder jongeren. Wat zien partners in de regio?",
        ),
        (
            "Casus: een zestienjarige in een criminele groep",
            ArticleKind.CASE,
            Audience.JUSTICE,
            "Een samengestelde casus over een minderjarige die betrokken raakt bij een criminele groep, en de aanpak met school, gezin en justitie.",
        ),
        (
            "Cybercrime door jongeren",
            ArticleKind.BACKGROUND,
            Audience.EDUCATION,
            "Van phishing tot sextortion: welke vormen van cybercrime plegen jongeren en hoe kunt u voorkomen dat zij verder afglijden?",
        ),
        (
            "Nieuws: uitbreiding PGA Jeugd naar De Kempen",
            ArticleKind.NEWS,
            Audience.MUNICIPALITY_SAFETY,
            "De persoonsgerichte aanpak voor jongeren wordt uitgebreid naar de gemeenten in basisteam De Kempen.",
        ),
    ],
    "mensenhandel": [
        (
            "Mensenhandel herkennen: arbeidsuitbuiting en seksuele uitbuiting",
            ArticleKind.BACKGROUND,
            Audience.MUNICIPALITY_SAFETY,
            "Mensenhandel komt vaker voor dan we denken. De belangrijkste vormen en de signalen die professionals zien.",
        ),
        (
            "Criminele uitbuiting van minderjarigen",
            ArticleKind.TREND,
            Audience.YOUTH_WORK,
            "Trendsignaal: kinderen worden ingezet voor drugstransport en geldezel-constructies. Wat betekent dat voor de aanpak?",
        ),
        (
            "Handreiking: een signaal van mensenhandel doorgeven",
            ArticleKind.GUIDE,
            Audience.MUNICIPALITY_SOCIAL,
            "Wat doet u als u vermoedt dat iemand wordt uitgebuit? Wie u inschakelt en welke informatie u mag delen.",
        ),
        (
            "Casus: uitbuiting in de uitzendbranche",
            ArticleKind.CASE,
            Audience.MUNICIPALITY_SAFETY,
            "Een samengestelde casus over arbeidsmigranten in slechte huisvesting en de gezamenlijke aanpak van gemeente, inspectie en politie.",
        ),
        (
            "Onderzoek: zicht op slachtoffers in de regio",
            ArticleKind.RESEARCH,
            Audience.JUSTICE,
            "Hoeveel slachtoffers van mensenhandel zijn er in Brabant Zuidoost in beeld, en waar zitten de blinde vlekken?",
        ),
        (
            "Loverboys: de aanpak van seksuele uitbuiting",
            ArticleKind.BACKGROUND,
            Audience.EDUCATION,
            "Over de werkwijze van loverboys, de kwetsbaarheid van jonge slachtoffers en de rol van school en zorg.",
        ),
    ],
    "privacy-informatiedeling": [
        (
            "Gegevens delen in het veiligheidshuis: de AVG uitgelegd",
            ArticleKind.BACKGROUND,
            Audience.MUNICIPALITY_SOCIAL,
            "Wat mag wel en wat mag niet? De Algemene verordening gegevensbescherming (AVG) toegepast op het casusoverleg.",
        ),
        (
            "Het privacyprotocol stap voor stap",
            ArticleKind.GUIDE,
            Audience.MUNICIPALITY_SAFETY,
            "Van aanmelding tot afsluiting: welke gegevens partners delen, met wie en hoe lang ze worden bewaard.",
        ),
        (
            "De Wet gegevensverwerking door samenwerkingsverbanden (WGS)",
            ArticleKind.NEWS,
            Audience.JUSTICE,
            "De WGS geeft het veiligheidshuis een steviger wettelijke basis om gegevens te delen. Wat verandert er?",
        ),
        (
            "DPIA voor casusoverleg: waarom en hoe",
            ArticleKind.GUIDE,
            Audience.MUNICIPALITY_SOCIAL,
            "Een gegevensbeschermingseffectbeoordeling (DPIA) is verplicht bij casusoverleg. Zo pakt u dat aan.",
        ),
        (
            "Casus: informatie delen bij acuut gevaar",
            ArticleKind.CASE,
            Audience.CARE,
            "Een samengestelde casus over het beroepsgeheim van de hulpverlener en het conflict van plichten bij acuut gevaar.",
        ),
        (
            "Onderzoek: knelpunten in gegevensdeling",
            ArticleKind.RESEARCH,
            Audience.POLICE,
            "Waarom delen professionals soms te weinig informatie? Een onderzoek naar knelpunten en oplossingen.",
        ),
    ],
    "com-ave-model": [
        (
            "Casus op maat: complexe casuïstiek via het AVE-model",
            ArticleKind.BACKGROUND,
            Audience.MUNICIPALITY_SOCIAL,
            "Complexe casuïstiek die partners zelf niet kunnen oplossen, komt via het AVE-escalatiemodel bij het Zorg- en Veiligheidshuis.",
        ),
        (
            "Een casus aanmelden: zo gaat dat",
            ArticleKind.GUIDE,
            Audience.MUNICIPALITY_SOCIAL,
            "Wanneer meldt u een casus aan, wat hebben we van u nodig en hoe verloopt de eerste weging?",
        ),
        (
            "De rol van de procesregisseur",
            ArticleKind.BACKGROUND,
            Audience.CARE,
            "De procesregisseur brengt partners bij elkaar, zorgt voor één plan van aanpak en bewaakt de uitvoering.",
        ),
        (
            "Casus: vastgelopen hulp rond een gezin met schulden",
            ArticleKind.CASE,
            Audience.MUNICIPALITY_SOCIAL,
            "Een samengestelde casus over multiproblematiek waarin tien hulpverleners betrokken waren maar niemand de regie had.",
        ),
        (
            "Trends in aangemelde casuïstiek",
            ArticleKind.TREND,
            Audience.MUNICIPALITY_SAFETY,
            "Welke problematiek zien we vaker in de aangemelde casuïstiek? Een analyse van het afgelopen jaar.",
        ),
        (
            "Nieuws: veiligheidshuis viert tienjarig bestaan",
            ArticleKind.NEWS,
            Audience.MUNICIPALITY_SAFETY,
            "Het veiligheidshuis bestaat tien jaar. Partners blikken terug op tien jaar samenwerking tussen zorg, straf en bestuur.",
        ),
    ],
}

# Paragraph building blocks per theme: several sentences each, varied wording.
THEME_POOLS = {
    "radicalisering": [
        "Radicalisering is een proces waarin iemand steeds verder meegaat in extreme denkbeelden en bereid raakt om ondemocratische middelen te steunen of te gebruiken.",
        "Jongeren radicaliseren zelden alleen: vrienden, online netwerken en persoonlijke krenkingen spelen bijna altijd een rol.",
        "Wie geradicaliseerd is, hoeft niet direct gevaarlijk te zijn. De weegtafel weegt daarom zorgvuldig of een persoonsgerichte aanpak (PGA) nodig is.",
        "In het driehoeksoverleg besluiten burgemeester, officier van justitie en politie over de aanpak; het Zorg- en Veiligheidshuis bereidt de casus voor.",
        "Signalen van radicalisering zijn onder meer een plotselinge breuk met oude vrienden, het afwijzen van gezag en het verheerlijken van geweld.",
        "Extremisme online verspreidt zich via besloten groepen en memes; ouders en docenten zien vaak pas laat wat er speelt.",
    ],
    "hgkm-mda": [
        "Huiselijk geweld en kindermishandeling (HGKM) blijven vaak lang verborgen achter de voordeur.",
        "Bij ernstig en langdurig geweld kijkt de MDA++-aanpak naar het hele gezinssysteem: slachtoffers, plegers en kinderen.",
        "Veilig Thuis is het advies- en meldpunt; het veiligheidshuis sluit aan wanneer ook zorg en straf samen moeten optrekken.",
        "Een tijdelijk huisverbod geeft rust, maar zonder goede hulpverlening in die tien dagen keert het geweld vaak terug.",
        "Kinderen die getuige zijn van geweld tussen ouders lopen dezelfde schade op als kinderen die zelf worden mishandeld.",
        "De meldcode helpt professionals stap voor stap bij vermoedens van huiselijk geweld.",
    ],
    "onbegrepen-gedrag": [
        "Onbegrepen gedrag, vroeger vaak verward gedrag genoemd, heeft veel oorzaken: psychiatrische problemen, een verstandelijke beperking, verslaving of schulden.",
        "Sinds de Wet verplichte ggz (Wvggz) kan zorg ook buiten de kliniek verplicht worden opgelegd, na een verkennend onderzoek door de gemeente.",
        "Bij personen met verward gedrag en een veiligheidsrisico zoeken zorg en politie samen naar een passende aanpak.",
        "De meldingen over verward gedrag bij de politie stijgen, maar achter elke melding zit een ander verhaal.",
        "Een sluitende aanpak vraagt dat wijkteam, GGZ, woningcorporatie en politie elkaar snel kunnen vinden.",
        "Niet elk incident vraagt om een strafrechtelijke reactie; soms is een zorgmachtiging de beste route.",
    ],
    "jeugd-hic": [
        "High Impact Crime omvat overvallen, straatroof en woninginbraken: delicten met grote impact op slachtoffers.",
        "De persoonsgerichte aanpak voor jongeren combineert zorg, straf en begeleiding rond school, werk en vrije tijd.",
        "Op de Bluelist staan jongeren bij wie partners zich grote zorgen maken; de procesregisseur zorgt dat niemand uit beeld raakt.",
        "Ronselaars benaderen jongeren via sociale media met snel geld voor koeriersdiensten.",
        "Excessief geweld, zoals steekincidenten en explosies bij woningen, vraagt om snelle gezamenlijke analyse.",
        "Jongerenwerkers zien vaak als eerste dat een jongere afglijdt en kunnen dat signaal via het veiligheidshuis delen.",
    ],
    "mensenhandel": [
        "Mensenhandel is het uitbuiten van mensen voor seks, arbeid of criminele activiteiten.",
        "Slachtoffers zien zichzelf vaak niet als slachtoffer, omdat ze afhankelijk zijn van de uitbuiter voor werk, woning of verblijf.",
        "Signalen van arbeidsuitbuiting zijn onder meer extreem lange werkdagen, ingehouden paspoorten en overbewoning.",
        "Bij criminele uitbuiting worden kwetsbare jongeren en volwassenen gedwongen tot drugshandel of het openen van bankrekeningen.",
        "De zorgcoördinator mensenhandel zorgt voor opvang en hulp; de politie en de inspectie pakken de daders aan.",
        "Loverboys maken meisjes en jongens emotioneel afhankelijk voordat ze hen uitbuiten.",
    ],
    "privacy-informatiedeling": [
        "Binnen het convenant delen partners alleen de gegevens die nodig zijn voor het doel van het casusoverleg.",
        "De AVG vraagt om een grondslag voor elke verwerking; voor het veiligheidshuis is dat het algemeen belang en de wettelijke taak van de partners.",
        "Het privacyprotocol beschrijft welke gegevens worden gedeeld, wie toegang heeft en hoe lang gegevens worden bewaard.",
        "Met de Wet gegevensverwerking door samenwerkingsverbanden (WGS) krijgt het delen van informatie een eigen wettelijke basis.",
        "Een DPIA brengt de risico's voor betrokkenen in kaart voordat een nieuwe verwerking start.",
        "Het beroepsgeheim blijft bestaan; bij een conflict van plichten weegt de hulpverlener zelf af of doorbreken gerechtvaardigd is.",
    ],
    "com-ave-model": [
        "Het AVE-escalatiemodel beschrijft hoe een casus opschaalt van de wijk naar het Zorg- en Veiligheidshuis wanneer partners vastlopen.",
        "Bij complexe casuïstiek spelen problemen op meerdere leefgebieden tegelijk: wonen, schulden, gezondheid en veiligheid.",
        "Casus op maat (COM) betekent dat het casusoverleg wordt samengesteld rond de vraag, niet rond vaste tafels.",
        "De procesregisseur zorgt voor een gezamenlijk beeld, een integraal plan van aanpak en heldere afspraken over wie wat doet.",
        "Een casus wordt afgesloten of overgedragen zodra de risico's beheersbaar zijn en de reguliere hulp het kan overnemen.",
        "Het veiligheidshuis is geen hulpverlener, maar verbindt zorg, straf en bestuur waar dat nodig is.",
    ],
}

GENERIC = [
    "In Brabant Zuidoost werken ruim twintig convenantpartners samen in het Zorg- en Veiligheidshuis.",
    "Partners kunnen dagelijks bellen met een procesregisseur voor advies over een zorgelijke situatie.",
    "Goede samenwerking begint met elkaar kennen: wie is uw contactpersoon bij gemeente, politie en zorg?",
    "Neem bij twijfel contact op; samen zien we meer dan ieder afzonderlijk.",
    "De casuistiek in dit artikel is samengesteld uit meerdere situaties en bevat geen herleidbare gegevens.",
    "Gemeenten in de regio gebruiken deze werkwijze sinds enkele jaren met goede resultaten.",
]

QUOTES = [
    (
        "Door vroeg samen om tafel te gaan, voorkomen we dat een situatie escaleert.",
        "Procesregisseur (fictief)",
    ),
    (
        "Elke partner ziet een stukje van de puzzel; pas samen krijgen we het hele beeld.",
        "Wijkagent (fictief)",
    ),
    (
        "Privacy en veiligheid gaan prima samen, als we weten wat we mogen delen.",
        "Privacy officer (fictief)",
    ),
]

PUBLICATIONS = [
    (
        "Trendrapportage complexe casuïstiek 2025",
        ["com-ave-model", "onbegrepen-gedrag"],
        "Jaarlijkse analyse van de casuïstiek die bij het veiligheidshuis is aangemeld, met trends en aanbevelingen voor bestuurders.",
        [
            "Trendrapportage complexe casuïstiek 2025",
            "In 2025 meldden partners meer casuïstiek aan waarin onbegrepen gedrag en schulden samengingen.",
            "Het aantal casussen met een veiligheidsrisico door verward gedrag steeg met een vijfde.",
            "Aanbeveling: investeer in snelle consultatie tussen wijkteam en GGZ-crisisdienst.",
        ],
    ),
    (
        "Handreiking weegtafel radicalisering",
        ["radicalisering"],
        "Praktische handreiking voor gemeenten over de voorbereiding en het verloop van de weegtafel radicalisering.",
        [
            "Handreiking weegtafel radicalisering",
            "De weegtafel bespreekt personen over wie signalen van radicalisering of extremisme zijn binnengekomen.",
            "De gemeente is regiehouder; het veiligheidshuis ondersteunt met procesregie en informatieverzameling.",
            "Zorgvuldige verslaglegging en een proportionele aanpak staan voorop.",
        ],
    ),
    (
        "Factsheet privacyprotocol en AVG",
        ["privacy-informatiedeling"],
        "Twee pagina's over het privacyprotocol: grondslagen, bewaartermijnen en de rechten van betrokkenen.",
        [
            "Factsheet privacyprotocol en AVG",
            "Partners delen gegevens op grond van het convenant en de AVG, alleen voor zover nodig.",
            "Bewaartermijn: vijf jaar na afsluiten van de casus, tenzij een wettelijke termijn anders bepaalt.",
            "Betrokkenen hebben recht op inzage; verzoeken lopen via de functionaris gegevensbescherming.",
        ],
    ),
]


def _pdf_bytes(lines: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, lines[0], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for line in lines[1:]:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())


def load_experts() -> dict[str, Expert]:
    themes = {t.slug: t for t in Theme.objects.all()}
    experts = {}
    for name, role, job, organisation, theme_slugs, team in EXPERTS:
        expert, created = Expert.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "role": role,
                "job_title": job,
                "organisation": organisation,
                "basisteam": Basisteam.objects.filter(name=team).first() if team else None,
                "email": f"{slugify(name)}@zvh-bzo.example",
                "biography": f"{name} is {job.lower()} en denkt graag mee over vragen op dit terrein. (Fictief profiel.)",
            },
        )
        if created:
            expert.themes.set([themes[s] for s in theme_slugs if s in themes])
            expert.save()  # a ParentalManyToManyField is committed by save()
        experts[expert.slug] = expert
    return experts


def article_body(rng: random.Random, theme_slug: str, title: str) -> list[dict]:
    pool = THEME_POOLS[theme_slug]
    picks = rng.sample(pool, 4)
    body: list[dict[str, Any]] = [
        {"type": "paragraph", "value": f"<p>{picks[0]} {picks[1]}</p>"},
        {"type": "heading", "value": {"text": "Wat betekent dit voor u?", "level": "h2"}},
        {"type": "paragraph", "value": f"<p>{picks[2]} {rng.choice(GENERIC)}</p>"},
    ]
    if rng.random() < 0.5:
        quote, who = rng.choice(QUOTES)
        body.append({"type": "quote", "value": {"quote": quote, "attribution": who}})
    body.append({"type": "paragraph", "value": f"<p>{picks[3]} {rng.choice(GENERIC)}</p>"})
    if rng.random() < 0.3:
        body.append(
            {
                "type": "callout",
                "value": {
                    "title": "Advies nodig?",
                    "text": "<p>Bel de procesregisseur van het veiligheidshuis of stel uw vraag via het formulier op de themapagina.</p>",
                    "tone": "info",
                },
            }
        )
    return body


def load_articles(index: KnowledgeIndexPage, experts: dict[str, Expert]) -> None:
    themes = {t.slug: t for t in Theme.objects.all()}
    rng = random.Random(20251128)  # noqa: S311 (reproducible demo text, not security)
    today = datetime.date(2026, 11, 1)
    existing = set(ExpertiseArticlePage.objects.values_list("slug", flat=True))
    for theme_slug, specs in ARTICLES.items():
        theme = themes.get(theme_slug)
        if theme is None:
            continue
        theme_experts = [e for e in experts.values() if theme in e.themes.all()]
        for n, (title, kind, audience, summary) in enumerate(specs):
            slug = slugify(title)[:80]
            published = today - datetime.timedelta(days=rng.randint(10, 900))
            body = article_body(rng, theme_slug, title)
            if slug in existing:
                continue
            page = ExpertiseArticlePage(
                title=title,
                slug=slug,
                summary=summary,
                body=body,
                kind=kind,
                audience=audience,
                publication_date=published,
                # Some articles are overdue for review: the admin report shows them.
                # Never in the future: an article cannot have been reviewed tomorrow.
                reviewed_on=None
                if n == 5
                else min(published + datetime.timedelta(days=rng.randint(0, 200)), today),
                live=True,
                first_published_at=datetime.datetime.combine(
                    published, datetime.time(9), datetime.UTC
                ),
            )
            extra = [theme]
            if theme_slug == "jeugd-hic" and n == 1:
                extra.append(themes["mensenhandel"])
            if theme_slug == "privacy-informatiedeling" and n == 4:
                extra.append(themes["hgkm-mda"])
            # Relations set before the first save are committed with it (modelcluster).
            page.themes.set(extra)
            page.authors.set(theme_experts[:1])
            # Added live without a revision: publishing ~40 revisions made the demo
            # (and every test that loads it) several times slower. The first edit in
            # the admin creates the first revision.
            index.add_child(instance=page)
            page_published.send(sender=ExpertiseArticlePage, instance=page, revision=None)


def load_publications(index: KnowledgeIndexPage) -> None:
    Document = get_document_model()
    # A flushed test database has no root collection (Wagtail's migration made it).
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    themes = {t.slug: t for t in Theme.objects.all()}
    for n, (title, theme_slugs, summary, lines) in enumerate(PUBLICATIONS):
        slug = slugify(title)
        if PublicationPage.objects.filter(slug=slug).exists():
            continue
        document = Document.objects.filter(title=title).first()
        if document is None:
            document = Document(title=title)
            document.file.save(f"{slug}.pdf", ContentFile(_pdf_bytes(lines)), save=False)
            # As the admin's upload form does: the size shows next to the download link.
            document.file_size = document.file.size
            document.save()
        page = PublicationPage(
            title=title,
            slug=slug,
            summary=summary,
            document=document,
            publication_date=datetime.date(2025, 3 + n * 3, 15),
        )
        index.add_child(instance=page)
        page.themes.set([themes[s] for s in theme_slugs if s in themes])
        page.save_revision().publish()


def load(index: KnowledgeIndexPage) -> None:
    experts = load_experts()
    load_articles(index, experts)
    load_publications(index)
