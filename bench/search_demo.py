"""Search quality on the demo content (a judged query set), and the search page
as a visitor gets it through gunicorn against a plain content page.

Relevance: every query in bench/judged_demo.json goes through
``search.services.search_query`` on the demo content, loaded as ``make demo`` loads it
(SQLite, the embedded default) and on PostgreSQL (production's database backend). The
pages are indexed the way the demo indexes them: by ``load_demo`` itself. Scores per
category: nDCG@10, MRR@10, the share of queries without any hit, and for the
expected-empty queries the share that got the empty page.

Speed: the same gunicorn serves ``/zoeken/?q=...`` for a few representative queries and a
plain content page, measured alternately with wrk in the same run; reported as ratios.

python -m bench --only search_demo          # both parts, writes docs/performance.md
python -m bench.search_demo                 # relevance only, printed
python -m bench.search_demo --backend sqlite  # one backend, about half the work

Its cost is the two demo loads (migrate + load_demo, about three CPU-minutes together,
run side by side on the two cores); the queries themselves take seconds.
"""

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean, median
from urllib.parse import urlencode

from .stack import ROOT, Load, Stack, fetch, run_stamp, run_wrk

JUDGED_SET = Path(__file__).resolve().parent / "judged_demo.json"
CUTOFF = 10  # nDCG@10 and MRR@10
RELEVANT = 2  # MRR counts the first hit graded "very useful" (2) or "the answer" (3)
CATEGORIES = [
    "keyword",
    "question",
    "long",
    "navigational",
    "out_of_vocabulary",
    "expected_empty",
]
# Issue 15's targets: every category >= 0.75 nDCG@10, the keyword-like categories
# (a word or a title typed as such) >= 0.90, answerable queries without any hit <= 2 %.
NDCG_TARGET = 0.75
KEYWORD_CATEGORIES = {"keyword", "navigational"}
KEYWORD_NDCG_TARGET = 0.90
ZERO_RESULT_TARGET = 0.02

# The speed part: a plain content page (the baseline, as in the pages benchmark) and
# search pages for a keyword, a question, a long description and a query that finds
# nothing (the empty page).
CONTENT_PAGE = ("Content page: Over ons", "/over-ons/")
SEARCH_PAGES = [
    ("Search: keyword", "radicalisering"),
    ("Search: question", "hoe meld ik een casus aan bij het veiligheidshuis"),
    (
        "Search: long description",
        "Een bewoner in onze wijk veroorzaakt al maanden overlast voor de buren en lijkt "
        "psychische problemen te hebben. Hoe pakken we dit samen met politie en GGZ aan?",
    ),
    ("Search: no results", "parkeervergunning aanvragen"),
]
WORKERS = (os.cpu_count() or 2) + 1  # sync workers, as in the pages benchmark
CONNECTIONS = 8
THREADS = 2
WARMUP_SECONDS = 1
SECONDS = 5
ROUNDS = 2

# Run inside `manage.py shell` on the database under test. Each query once through the
# service (timed, one call each: the demo is small, this is not the latency benchmark),
# and once through the public results page with the Django test client (its status).
EVALUATE = """
import json, os, time
from urllib.parse import urlsplit
from django.test import Client
from search import services
queries = json.loads(open(os.environ["BENCH_JUDGED_SET"]).read())["queries"]
services.search_query(text="veiligheidshuis", filters={})  # warm-up
out = []
for number, item in enumerate(queries):
    started = time.perf_counter()
    result = services.search_query(text=item["query"], filters={})
    elapsed = (time.perf_counter() - started) * 1000
    # One visitor address per query: a rate limit on the page must not decide its status.
    address = f"10.9.{number // 200}.{number % 200 + 1}"
    client = Client(
        HTTP_HOST="127.0.0.1",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_FOR=address,
        REMOTE_ADDR=address,
    )
    page = client.get("/zoeken/", {"q": item["query"]})
    out.append({
        "query": item["query"],
        "hits": [urlsplit(getattr(h, "url", "") or "").path for h in result.hits][:50],
        "total": result.total,
        "did_you_mean": str(result.did_you_mean or ""),
        "ms": elapsed,
        "page_status": page.status_code,
    })
print("BENCH_JSON " + json.dumps(out))
"""


# --- scoring -------------------------------------------------------------------------


def unique(paths: list[str]) -> list[str]:
    """Hits in rank order, each page once (a page listed twice earns nothing twice)."""
    seen: set[str] = set()
    ordered = []
    for path in paths:
        if path not in seen:
            seen.add(path)
            ordered.append(path)
    return ordered


def dcg(gains: list[int]) -> float:
    """Discounted cumulative gain with linear gains and the log2(rank + 1) discount."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains[:CUTOFF], start=1))


def ndcg(hits: list[str], judgements: dict[str, int]) -> float:
    """nDCG@10; the ideal ranking is the judged pages sorted by grade."""
    ideal = dcg(sorted(judgements.values(), reverse=True))
    if not ideal:
        return 0.0
    return dcg([judgements.get(path, 0) for path in unique(hits)]) / ideal


def reciprocal_rank(hits: list[str], judgements: dict[str, int]) -> float:
    """1 / rank of the first hit graded >= RELEVANT within the top 10, else 0."""
    for rank, path in enumerate(unique(hits)[:CUTOFF], start=1):
        if judgements.get(path, 0) >= RELEVANT:
            return 1 / rank
    return 0.0


@dataclass
class Scored:
    category: str
    query: str
    judgements: dict[str, int]
    hits: list[str]
    total: int
    did_you_mean: str
    ms: float
    page_status: int
    ndcg: float = 0.0
    rr: float = 0.0
    answer_in_top3: bool = False

    @property
    def answerable(self) -> bool:
        return self.category != "expected_empty"

    @property
    def empty(self) -> bool:
        return not self.hits


def score(judged: list[dict], answers: list[dict]) -> list[Scored]:
    by_query = {answer["query"]: answer for answer in answers}
    scored = []
    for item in judged:
        answer = by_query[item["query"]]
        row = Scored(
            category=item["category"],
            query=item["query"],
            judgements=item["judgements"],
            hits=answer["hits"],
            total=answer["total"],
            did_you_mean=answer["did_you_mean"],
            ms=answer["ms"],
            page_status=answer["page_status"],
        )
        if row.answerable:
            row.ndcg = ndcg(row.hits, row.judgements)
            row.rr = reciprocal_rank(row.hits, row.judgements)
            row.answer_in_top3 = any(row.judgements.get(p) == 3 for p in unique(row.hits)[:3])
        scored.append(row)
    return scored


@dataclass
class CategorySummary:
    category: str
    queries: int
    ndcg: float | None
    mrr: float | None
    zero_results: float
    answer_in_top3: float | None
    ms_median: float
    pages_ok: int
    failing: list[Scored] = field(default_factory=list)

    @property
    def target(self) -> str:
        if self.category == "expected_empty":
            return "every query: empty page"
        if self.category in KEYWORD_CATEGORIES:
            return f"nDCG ≥ {KEYWORD_NDCG_TARGET:.2f}"
        return f"nDCG ≥ {NDCG_TARGET:.2f}"

    @property
    def met(self) -> bool:
        if self.category == "expected_empty":
            return self.zero_results == 1.0
        limit = KEYWORD_NDCG_TARGET if self.category in KEYWORD_CATEGORIES else NDCG_TARGET
        return (self.ndcg or 0.0) >= limit


def summarise(rows: list[Scored], category: str) -> CategorySummary:
    answerable = category != "expected_empty"
    limit = KEYWORD_NDCG_TARGET if category in KEYWORD_CATEGORIES else NDCG_TARGET
    return CategorySummary(
        category=category,
        queries=len(rows),
        ndcg=mean(r.ndcg for r in rows) if answerable else None,
        mrr=mean(r.rr for r in rows) if answerable else None,
        zero_results=sum(r.empty for r in rows) / len(rows),
        answer_in_top3=sum(r.answer_in_top3 for r in rows) / len(rows) if answerable else None,
        ms_median=median(r.ms for r in rows),
        pages_ok=sum(r.page_status == 200 for r in rows),
        failing=[r for r in rows if r.ndcg < limit or r.empty]
        if answerable
        else [r for r in rows if not r.empty],
    )


# --- running the queries -----------------------------------------------------------


def _evaluate(manage) -> list[dict]:
    output = manage("shell", "-c", EVALUATE)
    line = next(x for x in output.splitlines() if x.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


class SqliteDemo:
    """The embedded demo as `make demo` builds it: demo settings, SQLite in a temporary
    var directory, no Redis (local-memory cache), background jobs in-process."""

    def __init__(self):
        self.var_dir = Path(tempfile.mkdtemp(prefix="zvh-bench-sqlite-"))
        dropped = ("PORTAL_", "PAGE_", "BENCH_", "DATABASE_URL", "REDIS_URL", "CELERY_")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings.base",
                "PORTAL_VAR_DIR": str(self.var_dir),
                "ELASTICSEARCH_URL": "",
                "LOG_LEVEL": "WARNING",
                "BENCH_JUDGED_SET": str(JUDGED_SET),
            }
        )

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if result.returncode != 0:
            raise SystemExit(f"bench: manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def prepare(self) -> None:
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("load_demo")

    def close(self) -> None:
        shutil.rmtree(self.var_dir, ignore_errors=True)


class Background:
    """Prepare the SQLite demo while PostgreSQL's is prepared (two cores, two loads)."""

    def __init__(self, demo: SqliteDemo):
        self.demo = demo
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.demo.prepare()
        except BaseException as error:  # re-raised in the main thread by wait()
            self.error = error

    def start(self) -> "Background":
        self.thread.start()
        return self

    def wait(self) -> None:
        self.thread.join()
        if self.error:
            raise self.error


def judged_queries() -> list[dict]:
    return json.loads(JUDGED_SET.read_text())["queries"]


def production_stack() -> Stack:
    stack = Stack()
    stack.env.setdefault("BENCH_JUDGED_SET", str(JUDGED_SET))
    return stack


# --- the search page through gunicorn ----------------------------------------------


def _targets() -> list[tuple[str, str]]:
    return [CONTENT_PAGE] + [(name, "/zoeken/?" + urlencode({"q": q})) for name, q in SEARCH_PAGES]


def _verify(base_url: str) -> None:
    for _, path in _targets():
        status, _, _ = fetch(base_url + path)
        if status != 200:
            raise SystemExit(f"bench: {path} answered {status}")


def measure_pages(stack: Stack) -> tuple[dict[str, list[Load]], tuple, tuple]:
    results: dict[str, list[Load]] = {}
    with stack.gunicorn(workers=WORKERS) as base_url:
        _verify(base_url)
        load_before = os.getloadavg()
        for round_ in range(ROUNDS):
            print(f"bench: search_demo: pages, round {round_ + 1} of {ROUNDS} ...", flush=True)
            targets = _targets()[:: -1 if round_ % 2 else 1]  # who goes first flips
            for name, path in targets:
                url = base_url + path
                run_wrk(url, seconds=WARMUP_SECONDS, connections=CONNECTIONS, threads=THREADS)
                results.setdefault(name, []).append(
                    run_wrk(url, seconds=SECONDS, connections=CONNECTIONS, threads=THREADS)
                )
        load_after = os.getloadavg()
    return results, load_before, load_after


# --- entry points ------------------------------------------------------------------


def relevance(backends: tuple[str, ...]) -> dict[str, list[Scored]]:
    judged = judged_queries()
    scored: dict[str, list[Scored]] = {}
    sqlite = SqliteDemo() if "sqlite" in backends else None
    try:
        background = Background(sqlite).start() if sqlite else None
        if "postgresql" in backends:
            with production_stack() as stack:
                scored["postgresql"] = score(judged, _evaluate(stack.manage))
        if sqlite and background:
            background.wait()
            scored["sqlite"] = score(judged, _evaluate(sqlite.manage))
    finally:
        if sqlite:
            sqlite.close()
    return scored


def run() -> str:
    stamp = run_stamp()
    judged = judged_queries()
    sqlite = SqliteDemo()
    try:
        background = Background(sqlite).start()
        with production_stack() as stack:
            versions = stack.versions()
            scored = {"postgresql": score(judged, _evaluate(stack.manage))}
            background.wait()  # the SQLite load must not run during the measurements
            scored["sqlite"] = score(judged, _evaluate(sqlite.manage))
            pages, load_before, load_after = measure_pages(stack)
    finally:
        sqlite.close()
    from .search_demo_report import render

    return render(stamp, judged, scored, pages, versions, load_before, load_after)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_demo", description=__doc__)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], action="append")
    args = parser.parse_args(argv)
    from .search_demo_report import render_relevance

    scored = relevance(tuple(args.backend or ["postgresql", "sqlite"]))
    print(render_relevance(judged_queries(), scored))
    return 0


if __name__ == "__main__":
    sys.exit(main())
