"""The annual report: every figure of a small, hand-counted set of cases.

The fixture ``year_2019`` below is the specification: each case says what it is, and
the tests state the numbers a person counting these cases by hand arrives at.
Dates are local (Europe/Amsterdam) wall-clock times.
"""

import csv
import io
import json
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from casework import reports
from casework.models import (
    Achievement,
    AuditEntry,
    CaseKind,
    ClosureReason,
    JeugdClosureResult,
    JeugdEntry,
    SurveyInvitation,
    TriageOutcome,
    WeegtafelDecision,
)

from .factories import (
    BasisteamFactory,
    CaseFactory,
    EvaluationFactory,
    MunicipalityFactory,
    PartnerKindFactory,
    PrognosisFactory,
    SurveyInvitationFactory,
    SurveyResponseFactory,
    TombstoneFactory,
)

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
V, D, N = Achievement.FULLY, Achievement.PARTLY, Achievement.NOT
PARTNER, AANMELDER = SurveyInvitation.Role.PARTNER, SurveyInvitation.Role.AANMELDER


def local(*args) -> datetime:
    return datetime(*args, tzinfo=AMS)


def case(kind, municipality, registered, *, partner=None, outcome="", triaged=None, **fields):
    return CaseFactory(
        kind=kind,
        municipality=municipality,
        organisation=None,
        registering_kind=partner,
        submitted_at=registered,
        triage_outcome=outcome,
        triaged_at=triaged,
        **fields,
    )


@pytest.fixture
def year_2019(db):
    """Cases around 2019 (C1–C17) and two destroyed ones (T1, T2)."""
    helmond = MunicipalityFactory(name="Helmond")
    deurne = MunicipalityFactory(name="Deurne")
    asten = MunicipalityFactory(name="Asten")
    gemeente = PartnerKindFactory(code="gemeente-sociaal-domein", name="Gemeente", sort_order=0)
    politie = PartnerKindFactory(code="politie", name="Politie", sort_order=1)
    ggz = PartnerKindFactory(code="ggz", name="GGZ", sort_order=2)
    peelland = BasisteamFactory(name="Peelland")
    kempen = BasisteamFactory(name="De Kempen")
    P, A, NO = TriageOutcome.PROCESREGIE, TriageOutcome.ADVIES, TriageOutcome.NIET_OPGEPAKT
    cases = {}
    # C1: COM from 2018 in procesregie, closed mid-2019: carried over, closed, 65 weeks.
    cases["C1"] = case(CaseKind.COM, helmond, local(2018, 3, 1, 12), partner=politie, outcome=P,
                       triaged=local(2018, 3, 10), direction_started_at=local(2018, 3, 10),
                       closed_at=local(2019, 6, 1, 12))  # fmt: skip
    # C2: COM from 2017, still in procesregie: carried over and running on.
    cases["C2"] = case(CaseKind.COM, helmond, local(2017, 5, 1, 12), partner=politie, outcome=P,
                       triaged=local(2017, 5, 15), direction_started_at=local(2017, 5, 15))  # fmt: skip
    # C3: registered 31 December 23:30 (22:30 UTC), triaged, directed and closed 1 January.
    cases["C3"] = case(CaseKind.COM, deurne, local(2019, 12, 31, 23, 30), partner=gemeente,
                       outcome=P, triaged=local(2020, 1, 1, 9),
                       direction_started_at=local(2020, 1, 1, 9),
                       closed_at=local(2020, 1, 1, 16))  # fmt: skip
    # C4: registered 1 January 00:30 local (still 31 December in UTC); 50 weeks.
    cases["C4"] = case(CaseKind.COM, asten, local(2019, 1, 1, 0, 30), partner=gemeente,
                       outcome=P, triaged=local(2019, 1, 10),
                       direction_started_at=local(2019, 1, 10),
                       closed_at=local(2019, 12, 20, 12))  # fmt: skip
    # C5: COM answered with advice, closed after exactly 2 weeks.
    cases["C5"] = case(CaseKind.COM, helmond, local(2019, 2, 1, 12), partner=politie, outcome=A,
                       triaged=local(2019, 2, 5), closed_at=local(2019, 2, 15, 12))  # fmt: skip
    # C6: COM taken into procesregie in 2019, running on.
    cases["C6"] = case(CaseKind.COM, helmond, local(2019, 3, 1, 12), partner=ggz, outcome=P,
                       triaged=local(2019, 3, 5), direction_started_at=local(2019, 3, 5))  # fmt: skip
    # C7: COM still in triage, registering partner unknown.
    cases["C7"] = case(CaseKind.COM, deurne, local(2019, 4, 1, 12))
    # C8: advice request, 1 week.
    cases["C8"] = case(CaseKind.ADVIES, helmond, local(2019, 5, 1, 12), partner=gemeente,
                       outcome=A, triaged=local(2019, 5, 2), closed_at=local(2019, 5, 10, 12))  # fmt: skip
    # C9: PGA Jeugd (Bluelist) registered 2018, procesregie from 2019, closed: 47 weeks.
    cases["C9"] = case(CaseKind.PGA_JEUGD, helmond, local(2018, 11, 1, 12), partner=politie,
                       outcome=P, triaged=local(2019, 1, 5), jeugd_entry=JeugdEntry.BLUELIST,
                       direction_started_at=local(2019, 1, 5),
                       closed_at=local(2019, 10, 1, 12))  # fmt: skip
    # C10: PGA Jeugd kopstuk, procesregie, running on.
    cases["C10"] = case(CaseKind.PGA_JEUGD, deurne, local(2019, 6, 1, 12), partner=politie,
                        outcome=P, triaged=local(2019, 6, 10), jeugd_entry=JeugdEntry.KOPSTUK,
                        direction_started_at=local(2019, 6, 10))  # fmt: skip
    # C11: PGA Jeugd restcategorie, not taken up, closed after 2 weeks.
    cases["C11"] = case(CaseKind.PGA_JEUGD, asten, local(2019, 7, 1, 12), partner=gemeente,
                        outcome=NO, triaged=local(2019, 7, 5), jeugd_entry=JeugdEntry.REST,
                        closed_at=local(2019, 7, 15, 12))  # fmt: skip
    # C12–C15: PGA-R signals at the weegtafel.
    cases["C12"] = case(CaseKind.PGA_R, helmond, local(2019, 8, 1, 12), partner=politie,
                        outcome=P, triaged=local(2019, 8, 20), region=peelland,
                        weegtafel_decision=WeegtafelDecision.OPGEPAKT,
                        direction_started_at=local(2019, 9, 1))  # fmt: skip
    cases["C13"] = case(CaseKind.PGA_R, deurne, local(2019, 9, 1, 12), partner=politie,
                        region=peelland, weegtafel_decision=WeegtafelDecision.OPNIEUW)  # fmt: skip
    cases["C14"] = case(CaseKind.PGA_R, asten, local(2019, 10, 1, 12), partner=gemeente)
    cases["C15"] = case(CaseKind.PGA_R, helmond, local(2019, 10, 15, 12), partner=politie,
                        outcome=A, triaged=local(2019, 10, 20), region=kempen,
                        weegtafel_decision=WeegtafelDecision.ONDERSTEUND,
                        closed_at=local(2019, 11, 15, 12))  # fmt: skip
    # C16: MDA++ closed 31 December 2018 23:30: not in 2019 at all.
    cases["C16"] = case(CaseKind.MDA, helmond, local(2016, 1, 10, 12), partner=ggz, outcome=P,
                        triaged=local(2016, 2, 1), direction_started_at=local(2016, 2, 1),
                        closed_at=local(2018, 12, 31, 23, 30))  # fmt: skip
    # C17: PGA OG from 2015, closed 1 January 2019 00:15 local (2018 in UTC): 187 weeks.
    cases["C17"] = case(CaseKind.PGA_OG, helmond, local(2015, 6, 1, 12), partner=gemeente,
                        outcome=P, triaged=local(2015, 6, 10),
                        direction_started_at=local(2015, 6, 10),
                        closed_at=local(2019, 1, 1, 0, 15))  # fmt: skip
    # Destroyed cases: T1 registered and closed in 2019 (8 weeks), T2 from 2014 (269 weeks).
    TombstoneFactory(kind=CaseKind.COM, municipality_name="Helmond",
                     submitted_at=local(2019, 1, 15, 12), closed_at=local(2019, 3, 15, 12))  # fmt: skip
    TombstoneFactory(kind=CaseKind.MDA, municipality_name="Eindhoven",
                     submitted_at=local(2014, 2, 1, 12), closed_at=local(2019, 4, 1, 12))  # fmt: skip

    # Evaluations of the cases closed in 2019 (C15 was closed without one).
    EvaluationFactory(case=cases["C1"], content_goal=D, process_goal_1=V, process_goal_2=N,
                      process_goal_3=D, extra_expertise=True, partners=[gemeente, politie])  # fmt: skip
    EvaluationFactory(case=cases["C4"], content_goal=V, process_goal_1=V, process_goal_2=D,
                      process_goal_3=N, extra_expertise=True, partners=[politie, ggz])  # fmt: skip
    EvaluationFactory(case=cases["C5"], closure_reason=ClosureReason.ADVICE_GIVEN)
    EvaluationFactory(case=cases["C8"], closure_reason=ClosureReason.ADVICE_GIVEN)
    EvaluationFactory(case=cases["C9"], content_goal=D, process_goal_1=V, process_goal_2=V,
                      process_goal_3=D, escalated=True, partners=[politie],
                      jeugd_result=JeugdClosureResult.POSITIVE)  # fmt: skip
    EvaluationFactory(case=cases["C11"], closure_reason=ClosureReason.NOT_TAKEN_UP,
                      jeugd_result=JeugdClosureResult.NEVER)  # fmt: skip
    EvaluationFactory(case=cases["C17"], content_goal=V, process_goal_1=V, process_goal_2=V,
                      process_goal_3=V, policy_signal=True, partners=[gemeente, politie, ggz])  # fmt: skip
    # C16's evaluation belongs to 2018.
    EvaluationFactory(case=cases["C16"], content_goal=N, partners=[ggz])

    # Surveys. C4 (COM): 6 invitations, 5 answered. C9 (PGA Jeugd): 2 of 2. C5: 1, unanswered.
    def invite(which, role, sent):
        return SurveyInvitationFactory(case=cases[which], role=role, created_at=sent)

    def answer(which, role, overall, process, grade, again, sent, answered):
        SurveyResponseFactory(invitation=invite(which, role, sent), overall=overall,
                              process=process, grade=grade, would_involve_again=again,
                              submitted_at=answered)  # fmt: skip

    sent, later = local(2019, 12, 20, 14), local(2019, 12, 23, 10)
    answer("C4", AANMELDER, 5, 4, 8, True, sent, later)
    answer("C4", PARTNER, 4, 3, 7, True, sent, later)
    answer("C4", PARTNER, 3, 3, 6, True, sent, later)
    answer("C4", PARTNER, 2, 2, 4, False, sent, local(2020, 1, 2, 10))  # answered in 2020
    answer("C4", PARTNER, 5, 5, 9, True, sent, later)
    invite("C4", PARTNER, sent)
    answer("C9", AANMELDER, 4, 4, 8, True, local(2019, 10, 1, 14), local(2019, 10, 2))
    answer("C9", PARTNER, 1, 2, 3, False, local(2019, 10, 1, 14), local(2019, 10, 3))
    invite("C5", AANMELDER, local(2019, 2, 15, 14))
    # Invited in 2018, answered in 2019: part of the 2018 survey.
    answer("C16", PARTNER, 5, 5, 10, True, local(2018, 12, 31, 23), local(2019, 1, 5))

    PrognosisFactory(year=2019, kind=CaseKind.COM, expected=4)
    PrognosisFactory(year=2019, kind=CaseKind.ADVIES, expected=2)
    PrognosisFactory(year=2019, kind=CaseKind.PGA_JEUGD, expected=4)
    PrognosisFactory(year=2020, kind=CaseKind.COM, expected=100)
    return cases


@pytest.fixture
def report_2019(year_2019):
    return reports.for_year(2019)


def kinds(**counts) -> dict:
    """A per-kind dict with zeros for the kinds not mentioned (pga_r for pga-r, ...)."""
    return {kind.value: counts.get(kind.value.replace("-", "_"), 0) for kind in CaseKind}


# --- Period -----------------------------------------------------------------------------


def test_the_period_is_a_range_of_local_dates(report_2019):
    assert report_2019["period"]["start"] == "2019-01-01"
    assert report_2019["period"]["end"] == "2019-12-31"
    assert report_2019["period"]["timezone"] == "Europe/Amsterdam"


def test_a_period_ending_before_it_starts_is_refused(db):
    with pytest.raises(ValueError):
        reports.annual_report(start=date(2019, 2, 1), end=date(2019, 1, 1))


# --- Registrations -------------------------------------------------------------------------


def test_registrations_count_local_dates_and_destroyed_cases(report_2019):
    registrations = report_2019["registrations"]
    # C3 (31 Dec 23:30), C4 (1 Jan 00:30), C5–C8, C10–C15 and tombstone T1.
    assert registrations["total"] == 13
    assert registrations["destroyed"] == 1
    assert registrations["by_kind"] == kinds(com=6, advies=1, pga_r=4, pga_jeugd=2)


def test_registrations_per_municipality_and_registering_partner(report_2019):
    registrations = report_2019["registrations"]
    assert registrations["by_municipality"] == [
        {"name": "Asten", "count": 3},
        {"name": "Deurne", "count": 4},
        {"name": "Helmond", "count": 6},
    ]
    assert registrations["by_registering_partner"] == [
        {"code": "gemeente-sociaal-domein", "name": "Gemeente", "count": 5},
        {"code": "politie", "name": "Politie", "count": 5},
        {"code": "ggz", "name": "GGZ", "count": 1},
        {"code": None, "name": None, "count": 2},  # C7 and the tombstone
    ]


def test_triage_outcome_is_as_known_at_the_end_of_the_period(report_2019):
    registrations = report_2019["registrations"]
    # C3 was triaged on 1 January 2020: still in triage at the end of 2019.
    assert registrations["by_triage_outcome"] == {
        "procesregie": 4,
        "advies": 3,
        "niet-opgepakt": 1,
        "in-triage": 4,
        "unknown": 1,
    }
    com = registrations["by_kind_and_triage_outcome"]["com"]
    assert com == {"procesregie": 2, "advies": 1, "niet-opgepakt": 0, "in-triage": 2, "unknown": 1}
    assert registrations["by_kind_and_triage_outcome"]["pga-r"] == {
        "procesregie": 1,
        "advies": 1,
        "niet-opgepakt": 0,
        "in-triage": 2,
        "unknown": 0,
    }


def test_a_case_registered_on_new_years_night_belongs_to_the_local_year(year_2019):
    # C4 (1 Jan 2019 00:30 local = 31 Dec 2018 23:30 UTC) is not a 2018 registration.
    report_2018 = reports.for_year(2018)
    assert report_2018["registrations"]["total"] == 2  # C1 and C9
    assert report_2018["registrations"]["by_kind"] == kinds(com=1, pga_jeugd=1)


# --- Procesregie -----------------------------------------------------------------------------


def test_cases_in_procesregie_started_carried_over_and_running_on(report_2019):
    direction = report_2019["direction"]
    assert {key: value for key, value in direction.items() if key != "by_kind"} == {
        "total": 8,  # C1, C2, C4, C6, C9, C10, C12, C17
        "started": 5,  # C4, C6, C9, C10, C12
        "carried_over": 3,  # C1, C2, C17 (closed 1 Jan 00:15 local)
        "closed": 4,  # C1, C4, C9, C17
        "running_into_next_period": 4,  # C2, C6, C10, C12
        "running_into_next_period_started_in_period": 3,  # C6, C10, C12
        "municipalities": 3,
    }
    assert direction["by_kind"]["com"] == {
        "total": 4,
        "started": 2,
        "carried_over": 2,
        "closed": 2,
        "running_into_next_period": 2,
        "running_into_next_period_started_in_period": 1,
        "municipalities": 2,
    }
    assert direction["by_kind"]["mda"]["total"] == 0  # C16 closed on 31 December 2018


def test_a_case_registered_31_december_and_closed_1_january_counts_in_the_next_year(year_2019):
    report_2020 = reports.for_year(2020)
    assert report_2020["registrations"]["total"] == 0
    assert report_2020["closed"]["total"] == 1
    assert report_2020["closed"]["by_start_year"] == [
        {"year": 2019, "total": 1, "by_kind": kinds(com=1)}
    ]
    assert report_2020["throughput_weeks"]["min"] == 0
    assert report_2020["direction"]["started"] == 1
    assert report_2020["direction"]["carried_over"] == 4  # C2, C6, C10, C12


# --- Closed cases and throughput -----------------------------------------------------------------


def test_closed_cases_by_year_of_registration(report_2019):
    closed = report_2019["closed"]
    assert closed["total"] == 10
    assert closed["destroyed"] == 2
    assert closed["by_kind"] == kinds(com=4, advies=1, pga_r=1, pga_jeugd=2, pga_og=1, mda=1)
    assert closed["by_start_year"] == [
        {"year": 2014, "total": 1, "by_kind": kinds(mda=1)},
        {"year": 2015, "total": 1, "by_kind": kinds(pga_og=1)},
        {"year": 2018, "total": 2, "by_kind": kinds(com=1, pga_jeugd=1)},
        {"year": 2019, "total": 6, "by_kind": kinds(com=3, advies=1, pga_r=1, pga_jeugd=1)},
    ]


def test_throughput_in_whole_weeks(report_2019):
    throughput = report_2019["throughput_weeks"]
    # Weeks: 1, 2, 2, 4, 8 | 47, 50, 65, 187, 269.
    assert throughput["cases"] == 10
    assert throughput["min"] == 1
    assert throughput["median"] == 27.5
    assert throughput["max"] == 269
    assert throughput["buckets"] == {"0-12": 5, "13-25": 0, "26-51": 2, "52-103": 1, "104+": 2}
    com = throughput["by_kind"]["com"]  # 2, 8, 50, 65
    assert (com["cases"], com["min"], com["median"], com["max"]) == (4, 2, 29.0, 65)
    og = throughput["by_kind"]["pga-og"]  # C17
    assert (og["cases"], og["min"], og["median"], og["max"]) == (1, 187, 187.0, 187)
    none = reports.for_year(2030)["throughput_weeks"]
    assert (none["cases"], none["min"], none["median"], none["max"]) == (0, None, None, None)


# --- Evaluation -------------------------------------------------------------------------------


def test_goal_percentages_over_the_evaluations_that_have_them(report_2019):
    evaluation = report_2019["evaluation"]
    assert evaluation["evaluations"] == 7  # C1, C4, C5, C8, C9, C11, C17
    assert evaluation["content_goal"] == {
        "answered": 4,
        "counts": {"volledig": 2, "deels": 2, "niet": 0},
        "percent": {"volledig": 50.0, "deels": 50.0, "niet": 0.0},
    }
    assert evaluation["process_goal_1"]["percent"] == {"volledig": 100.0, "deels": 0.0, "niet": 0.0}
    assert evaluation["process_goal_2"]["percent"] == {
        "volledig": 50.0,
        "deels": 25.0,
        "niet": 25.0,
    }
    assert evaluation["process_goal_3"]["percent"] == {
        "volledig": 25.0,
        "deels": 50.0,
        "niet": 25.0,
    }
    assert evaluation["by_kind"]["com"]["evaluations"] == 3
    assert evaluation["by_kind"]["com"]["content_goal"]["percent"] == {
        "volledig": 50.0,
        "deels": 50.0,
        "niet": 0.0,
    }
    assert evaluation["by_kind"]["advies"]["content_goal"]["percent"] == {
        "volledig": None,
        "deels": None,
        "niet": None,
    }


def test_extras_are_percentages_of_all_evaluations_to_one_decimal(report_2019):
    assert report_2019["evaluation"]["extras"] == {
        "extra_expertise": {"count": 2, "percent": 28.6},
        "escalated": {"count": 1, "percent": 14.3},
        "policy_signal": {"count": 1, "percent": 14.3},
    }


def test_percentages_round_half_up_to_one_decimal():
    assert reports.percent(1, 16) == 6.3  # 6.25
    assert reports.percent(2, 3) == 66.7
    assert reports.percent(1, 0) is None


def test_partners_involved_per_partner_kind(report_2019):
    assert [(row["code"], row["count"]) for row in report_2019["partners_involved"]] == [
        ("gemeente-sociaal-domein", 2),
        ("politie", 4),
        ("ggz", 2),
    ]
    politie = report_2019["partners_involved"][1]
    assert politie["by_kind"] == kinds(com=2, pga_jeugd=1, pga_og=1)


# --- Satisfaction ----------------------------------------------------------------------------------


def test_satisfaction_of_the_surveys_sent_in_the_period(report_2019):
    satisfaction = report_2019["satisfaction"]
    assert {key: satisfaction[key] for key in satisfaction if not key.startswith("by_")} == {
        "suppressed": False,
        "minimum_responses": 5,
        "invitations": 9,
        "responses": 7,
        "response_rate": 77.8,
        "overall_satisfied": 57.1,
        "process_satisfied": 42.9,
        "average_grade": 6.4,
        "would_involve_again": 71.4,
    }


def test_a_breakdown_with_fewer_than_five_responses_is_suppressed_not_zero(report_2019):
    by_role = report_2019["satisfaction"]["by_role"]
    assert by_role["aanmelder"] == {
        "suppressed": True,
        "invitations": 3,
        "responses": None,
        "response_rate": None,
        "overall_satisfied": None,
        "process_satisfied": None,
        "average_grade": None,
        "would_involve_again": None,
    }
    assert by_role["partner"] == {
        "suppressed": False,
        "invitations": 6,
        "responses": 5,
        "response_rate": 83.3,
        "overall_satisfied": 40.0,
        "process_satisfied": 20.0,
        "average_grade": 5.8,
        "would_involve_again": 60.0,
    }
    by_kind = report_2019["satisfaction"]["by_kind"]
    assert by_kind["com"]["responses"] == 5
    assert by_kind["com"]["average_grade"] == 6.8
    assert by_kind["pga-jeugd"]["suppressed"] is True
    assert by_kind["pga-jeugd"]["responses"] is None


def test_the_survey_sent_in_2018_belongs_to_2018_and_is_suppressed_there(year_2019):
    satisfaction = reports.for_year(2018)["satisfaction"]
    assert satisfaction["invitations"] == 1
    assert satisfaction["suppressed"] is True


# --- PGA Jeugd, PGA-R, prognosis ---------------------------------------------------------------------


def test_pga_jeugd_by_entry_channel_and_closure_result(report_2019):
    assert report_2019["pga_jeugd"] == {
        "registered": 2,
        "registered_by_entry": {"bluelist": 0, "kopstuk": 1, "restcategorie": 1, "unknown": 0},
        "started": 2,
        "started_by_entry": {"bluelist": 1, "kopstuk": 1, "restcategorie": 0, "unknown": 0},
        "closed": 2,
        "closed_by_result": {
            "systeemaanpak-positief": 1,
            "geen-mogelijkheden-pga": 0,
            "langdurige-detentie": 0,
            "nooit-actief-opgepakt": 1,
            "overleden": 0,
            "not-recorded": 0,
        },
    }


def test_pga_r_signals_by_region_and_weegtafel_decision(report_2019):
    none = {"opnieuw-agenderen": 0, "niet-opgepakt-ondersteund": 0, "opgepakt": 0, "none": 0}
    assert report_2019["pga_r"] == {
        "signals": 4,
        "by_decision": {
            "opnieuw-agenderen": 1,
            "niet-opgepakt-ondersteund": 1,
            "opgepakt": 1,
            "none": 1,
        },
        "by_region": [
            {"name": "De Kempen", "total": 1, "by_decision": {**none, "niet-opgepakt-ondersteund": 1}},
            {"name": "Peelland", "total": 2, "by_decision": {**none, "opnieuw-agenderen": 1, "opgepakt": 1}},
            {"name": None, "total": 1, "by_decision": {**none, "none": 1}},
        ],
    }  # fmt: skip


def test_prognosis_against_new_registrations(report_2019):
    [year] = report_2019["prognosis"]
    assert (year["year"], year["complete_year"]) == (2019, True)
    assert (year["expected"], year["actual"], year["percent_of_expected"]) == (10, 13, 130.0)
    assert year["by_kind"]["com"] == {"expected": 4, "actual": 6, "percent_of_expected": 150.0}
    assert year["by_kind"]["pga-jeugd"] == {"expected": 4, "actual": 2, "percent_of_expected": 50.0}
    assert year["by_kind"]["pga-r"] == {"expected": None, "actual": 4, "percent_of_expected": None}


def test_a_period_across_two_years_has_a_prognosis_row_per_year(year_2019):
    report = reports.annual_report(start=date(2019, 7, 1), end=date(2020, 6, 30))
    assert [(row["year"], row["complete_year"]) for row in report["prognosis"]] == [
        (2019, False),
        (2020, False),
    ]
    # C11–C15 and C3 are the registrations from July 2019 on.
    assert report["prognosis"][0]["actual"] == 6
    assert report["prognosis"][1]["by_kind"]["com"]["expected"] == 100


# --- Bounded queries, no personal data ------------------------------------------------------------------


def test_the_report_takes_a_fixed_number_of_queries(
    year_2019, django_assert_num_queries, django_assert_max_num_queries
):
    assert reports.QUERY_BOUND == 19
    with django_assert_num_queries(reports.QUERY_BOUND):
        reports.for_year(2019)
    # Ten times as many cases: still the same number of queries.
    for _ in range(10):
        for which in ("C1", "C4", "C9"):
            source = year_2019[which]
            CaseFactory(kind=source.kind, municipality=source.municipality, organisation=None,
                        submitted_at=source.submitted_at, closed_at=source.closed_at)  # fmt: skip
    with django_assert_max_num_queries(reports.QUERY_BOUND):
        reports.annual_report(start=date(2010, 1, 1), end=date(2020, 12, 31))


def test_the_report_holds_no_personal_data_or_references(year_2019, report_2019):
    text = json.dumps(report_2019)
    assert "Testpersoon" not in text
    assert "ZVH-" not in text
    assert "1990-01-01" not in text


# --- The command --------------------------------------------------------------------------------------


def test_the_command_prints_the_report_as_json(year_2019):
    out = io.StringIO()
    call_command("casework_report", "--year", "2019", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert sorted(data) == [
        "closed",
        "direction",
        "evaluation",
        "partners_involved",
        "period",
        "pga_jeugd",
        "pga_r",
        "procesregie",
        "prognosis",
        "registrations",
        "satisfaction",
        "throughput_weeks",
    ]
    assert data["registrations"]["total"] == 13
    assert data["evaluation"]["extras"]["extra_expertise"]["percent"] == 28.6


def test_the_command_takes_a_from_to_period_and_prints_csv(year_2019):
    out = io.StringIO()
    call_command(
        "casework_report",
        "--from",
        "2019-01-01",
        "--to",
        "2019-06-30",
        "--format",
        "csv",
        stdout=out,
    )
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    # C4, C5, C6, C7, T1 registered in the first half of 2019; C8 and C10 too.
    total = next(row for row in rows if row[:1] == ["Totaal"])
    assert total[1] == "7"


def test_the_command_refuses_bad_periods(db):
    with pytest.raises(CommandError):
        call_command("casework_report", "--from", "2019-13-01", "--to", "2019-12-31")
    with pytest.raises(CommandError):
        call_command("casework_report", "--year", "2019", "--from", "2019-01-01")
    with pytest.raises(CommandError):
        call_command("casework_report")
    with pytest.raises(CommandError):
        call_command("casework_report", "--from", "9999-12-01", "--to", "9999-12-31")


# --- The admin page and its exports ------------------------------------------------------------------

REPORT_URL = "/admin/jaarrapportage/"


def reauthenticated(client, user):
    """As if the user had just entered their password again (allauth's session record)."""
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()


def test_the_manager_sees_the_report_with_tables_and_charts(client, manager, year_2019):
    client.force_login(manager)
    response = client.get(REPORT_URL, {"year": "2019"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jaarrapportage" in html
    assert "Aanmeldingen per gemeente" in html
    assert '<th scope="row">Deurne</th><td>4</td>' in html
    assert "<svg" in html and "<rect" in html
    assert "style=" not in html.split("casework-report", 1)[1]  # no inline styles of ours
    assert "Testpersoon" not in html


def test_the_menu_shows_the_report_to_the_manager(client, manager):
    client.force_login(manager)
    assert REPORT_URL in client.get("/admin/").content.decode()


def test_without_a_period_the_report_shows_the_current_year(client, manager):
    client.force_login(manager)
    response = client.get(REPORT_URL)
    assert response.status_code == 200
    assert f'value="{date.today().year}"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"year": "negentien"}, "Voer een jaar in"),
        ({"start": "2019-02-30", "end": "2019-12-31"}, "Voer een datum in"),
        ({"start": "2019-12-31", "end": "2019-01-01"}, "ligt vóór"),
        ({"year": "2019", "start": "2019-01-01"}, "niet allebei"),
        ({"start": "2019-01-01"}, "Kies een jaar"),
        ({"start": "9999-12-01", "end": "9999-12-31"}, "tussen de jaren 2000 en 2100"),
    ],
)
def test_a_bad_period_is_a_dutch_message_and_a_400(client, manager, query, message):
    client.force_login(manager)
    response = client.get(REPORT_URL, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    for value in query.values():
        assert f'value="{value}"' in html  # what was typed is kept


@pytest.mark.parametrize("who", ["partner", "regisseur", "functioneel_beheer"])
def test_others_cannot_see_the_report(client, who, partner, regisseur, year_2019):
    from casework.roles import FUNCTIONEEL_BEHEER

    from .factories import staff_user

    user = {"partner": partner, "regisseur": regisseur}.get(who) or staff_user(FUNCTIONEEL_BEHEER)
    client.force_login(user)
    response = client.get(REPORT_URL, {"year": "2019"})
    assert response.status_code == 302
    assert "Helmond" not in response.content.decode()
    assert REPORT_URL not in client.get("/admin/").content.decode()
    export = client.get(REPORT_URL + "export.csv", {"year": "2019"})
    assert export.status_code == 302


def test_an_export_asks_for_the_password_again(client, manager, year_2019):
    client.force_login(manager)
    response = client.get(REPORT_URL + "export.csv", {"year": "2019"})
    assert response.status_code == 302
    assert "reauthenticate" in response["Location"]
    assert not AuditEntry.objects.filter(action="report.export").exists()


def test_the_csv_export_is_audited_and_holds_the_tables(client, manager, year_2019):
    client.force_login(manager)
    reauthenticated(client, manager)
    response = client.get(REPORT_URL + "export.csv", {"start": "2019-01-01", "end": "2019-12-31"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="jaarrapportage-2019-01-01-2019-12-31.csv"'
    )
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["Deurne", "4"] in rows
    assert ["Politie", "4"] in rows  # partners involved
    entry = AuditEntry.objects.get(action="report.export")
    assert (entry.object_id, entry.purpose, entry.actor_pk) == (
        "2019-01-01/2019-12-31",
        "csv",
        manager.pk,
    )
    assert "Testpersoon" not in text and "ZVH-" not in text


def test_the_xlsx_export_has_a_sheet_per_section(client, manager, year_2019):
    from openpyxl import load_workbook

    client.force_login(manager)
    reauthenticated(client, manager)
    response = client.get(REPORT_URL + "export.xlsx", {"year": "2019"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "Aanmeldingen"
    registrations = [row[:2] for row in workbook["Aanmeldingen"].iter_rows(values_only=True)]
    assert ("Asten", 3) in registrations
    assert ("Gemeente", 5) in registrations  # the registering partner kind
    satisfaction = [row[:8] for row in workbook["Tevredenheid"].iter_rows(values_only=True)]
    assert ("Alle reacties", 9, 7, 77.8, 57.1, 42.9, 6.4, 71.4) in satisfaction
    assert AuditEntry.objects.filter(action="report.export", purpose="xlsx").count() == 1


def test_an_export_with_a_bad_period_is_a_400(client, manager):
    client.force_login(manager)
    reauthenticated(client, manager)
    assert client.get(REPORT_URL + "export.csv", {"year": "twee"}).status_code == 400
    assert client.get(REPORT_URL + "export.pdf", {"year": "2019"}).status_code == 400


def test_the_demo_has_the_2023_prognosis_and_keeps_edits_when_loaded_again(home):
    from casework import demo
    from casework.models import Prognosis

    figures = dict(Prognosis.objects.filter(year=2023).values_list("kind", "expected"))
    assert figures == {
        "com": 100,
        "advies": 50,
        "pga-r": 5,
        "pga-jeugd": 20,
        "pga-og": 15,
        "mda": 15,
    }
    Prognosis.objects.filter(year=2023, kind="com").update(expected=120)
    demo.load(home)
    assert Prognosis.objects.filter(year=2023).count() == 6
    assert Prognosis.objects.get(year=2023, kind="com").expected == 120


def test_the_manager_edits_the_prognosis_in_the_admin(client, manager):
    from casework.models import Prognosis

    client.force_login(manager)
    assert client.get("/admin/snippets/casework/prognosis/").status_code == 200
    response = client.post(
        "/admin/snippets/casework/prognosis/add/",
        {"year": "2024", "kind": "pga-og", "expected": "15"},
    )
    assert response.status_code == 302
    assert Prognosis.objects.get(year=2024, kind="pga-og").expected == 15
