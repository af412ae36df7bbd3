"""The production-like stack the benchmarks run against, and the load generator.

Everything here talks to 127.0.0.1 only, and everything it starts it stops:
gunicorn by its own pid, the dedicated database is dropped, the temporary
directory removed.

Load generator: ``wrk`` (Debian package). It is written in C with an event
loop, so it needs a fraction of a core to saturate a Django worker; a Python
generator on the same 2 cores would compete with gunicorn for the CPU (and
with itself for the GIL) and understate the server.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = {"127.0.0.1", "localhost"}
# Sent with every request: production settings trust this header from the
# proxy, so Django sees HTTPS as it would behind the load balancer.
FORWARDED = {"X-Forwarded-Proto": "https"}

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _loopback(url: str, what: str) -> str:
    host = urlsplit(url).hostname
    if host not in LOOPBACK:
        raise SystemExit(f"bench: {what} must be on 127.0.0.1, not {host!r}")
    return url


def bench_database_url(*, suffix: str = "_run", override: str = "BENCH_DATABASE_URL") -> str:
    """The ``override`` variable, else the DATABASE_URL's database name + ``suffix``."""
    if url := os.environ.get(override):
        return _loopback(url, override)
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zvh_bench")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        parts = urlsplit("postgres://postgres@127.0.0.1:5432/zvh_bench")
    name = (parts.path.lstrip("/") or "zvh") + suffix
    return _loopback(urlunsplit(parts._replace(path="/" + name)), "the benchmark database")


def bench_redis_url() -> str:
    url = os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
    return _loopback(url or "redis://127.0.0.1:6379/0", "Redis")


def _database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"bench: refusing odd database name {name!r}")
    return name


def _maintenance_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    """The wrk binary; installs Debian's package when missing and we are root."""
    if path := shutil.which("wrk"):
        return path
    if os.geteuid() != 0:
        raise SystemExit("bench: wrk is missing; install it with `apt-get install wrk` (as root)")
    print("bench: installing wrk (apt-get) ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, capture_output=True, timeout=300).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True, timeout=300)
        subprocess.run(install, env=env, check=True, capture_output=True, timeout=300)
    return shutil.which("wrk") or "wrk"


@dataclass
class Load:
    """One wrk measurement."""

    requests: int
    seconds: float
    bytes: int
    errors: int
    non_2xx_3xx: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def bytes_per_request(self) -> int:
        return self.bytes // self.requests if self.requests else 0


def run_wrk(url: str, *, seconds: int, connections: int, threads: int) -> Load:
    _loopback(url, "the load target")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = [ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
        command += ["--timeout", "5s", "-s", script.name]
        for name, value in FORWARDED.items():
            command += ["-H", f"{name}: {value}"]
        result = subprocess.run(
            [*command, url], capture_output=True, text=True, timeout=seconds + 30, check=True
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in result.stdout.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        bytes=data["bytes"],
        errors=errors,
        non_2xx_3xx=data["status"],
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
    )


def fetch(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    _loopback(url, "the request")
    request = urllib.request.Request(url, headers={**FORWARDED, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(errors="replace")


class Stack:
    """A dedicated PostgreSQL database with the demo content, and gunicorn on top.

    Settings are the production ones (PORTAL_ENV=production) with the
    exceptions a loopback benchmark needs: no HTTPS redirect, hosts
    127.0.0.1, tasks in-process (no worker to run them), mail to files.
    """

    def __init__(self):
        self.database_url = bench_database_url()
        self.redis_url = bench_redis_url()
        self.var_dir = Path(tempfile.mkdtemp(prefix="zvh-bench-"))
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "PAGE_"))},
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "PORTAL_ENV": "production",
            "PORTAL_VAR_DIR": str(self.var_dir),
            "SECRET_KEY": secrets.token_urlsafe(50),
            # Production requires its own keys for data at rest (casework, MFA).
            "CASEWORK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "CASEWORK_BLIND_INDEX_KEY": Fernet.generate_key().decode(),
            "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "AUDIT_CHAIN_KEY": Fernet.generate_key().decode(),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": "",  # empty: tasks run in-process
            "ELASTICSEARCH_URL": "",
            "EMAIL_PROVIDER": "outbox",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
            "PAGE_CACHE_SECONDS": "0",
        }

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

    def __enter__(self):
        name = _database_name(self.database_url)
        with _maintenance_connection(self.database_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        print(
            f"bench: preparing database {name} (migrate, load_demo, collectstatic) ...", flush=True
        )
        self.manage("migrate", "--noinput", "-v0")
        self.manage("load_demo")
        self.manage("collectstatic", "--noinput", "-v0")
        # Pages cached by an earlier run in this Redis database must not count as hits.
        self.manage("shell", "-c", "from portal.cache import invalidate_page_cache as i; i()")
        return self

    def __exit__(self, *exc):
        name = _database_name(self.database_url)
        with contextlib.suppress(Exception), _maintenance_connection(self.database_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.var_dir, ignore_errors=True)

    def static_url(self, name: str) -> str:
        """The hashed URL the pages link to (CompressedManifestStaticFilesStorage)."""
        manifest = json.loads((self.var_dir / "static" / "staticfiles.json").read_text())
        return "/static/" + manifest["paths"][name]

    def versions(self) -> dict[str, str]:
        import redis

        with _maintenance_connection(self.database_url) as conn:
            postgres = conn.execute("SHOW server_version").fetchone()[0]
        client = redis.Redis.from_url(self.redis_url)
        try:
            redis_version = client.info("server")["redis_version"]
        finally:
            client.close()
        wrk = subprocess.run([ensure_wrk(), "-v"], capture_output=True, text=True).stdout
        return {
            "PostgreSQL": postgres.split()[0],
            "Redis": redis_version,
            "wrk": (wrk.split() or ["?", "?"])[1],
        }

    @contextlib.contextmanager
    def gunicorn(self, *, workers: int, **env: str):
        """gunicorn on a free loopback port; yields its base URL, stops it after."""
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        command = [
            str(BIN / "gunicorn"),
            "portal.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=sync",
            "--timeout=30",
            "--graceful-timeout=5",
            "--log-level=warning",
        ]
        log_path = self.var_dir / f"gunicorn-{port}.log"
        with open(log_path, "w") as log:
            # A file, not a pipe: a full pipe would stall the server mid-run.
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_until_ready(process, base_url, log_path)
            yield base_url
        finally:
            self._stop(process)

    @staticmethod
    def _wait_until_ready(process, base_url: str, log_path: Path, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"bench: gunicorn exited:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError):
                if fetch(base_url + "/health/")[0] == 200:
                    return
            time.sleep(0.5)
        raise SystemExit("bench: gunicorn did not become healthy in time")

    @staticmethod
    def _stop(process) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # its own session: master and workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


def run_stamp() -> str:
    """When a section was measured and how busy the machine was: sections can be
    refreshed one at a time (``--only``), so each says so itself."""
    import time

    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; load average at start (1/5/15 min): {load}."
