"""The Markdown section of bench/search_demo.py (kept apart: the scoring and the
running stay readable)."""

from collections import Counter
from statistics import median

from .search_demo import (
    CATEGORIES,
    CONNECTIONS,
    CONTENT_PAGE,
    CUTOFF,
    KEYWORD_CATEGORIES,
    KEYWORD_NDCG_TARGET,
    NDCG_TARGET,
    RELEVANT,
    ROUNDS,
    SEARCH_PAGES,
    SECONDS,
    THREADS,
    WARMUP_SECONDS,
    WORKERS,
    ZERO_RESULT_TARGET,
    Scored,
    summarise,
)
from .stack import Load

# Below this many requests in a row, a p95 is a handful of samples.
MIN_REQUESTS = 200

BACKEND_NAMES = {
    "postgresql": "PostgreSQL (production's database backend)",
    "sqlite": "SQLite (the embedded demo, as `make demo` loads it)",
}


def _f(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _short(path: str) -> str:
    return path.removeprefix("/kennis-en-expertise").removeprefix("/trainingen-en-bijeenkomsten")


def _table(rows: list[Scored]) -> list[str]:
    lines = [
        f"| Category | Queries | nDCG@{CUTOFF} | MRR@{CUTOFF} | No hits | Grade-3 page in top 3 "
        "| Service ms (median) | Results page 200 | Target | Met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for category in CATEGORIES:
        subset = [r for r in rows if r.category == category]
        if not subset:
            continue
        s = summarise(subset, category)
        no_hits = (
            f"{sum(r.empty for r in subset)} of {len(subset)} (empty page)"
            if category == "expected_empty"
            else _pct(s.zero_results)
        )
        lines.append(
            f"| {category} | {s.queries} | {_f(s.ndcg)} | {_f(s.mrr)} | {no_hits} | "
            f"{_pct(s.answer_in_top3)} | {s.ms_median:.0f} | {s.pages_ok} of {s.queries} | "
            f"{s.target} | {'yes' if s.met else '**no**'} |"
        )
    answerable = [r for r in rows if r.answerable]
    zero = sum(r.empty for r in answerable) / len(answerable)
    lines.append(
        f"| **all answerable** | {len(answerable)} | "
        f"{_f(sum(r.ndcg for r in answerable) / len(answerable))} | "
        f"{_f(sum(r.rr for r in answerable) / len(answerable))} | {_pct(zero)} | "
        f"{_pct(sum(r.answer_in_top3 for r in answerable) / len(answerable))} | "
        f"{median(r.ms for r in answerable):.0f} | "
        f"{sum(r.page_status == 200 for r in answerable)} of {len(answerable)} | "
        f"no hits ≤ {ZERO_RESULT_TARGET * 100:.0f} % | "
        f"{'yes' if zero <= ZERO_RESULT_TARGET else '**no**'} |"
    )
    return lines


def _misses(rows: list[Scored]) -> list[str]:
    lines = []
    for category in CATEGORIES:
        subset = [r for r in rows if r.category == category]
        if not subset:
            continue
        for r in summarise(subset, category).failing:
            top = ", ".join(f"`{_short(p)}`" for p in r.hits[:3]) or "no hits"
            score = f"nDCG {r.ndcg:.2f}; " if r.answerable else f"{r.total} hits; "
            hint = f"; did you mean “{r.did_you_mean}”" if r.did_you_mean else ""
            status = f"; results page {r.page_status}" if r.page_status != 200 else ""
            lines.append(f"- {category}: “{r.query}” — {score}top: {top}{hint}{status}")
    return lines or ["- none"]


def render_relevance(judged: list[dict], scored: dict[str, list[Scored]]) -> str:
    counts = Counter(item["category"] for item in judged)
    grades = Counter(g for item in judged for g in item["judgements"].values())
    lines = [
        "### Relevance: the judged query set",
        "",
        f"{len(judged)} queries in `bench/judged_demo.json` ("
        + ", ".join(f"{category} {counts[category]}" for category in CATEGORIES)
        + "), written in Dutch from the demo content by someone who had not read `search/`, "
        f"and graded per page URL: 3 = the answer, 2 = very useful, 1 = related, anything "
        f"else 0 ({grades[3]} / {grades[2]} / {grades[1]} judgements of grade 3 / 2 / 1). "
        "The grades were fixed before the first run and are not tuned to results.",
        "",
        f"- **nDCG@{CUTOFF}**: linear gains (the grade), discount log2(rank + 1), a page "
        "counted once at its best rank; the ideal is the judged pages sorted by grade. Mean "
        "over the category's queries.",
        f"- **MRR@{CUTOFF}**: 1 / rank of the first hit graded ≥ {RELEVANT} in the top "
        f"{CUTOFF}, else 0; mean over the queries.",
        "- **No hits**: share of queries for which `search_query` returned no hit at all "
        "(for answerable queries the zero-result rate; target ≤ "
        f"{ZERO_RESULT_TARGET * 100:.0f} %). For `expected_empty` (questions the site cannot "
        "answer) no hits is the right answer: the visitor gets the helpful empty page, not "
        "unrelated hits.",
        "- **Results page 200**: `GET /zoeken/?q=…` through the Django test client on the same "
        "database answered 200.",
        f"- Targets (issue 15): nDCG@{CUTOFF} ≥ {NDCG_TARGET:.2f} in every category, ≥ "
        f"{KEYWORD_NDCG_TARGET:.2f} in the keyword-like categories "
        f"({', '.join(sorted(KEYWORD_CATEGORIES))}).",
        "- Service ms: one call per query on the demo's ~70 pages; not a latency "
        "benchmark (that is the search section, at 100k documents).",
    ]
    for backend, rows in scored.items():
        lines += ["", f"#### {BACKEND_NAMES[backend]}", "", *_table(rows)]
        lines += ["", "Queries under their category's target, with the first three hits:", ""]
        lines += _misses(rows)
    return "\n".join(lines) + "\n"


def _summary(loads: list[Load]) -> dict:
    return {
        "rps": median(load.rps for load in loads),
        "p50": median(load.p50_ms for load in loads),
        "p95": median(load.p95_ms for load in loads),
        "p99": median(load.p99_ms for load in loads),
        "errors": sum(load.errors for load in loads),
        "non2xx": sum(load.non_2xx_3xx for load in loads),
        "bytes": loads[-1].bytes_per_request,
        "rounds": " / ".join(f"{load.rps:.0f}" for load in loads),
        "requests": sum(load.requests for load in loads),
    }


def render_pages(pages: dict[str, list[Load]], versions: dict, before, after) -> str:
    summary = {name: _summary(loads) for name, loads in pages.items()}
    base = summary[CONTENT_PAGE[0]]
    lines = [
        "### The search page through gunicorn",
        "",
        f"One gunicorn, {WORKERS} sync workers, production settings, PostgreSQL "
        f"{versions['PostgreSQL']} with the demo content, page cache off (and `/zoeken/` is "
        f"never cached). wrk {versions['wrk']}, {CONNECTIONS} connections on {THREADS} "
        f"threads; each row is {ROUNDS} rounds of {WARMUP_SECONDS} s warm-up + {SECONDS} s, "
        "the targets measured alternately (the order flips every round); figures are the "
        f"median of the rounds. The baseline is a plain content page, `{CONTENT_PAGE[1]}`. "
        "Queries: "
        + "; ".join(f"{name.removeprefix('Search: ')} “{q}”" for name, q in SEARCH_PAGES)
        + ".",
        "",
        "| Target | requests | req/s | req/s per round | p50 ms | p95 ms | p99 ms | errors "
        "| non-2xx | bytes/response |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in summary.items():
        lines.append(
            f"| {name} | {s['requests']} | {s['rps']:.0f} | {s['rounds']} | {s['p50']:.1f} | "
            f"{s['p95']:.1f} | {s['p99']:.1f} | {s['errors']} | {s['non2xx']} | {s['bytes']} |"
        )
    fewest = min(s["requests"] for s in summary.values())
    if fewest < MIN_REQUESTS:
        lines += [
            "",
            f"**Not a measurement**: a row has only {fewest} requests (fewer than "
            f"{MIN_REQUESTS}), so its percentiles and ratios are noise; the machine was too "
            "busy. Run it again on a quiet machine.",
        ]
    lines += [
        "",
        "Against the content page (same server, same run):",
        "",
        "| Search page | p50 ÷ content | p95 ÷ content | req/s ÷ content |",
        "|---|---:|---:|---:|",
    ]
    for name, s in summary.items():
        if name == CONTENT_PAGE[0]:
            continue
        lines.append(
            f"| {name.removeprefix('Search: ')} | {s['p50'] / base['p50']:.2f} | "
            f"{s['p95'] / base['p95']:.2f} | {s['rps'] / base['rps']:.2f} |"
        )
    lines += [
        "",
        "wrk and gunicorn share the machine's two cores with other work; load average "
        f"(1/5/15 min) {', '.join(f'{v:.2f}' for v in before)} before and "
        f"{', '.join(f'{v:.2f}' for v in after)} after the measurements. Read the ratios, "
        "not the absolute figures. Any non-2xx (a rate limit, an error) makes a row "
        "meaningless; the run checks every target answers 200 before measuring.",
    ]
    return "\n".join(lines) + "\n"


def render(stamp, judged, scored, pages, versions, before, after) -> str:
    return "\n".join(
        [
            "## Search quality on the demo content, and the search page through gunicorn",
            "",
            stamp,
            "",
            "`bench/search_demo.py`: the judged query set run through "
            "`search.services.search_query` on the demo content, on PostgreSQL and on SQLite "
            "(each loaded by `load_demo`, which indexes the pages as the demo does), then the "
            "search results page against a content page through gunicorn. Relevance only, "
            "printed: `.venv/bin/python -m bench.search_demo` (`--backend sqlite` for one).",
            "",
            render_relevance(judged, scored),
            render_pages(pages, versions, before, after),
        ]
    )
