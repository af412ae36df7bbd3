"""The production topology, started natively from the files docker-compose.yml uses.

``make stack`` (``python -m tests.stack``) and ``make stack-test`` (tests/stack/) start:

    client ──TLS──► load balancer (nginx server block, self-signed certificate,
                    appends the client to X-Forwarded-For, says X-Forwarded-Proto)
                          │ from 127.0.0.10, the one address nginx trusts
                          ▼
                    nginx (portal/deploy/nginx/portal.conf.template, rendered)
                          │
                          ▼
             gunicorn ×2 (portal/deploy/gunicorn.conf.py), PORTAL_ENV=production
             celery worker, celery beat       ──► PostgreSQL, Redis (dedicated dbs)
                          │                   ──► clamd (TCP, EICAR-only database)
                          └──► SMTP sink (aiosmtpd, in this process) for the relay

Everything listens on 127.0.0.x, on free ports. The portal's processes run as an
unprivileged user (``nobody`` when started as root), like the image's ``portal`` user.
Everything started is stopped in :meth:`Stack.stop` (process groups by pid), the
database dropped, the Redis databases flushed, the temporary directory removed.
"""

import contextlib
import email
import email.policy
import json
import os
import pwd
import secrets
import shutil
import signal
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from bench.stack import _database_name, _maintenance_connection, free_port
from portal.clamd_local import LocalClamd

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "portal" / "deploy"
NGINX_TEMPLATE = DEPLOY / "nginx" / "portal.conf.template"
GUNICORN_CONFIG = DEPLOY / "gunicorn.conf.py"
HOST = "portal.zvh-stack.test"
# The load balancer connects to nginx from this address; nginx trusts no other.
LB_SOURCE = "127.0.0.10"
# The local load balancer: a plain nginx server block, the stand-in for the hosting
# party's TLS-terminating load balancer (which also appends to X-Forwarded-For).
LB_SERVERS = """
server {{
    listen 127.0.0.1:{https_port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    server_name _;
    location / {{ {proxy} }}
}}
server {{
    listen 127.0.0.1:{http_port};
    server_name _;
    location / {{ {proxy} }}
}}
"""
LB_PROXY = (
    "proxy_pass http://127.0.0.1:{site_port}; proxy_bind {source}; "
    "proxy_set_header Host $http_host; "
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; "
    "proxy_set_header X-Forwarded-Proto $scheme;"
)


CREATE_ADMIN = """
from django.contrib.auth import get_user_model
from allauth.account.models import EmailAddress
user = get_user_model().objects.create_superuser("{0}", "{0}", "{1}")
EmailAddress.objects.create(user=user, email="{0}", primary=True, verified=True)
"""


def render_template(text: str, values: dict[str, str]) -> str:
    """envsubst as the nginx image runs it (NGINX_ENVSUBST_FILTER=^PORTAL_): only the
    listed ${PORTAL_*} names are replaced, nginx's own $variables are left alone."""
    for name, value in values.items():
        text = text.replace("${" + name + "}", value)
    if "${PORTAL_" in text:
        raise ValueError("nginx template: a ${PORTAL_*} placeholder has no value")
    return text


def nginx_binary() -> str:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SystemExit("stack: nginx is missing; install it with `apt-get install nginx`")


def web_user() -> tuple[int, int]:
    """The unprivileged user the portal runs as: ourselves, or nobody when root."""
    if os.geteuid() != 0:
        return os.geteuid(), os.getegid()
    for directory in (ROOT, *ROOT.parents):
        # A checkout in a private directory (mktemp -d) is closed to nobody: say so
        # plainly rather than let migrate fail with "Permission denied". The checkout
        # itself must be readable too: Python lists it to import the portal from it.
        needed = stat.S_IXOTH | (stat.S_IROTH if directory == ROOT else 0)
        if directory.stat().st_mode & needed != needed:
            raise SystemExit(
                f"stack: the portal runs as nobody, which cannot enter {directory}; "
                f"run `chmod o+rx {directory}` (.ci/run does this for its checkout)"
            )
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


def nginx_config(
    directory: Path, *, site: dict[str, str], upstream: list[str], extra: str = ""
) -> Path:
    """Write the repository's site template, rendered, and a main nginx.conf around it
    (pid, logs and temp files in ``directory``; the system's nginx is not touched).
    ``upstream``: the gunicorns, as the group ``portal_web`` (PORTAL_WEB names it)."""
    (directory / "portal.conf").write_text(render_template(NGINX_TEMPLATE.read_text(), site))
    temp = "".join(
        f"    {kind}_temp_path {directory / ('nginx-' + kind)};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    servers = "".join(f"        server {address};\n" for address in upstream)
    main = directory / "nginx.conf"
    main.write_text(
        "daemon off;\nworker_processes 1;\n"
        f"pid {directory / 'nginx.pid'};\nerror_log {directory / 'nginx-error.log'} warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"    access_log off;\n{temp}"
        f"    upstream portal_web {{\n{servers}    }}\n"
        f"    include {directory / 'portal.conf'};\n{extra}}}\n"
    )
    result = subprocess.run(
        [
            nginx_binary(),
            "-t",
            "-q",
            "-p",
            str(directory),
            "-c",
            str(main),
            "-e",
            str(directory / "nginx-error.log"),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"stack: nginx refused its configuration:\n{result.stderr}")
    return main


def nginx_command(directory: Path) -> list[str]:
    return [
        nginx_binary(),
        "-p",
        str(directory),
        "-c",
        str(directory / "nginx.conf"),
        "-e",
        str(directory / "nginx-error.log"),
    ]


def native_site(*, listen: str, lb_address: str, media_root: Path) -> dict[str, str]:
    """The template's values for a native nginx in front of the portal_web group."""
    return {
        "PORTAL_LISTEN": listen,
        "PORTAL_LB_ADDRESS": lb_address,
        # The name of the upstream group: not resolved, so the resolver is never asked
        # (in compose it is web:8000, re-resolved every 10 s through Docker's DNS).
        "PORTAL_WEB": "portal_web",
        "PORTAL_RESOLVER": "127.0.0.1",
        "PORTAL_MEDIA_ROOT": str(media_root),
    }


@contextlib.contextmanager
def nginx_in_front(gunicorn_url: str, *, media_root: Path, lb_address: str = "127.0.0.1"):
    """nginx with the repository's site config in front of one gunicorn (bench/proxy.py);
    yields its base URL. Clients at ``lb_address`` count as the load balancer."""
    directory = Path(tempfile.mkdtemp(prefix="zvh-nginx-"))
    directory.chmod(0o755)
    port = free_port()
    nginx_config(
        directory,
        site=native_site(listen=f"127.0.0.1:{port}", lb_address=lb_address, media_root=media_root),
        upstream=[urlsplit(gunicorn_url).netloc],
    )
    with (directory / "nginx.log").open("wb") as log:
        process = subprocess.Popen(
            nginx_command(directory), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            health = f"http://127.0.0.1:{port}/nginx-health"
            with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2):  # noqa: S310
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"nginx did not start: {(directory / 'nginx-error.log').read_text()}"
                )
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        shutil.rmtree(directory, ignore_errors=True)


class SmtpSink:
    """The mail relay's stand-in: keeps every message (and writes it to ``directory``)."""

    def __init__(self, directory: Path):
        from aiosmtpd.controller import Controller

        self.directory = directory
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
            number = len(self.messages)
        (self.directory / f"{number:04d}.eml").write_bytes(envelope.content)
        return "250 OK"

    def wait_for(self, predicate, timeout: float = 60) -> email.message.EmailMessage:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for message in self.messages:
                    if predicate(message):
                        return message
            time.sleep(0.2)
        raise AssertionError("stack: the expected mail did not reach the SMTP sink in time")


class TcpClamd(LocalClamd):
    """The private clamd, listening on TCP as the stack's clamav service does."""

    def __init__(self, workdir: Path, port: int):
        super().__init__(workdir)
        self.port = port

    def write_files(self) -> None:
        super().write_files()
        with self.config.open("a") as config:
            config.write(f"TCPSocket {self.port}\nTCPAddr 127.0.0.1\n")


class Stack:
    def __init__(self, *, quiet: bool = True):
        self.quiet = quiet
        self.uid, self.gid = web_user()
        self.database_url = os.environ.get(
            "STACK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zvh_stack"
        )
        self.redis_url = os.environ.get("STACK_REDIS_URL", "redis://127.0.0.1:6379/5")
        self.broker_url = os.environ.get("STACK_BROKER_URL", "redis://127.0.0.1:6379/6")
        for url in (self.database_url, self.redis_url, self.broker_url):
            if urlsplit(url).hostname not in {"127.0.0.1", "localhost"}:
                raise SystemExit(f"stack: {url!r} is not on 127.0.0.1")
        self.dir = Path(tempfile.mkdtemp(prefix="zvh-stack-"))
        self.var = self.dir / "var"
        self.sink_dir = self.dir / "mail"
        self.ports = {
            name: free_port() for name in ("lb_https", "lb_http", "site", "web1", "web2", "clamd")
        }
        self.url = f"https://127.0.0.1:{self.ports['lb_https']}"
        self.http_url = f"http://127.0.0.1:{self.ports['lb_http']}"
        self.site_url = f"http://127.0.0.1:{self.ports['site']}"
        self.web_urls = [f"http://127.0.0.1:{self.ports[n]}" for n in ("web1", "web2")]
        self.cert = self.dir / "lb.crt"
        self.processes: dict[str, subprocess.Popen] = {}
        self.clamd: TcpClamd | None = None
        self.admin: tuple[str, str] | None = None
        self.sink: SmtpSink | None = None
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "PORTAL_ENV": "production",
            "PORTAL_VAR_DIR": str(self.var),
            "HOME": str(self.var),
            "PYTHONDONTWRITEBYTECODE": "1",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://{HOST},{self.url}",
            "BASE_URL": self.url,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.broker_url,
            "ELASTICSEARCH_URL": "",
            "SEARCH_BACKEND": "database",
            "EMAIL_PROVIDER": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_USE_TLS": "false",
            "TRUSTED_PROXY_COUNT": "1",
            "CASEWORK_CLAMD": f"127.0.0.1:{self.ports['clamd']}",
            "CASEWORK_ATTACHMENT_ROOT": str(self.var / "casework-private"),
            "AUDIT_HEAD_FILE": str(self.var / "audit" / "chain-head.jsonl"),
            "PUBLISH_SCHEDULED_SECONDS": "3",
            # Small enough for the smoke test to reach; per address, as in production.
            "NEWSLETTER_SIGNUP_RATE": "3/h",
            "CASEWORK_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "CASEWORK_BLIND_INDEX_KEY": Fernet.generate_key().decode(),
            "MFA_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "AUDIT_CHAIN_KEY": Fernet.generate_key().decode(),
            "LOG_LEVEL": "INFO",
        }

    # --- running things ---------------------------------------------------------------
    def _as_web_user(self, command: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return command
        return [
            "setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            *command,
        ]

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            self._as_web_user([sys.executable, "manage.py", *args]),
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def python(self, module: str, *args: str, timeout: float = 300) -> str:
        """Run ``python -m module`` as the web user with the stack's settings."""
        result = subprocess.run(
            self._as_web_user([sys.executable, "-m", module, *args]),
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{module} failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def _spawn(self, name: str, command: list[str], *, web_user: bool = True) -> None:
        log = (self.dir / f"{name}.log").open("wb")
        with log:
            self.processes[name] = subprocess.Popen(
                self._as_web_user(command) if web_user else command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stopped as one
            )

    def log(self, name: str, chars: int = 3000) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def _wait(self, what: str, check, timeout: float, process: str | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process and self.processes[process].poll() is not None:
                raise RuntimeError(f"stack: {what} exited:\n{self.log(process)}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                if check():
                    return
            time.sleep(0.3)
        raise RuntimeError(f"stack: {what} not ready in {timeout:.0f} s\n{self.log(process or '')}")

    def _say(self, text: str) -> None:
        if not self.quiet:
            print(f"stack: {text}", flush=True)

    # --- start and stop ---------------------------------------------------------------
    def start(self, *, demo_content: bool = False) -> "Stack":
        try:
            self._start(demo_content=demo_content)
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self, *, demo_content: bool) -> None:
        import redis

        nginx_binary()  # fail before starting anything when it is missing
        # Like the image: the web user owns var/ and the attachment and audit
        # directories in it (the volumes take their owner from them).
        for sub in ("media", "casework-private", "audit", "static"):
            (self.var / sub).mkdir(parents=True, exist_ok=True)
        self.sink_dir.mkdir()
        for path in [self.var, *self.var.iterdir()]:
            os.chown(path, self.uid, self.gid)
        self.dir.chmod(0o755)
        for url in (self.redis_url, self.broker_url):
            client = redis.Redis.from_url(url)
            client.flushdb()
            client.close()
        name = _database_name(self.database_url)
        with _maintenance_connection(self.database_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')

        self.sink = SmtpSink(self.sink_dir)
        self.sink.controller.start()
        self.env["EMAIL_PORT"] = str(self.sink.port)
        self.clamd = TcpClamd(self.dir / "clamd", self.ports["clamd"])
        self.clamd.start()

        self._say(f"database {name}: migrate, collectstatic ...")
        self.manage("migrate", "--noinput", "-v0")
        self.manage("collectstatic", "--noinput", "-v0")
        if demo_content:
            self._say("loading the demo content ...")
            self.manage("load_demo")
            # The demo accounts exist only in demo mode: one administrator instead, who
            # sets up the second factor at the first login (casework.middleware).
            self.admin = ("beheer@zvh-stack.test", secrets.token_urlsafe(12))
            self.manage("shell", "-c", CREATE_ADMIN.format(*self.admin))
        if not self.clamd.wait_ready(timeout=60):
            raise RuntimeError(f"stack: clamd did not start: {self.clamd.log_tail()}")

        gunicorn = [sys.executable, "-m", "gunicorn", f"--config={GUNICORN_CONFIG}"]
        for index, web in enumerate(("web1", "web2")):
            bind = f"--bind=127.0.0.1:{self.ports[web]}"
            self._spawn(web, [*gunicorn, bind, "--workers=2", "portal.wsgi:application"])
            self._wait(
                web, lambda i=index: self._direct_health(self.web_urls[i]), timeout=90, process=web
            )
        celery = [sys.executable, "-m", "celery", "--app=portal"]
        self._spawn("worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=1"])
        beat_schedule = self.var / "celerybeat-schedule"
        self._spawn("beat", [*celery, "beat", "--loglevel=INFO", f"--schedule={beat_schedule}"])
        self._wait("worker", lambda: "ready" in self.log("worker", 100_000), 90, "worker")

        self._write_certificate()
        nginx_config(
            self.dir,
            site=native_site(
                listen=f"127.0.0.1:{self.ports['site']}",
                lb_address=LB_SOURCE,
                media_root=self.var / "media",
            ),
            upstream=[f"127.0.0.1:{self.ports[web]}" for web in ("web1", "web2")],
            extra=self._load_balancer(),
        )
        self._spawn("nginx", nginx_command(self.dir), web_user=False)
        self._wait("nginx", lambda: self.get("/health/")[0] == 200, 30, "nginx")

    def _direct_health(self, base: str) -> bool:
        request = urllib.request.Request(base + "/health/", headers={"Host": HOST})  # noqa: S310
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
            return response.status == 200

    def _write_certificate(self) -> None:
        key = self.dir / "lb.key"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:" + HOST,
                "-keyout",
                str(key),
                "-out",
                str(self.cert),
            ],
            check=True,
            capture_output=True,
        )

    def _load_balancer(self) -> str:
        return LB_SERVERS.format(
            https_port=self.ports["lb_https"],
            http_port=self.ports["lb_http"],
            cert=self.cert,
            key=self.dir / "lb.key",
            proxy=LB_PROXY.format(site_port=self.ports["site"], source=LB_SOURCE),
        )

    def stop(self) -> None:
        """Stop everything started, in parallel (SIGTERM to each process group, SIGKILL
        after 20 s), then drop the database and flush the Redis databases."""
        started = time.monotonic()
        running = {name: p for name, p in self.processes.items() if p.poll() is None}
        self.processes.clear()
        for process in running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in running.items():
            try:
                process.wait(timeout=max(1, 20 - (time.monotonic() - started)))
            except subprocess.TimeoutExpired:
                print(f"stack: {name} ignored SIGTERM; killing it", file=sys.stderr)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        if self.clamd is not None:
            self.clamd.stop()
        if self.sink is not None:
            with contextlib.suppress(Exception):
                self.sink.controller.stop()
        with contextlib.suppress(Exception):
            import redis

            for url in (self.redis_url, self.broker_url):
                client = redis.Redis.from_url(url)
                client.flushdb()
                client.close()
        name = _database_name(self.database_url)
        with contextlib.suppress(Exception), _maintenance_connection(self.database_url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- talking to it ----------------------------------------------------------------
    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert))

    def get(self, path: str, *, base: str | None = None, headers: dict | None = None):
        """One GET (no redirects followed): (status, headers, body)."""
        url = (base or self.url) + path
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
        opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=self.ssl_context()), _NoRedirect()
        )
        try:
            with opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def seed(self) -> dict:
        """The smoke tests' data (tests/stack/seed.py), created as the web user."""
        return json.loads(self.python("tests.stack.seed").strip().splitlines()[-1])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
