"""Import from the old registration system (GCOS): a CSV is checked row by row, written
only when entirely clean and asked for, idempotent by reference, and audited."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import translation

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import importer
from casework.models import AuditEntry, Case, CaseEvaluation, CaseSource
from casework.roles import FUNCTIONEEL_BEHEER, MANAGER, PROCESREGISSEUR
from tests.fuzzing import examples

from .factories import (
    BasisteamFactory,
    CaseFactory,
    MunicipalityFactory,
    PartnerKindFactory,
    partner_user,
    staff_user,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HEADER = ",".join(importer.COLUMNS)
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gcos-voorbeeld.csv"


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.fixture(autouse=True)
def reference_data(db):
    peelland = BasisteamFactory(name="Peelland")
    noord = BasisteamFactory(name="Eindhoven-Noord")
    zuid = BasisteamFactory(name="Eindhoven-Zuid")
    MunicipalityFactory(name="Helmond").basisteams.add(peelland)
    eindhoven = MunicipalityFactory(name="Eindhoven")
    eindhoven.basisteams.add(zuid, noord)
    for code, name in [
        ("politie", "Politie"),
        ("gemeente-sociaal-domein", "Gemeente – sociaal domein"),
        ("ggz", "GGZ"),
        ("veilig-thuis", "Veilig Thuis"),
        ("om", "Openbaar Ministerie / ZSM"),
    ]:
        PartnerKindFactory(code=code, name=name)


def row(**values) -> str:
    """One CSV line; unnamed columns are empty. Values with a comma are quoted."""
    cells = []
    for column in importer.COLUMNS:
        value = values.get(column, "")
        cells.append(f'"{value}"' if ("," in value or ";" in value) else value)
    return ",".join(cells)


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


CLOSED_COM = {
    "reference": "GCOS-2019-0001",
    "kind": "COM",
    "registered_on": "2019-01-14",
    "municipality": "Helmond",
    "registering_partner": "Politie",
    "triage_outcome": "procesregie",
    "started_on": "2019-02-04",
    "closed_on": "2019-11-29",
    "content_goal": "volledig",
    "process_goal_1": "Volledig",
    "process_goal_2": "deels",
    "process_goal_3": "niet",
    "extra_expertise": "ja",
    "escalated": "nee",
    "policy_signal": "JA",
    "partners_involved": "politie; Gemeente – sociaal domein;GGZ",
    "closure_reason": "doel bereikt",
}
OPEN_JEUGD = {
    "reference": "GCOS-2020-0002",
    "kind": "PGA Jeugd",
    "registered_on": "2020-12-31",
    "municipality": "eindhoven",
    "registering_partner": "gemeente-sociaal-domein",
    "entry_channel": "Kopstuk",
    "region": "Eindhoven-Noord",
}
IN_TRIAGE = {
    "reference": "GCOS-2020-0003",
    "kind": "mda++",
    "registered_on": "2020-06-01",
    "municipality": "Helmond",
}


def midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=AMSTERDAM)


def test_a_clean_file_imports_every_row_with_its_fields_and_evaluation():
    data = csv_file(row(**CLOSED_COM), row(**OPEN_JEUGD), row(**IN_TRIAGE))
    result = importer.import_cases(data=data, commit=True)

    assert result.ok and result.committed
    assert result.rows_read == 3
    assert sorted(result.to_create) == ["GCOS-2019-0001", "GCOS-2020-0002", "GCOS-2020-0003"]

    closed = Case.objects.get(reference="GCOS-2019-0001")
    assert closed.kind == "com" and closed.status == "afgesloten"
    assert closed.source == CaseSource.GCOS
    assert closed.submitted_at == midnight("2019-01-14")
    assert closed.direction_started_at == midnight("2019-02-04")
    assert closed.closed_at == midnight("2019-11-29")
    assert closed.triage_outcome == "procesregie"
    assert closed.municipality.name == "Helmond"
    assert closed.region.name == "Peelland"  # derived from the municipality
    assert closed.registering_kind.code == "politie"
    assert closed.urgency == "normaal" and closed.organisation is None
    # No personal data: the file has none, the encrypted fields stay empty.
    assert (closed.person_name, closed.person_birth_date, closed.problem, closed.question) == (
        "",
        "",
        "",
        "",
    )
    evaluation = closed.evaluation
    assert (
        evaluation.content_goal,
        evaluation.process_goal_1,
        evaluation.process_goal_2,
        evaluation.process_goal_3,
    ) == ("volledig", "volledig", "deels", "niet")
    assert (evaluation.extra_expertise, evaluation.escalated, evaluation.policy_signal) == (
        True,
        False,
        True,
    )
    assert evaluation.closure_reason == "doel-bereikt" and evaluation.jeugd_result == ""
    assert set(evaluation.partners_involved.values_list("code", flat=True)) == {
        "politie",
        "gemeente-sociaal-domein",
        "ggz",
    }

    jeugd = Case.objects.get(reference="GCOS-2020-0002")
    # 31 December at midnight in Amsterdam is still 2020 locally (23:00 UTC the day before).
    assert jeugd.submitted_at == midnight("2020-12-31")
    assert jeugd.kind == "pga-jeugd" and jeugd.status == "in_triage"
    assert jeugd.jeugd_entry == "kopstuk" and jeugd.region.name == "Eindhoven-Noord"
    assert jeugd.triage_outcome == "" and jeugd.closed_at is None
    assert not CaseEvaluation.objects.filter(case=jeugd).exists()

    assert Case.objects.get(reference="GCOS-2020-0003").kind == "mda"


@pytest.mark.parametrize(
    ("values", "status", "outcome"),
    [
        ({"kind": "COM", "triage_outcome": "advies"}, "advies_gegeven", "advies"),
        ({"kind": "PGA OG", "triage_outcome": "niet opgepakt"}, "niet_opgepakt", "niet-opgepakt"),
        ({"kind": "pga og", "started_on": "2021-02-01"}, "in_procesregie", "procesregie"),
        ({"kind": "PGA-R"}, "weegtafel", ""),
        ({"kind": "PGA-R", "triage_outcome": "advies"}, "niet_opgepakt_ondersteund", "advies"),
        ({"kind": "Advies"}, "in_behandeling", ""),
        ({"kind": "adviesvraag", "triage_outcome": "advies"}, "advies_gegeven", "advies"),
        (
            {"kind": "Advies", "closed_on": "2021-01-20", "closure_reason": "advies gegeven"},
            "afgesloten",
            "advies",
        ),
    ],
)
def test_the_status_follows_the_kinds_workflow(values, status, outcome):
    line = row(reference="R-1", registered_on="2021-01-10", municipality="Helmond", **values)
    result = importer.import_cases(data=csv_file(line), commit=True)
    assert result.committed, result.errors
    case = Case.objects.get(reference="R-1")
    assert (case.status, case.triage_outcome) == (status, outcome)


def test_a_pga_jeugd_result_is_recorded_with_the_closure_reason_it_implies():
    values = {
        **OPEN_JEUGD,
        "triage_outcome": "procesregie",
        "started_on": "2021-01-04",
        "closed_on": "2021-06-30",
        "closure_reason": "Langdurige detentie",
    }
    assert importer.import_cases(data=csv_file(row(**values)), commit=True).committed
    evaluation = Case.objects.get(reference=OPEN_JEUGD["reference"]).evaluation
    assert (evaluation.jeugd_result, evaluation.closure_reason) == ("langdurige-detentie", "anders")


def test_one_bad_row_changes_nothing_not_even_the_good_rows():
    existing = importer.import_cases(data=csv_file(row(**IN_TRIAGE)), commit=True)
    assert existing.committed
    before = list(Case.objects.values_list("reference", "status", "closed_at"))
    bad = {**OPEN_JEUGD, "municipality": "Atlantis"}
    updated_triage = {**IN_TRIAGE, "triage_outcome": "advies"}
    data = csv_file(row(**CLOSED_COM), row(**updated_triage), row(**bad))

    result = importer.import_cases(data=data, commit=True)

    assert not result.committed
    assert [(error.line, error.reference) for error in result.errors] == [(4, "GCOS-2020-0002")]
    assert result.errors[0].message == "municipality: onbekende gemeente ‘Atlantis’."
    assert list(Case.objects.values_list("reference", "status", "closed_at")) == before
    assert not CaseEvaluation.objects.exists()


def test_every_kind_of_error_is_reported_with_its_line():
    data = csv_file(
        row(**{**CLOSED_COM, "reference": "A-1", "closed_on": "2019-01-01"}),  # line 2
        row(**{**IN_TRIAGE, "reference": "A-2", "content_goal": "volledig"}),  # line 3
        row(**{**IN_TRIAGE, "reference": "A-3", "entry_channel": "bluelist"}),  # line 4
        row(**{**IN_TRIAGE, "reference": "A-4", "registered_on": "2019-02-30"}),  # line 5
        row(**{**IN_TRIAGE, "reference": "A-5", "kind": "COMM"}),  # line 6
        row(**{**IN_TRIAGE, "reference": "A-5"}),  # line 7
        row(**{**OPEN_JEUGD, "reference": "A-6", "entry_channel": ""}),  # line 8
        row(**{**CLOSED_COM, "reference": "A-7", "closure_reason": ""}),  # line 9
        row(**{**CLOSED_COM, "reference": "A-8", "partners_involved": "Politie;Brandweer"}),
        row(**{**IN_TRIAGE, "reference": "A-9", "registered_on": "2999-01-01"}),  # line 11
        "A-10,COM,2020-01-01",  # line 12
    )
    result = importer.import_cases(data=data)
    by_line = {}
    for error in result.errors:
        by_line.setdefault(error.line, []).append(error.message)

    assert "closed_on (2019-01-01) ligt vóór registered_on (2019-01-14)." in by_line[2]
    assert by_line[3] == [
        "content_goal ingevuld voor een casus die niet is afgesloten (closed_on is leeg)."
    ]
    assert by_line[4] == ["entry_channel hoort alleen bij PGA Jeugd-casussen."]
    assert by_line[5] == [
        "registered_on: ‘2019-02-30’ is geen geldige datum; schrijf hem als JJJJ-MM-DD."
    ]
    assert by_line[6][0].startswith("kind: onbekende waarde ‘COMM’. Toegestaan: COM, Advies,")
    assert by_line[7] == ["kenmerk A-5 staat al op regel 6."]
    assert by_line[8] == [
        "entry_channel is leeg; een PGA Jeugd-casus heeft bluelist, kopstuk of restcategorie nodig."
    ]
    assert by_line[9] == [
        "closure_reason is leeg; een afgesloten casus heeft een afsluitreden nodig."
    ]
    assert by_line[10] == ["partners_involved: onbekende partnersoort ‘Brandweer’."]
    assert by_line[11] == ["registered_on: 2999-01-01 ligt in de toekomst."]
    assert by_line[12] == ["Deze regel heeft 3 velden; de kopregel heeft er 19."]
    assert result.error_lines == list(range(2, 13))
    assert not Case.objects.exists()


def test_a_header_without_required_columns_is_refused_as_a_whole():
    header = HEADER.replace(",closure_reason", "").replace("region", "regio")
    result = importer.import_cases(data=csv_file("x", header=header))
    assert result.unreadable
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "In de kopregel ontbreken de kolom(men) closure_reason, region.")
    ]


def test_goals_are_refused_for_a_case_that_never_came_into_procesregie():
    values = {**CLOSED_COM, "triage_outcome": "advies", "started_on": ""}
    result = importer.import_cases(data=csv_file(row(**values)))
    assert [e.message for e in result.errors] == [
        "content_goal, process_goal_1, process_goal_2, process_goal_3: doelen worden alleen "
        "geëvalueerd bij een casus die in procesregie was."
    ]


def test_reimporting_updates_the_imported_cases_and_never_duplicates():
    first = csv_file(
        row(**{**CLOSED_COM, "closed_on": "", **dict.fromkeys(importer.EVALUATION_COLUMNS, "")}),
        row(**IN_TRIAGE),
    )
    assert importer.import_cases(data=first, commit=True).committed
    case = Case.objects.get(reference=CLOSED_COM["reference"])
    assert case.status == "in_procesregie" and not CaseEvaluation.objects.exists()

    second = csv_file(row(**CLOSED_COM), row(**IN_TRIAGE))
    dry = importer.import_cases(data=second)
    assert sorted(dry.to_update) == ["GCOS-2019-0001", "GCOS-2020-0003"] and not dry.to_create
    assert importer.import_cases(data=second, commit=True).committed
    assert importer.import_cases(data=second, commit=True).committed

    assert Case.objects.count() == 2 and CaseEvaluation.objects.count() == 1
    case.refresh_from_db()
    assert case.status == "afgesloten" and case.closed_at == midnight("2019-11-29")
    assert case.public_id == Case.objects.get(reference=CLOSED_COM["reference"]).public_id
    assert case.evaluation.partners_involved.count() == 3

    # Reopened in the corrected export: the evaluation goes with the closure.
    assert importer.import_cases(data=first, commit=True).committed
    case.refresh_from_db()
    assert case.closed_at is None and not CaseEvaluation.objects.exists()


def test_a_case_created_in_the_portal_is_never_overwritten():
    portal_case = CaseFactory(reference="ZVH-2026-00001", status="aangemeld")
    result = importer.import_cases(
        data=csv_file(row(**{**IN_TRIAGE, "reference": "ZVH-2026-00001"})), commit=True
    )
    assert not result.committed
    assert [e.message for e in result.errors] == [
        "kenmerk ZVH-2026-00001 hoort bij een casus die in het portaal is aangemaakt; een "
        "import overschrijft die nooit."
    ]
    portal_case.refresh_from_db()
    assert portal_case.source == CaseSource.PORTAL
    assert portal_case.kind == "com" and portal_case.person_name == "Testpersoon Jansen"


def test_a_clash_while_writing_rolls_back_the_whole_import(monkeypatch):
    """If a portal case takes a reference between the check and the write."""
    from django.db import IntegrityError

    real_write = importer._write

    def write_then_clash(rows):
        real_write(rows)
        raise IntegrityError("duplicate key value violates unique constraint")

    # import_cases looks _write up in its own module, casework.importer.run.
    monkeypatch.setattr(importer.run, "_write", write_then_clash)
    result = importer.import_cases(data=csv_file(row(**CLOSED_COM)), commit=True)
    assert not result.committed
    assert [e.message for e in result.errors] == [
        "De casussen zijn tijdens de import gewijzigd; er is niets geïmporteerd. Probeer het opnieuw."
    ]
    assert not Case.objects.exists() and not CaseEvaluation.objects.exists()
    entry = AuditEntry.objects.filter(action="case.import").get()
    assert entry.result == "refused"


def test_a_semicolon_file_with_a_byte_order_mark_and_windows_line_ends_is_read():
    semicolon_row = ";".join(
        f'"{CLOSED_COM.get(c, "")}"' if c == "partners_involved" else CLOSED_COM.get(c, "")
        for c in importer.COLUMNS
    )
    text = ";".join(importer.COLUMNS) + "\r\n" + semicolon_row + "\r\n"
    result = importer.import_cases(data=b"\xef\xbb\xbf" + text.encode(), commit=True)
    assert result.committed, result.errors
    case = Case.objects.get(reference=CLOSED_COM["reference"])
    assert case.evaluation.partners_involved.count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "Dit is geen CSV-bestand: het bevat binaire gegevens.",
        ),
        ("reference,kind\nÄ,COM\n".encode("latin-1"), "Het bestand is geen UTF-8-tekst."),
        (b"", "Het bestand is leeg."),
    ],
)
def test_garbage_is_refused_with_a_dutch_message(data, message):
    result = importer.import_cases(data=data)
    assert result.unreadable
    assert result.errors[0].message.startswith(message)


cell = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["COM", "PGA Jeugd", "2019-01-01", "2019-13-01", "Helmond", "ja", "", '"']),
    st.text(alphabet=st.sampled_from(',;"\n\r\x00\ufeff\u202e'), max_size=12),
)


@settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@given(
    header=st.one_of(st.just(HEADER), st.just(HEADER.replace(",", ";")), st.text(max_size=40)),
    rows=st.lists(st.lists(cell, min_size=0, max_size=21), max_size=4),
    raw=st.binary(max_size=200),
)
def test_hostile_files_are_answered_with_errors_never_an_exception(header, rows, raw):
    text = "\n".join([header, *(",".join(cells) for cells in rows)])
    for data in (text.encode(errors="surrogatepass"), raw):
        before = Case.objects.count()
        result = importer.import_cases(data=data, commit=True)
        assert result.committed == result.ok
        if not result.ok:
            assert Case.objects.count() == before
            assert all(error.line >= 1 and error.message for error in result.errors)


def test_the_example_file_in_the_docs_imports_cleanly():
    from portal.demo import load_reference_data

    load_reference_data()
    result = importer.import_cases(data=EXAMPLE.read_bytes(), commit=True)
    assert result.committed, result.errors
    assert Case.objects.filter(source=CaseSource.GCOS).count() == result.rows_read == 9


def test_every_run_is_audited_with_counts_and_never_row_contents():
    data = csv_file(row(**CLOSED_COM))
    importer.import_cases(data=data)
    importer.import_cases(data=data, commit=True)
    importer.import_cases(data=csv_file(row(**{**CLOSED_COM, "municipality": "Atlantis"})))
    entries = list(AuditEntry.objects.filter(action="case.import").order_by("pk"))
    assert [(e.result, e.purpose) for e in entries] == [
        ("checked", "dry-run rows=1 create=1 update=0 errors=0"),
        ("committed", "commit rows=1 create=1 update=0 errors=0"),
        ("refused", "dry-run rows=1 create=0 update=0 errors=1"),
    ]
    for entry in entries:
        text = f"{entry.object_id} {entry.purpose}"
        assert "GCOS-2019-0001" not in text and "Helmond" not in text and "Atlantis" not in text
    call_command("verify_audit_chain")


# --- The command ------------------------------------------------------------------


def test_the_command_does_a_dry_run_by_default_and_imports_with_commit(tmp_path, capsys):
    path = tmp_path / "gcos.csv"
    path.write_bytes(csv_file(row(**CLOSED_COM), row(**IN_TRIAGE)))

    call_command("casework_import", str(path))
    out = capsys.readouterr().out
    assert "Regels gelezen: 2" in out and "Zou aanmaken: 2" in out and "Fouten: 0" in out
    assert "Proefimport: er is niets opgeslagen." in out
    assert not Case.objects.exists()

    call_command("casework_import", str(path), "--commit")
    out = capsys.readouterr().out
    assert "Aangemaakt: 2" in out and "De import is opgeslagen." in out
    assert Case.objects.count() == 2


def test_the_command_lists_the_errors_and_exits_non_zero(tmp_path, capsys):
    path = tmp_path / "gcos.csv"
    path.write_bytes(csv_file(row(**CLOSED_COM), row(**{**IN_TRIAGE, "kind": "COMM"})))
    with pytest.raises(CommandError, match="Er is niets geïmporteerd") as error:
        call_command("casework_import", str(path), "--commit")
    # manage.py exits with the CommandError's return code.
    assert error.value.returncode == 1
    out = capsys.readouterr().out
    assert "Fouten: 1" in out
    assert "Regel 3 (GCOS-2020-0003): kind: onbekende waarde ‘COMM’." in out
    assert not Case.objects.exists()

    with pytest.raises(CommandError, match="kan niet worden gelezen"):
        call_command("casework_import", str(tmp_path / "bestaat-niet.csv"))


# --- The upload page ----------------------------------------------------------------


@pytest.fixture
def beheer(client, settings, tmp_path):
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path
    user = staff_user(FUNCTIONEEL_BEHEER)
    client.force_login(user)
    return client


def upload(client, data: bytes, name: str = "gcos.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("casework:case_import"),
        {"action": "check", "file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


def test_functioneel_beheer_checks_a_file_and_then_confirms_the_import(beheer, tmp_path):
    assert beheer.get(reverse("casework:case_import")).status_code == 200
    response = upload(beheer, csv_file(row(**CLOSED_COM), row(**IN_TRIAGE)))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Worden aangemaakt" in body and ">Importeren</button>" in body
    assert not Case.objects.exists()
    pending = list((tmp_path / "gcos-import").iterdir())
    assert len(pending) == 1 and b"GCOS-2019-0001" not in pending[0].read_bytes()  # encrypted

    digest = response.context["result"].digest
    confirmed = beheer.post(
        reverse("casework:case_import"), {"action": "commit", "digest": digest}, follow=True
    )
    assert confirmed.status_code == 200
    assert "Import klaar: 2 casussen aangemaakt, 0 bijgewerkt." in confirmed.content.decode()
    assert Case.objects.filter(source=CaseSource.GCOS).count() == 2
    assert not list((tmp_path / "gcos-import").iterdir())  # the upload is gone

    # The confirmation is single use.
    again = beheer.post(reverse("casework:case_import"), {"action": "commit", "digest": digest})
    assert again.status_code == 400
    assert "Er staat geen gecontroleerd bestand klaar" in again.content.decode()


def test_the_upload_page_lists_bad_lines_and_offers_no_import(beheer):
    response = upload(beheer, csv_file(row(**CLOSED_COM), row(**{**IN_TRIAGE, "kind": "COMM"})))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<td>3</td><td>GCOS-2020-0003</td>" in body
    assert "kind: onbekende waarde ‘COMM’" in body
    assert ">Importeren</button>" not in body
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("foto.png", b"\x89PNG\r\n\x1a\n\x00", "Alleen CSV-bestanden (.csv) kunnen worden"),
        ("gcos.csv", b"\x89PNG\r\n\x1a\n\x00", "Dit is geen CSV-bestand"),
        ("gcos.csv", b"naam,adres\nJan,Dorpsstraat 1\n", "In de kopregel ontbreken"),
        ("gcos.csv", b"x" * (importer.MAX_BYTES + 1), "Het bestand is te groot"),
    ],
)
def test_the_upload_page_refuses_garbage_with_400(beheer, name, data, message):
    response = upload(beheer, data, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Case.objects.exists()


def test_the_upload_page_without_a_file_or_confirmation_is_a_400(beheer):
    url = reverse("casework:case_import")
    assert beheer.post(url, {"action": "check"}).status_code == 400
    assert beheer.post(url, {"action": "commit", "digest": "0" * 64}).status_code == 400
    assert beheer.post(url, {"action": "iets"}).status_code == 400


def test_the_home_page_links_to_the_import_for_functioneel_beheer_only(beheer):
    assert reverse("casework:case_import") in beheer.get(reverse("casework:home")).content.decode()


@pytest.mark.parametrize("role", [PROCESREGISSEUR, MANAGER, "partner"])
def test_the_upload_page_is_refused_to_everyone_else(client, role, settings, tmp_path):
    settings.CASEWORK_ATTACHMENT_ROOT = tmp_path
    client.force_login(partner_user() if role == "partner" else staff_user(role))
    url = reverse("casework:case_import")
    assert client.get(url).status_code == 403
    response = upload(client, csv_file(row(**CLOSED_COM)))
    assert response.status_code == 403
    assert not Case.objects.exists()
    assert (
        reverse("casework:case_import") not in client.get(reverse("casework:home")).content.decode()
    )


def test_the_upload_page_needs_a_signed_in_user(client):
    response = client.get(reverse("casework:case_import"))
    assert response.status_code == 302 and "/login/" in response["Location"]
