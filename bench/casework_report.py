"""Annual report benchmark: the aggregate report against a per-case Python loop.

Creates YEARS × CASES_PER_YEAR synthetic cases (default 10 × 5,000: 2014–2023) in a
dedicated PostgreSQL database with evaluations, partners involved, closing surveys
for about half of the closed cases and some destroyed cases (tombstones), then times:

- ``casework.reports.annual_report`` over all ten years and over one year, counting
  its queries;
- a naive loop over the cases computing the same figures in Python, in two forms:
  lazy (every related row fetched per case: the N+1 pattern) for the one year, and
  with select_related/prefetch_related (few queries, every row into Python) for both
  periods. Both loops are checked to arrive at the same figures as the report.

Figures are medians of ROUNDS runs and are reported as ratios against the report in
the same run. Run alone:

    .venv/bin/python -m bench --only casework_report
    BENCH_REPORT_CASES_PER_YEAR=1000 .venv/bin/python -m bench.casework_report

It creates and drops ``<DATABASE_URL name>_report`` (or BENCH_REPORT_DATABASE_URL).
"""

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_YEAR = 2014
YEARS = int(os.environ.get("BENCH_REPORT_YEARS", "10"))
CASES_PER_YEAR = int(os.environ.get("BENCH_REPORT_CASES_PER_YEAR", "5000"))
ROUNDS = 3
SEED = 2019


def _database_url() -> str:
    from .stack import bench_database_url

    return bench_database_url(suffix="_report", override="BENCH_REPORT_DATABASE_URL")


# --- Worker: runs inside Django against the dedicated database ------------------------------------


def _populate() -> dict:
    """Bulk-create the synthetic cases; returns what was made."""
    from zoneinfo import ZoneInfo

    from casework.models import (
        Case,
        CaseEvaluation,
        CaseKind,
        ClosureReason,
        DestructionList,
        JeugdClosureResult,
        JeugdEntry,
        PartnerKind,
        Prognosis,
        SurveyInvitation,
        SurveyResponse,
        Tombstone,
        TriageOutcome,
        WeegtafelDecision,
    )
    from portal.models import Basisteam, Municipality

    rng = random.Random(SEED)
    ams = ZoneInfo("Europe/Amsterdam")
    teams = [Basisteam.objects.get_or_create(name=f"Basisteam {n}")[0] for n in range(1, 6)]
    municipalities = [
        Municipality.objects.get_or_create(name=f"Benchgemeente {n:02d}")[0] for n in range(1, 22)
    ]
    partner_kinds = [
        PartnerKind.objects.get_or_create(code=f"bench-{n:02d}", defaults={"name": f"Partner {n}"})[
            0
        ]
        for n in range(1, 15)
    ]
    kinds = [
        (CaseKind.COM, 40),
        (CaseKind.ADVIES, 25),
        (CaseKind.PGA_JEUGD, 15),
        (CaseKind.PGA_OG, 8),
        (CaseKind.MDA, 7),
        (CaseKind.PGA_R, 5),
    ]
    now = datetime(FIRST_YEAR + YEARS, 1, 15, tzinfo=ams)
    cases = []
    for year in range(FIRST_YEAR, FIRST_YEAR + YEARS):
        for kind, expected in kinds:
            Prognosis.objects.get_or_create(
                year=year, kind=kind, defaults={"expected": CASES_PER_YEAR * expected // 100}
            )
        start = datetime(year, 1, 1, tzinfo=ams)
        for n in range(CASES_PER_YEAR):
            kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
            submitted = start + timedelta(seconds=rng.randrange(365 * 86400))
            municipality = rng.choice(municipalities)
            outcome = rng.choices(
                [TriageOutcome.PROCESREGIE, TriageOutcome.ADVIES, TriageOutcome.NIET_OPGEPAKT],
                [55, 38, 7],
            )[0]
            triaged = submitted + timedelta(days=rng.randint(1, 30))
            if triaged > now:
                outcome, triaged = TriageOutcome.PENDING, None
            direction = triaged if outcome == TriageOutcome.PROCESREGIE else None
            closed = None
            if outcome == TriageOutcome.PROCESREGIE:
                closed = direction + timedelta(weeks=rng.randint(5, 250))
            elif outcome:
                closed = triaged + timedelta(days=rng.randint(3, 60))
            if closed is not None and closed > now:
                closed = None
            cases.append(
                Case(
                    reference=f"B-{year}-{n:05d}",
                    kind=kind,
                    status="afgesloten" if closed else "in_procesregie",
                    municipality=municipality,
                    registering_kind=rng.choice(partner_kinds),
                    region=rng.choice(teams),
                    urgency="normaal",
                    submitted_at=submitted,
                    triage_outcome=outcome,
                    triaged_at=triaged,
                    direction_started_at=direction,
                    closed_at=closed,
                    jeugd_entry=rng.choice([e.value for e in JeugdEntry if e.value])
                    if kind == CaseKind.PGA_JEUGD
                    else "",
                    weegtafel_decision=rng.choice([d.value for d in WeegtafelDecision])
                    if kind == CaseKind.PGA_R
                    else "",
                )
            )
    Case.objects.bulk_create(cases, batch_size=5000)
    closed_cases = [case for case in cases if case.closed_at]
    levels = ["volledig", "deels", "niet"]
    evaluations = []
    for case in closed_cases:
        directed = case.direction_started_at is not None
        goals = {
            goal: rng.choices(levels, [70, 25, 5])[0] if directed else ""
            for goal in ("content_goal", "process_goal_1", "process_goal_2", "process_goal_3")
        }
        evaluations.append(
            CaseEvaluation(
                case=case,
                **goals,
                extra_expertise=rng.random() < 0.09,
                escalated=rng.random() < 0.03,
                policy_signal=rng.random() < 0.03,
                closure_reason=ClosureReason.GOAL_REACHED
                if directed
                else ClosureReason.ADVICE_GIVEN,
                jeugd_result=rng.choice([r.value for r in JeugdClosureResult if r.value])
                if case.kind == CaseKind.PGA_JEUGD
                else "",
                evaluated_at=case.closed_at,
            )
        )
    CaseEvaluation.objects.bulk_create(evaluations, batch_size=5000)
    through = CaseEvaluation.partners_involved.through
    links = [
        through(caseevaluation_id=evaluation.pk, partnerkind_id=kind.pk)
        for evaluation in evaluations
        if evaluation.content_goal
        for kind in rng.sample(partner_kinds, rng.randint(1, 5))
    ]
    through.objects.bulk_create(links, batch_size=10000)
    invitations, answers = [], []
    counter = 0
    for case in closed_cases:
        if rng.random() >= 0.5:
            continue
        for role in ["aanmelder"] + ["partner"] * rng.randint(1, 3):
            counter += 1
            invitation = SurveyInvitation(
                case=case,
                role=role,
                token_hash=SurveyInvitation.hash_token(f"bench-{counter}"),
                created_at=case.closed_at,
                expires_at=case.closed_at + timedelta(days=14),
            )
            if rng.random() < 0.45:
                invitation.used_at = case.closed_at + timedelta(days=rng.randint(0, 13))
            invitations.append(invitation)
    SurveyInvitation.objects.bulk_create(invitations, batch_size=5000)
    for invitation in invitations:
        if invitation.used_at:
            answers.append(
                SurveyResponse(
                    invitation=invitation,
                    case=invitation.case,
                    role=invitation.role,
                    overall=rng.choices([1, 2, 3, 4, 5], [3, 7, 15, 45, 30])[0],
                    process=rng.choices([1, 2, 3, 4, 5], [3, 7, 20, 45, 25])[0],
                    grade=rng.choices(range(1, 11), [1, 1, 2, 3, 5, 12, 30, 30, 12, 4])[0],
                    would_involve_again=rng.random() < 0.85,
                    submitted_at=invitation.used_at,
                )
            )
    SurveyResponse.objects.bulk_create(answers, batch_size=5000)
    destruction = DestructionList.objects.create()
    tombstones = []
    for n in range(YEARS * CASES_PER_YEAR // 50):
        submitted = datetime(FIRST_YEAR, 1, 1, tzinfo=ams) + timedelta(
            seconds=rng.randrange(YEARS * 365 * 86400)
        )
        closed = submitted + timedelta(weeks=rng.randint(1, 100))
        tombstones.append(
            Tombstone(
                reference=f"T-{n:06d}",
                kind=rng.choice([k for k, _ in kinds]),
                municipality_name=rng.choice(municipalities).name,
                submitted_at=submitted,
                closed_at=closed if closed < now else None,
                final_status="afgesloten",
                destruction_list=destruction,
            )
        )
    Tombstone.objects.bulk_create(tombstones, batch_size=5000)
    return {
        "cases": len(cases),
        "closed": len(closed_cases),
        "evaluations": len(evaluations),
        "partner_links": len(links),
        "invitations": len(invitations),
        "responses": len(answers),
        "tombstones": len(tombstones),
    }


def naive_report(start: date, end: date, *, prefetch: bool) -> dict:
    """The main figures, computed case by case in Python (what the report avoids)."""
    from django.db.models import Q

    from casework import reports
    from casework.models import Case, CaseEvaluation, Tombstone

    begin, stop = reports.period_bounds(start, end)

    def inside(moment) -> bool:
        return moment is not None and begin <= moment < stop

    # Only the cases that can count in the period, as a careful naive version would.
    cases = (
        Case.objects.filter(
            Q(submitted_at__gte=begin, submitted_at__lt=stop)
            | Q(closed_at__gte=begin, closed_at__lt=stop)
            | (
                Q(direction_started_at__lt=stop)
                & (Q(closed_at__isnull=True) | Q(closed_at__gte=begin))
            )
            | Q(survey_invitations__created_at__gte=begin, survey_invitations__created_at__lt=stop)
        )
        .distinct()
        .order_by()
    )
    if prefetch:
        cases = cases.select_related("municipality", "registering_kind", "region").prefetch_related(
            "evaluation__partners_involved", "survey_invitations", "survey_responses__invitation"
        )
    by_kind, by_municipality, by_partner = defaultdict(int), defaultdict(int), defaultdict(int)
    direction = defaultdict(int)
    closed_by_year, weeks = defaultdict(int), []
    content_goal, partners = defaultdict(int), defaultdict(int)
    invitations = answered = responses = satisfied = grades = 0
    for case in cases:
        if inside(case.submitted_at):
            by_kind[case.kind] += 1
            by_municipality[case.municipality.name] += 1
            by_partner[case.registering_kind.code if case.registering_kind else None] += 1
            if case.region is not None:
                case.region.name  # noqa: B018 - the PGA-R table needs it
        started = case.direction_started_at
        if (
            started is not None
            and started < stop
            and (case.closed_at is None or case.closed_at >= begin)
        ):
            direction["started" if started >= begin else "carried_over"] += 1
        if inside(case.closed_at):
            closed_by_year[case.submitted_at.astimezone(reports.AMSTERDAM).year] += 1
            weeks.append(_whole_weeks(case.submitted_at, case.closed_at))
            try:
                evaluation = case.evaluation
            except CaseEvaluation.DoesNotExist:
                evaluation = None
            if evaluation is not None:
                if evaluation.content_goal:
                    content_goal[evaluation.content_goal] += 1
                for kind in evaluation.partners_involved.all():
                    partners[kind.code] += 1
        for invitation in case.survey_invitations.all():
            if inside(invitation.created_at):
                invitations += 1
                answered += invitation.used_at is not None
        for response in case.survey_responses.all():
            if response.invitation is not None and inside(response.invitation.created_at):
                responses += 1
                satisfied += response.overall >= 4
                grades += response.grade
    for tombstone in Tombstone.objects.all():
        if inside(tombstone.submitted_at):
            by_kind[tombstone.kind] += 1
            by_municipality[tombstone.municipality_name] += 1
            by_partner[None] += 1
        if inside(tombstone.closed_at):
            closed_by_year[tombstone.submitted_at.astimezone(reports.AMSTERDAM).year] += 1
            weeks.append(_whole_weeks(tombstone.submitted_at, tombstone.closed_at))
    weeks.sort()
    return {
        "registrations": sum(by_kind.values()),
        "by_kind": dict(by_kind),
        "by_municipality": dict(by_municipality),
        "by_partner": dict(by_partner),
        "direction": dict(direction),
        "closed_by_year": dict(closed_by_year),
        "throughput": (weeks[0], statistics.median(weeks), weeks[-1]) if weeks else None,
        "content_goal": dict(content_goal),
        "partners": dict(partners),
        "survey": (invitations, answered, responses, satisfied, grades),
    }


def _whole_weeks(submitted, closed) -> int:
    """As the report counts them: local calendar days (Europe/Amsterdam) // 7."""
    from casework.reports import AMSTERDAM

    days = closed.astimezone(AMSTERDAM).date() - submitted.astimezone(AMSTERDAM).date()
    return days.days // 7


def _same_figures(report: dict, naive: dict) -> bool:
    """Whether the naive loop found what the report found (the comparison is fair)."""
    registrations = report["registrations"]
    throughput = report["throughput_weeks"]
    satisfaction_ok = report["satisfaction"]["invitations"] == naive["survey"][0]
    if not report["satisfaction"]["suppressed"]:
        responses = naive["survey"][2]
        satisfaction_ok = satisfaction_ok and report["satisfaction"]["responses"] == responses
    return all(
        [
            registrations["total"] == naive["registrations"],
            {k: v for k, v in registrations["by_kind"].items() if v} == naive["by_kind"],
            {row["name"]: row["count"] for row in registrations["by_municipality"]}
            == naive["by_municipality"],
            {
                row["code"]: row["count"]
                for row in registrations["by_registering_partner"]
                if row["count"]
            }
            == naive["by_partner"],
            report["direction"]["started"] == naive["direction"].get("started", 0),
            report["direction"]["carried_over"] == naive["direction"].get("carried_over", 0),
            {row["year"]: row["total"] for row in report["closed"]["by_start_year"]}
            == naive["closed_by_year"],
            (throughput["min"], throughput["median"], throughput["max"])
            == (naive["throughput"] or (None, None, None)),
            {k: v for k, v in report["evaluation"]["content_goal"]["counts"].items() if v}
            == naive["content_goal"],
            {row["code"]: row["count"] for row in report["partners_involved"] if row["count"]}
            == naive["partners"],
            satisfaction_ok,
        ]
    )


def _timed(function, rounds: int) -> tuple[float, int, object]:
    """Median seconds over ``rounds`` runs, queries of one run, and the last result."""
    from django.db import connection

    seconds = []
    result, count = None, [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    for _ in range(rounds):
        count[0] = 0
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            result = function()
            seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), count[0], result


def worker() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    import django

    django.setup()
    from casework import reports

    started = time.perf_counter()
    made = _populate()
    populate_seconds = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    last = FIRST_YEAR + YEARS - 1
    one_year = date(FIRST_YEAR + YEARS // 2, 1, 1), date(FIRST_YEAR + YEARS // 2, 12, 31)
    everything = date(FIRST_YEAR, 1, 1), date(last, 12, 31)
    results = {"made": made, "populate_seconds": populate_seconds, "periods": {}}
    for name, (start, end) in (("one year", one_year), ("ten years", everything)):
        report_s, report_q, report = _timed(
            lambda start=start, end=end: reports.annual_report(start=start, end=end), ROUNDS
        )
        row = {
            "period": f"{start.isoformat()} – {end.isoformat()}",
            "report": (report_s, report_q),
        }
        prefetched_s, prefetched_q, naive = _timed(
            lambda start=start, end=end: naive_report(start, end, prefetch=True), 1
        )
        row["prefetched"] = (prefetched_s, prefetched_q, _same_figures(report, naive))
        if name == "one year":
            lazy_s, lazy_q, naive = _timed(
                lambda start=start, end=end: naive_report(start, end, prefetch=False), 1
            )
            row["lazy"] = (lazy_s, lazy_q, _same_figures(report, naive))
        results["periods"][name] = row
    return results


# --- Parent: database, subprocess, Markdown ------------------------------------------------------------


def run() -> str:
    from .stack import _database_name, _maintenance_connection, run_stamp

    stamp = run_stamp()
    database_url = _database_url()
    name = _database_name(database_url)
    var_dir = tempfile.mkdtemp(prefix="zvh-bench-report-")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")},
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "PORTAL_ENV": "demo",
        "PORTAL_VAR_DIR": var_dir,
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    try:
        with _maintenance_connection(database_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        print(f"bench: creating {YEARS} × {CASES_PER_YEAR} cases ...", flush=True)
        output = subprocess.run(
            [sys.executable, "-m", "bench.casework_report", "--worker"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results = json.loads(output.strip().splitlines()[-1])
        results["stamp"] = stamp
    finally:
        with _maintenance_connection(database_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(var_dir, ignore_errors=True)
    return _markdown(results)


def _markdown(results: dict) -> str:
    made = results["made"]
    lines = [
        "## Casework: the annual report",
        "",
        f"{made['cases']:,} synthetic cases ({YEARS} years × {CASES_PER_YEAR:,}), "
        f"{made['evaluations']:,} closure evaluations with {made['partner_links']:,} partners "
        f"involved, {made['invitations']:,} survey invitations and {made['responses']:,} "
        f"responses, {made['tombstones']:,} destroyed cases; PostgreSQL, one process. "
        f"Creating them took {results['populate_seconds']:.0f} s. Baseline: "
        "`casework.reports.annual_report` itself, median of "
        f"{ROUNDS} runs; the loops ran once. *Same figures* checks that the loop found "
        "what the report found (registrations per kind, municipality and partner, procesregie, "
        "closed per start year, throughput, content goal, partners, survey counts).",
        "",
        "| period | computation | seconds | queries | ratio to the report | same figures |",
        "|---|---|---:|---:|---:|---|",
    ]
    for name, row in results["periods"].items():
        report_s, report_q = row["report"]
        lines.append(
            f"| {name} ({row['period']}) | annual_report (aggregates) | {report_s:.3f} | "
            f"{report_q} | 1.0 | |"
        )
        for key, label in (
            ("prefetched", "per-case loop, select/prefetch_related"),
            ("lazy", "per-case loop, lazy relations (N+1)"),
        ):
            if key in row:
                seconds, queries, same = row[key]
                lines.append(
                    f"| {name} | {label} | {seconds:.2f} | {queries:,} | "
                    f"{seconds / report_s:.0f}× | {'yes' if same else '**no**'} |"
                )
    lines += [
        "",
        "The report's query count is fixed (`casework.reports.QUERY_BOUND`, 17) whatever the "
        "number of cases or the length of the period; the lazy loop needs several queries per "
        "case, so it was run for the one year only.",
        "",
        results.get("stamp", ""),
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        print(json.dumps(worker()))
    else:
        sys.stdout.write(run())
