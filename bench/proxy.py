"""Pages and a static file through nginx (the repository's site config, as the stack
runs it) against the same gunicorn directly: what the proxy hop costs.

One gunicorn (production settings, page cache off) with nginx in front of it
(tests/stack/runner.py ``nginx_in_front``, rendered from
portal/deploy/nginx/portal.conf.template); wrk measures both paths alternately.
"""

import os
import subprocess
from statistics import median

from tests.stack.runner import nginx_binary, nginx_in_front

from .stack import Load, Stack, fetch, run_stamp, run_wrk

WORKERS = (os.cpu_count() or 2) + 1
CONNECTIONS = 8
THREADS = 2
WARMUP_SECONDS = 2
SECONDS = 10
ROUNDS = 2
TARGETS = [("Home", "/"), ("Over ons", "/over-ons/")]
STATIC = "Static file"
PATHS = ("direct", "nginx")


def run() -> str:
    stamp = run_stamp()
    with Stack() as stack:
        static_path = stack.static_url("css/site.css")
        targets = [(STATIC, static_path), *TARGETS]
        versions = stack.versions()
        nginx = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True)
        versions["nginx"] = nginx.stderr.strip().rpartition("/")[2]
        with (
            stack.gunicorn(workers=WORKERS, PAGE_CACHE_SECONDS="0") as direct,
            nginx_in_front(direct, media_root=stack.var_dir / "media") as proxied,
        ):
            bases = {"direct": direct, "nginx": proxied}
            for _name, path in targets:
                for via, base in bases.items():
                    status, _headers, _ = fetch(base + path)
                    if status != 200:
                        raise SystemExit(f"bench: {path} {via} answered {status}")
            load_before = os.getloadavg()
            results: dict[tuple[str, str], list[Load]] = {}
            for round_ in range(ROUNDS):
                print(f"bench: proxy: round {round_ + 1} of {ROUNDS} ...", flush=True)
                order = PATHS[:: -1 if round_ % 2 else 1]
                for name, path in targets:
                    for via in order:
                        url = bases[via] + path
                        run_wrk(
                            url, seconds=WARMUP_SECONDS, connections=CONNECTIONS, threads=THREADS
                        )
                        results.setdefault((via, name), []).append(
                            run_wrk(url, seconds=SECONDS, connections=CONNECTIONS, threads=THREADS)
                        )
            load_after = os.getloadavg()
    return render(results, targets, versions, load_before, load_after, stamp)


def render(results, targets, versions, load_before, load_after, stamp="") -> str:
    def rps(key):
        return median(load.rps for load in results[key])

    def p95(key):
        return median(load.p95_ms for load in results[key])

    def rounds(key):
        return " / ".join(f"{load.rps:.0f}" for load in results[key])

    lines = [
        "## The proxy: through nginx and direct to gunicorn",
        "",
        f"One gunicorn ({WORKERS} sync workers, production settings, page cache off) and "
        f"nginx {versions['nginx']} in front of it with the site config of the stack "
        "(`portal/deploy/nginx/portal.conf.template`, as `make stack` renders it), measured "
        f"alternately with wrk, {CONNECTIONS} connections on {THREADS} threads, {ROUNDS} "
        f"rounds of {WARMUP_SECONDS} s warm-up + {SECONDS} s; figures are medians of the rounds. "
        + stamp,
        "",
        "| Target | direct req/s | per round | nginx req/s | per round | nginx ÷ direct "
        "| direct p95 ms | nginx p95 ms | errors | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    spreads = []
    for name, _ in targets:
        direct, proxied = ("direct", name), ("nginx", name)
        errors = sum(load.errors for key in (direct, proxied) for load in results[key])
        non_2xx = sum(load.non_2xx_3xx for key in (direct, proxied) for load in results[key])
        ratio = rps(proxied) / rps(direct) if rps(direct) else 0
        for key in (direct, proxied):
            values = [load.rps for load in results[key]]
            if max(values):
                spreads.append((max(values) - min(values)) / max(values) * 100)
        lines.append(
            f"| {name} | {rps(direct):.0f} | {rounds(direct)} | {rps(proxied):.0f} | "
            f"{rounds(proxied)} | {ratio:.2f} | {p95(direct):.1f} | {p95(proxied):.1f} | "
            f"{errors} | {non_2xx} |"
        )
    lines += [
        "",
        f"- Noise: rounds of one row differ by up to {max(spreads, default=0):.0f} %. A ratio "
        "within that margin of 1.00 means the hop's cost did not show above the noise.",
        "- nginx, wrk and gunicorn share the machine's cores (and the machine is shared with "
        "other work), so nginx's CPU time comes out of gunicorn's. nginx also buffers the "
        "response, which frees a gunicorn worker before the client has read it: behind nginx "
        "a page can come out faster than direct.",
        "- Load average (1/5/15 min): "
        f"{', '.join(f'{v:.2f}' for v in load_before)} before, "
        f"{', '.join(f'{v:.2f}' for v in load_after)} after the measurements.",
    ]
    return "\n".join(lines) + "\n"
