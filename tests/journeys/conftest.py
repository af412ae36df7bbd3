"""Journey harness: the embedded demo in a subprocess, driven by a person in chromium.

The journeys talk HTTP to the portal exactly as `make demo` runs it (SQLite,
in-process jobs, the .eml outbox), on a free port that is not 8000, and follow
links found on pages and in the e-mails of the outbox; they never build URLs.
Django's test database is not used at all.

Fixtures:
- ``embedded_demo`` (session): the running demo, see ``EmbeddedDemo``.
- ``journey_browser`` (session): Debian's chromium, headless.
- ``journey_page``: a fresh context (nl-NL, 1366x900, 15 s timeouts) and page;
  ``journey_page_factory()`` opens another one (a second person) in the same test.
Helpers:
- ``step(page, name)``: a numbered full-page screenshot under
  ``test-artifacts/journeys/<test name>/``; call it at every step.
- ``assert_accessible(page, name)``: a ``step`` plus axe-core (WCAG 2.1 AA).

Every test in this directory is marked ``journey`` and ``xdist_group("journeys")``,
so with ``--dist loadgroup`` all of them share one xdist worker and one server.
While writing a journey, ``JOURNEY_DEMO="http://127.0.0.1:PORT /its/var/dir"`` runs
the tests against a demo that is already running (started the same way).
"""

import contextlib
import email.parser
import email.policy
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.chromium import (  # noqa: F401 - re-exported for the tests
    AXE_JS,
    CHROMIUM_ARGS,
    CHROMIUM_PATH,
    WCAG_21_AA,
    axe_violations,
    describe,
)
from tests.mfa import totp_code

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts" / "journeys"
# The demo's environment is the developer's minus the services of the full stack,
# so manage.py's default settings (portal.settings.base, embedded mode) apply.
FULL_STACK_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
STARTUP_TIMEOUT = 60
SETUP_COMMANDS = [
    ("migrate", "--noinput"),
    ("collectstatic", "--noinput"),
    ("load_demo",),
    ("ensure_demo_admin",),
    ("ensure_demo_accounts",),
]
URL = re.compile(r"https?://[^\s\"'<>]+")


# xdist reads the group in its own collection hook: ours must run before it.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.journey)
            item.add_marker(pytest.mark.xdist_group("journeys"))


_failures: list[str] = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and HERE in Path(str(item.fspath)).resolve().parents:
        _failures.append(item.nodeid)
        browser = getattr(item, "funcargs", {}).get("journey_browser")
        if browser is not None and call.when == "call":
            # What each person saw when it failed; a screenshot must not hide the failure.
            for context in browser.contexts:
                for page in context.pages:
                    with contextlib.suppress(Exception):
                        step(page, "failure")
    return report


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if port == 8000:  # the developer's own `make demo`
        return free_port()
    return port


class EmbeddedDemo:
    """The demo as `make demo` runs it, in a subprocess on a free port.

    - ``url``: "http://127.0.0.1:PORT"; ``var_dir``: its PORTAL_VAR_DIR.
    - ``mails(to=None)``: the outbox (var/mail/*.eml), oldest first.
    - ``wait_for_mail(to, subject_contains=None, timeout=20, min_count=1)``: the
      newest matching message, once at least ``min_count`` of them are there.
    - ``links(message)``: absolute URLs in its text and HTML parts, in order;
      ``link(message, contains)``: the first of them containing a string.
    - ``accounts`` / ``account(role)`` / ``totp(email)``: the seeded demo accounts.
    - ``manage(*args)``: manage.py with the demo's environment; returns stdout.
    """

    def __init__(self, var_dir: Path, port: int):
        self.var_dir = var_dir
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = var_dir / "server.log"
        self.env = {k: v for k, v in os.environ.items() if k not in FULL_STACK_VARIABLES}
        self.env |= {"PORTAL_ENV": "demo", "PORTAL_VAR_DIR": str(var_dir), "PORT": str(port)}
        # Scheduled pages go live within 5 s of their time instead of 60 (the setting an
        # operator has too): the scheduling journey waits a minute less.
        self.env |= {"PUBLISH_SCHEDULED_SECONDS": "5"}
        self.process: subprocess.Popen | None = None
        self._totp_periods: dict[str, int] = {}

    # --- manage.py -----------------------------------------------------------
    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        with self.log_path.open("a") as log:
            log.write(f"$ manage.py {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        if result.returncode:
            raise AssertionError(
                f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def start(self) -> None:
        for command in SETUP_COMMANDS:
            self.manage(*command)
        serve = ["demo_serve", f"127.0.0.1:{self.port}"]
        log = self.log_path.open("a")
        log.write(f"$ manage.py {' '.join(serve)}\n")
        log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", *serve],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: demo_serve's children (clamd) stop with it.
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"The demo server exited:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/health/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"The demo server did not answer /health/ in time:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Ctrl-C, as a person stops `make demo`: demo_serve stops its scheduler and clamd
        # itself. A process started in the background by a shell inherits SIGINT as
        # ignored, so SIGTERM (which demo_serve treats the same) follows, then SIGKILL.
        for signum, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 10)):
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signum)
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # --- The outbox ----------------------------------------------------------
    def mails(self, to: str | None = None) -> list[EmailMessage]:
        directory = self.var_dir / "mail"
        if not directory.is_dir():
            return []
        parser = email.parser.BytesParser(policy=email.policy.default)
        messages = []
        # File names start with a UTC timestamp: sorted by name is sorted by time.
        for path in sorted(directory.glob("*.eml"), key=lambda p: p.name):
            with path.open("rb") as handle:
                message = parser.parse(handle)
            recipients = f"{message['To'] or ''},{message['Cc'] or ''}".lower()
            if to is None or to.lower() in recipients:
                messages.append(message)
        return messages

    def wait_for_mail(
        self,
        to: str,
        subject_contains: str | None = None,
        timeout: float = 20,
        min_count: int = 1,
    ) -> EmailMessage:
        deadline = time.monotonic() + timeout
        while True:
            found = [
                message
                for message in self.mails(to)
                if subject_contains is None or subject_contains in str(message["Subject"] or "")
            ]
            if len(found) >= min_count:
                return found[-1]
            if time.monotonic() > deadline:
                seen = [(str(m["To"]), str(m["Subject"])) for m in self.mails()]
                raise AssertionError(
                    f"No mail to {to!r} with {subject_contains!r} (need {min_count}) "
                    f"within {timeout} s; outbox: {seen}"
                )
            time.sleep(0.25)

    @staticmethod
    def links(message: EmailMessage) -> list[str]:
        found: list[str] = []
        for kind in ("plain", "html"):
            part = message.get_body(preferencelist=(kind,))
            if part is None:
                continue
            content = part.get_content()
            if kind == "html":
                content = html.unescape(content)
            for match in URL.finditer(content):
                url = match.group(0).rstrip(".,;:!?)]}")
                if url not in found:
                    found.append(url)
        return found

    def link(self, message: EmailMessage, contains: str) -> str:
        for url in self.links(message):
            if contains in url:
                return url
        raise AssertionError(f"No link with {contains!r} in {self.links(message)}")

    # --- Accounts --------------------------------------------------------------
    @property
    def accounts(self) -> list[dict]:
        return json.loads((self.var_dir / "demo-accounts.json").read_text())

    def account(self, role_substring: str) -> dict:
        for account in self.accounts:
            if role_substring.lower() in str(account.get("role", "")).lower():
                return account
        raise LookupError(f"No demo account with a role containing {role_substring!r}")

    def totp(self, email_address: str) -> str:
        """The code an authenticator app shows now (never one about to expire, and
        never the one handed out before for this account: allauth refuses a reuse)."""
        from allauth.mfa import app_settings

        period = app_settings.TOTP_PERIOD
        for account in self.accounts:
            if account["email"].lower() == email_address.lower():
                key = account["email"].lower()
                if self._totp_periods.get(key) == int(time.time() // period):
                    time.sleep(period - time.time() % period + 0.05)
                code = totp_code(account["totp_secret"])
                self._totp_periods[key] = int(time.time() // period)
                return code
        raise LookupError(f"No demo account {email_address!r}")


@pytest.fixture(scope="session")
def embedded_demo(request):
    # While writing a journey: reuse a demo that is already running (see above).
    if reuse := os.environ.get("JOURNEY_DEMO"):
        url, var_dir = reuse.split()
        demo = EmbeddedDemo(Path(var_dir), int(url.rsplit(":", 1)[1]))
        yield demo
        return
    var_dir = Path(tempfile.mkdtemp(prefix="zvh-demo-"))
    demo = EmbeddedDemo(var_dir, free_port())
    try:
        demo.start()
        yield demo
    finally:
        demo.stop()
        if _failures or request.session.testsfailed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(demo.log_path, ARTIFACTS / "server.log")
        shutil.rmtree(var_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def journey_browser(browser):
    """The suite's one chromium (tests/conftest.py): a second sync Playwright in the
    same worker process would refuse to start."""
    return browser


# Per browser context: [the test's screenshot directory, [steps taken so far]].
_steps: dict[int, list] = {}


@pytest.fixture
def journey_page_factory(journey_browser, request):
    """``new_page()`` opens a page in a fresh context (a second person, e.g. an editor
    next to a guest); its steps are numbered with the test's other pages."""
    directory = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(directory, ignore_errors=True)
    counter = [0]
    contexts = []

    def new_page():
        context = journey_browser.new_context(
            locale="nl-NL", viewport={"width": 1366, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        _steps[id(context)] = [directory, counter]
        return context.new_page()

    yield new_page
    for context in contexts:
        _steps.pop(id(context), None)
        context.close()


@pytest.fixture
def journey_page(journey_page_factory):
    return journey_page_factory()


def step(page, name: str) -> Path:
    """Save a full-page screenshot as the next numbered step of this test."""
    directory, counter = _steps.setdefault(id(page.context), [ARTIFACTS / "unnamed", [0]])
    counter[0] += 1
    directory.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^\w.-]+", "-", name)
    path = directory / f"{counter[0]:02d}-{slug}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page, name: str, *, ignore: tuple[str, ...] = ()) -> None:
    """A step, and no WCAG 2.1 AA violations (axe-core) on the page, except rules in
    ``ignore`` (known findings reported elsewhere)."""
    step(page, name)
    violations = [v for v in axe_violations(page) if v["id"] not in ignore]
    assert violations == [], f"{name} ({page.url}): {describe(violations)}"
