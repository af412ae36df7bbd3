"""Anonymous page views through gunicorn on PostgreSQL, without and with the page cache.

The limit is a static file served by the same stack (gunicorn + WhiteNoise),
measured on the same server in the same run: a page cannot be served faster
than Django hands out a file from memory.
"""

import contextlib
import json
import os
import re
from dataclasses import dataclass
from statistics import median

from .stack import Load, Stack, fetch, run_wrk

WORKERS = (os.cpu_count() or 2) + 1  # sync workers: 3 on this 2-core machine
CONNECTIONS = 8
THREADS = 2
WARMUP_SECONDS = 2
SECONDS = 10
ROUNDS = 2
CACHE_SECONDS = 120  # long enough for the run; entries expire by themselves after

PAGES = [("Home", "/"), ("Over ons", "/over-ons/")]
STATIC = "Static file (the limit)"
SERVERS = [
    ("uncached", {"PAGE_CACHE_SECONDS": "0"}),
    ("cached", {"PAGE_CACHE_SECONDS": str(CACHE_SECONDS)}),
]
HEADER_NONCE = re.compile(r"'nonce-([^']+)'")
BODY_NONCE = re.compile(r'nonce="([^"]+)"')


# Run inside `manage.py shell` on the benchmark database: how many queries an
# uncached page costs, the work the page cache saves.
QUERY_COUNT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
counts = {}
for path in PATHS:
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    counts[path] = len(queries)
print("BENCH_JSON " + json.dumps(counts))
"""


def queries_per_page(stack: Stack) -> dict[str, int]:
    code = f"PATHS = {[path for _, path in PAGES]!r}\n{QUERY_COUNT}"
    output = stack.manage("shell", "-c", code)
    line = next(x for x in output.splitlines() if x.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


def _nonces(headers: dict, body: str) -> tuple[str, set[str]]:
    match = HEADER_NONCE.search(headers.get("Content-Security-Policy", ""))
    return (match.group(1) if match else ""), set(BODY_NONCE.findall(body))


def verify(base_url: str, server: str, static_path: str) -> list[str]:
    """Check the server answers as production would before measuring it."""
    status, _, _ = fetch(base_url + static_path)
    if status != 200:
        raise SystemExit(f"bench: {static_path} answered {status}")
    notes = []
    for name, path in PAGES:
        answers = [fetch(base_url + path) for _ in range(3)]
        if any(status != 200 for status, _, _ in answers):
            raise SystemExit(f"bench: {path} did not answer 200 on the {server} server")
        states = [headers.get("X-Page-Cache", "-") for _, headers, _ in answers]
        nonces = [_nonces(headers, body) for _, headers, body in answers]
        if any(body != {header} for header, body in nonces):
            raise SystemExit(f"bench: CSP header and body nonces differ on {path}")
        if len({header for header, _ in nonces}) != len(nonces):
            raise SystemExit(f"bench: a CSP nonce was replayed on {path}")
        expected = ["miss", "hit", "hit"] if server == "cached" else ["-", "-", "-"]
        if states != expected:
            raise SystemExit(f"bench: {path} on the {server} server gave X-Page-Cache {states}")
        notes.append(
            f"{server} server, {name}: X-Page-Cache {' → '.join(states)}; "
            "a new nonce each time, header and body agree"
        )
    return notes


def measure(base_url: str, path: str) -> Load:
    url = base_url + path
    run_wrk(url, seconds=WARMUP_SECONDS, connections=CONNECTIONS, threads=THREADS)
    return run_wrk(url, seconds=SECONDS, connections=CONNECTIONS, threads=THREADS)


def run() -> str:
    with Stack() as stack, contextlib.ExitStack() as servers:
        static_path = stack.static_url("css/site.css")
        targets = [(STATIC, static_path), *PAGES]
        versions = stack.versions()
        queries = queries_per_page(stack)
        base_urls, notes = {}, []
        for server, env in SERVERS:
            base_urls[server] = servers.enter_context(stack.gunicorn(workers=WORKERS, **env))
            notes += verify(base_urls[server], server, static_path)
        load_before = os.getloadavg()
        results: dict[tuple[str, str], list[Load]] = {}
        # Both servers run side by side (an idle sync worker costs nothing) and
        # are measured alternately, so a change in the machine's background load
        # hits both sides of a ratio alike; the order flips every round so that
        # going first or second is no advantage either.
        for round_ in range(ROUNDS):
            print(f"bench: pages: round {round_ + 1} of {ROUNDS} ...", flush=True)
            order = [server for server, _ in SERVERS][:: -1 if round_ % 2 else 1]
            for name, path in targets:
                for server in order:
                    results.setdefault((server, name), []).append(measure(base_urls[server], path))
        load_after = os.getloadavg()
    return render(results, notes, versions, queries, static_path, load_before, load_after)


@dataclass
class Summary:
    rps: float
    rps_low: float
    rps_high: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    non_2xx_3xx: int
    bytes_per_request: int

    @classmethod
    def of(cls, loads: list[Load]) -> "Summary":
        rps = [load.rps for load in loads]
        return cls(
            rps=median(rps),
            rps_low=min(rps),
            rps_high=max(rps),
            p50_ms=median(load.p50_ms for load in loads),
            p95_ms=median(load.p95_ms for load in loads),
            p99_ms=median(load.p99_ms for load in loads),
            errors=sum(load.errors for load in loads),
            non_2xx_3xx=sum(load.non_2xx_3xx for load in loads),
            bytes_per_request=loads[-1].bytes_per_request,
        )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def render(results, notes, versions, queries, static_path, load_before, load_after) -> str:
    summary = {key: Summary.of(loads) for key, loads in results.items()}
    lines = [
        "## Pages: anonymous visitors through gunicorn",
        "",
        f"Two gunicorn servers side by side, {WORKERS} sync workers each, production settings "
        f"(`PORTAL_ENV=production`), PostgreSQL {versions['PostgreSQL']} with the demo "
        f"content, Redis {versions['Redis']} as the Django cache: one with the page cache off "
        f"(`PAGE_CACHE_SECONDS=0`), one with it on (`PAGE_CACHE_SECONDS={CACHE_SECONDS}`). "
        f"Load: wrk {versions['wrk']} on the same machine, {CONNECTIONS} connections on "
        f"{THREADS} threads; each row is {ROUNDS} rounds of {WARMUP_SECONDS} s warm-up + "
        f"{SECONDS} s measurement, the servers measured alternately (which goes first flips every round); figures are the median "
        f"of the rounds. The static file is `{static_path}` (WhiteNoise), the limit.",
        "",
        "| Server | Target | req/s | req/s per round | p50 ms | p95 ms | p99 ms | errors "
        "| non-2xx | bytes/response |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for server, _ in SERVERS:
        for name in [STATIC, *(n for n, _ in PAGES)]:
            r = summary[server, name]
            per_round = " / ".join(f"{load.rps:.0f}" for load in results[server, name])
            lines.append(
                f"| {server} | {name} | {r.rps:.0f} | {per_round} | {r.p50_ms:.1f} | "
                f"{r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | {r.non_2xx_3xx} | "
                f"{r.bytes_per_request} |"
            )
    lines += [
        "",
        "### Ratios",
        "",
        "Throughput against the static file on the same server, and cached against uncached.",
        "",
        "| Page | uncached ÷ static | cached ÷ static | cached ÷ uncached (req/s) | "
        "p95 uncached ÷ cached |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, _ in PAGES:
        un, ca = summary["uncached", name], summary["cached", name]
        st_un, st_ca = summary["uncached", STATIC], summary["cached", STATIC]
        lines.append(
            f"| {name} | {_ratio(un.rps, st_un.rps)} | {_ratio(ca.rps, st_ca.rps)} | "
            f"{_ratio(ca.rps, un.rps)} | {_ratio(un.p95_ms, ca.p95_ms)} |"
        )
    static_rps = [summary[server, STATIC].rps for server, _ in SERVERS]
    static_gap = (max(static_rps) - min(static_rps)) / max(static_rps) * 100
    round_spread = max((r.rps_high - r.rps_low) / r.rps * 100 for r in summary.values() if r.rps)
    lines += [
        "",
        "### Reading these figures",
        "",
        "- Database queries per uncached request: "
        + ", ".join(f"{name} {queries[path]}" for name, path in PAGES)
        + " (Django test client on the benchmark database); a cache hit makes none.",
        f"- Noise: the same static file gave {static_rps[0]:.0f} and {static_rps[1]:.0f} req/s "
        f"on the two identical WhiteNoise paths ({static_gap:.0f} % apart), and rounds of one "
        f"row differ by up to {round_spread:.0f} %. Read every ratio with that margin; only "
        "differences well beyond it mean anything.",
        "- wrk and gunicorn share the machine's cores, and the machine is shared with other "
        "work: load average (1/5/15 min) was "
        f"{', '.join(f'{v:.2f}' for v in load_before)} before and "
        f"{', '.join(f'{v:.2f}' for v in load_after)} after the measurements. Absolute req/s "
        "say little about a production server; the ratios are the result.",
        "- Checked before measuring (the run stops if any fails):",
        *[f"  - {note}" for note in notes],
    ]
    return "\n".join(lines) + "\n"
