"""Registration rush: 500 registrations within seconds at a 100-seat event.

Runs the real stack: gunicorn serving the portal on PostgreSQL, tasks queued on
Redis (no worker: the web process only enqueues, as in production). Measures
the rush (throughput, p95, overbooking, error responses) beside a plain page
request rate in the same run, so the figures read as ratios on any machine.

Run alone: ``.venv/bin/python -m bench.events`` (needs DATABASE_URL's server and
REDIS_URL; it creates and drops its own database ``<name>_bench``).
"""

import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = int(os.environ.get("BENCH_EVENTS_PORT", "8765"))
RUSH = 500
SEATS = 100
CONCURRENCY = 50
PLAIN_REQUESTS = 300

SETUP_EVENT = """
from datetime import timedelta
from django.utils import timezone
from events.models import AgendaPage, EventPage, EventSession
agenda = AgendaPage.objects.get()
event = EventPage.objects.filter(slug="bench-rush").first()
if event is None:
    start = timezone.now() + timedelta(days=30)
    event = agenda.add_child(instance=EventPage(
        title="Bench: drukbezochte training", slug="bench-rush", kind="training", capacity=%d,
        address="Voorbeeldstraat 1, Helmond",
        sessions=[EventSession(starts_at=start, ends_at=start + timedelta(hours=3))]))
    event.save_revision().publish()
print(event.pk, event.url)
"""

COUNT = """
from events.models import Registration, SEAT_STATUSES
qs = Registration.objects.filter(event__slug="bench-rush")
print(qs.filter(status__in=SEAT_STATUSES).count(), qs.filter(status="waitlisted").count(), qs.count())
"""


def _bench_database_url() -> tuple[str, str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zvh_portal")
    parsed = urllib.parse.urlparse(base)
    name = parsed.path.lstrip("/") + "_bench"
    return (
        parsed._replace(path="/" + name).geturl(),
        parsed._replace(path="/postgres").geturl(),
        name,
    )


def _admin_sql(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(sql)


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def _request(method: str, path: str, body: str = "", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        payload = response.read()
        return response.status, time.perf_counter() - started, response, payload
    finally:
        connection.close()


def _wait_for_server(deadline: float = 60) -> None:
    until = time.time() + deadline
    while time.time() < until:
        try:
            if _request("GET", "/health/")[0] < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def run() -> str:
    database_url, admin_url, name = _bench_database_url()
    _admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(admin_url, f'CREATE DATABASE "{name}"')
    var_dir = tempfile.mkdtemp(prefix="bench-events-")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "PORTAL_ENV": "demo",
        "PORTAL_VAR_DIR": var_dir,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "LOG_LEVEL": "WARNING",
        # Guest registrations are rate limited per client address (events.views); a
        # rush comes from many people, so each request gets its own forwarded address
        # and the limiter stays in the measured path.
        "TRUSTED_PROXY_COUNT": "1",
    }
    server = None
    try:
        _manage(env, "migrate", "--noinput", "-v0")
        _manage(env, "collectstatic", "--noinput", "-v0")
        _manage(env, "load_demo")
        event_pk, event_url = _manage(env, "shell", "-c", SETUP_EVENT % SEATS).split()[-2:]
        server = subprocess.Popen(
            [GUNICORN, "portal.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2", "--threads", "8"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_server()
        agenda = "/trainingen-en-bijeenkomsten/"
        for _ in range(10):  # warm up both workers
            _request("GET", agenda)

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            started = time.perf_counter()
            plain = list(pool.map(lambda _: _request("GET", agenda)[:2], range(PLAIN_REQUESTS)))
            plain_seconds = time.perf_counter() - started
        plain_rate = PLAIN_REQUESTS / plain_seconds

        status, _, response, payload = _request("GET", event_url)
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie", "")).group(1)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', payload).group(1).decode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
        }

        def register(n: int):
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "name": f"Bench Deelnemer {n}",
                    "email": f"bench{n}@voorbeeld.example",
                }
            )
            client = {"X-Forwarded-For": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"}
            return _request("POST", f"/agenda/aanmelden/{event_pk}/", body, headers | client)[:2]

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            started = time.perf_counter()
            rush = list(pool.map(register, range(RUSH)))
            rush_seconds = time.perf_counter() - started

        seats, waiting, total = (int(v) for v in _manage(env, "shell", "-c", COUNT).split()[-3:])
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        _admin_sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        # No worker consumed the queued confirmation e-mails; drop them with the data.
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).delete("celery")

    errors = sum(1 for status, _ in rush if status >= 400)
    plain_errors = sum(1 for status, _ in plain if status >= 400)
    rush_rate = RUSH / rush_seconds
    rush_p95 = _p95([seconds for _, seconds in rush]) * 1000
    plain_p95 = _p95([seconds for _, seconds in plain]) * 1000
    overbooked = max(0, seats - SEATS)
    return "\n".join(
        [
            "## Events: registration rush",
            "",
            f"{RUSH} guest registrations, {CONCURRENCY} at a time, at a {SEATS}-seat event; "
            "gunicorn (2 workers × 8 threads) on PostgreSQL, tasks queued on Redis. "
            f"Baseline: {PLAIN_REQUESTS} requests for the agenda page in the same run.",
            "",
            "| measure | rush (POST register) | baseline (GET agenda) | ratio |",
            "|---|---|---|---|",
            f"| requests per second | {rush_rate:.1f} | {plain_rate:.1f} | {rush_rate / plain_rate:.2f} |",
            f"| p95 latency (ms) | {rush_p95:.0f} | {plain_p95:.0f} | {rush_p95 / plain_p95:.2f} |",
            f"| error responses | {errors} | {plain_errors} | |",
            "",
            f"Seats taken: {seats} of {SEATS} (overbooked: **{overbooked}**); "
            f"waiting list: {waiting}; registrations stored: {total} of {RUSH}.",
            "",
        ]
    )


if __name__ == "__main__":
    sys.stdout.write(run())
