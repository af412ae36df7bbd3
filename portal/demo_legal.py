"""The demo's statements: privacy, cookies and accessibility (``portal.demo`` calls
``load_legal_pages``). Fictional organisation data, real law.

The privacy statement states the retention terms of this installation: they are read
from ``RETENTION_DAYS`` when the page is created. An editor who changes a term in the
environment changes the statement too (docs/site.md, "Statements").
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from .models import AccessibilityStatementPage, ComplianceStatus, HomePage, StandardPage

ORGANISATION = "Stichting Zorg- en Veiligheidshuis Brabant Zuidoost"
ADDRESS = "Voorbeeldstraat 1, 5700 AA Helmond"
DPO_EMAIL = "fg@zvh-bzo.example"
PRIVACY_EMAIL = "privacy@zvh-bzo.example"
PHONE = "0492 00 00 00"
ACCESSIBILITY_EMAIL = "toegankelijkheid@zvh-bzo.example"
AP_URL = "https://www.autoriteitpersoonsgegevens.nl/een-tip-of-klacht-indienen-bij-de-ap"

NUMBERS = {1: "een", 2: "twee", 3: "drie", 4: "vier", 5: "vijf", 6: "zes", 7: "zeven"}


def term(days: int) -> str:
    """A retention term in Dutch words: whole years as years (365 or 366 days per
    year, so 1826 days is five years), anything else in days."""
    years, rest = divmod(days, 365)
    if years and rest <= years // 4 + 1 and rest < 3:
        return f"{NUMBERS.get(years, str(years))} jaar"
    return "1 dag" if days == 1 else f"{days} dagen"


def dutch_date(day: dt.date) -> str:
    with translation.override("nl"):
        return date_format(day, "j F Y")


def heading(text: str) -> dict[str, Any]:
    return {"type": "heading", "value": {"text": text, "level": "h2"}}


def subheading(text: str) -> dict[str, Any]:
    return {"type": "heading", "value": {"text": text, "level": "h3"}}


def paragraph(html: str) -> dict[str, Any]:
    return {"type": "paragraph", "value": html}


def items(*lines: str) -> dict[str, Any]:
    return paragraph("<ul>" + "".join(f"<li>{line}</li>" for line in lines) + "</ul>")


def privacy_body() -> list[dict[str, Any]]:
    t = {name: term(days) for name, days in settings.RETENTION_DAYS.items()}
    rescue_hours = getattr(settings, "CASEWORK_RESCUE_HOURS", 24)
    return [
        heading("Wie is verantwoordelijk?"),
        paragraph(
            f"<p>{ORGANISATION} (hierna: het ZVH), {ADDRESS}, is verwerkingsverantwoordelijke voor "
            "de persoonsgegevens die via deze website worden verwerkt: de nieuwsbrief, de aanmeldingen "
            "voor trainingen en bijeenkomsten, de vragen aan onze experts en de accounts voor de "
            "beveiligde omgeving.</p>"
            "<p>Voor casusgegevens in de beveiligde omgeving zijn het ZVH en de convenantpartners die "
            "aan een casus werken gezamenlijk verwerkingsverantwoordelijk (artikel 26 AVG). De "
            "afspraken daarover staan in het samenwerkingsconvenant en het privacyprotocol van het "
            "Zorg- en Veiligheidshuis. Voor deze verwerking is een gegevensbeschermingseffectbeoordeling "
            "(DPIA) uitgevoerd.</p>"
        ),
        heading("Functionaris gegevensbescherming"),
        paragraph(
            "<p>Het ZVH heeft een functionaris gegevensbescherming (FG) die toeziet op de naleving van de "
            "privacywetgeving. U bereikt de FG via "
            f'<a href="mailto:{DPO_EMAIL}">{DPO_EMAIL}</a> of telefonisch via {PHONE} '
            "(vraag naar de functionaris gegevensbescherming).</p>"
        ),
        heading("Welke gegevens, waarvoor en op welke grondslag"),
        subheading("Bezoek aan de website"),
        paragraph(
            "<p>Wij houden geen bezoekersstatistieken bij en plaatsen geen tracking- of "
            "advertentiecookies (zie de cookieverklaring). Het internetadres (IP-adres) van uw "
            "verbinding gebruiken we alleen kort, om misbruik van formulieren te beperken: we tellen "
            "hoeveel formulieren vanaf één adres worden verstuurd. Onze technische logbestanden bevatten "
            "geen e-mailadressen of telefoonnummers. Grondslag: gerechtvaardigd belang bij een veilige "
            "website (artikel 6 lid 1 onder f AVG).</p>"
        ),
        subheading("Zoeken"),
        paragraph(
            "<p>Om de zoekfunctie te verbeteren bewaren we welke zoekvragen zijn gesteld en hoeveel "
            "resultaten ze gaven. E-mailadressen en lange reeksen cijfers (zoals telefoonnummers) in een "
            f"zoekvraag maken we onleesbaar, en we slaan niet op wie zocht. Bewaartermijn: {t['search_log']}. "
            "Grondslag: gerechtvaardigd belang (artikel 6 lid 1 onder f AVG).</p>"
        ),
        subheading("Nieuwsbrief"),
        paragraph(
            "<p>Als u zich abonneert, verwerken we uw e-mailadres, en als u die invult uw naam, "
            "organisatie, gekozen thema's en gewenste frequentie. We leggen vast wanneer u toestemming gaf "
            "en bevestigde, en welke versie van de toestemmingstekst u zag. We meten per nieuwsbrief of "
            "die is geopend en op welke links is geklikt. Grondslag: uw toestemming (artikel 6 lid 1 "
            "onder a AVG); u kunt die altijd intrekken via de afmeldlink onder elke nieuwsbrief.</p>"
        ),
        items(
            f"Een aanmelding die u niet binnen {t['newsletter_unconfirmed']} bevestigt, verwijderen we.",
            f"Gegevens over het openen en klikken per abonnee verwijderen we na {t['newsletter_tracking']}; "
            "alleen de totalen per nieuwsbrief blijven.",
            "Na afmelding bewaren we uw e-mailadres en de vastlegging van toestemming en afmelding, zodat "
            "we u geen nieuwsbrief meer sturen en kunnen aantonen dat u toestemming gaf. Via "
            "“Verwijder mijn gegevens” op uw voorkeurenpagina wist u alles.",
        ),
        subheading("Trainingen en bijeenkomsten"),
        paragraph(
            "<p>Voor een aanmelding verwerken we uw naam, e-mailadres, organisatie en functie, en uw "
            "aanwezigheid. Voor geaccrediteerde trainingen ook uw registratienummer (bijvoorbeeld BIG of "
            "SKJ) en de code van uw certificaat. Grondslag: de uitvoering van uw aanmelding (artikel 6 "
            "lid 1 onder b AVG). Vraagt u om aanpassingen voor een dieet of toegankelijkheid, dan "
            "gebruiken we die antwoorden alleen om de bijeenkomst voor u te regelen. Die antwoorden zijn "
            "vrijwillig; u geeft ze met uitdrukkelijke toestemming (artikel 9 lid 2 onder a AVG).</p>"
        ),
        items(
            "Antwoorden over dieet en toegankelijkheid verwijderen we zodra de bijeenkomst voorbij is.",
            f"Aanmeldingen maken we {t['events_anonymise']} na de bijeenkomst anoniem; alleen de aantallen "
            "blijven.",
            "Aanmeldingen met accreditatiegegevens (registratienummer, certificaat) maken we "
            f"{t['events_accreditation']} na de bijeenkomst anoniem, zodat u uw deelname kunt aantonen "
            "bij uw beroepsregister.",
        ),
        subheading("Vraag het de expert"),
        paragraph(
            "<p>Stelt u een vraag aan een expert, dan verwerken we uw naam, e-mailadres, organisatie en "
            "uw vraag. Uw vraag gaat pas naar de expert als u uw e-mailadres hebt bevestigd. Grondslag: "
            "gerechtvaardigd belang bij het beantwoorden van uw vraag (artikel 6 lid 1 onder f AVG).</p>"
        ),
        items(
            f"Een vraag die u niet binnen {t['knowledge_unconfirmed']} bevestigt, verwijderen we.",
            f"{t['knowledge_question'].capitalize()} na het afronden van de vraag verwijderen we uw naam, "
            "e-mailadres en organisatie; vraag en antwoord blijven zonder uw gegevens bewaard.",
        ),
        subheading("Accounts voor partners en medewerkers"),
        paragraph(
            "<p>Voor een account verwerken we naam, e-mailadres, organisatie, rol, de gegevens van de "
            "tweede factor waarmee u inlogt, en mislukte inlogpogingen. In een auditlog leggen we vast "
            "wie wanneer welke casus heeft ingezien of gewijzigd. Grondslag: de beveiliging van "
            "casusgegevens, een taak van algemeen belang die het ZVH uitvoert voor de gemeenten en "
            "partners (artikel 6 lid 1 onder e AVG). Een account bewaren we zolang u het nodig hebt voor "
            "uw werk; het auditlog blijft bewaard, zodat achteraf altijd te controleren is wie "
            "casusgegevens heeft gezien.</p>"
        ),
        subheading("Casusgegevens in de beveiligde omgeving"),
        paragraph(
            "<p>Bij de aanpak van complexe casuïstiek verwerken de convenantpartners en het ZVH gegevens "
            "over de betrokken personen, waaronder bijzondere persoonsgegevens (zoals gezondheid) en "
            "strafrechtelijke gegevens. Grondslag: de uitvoering van een taak van algemeen belang "
            "(artikel 6 lid 1 onder e AVG), met voor bijzondere en strafrechtelijke gegevens de "
            "uitzonderingen van artikel 9 lid 2 onder g en artikel 10 AVG, uitgewerkt in het "
            "samenwerkingsconvenant en het privacyprotocol. Partners zien alleen wat zij voor hun deel "
            "van de aanpak nodig hebben.</p>"
        ),
        items(
            f"Een aanmelding die niet is afgemaakt (concept), verwijderen we na {t['casework_draft']} "
            "zonder wijziging.",
            f"Een afgesloten casus komt na {t['casework_closed']} op een vernietigingslijst; na akkoord van "
            "twee privacyfunctionarissen worden de gegevens vernietigd.",
            f"Bij een adviesvraag zonder casus verwijderen we vraag en advies {t['casework_advice']} na het "
            "advies.",
            "Het e-mailadres voor de tevredenheidsenquête na afsluiting verwijderen we zodra de enquête is "
            "ingevuld of verlopen.",
            "Invoer die we bewaren als u automatisch bent uitgelogd, verwijderen we na "
            f"{rescue_hours} uur.",
        ),
        heading("Met wie delen we gegevens?"),
        paragraph(
            "<p>We verkopen geen gegevens en delen ze niet voor marketing. Casusgegevens delen we alleen "
            "met de convenantpartners die aan de casus werken, binnen de afspraken van het convenant. Voor "
            "de hosting van de website en het versturen van e-mail schakelen we verwerkers in; met hen "
            "hebben we een verwerkersovereenkomst gesloten. Alle gegevens blijven binnen de Europese "
            "Economische Ruimte.</p>"
        ),
        heading("Beveiliging"),
        paragraph(
            "<p>Casusgegevens zijn versleuteld opgeslagen. De beveiligde omgeving is alleen bereikbaar met "
            "een tweede factor, na een periode zonder activiteit wordt u automatisch uitgelogd, en elke "
            "inzage wordt vastgelegd in het auditlog.</p>"
        ),
        heading("Uw rechten"),
        paragraph(
            "<p>U hebt het recht op inzage in uw gegevens, op correctie, op verwijdering, op beperking "
            "van de verwerking, op overdraagbaarheid en het recht om bezwaar te maken. Gaf u toestemming, "
            "dan kunt u die altijd intrekken. Uw nieuwsbriefgegevens downloadt of verwijdert u zelf via "
            "uw voorkeurenpagina; uw aanmeldingen voor trainingen via “Mijn trainingen”.</p>"
            f'<p>Voor andere verzoeken mailt u naar <a href="mailto:{PRIVACY_EMAIL}">{PRIVACY_EMAIL}</a>. '
            "We antwoorden binnen een maand. Bij casusgegevens kunnen uw rechten beperkt zijn, "
            "bijvoorbeeld als inzage de veiligheid van anderen in gevaar brengt (artikel 23 AVG en "
            "artikel 41 Uitvoeringswet AVG); we leggen dan uit waarom.</p>"
        ),
        heading("Klacht"),
        paragraph(
            "<p>Bent u het niet eens met hoe wij met uw gegevens omgaan? Neem dan eerst contact op met "
            f'onze functionaris gegevensbescherming (<a href="mailto:{DPO_EMAIL}">{DPO_EMAIL}</a>). U hebt '
            "ook altijd het recht een klacht in te dienen bij de Autoriteit Persoonsgegevens: "
            f'<a href="{AP_URL}">autoriteitpersoonsgegevens.nl</a>.</p>'
        ),
        heading("Wijzigingen"),
        paragraph(
            "<p>We passen deze verklaring aan als onze verwerkingen veranderen. Deze versie is van "
            f"{dutch_date(timezone.localdate())}.</p>"
        ),
    ]


def cookie_body() -> list[dict[str, Any]]:
    session_hours = settings.SESSION_COOKIE_AGE // 3600
    device_days = settings.LOGIN_DEVICE_COOKIE_AGE // 86400
    return [
        heading("Geen trackingcookies"),
        paragraph(
            "<p>Deze website plaatst geen tracking-, analyse- of advertentiecookies, ook niet van andere "
            "partijen. We meten niet wie welke pagina’s bezoekt en gebruiken geen sociale-mediaknoppen die "
            "u volgen. Daarom vragen we u ook niet om toestemming voor cookies.</p>"
        ),
        heading("Welke cookies we wel gebruiken"),
        paragraph(
            "<p>We gebruiken alleen cookies die nodig zijn om de website te laten werken. Daarvoor is geen "
            "toestemming nodig (artikel 11.7a Telecommunicatiewet).</p>"
        ),
        items(
            "<b>csrftoken</b>: beschermt formulieren (zoals de aanmelding voor de nieuwsbrief) tegen "
            "misbruik door andere websites. Bewaard: een jaar.",
            f"<b>sessionid</b>: houdt u ingelogd. Bewaard: {session_hours} uur, of tot u uitlogt.",
            "<b>messages</b>: toont eenmalig een bevestiging na het versturen van een formulier. Bewaard: "
            "tot de melding is getoond.",
            "<b>zvh_login_device</b>: herkent na een geslaagde inlog uw browser, zodat een blokkade na "
            "herhaalde mislukte inlogpogingen op uw account u niet buitensluit. Bewaard: "
            f"{device_days} dagen.",
        ),
        paragraph(
            "<p>Op de beveiligde verbinding van de website dragen deze cookies het voorvoegsel "
            "<b>__Host-</b> (bijvoorbeeld __Host-sessionid): de browser stuurt ze dan alleen naar deze "
            "website, en alleen versleuteld.</p>"
        ),
        heading("Cookies verwijderen"),
        paragraph(
            "<p>U kunt cookies altijd verwijderen via de instellingen van uw browser. Bent u ingelogd, "
            "dan wordt u daarna uitgelogd.</p>"
        ),
        heading("Vragen"),
        paragraph(
            "<p>Hebt u vragen over cookies of over hoe we met uw gegevens omgaan? Lees dan onze "
            f'privacyverklaring of mail naar <a href="mailto:{PRIVACY_EMAIL}">{PRIVACY_EMAIL}</a>.</p>'
        ),
    ]


def accessibility_body() -> list[dict[str, Any]]:
    return [
        heading("Onderbouwing"),
        paragraph(
            f"<p>{ORGANISATION} wil dat iedereen deze website kan gebruiken, ook mensen met een "
            "beperking. Daarom bouwen we de website volgens de toegankelijkheidseisen van het Besluit "
            "digitale toegankelijkheid overheid. Bij elke wijziging controleren geautomatiseerde tests de "
            "belangrijkste pagina's en formulieren met axe-core, ook in de beveiligde omgeving.</p>"
            "<p>Een volledig onderzoek volgens de onderzoeksmethode WCAG-EM door een onafhankelijke partij "
            "is gepland. Tot dat onderzoek is afgerond, kunnen we niet aantonen dat de website aan alle "
            "eisen voldoet: daarom is de status ‘eerste maatregelen genomen’.</p>"
        ),
        heading("Wat nog niet goed is"),
        items(
            "Sommige pdf-publicaties van partners zijn niet volledig toegankelijk. Hebt u een publicatie "
            "nodig in een andere vorm? Vraag het ons, dan sturen we u een toegankelijke versie.",
            "Kaarten met de route naar een bijeenkomst zijn links naar OpenStreetMap. Het adres staat "
            "altijd ook als tekst op de pagina.",
        ),
        heading("Wat we doen"),
        items(
            "Het volledige WCAG-EM-onderzoek, waarna we deze verklaring bijwerken.",
            "Redacteuren leren bij elke nieuwe pagina toegankelijk te schrijven: duidelijke koppen, "
            "beschrijvende linkteksten en een tekstalternatief bij elke afbeelding.",
        ),
    ]


def _child(home: HomePage, slug: str):
    return home.get_children().filter(slug=slug).first()


def load_legal_pages(home: HomePage) -> dict[str, Any]:
    """Create the privacy statement, the cookie statement and the accessibility
    statement under the home page when they are missing (an editor's changes stay)."""
    pages: dict[str, Any] = {}
    privacy = _child(home, "privacyverklaring")
    if privacy is None:
        privacy = home.add_child(
            instance=StandardPage(
                title="Privacyverklaring",
                slug="privacyverklaring",
                introduction=(
                    "Welke persoonsgegevens het Zorg- en Veiligheidshuis verwerkt, waarom, hoe lang we "
                    "ze bewaren en welke rechten u hebt."
                ),
                body=privacy_body(),
            )
        )
        privacy.save_revision().publish()
    pages["privacyverklaring"] = privacy
    cookies = _child(home, "cookieverklaring")
    if cookies is None:
        cookies = home.add_child(
            instance=StandardPage(
                title="Cookieverklaring",
                slug="cookieverklaring",
                introduction="Deze website plaatst geen trackingcookies. Alleen wat nodig is om te werken.",
                body=cookie_body(),
            )
        )
        cookies.save_revision().publish()
    pages["cookieverklaring"] = cookies
    statement = _child(home, "toegankelijkheidsverklaring")
    if statement is None:
        today = timezone.localdate()
        statement = home.add_child(
            instance=AccessibilityStatementPage(
                title="Toegankelijkheidsverklaring",
                slug="toegankelijkheidsverklaring",
                introduction=(
                    "Het Zorg- en Veiligheidshuis wil dat iedereen deze website kan gebruiken. Hier leest "
                    "u hoe toegankelijk de website is en hoe u een probleem meldt."
                ),
                status=ComplianceStatus.C,
                scope=settings.WAGTAILADMIN_BASE_URL.rstrip("/") + " (ook de beveiligde omgeving)",
                statement_date=today,
                last_check_date=today,
                check_method=(
                    "eigen onderzoek: automatische controle met axe-core van de belangrijkste pagina's "
                    "en formulieren"
                ),
                next_check_date=today + dt.timedelta(days=120),
                body=accessibility_body(),
                contact_email=ACCESSIBILITY_EMAIL,
                contact_phone=PHONE,
                response_days=5,
            )
        )
        statement.save_revision().publish()
    pages["toegankelijkheidsverklaring"] = statement
    return pages
