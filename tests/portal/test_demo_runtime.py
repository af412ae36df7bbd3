"""The embedded demo runs what production runs beside the web server: the beat schedule
(in-process, portal.demo_runtime) and a virus scanner (a private clamd)."""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

import pytest
from celery import shared_task
from celery.schedules import crontab

from casework import attachments
from casework import services as casework_services
from casework.attachments import ScannerUnavailable
from casework.models import Attachment, CaseDraft
from casework.roles import PROCESREGISSEUR
from portal.celery import app as celery_app
from portal.clamd_local import EICAR, SOCKET_PATH_MAX
from portal.demo import load_home
from portal.demo_runtime import demo_clamd_socket, start_demo_clamd, start_scheduler
from portal.models import StandardPage
from tests.casework.factories import CaseFactory, OrganisationFactory, partner_user, staff_user

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@shared_task(name="tests.portal.test_demo_runtime.failing_job")
def failing_job() -> None:
    raise RuntimeError("this scheduled job always fails")


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


# --- The beat schedule -------------------------------------------------------------------


def test_every_job_in_the_beat_schedule_is_a_registered_task(settings):
    celery_app.autodiscover_tasks(force=True)  # as a worker does at start

    unknown = {
        name: entry["task"]
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if entry["task"] not in celery_app.tasks
    }

    assert unknown == {}


def test_the_operations_job_table_lists_exactly_the_beat_schedule(settings):
    text = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    section = text.split("\n## Scheduled jobs\n", 1)[1].split("\n### ", 1)[0]
    listed = {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}

    assert listed == set(settings.CELERY_BEAT_SCHEDULE)


def test_scheduled_publishing_runs_every_minute_and_retention_every_hour(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE

    publishing = schedule["wagtail-publish-scheduled"]
    assert publishing["task"] == "portal.tasks.publish_scheduled"
    assert publishing["schedule"] == 60.0

    retention = schedule["retention"]
    assert retention["task"] == "portal.tasks.run_retention"
    assert isinstance(retention["schedule"], crontab)
    assert retention["schedule"].hour == set(range(24))
    assert retention["schedule"].minute == {30}
    # One entry runs every term: no app schedules its own purge beside it.
    retention_tasks = {
        entry["task"]
        for entry in schedule.values()
        if "purge" in entry["task"] or "retention" in entry["task"] or "privacy" in entry["task"]
    }
    assert retention_tasks == {"portal.tasks.run_retention"}


@pytest.mark.django_db
def test_the_retention_task_runs_the_retention_service(settings):
    from portal.tasks import run_retention

    organisation = OrganisationFactory()
    owner = partner_user(organisation)
    old = CaseDraft.objects.create(
        owner=owner,
        organisation=organisation,
        kind="com",
        updated_at=timezone.now() - timedelta(days=settings.RETENTION_DAYS["casework_draft"] + 1),
    )

    counts = run_retention.delay().get()

    assert counts["casework_draft"] == 1
    assert not CaseDraft.objects.filter(pk=old.pk).exists()


# --- The in-process scheduler ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_with_the_scheduler_ticking_a_scheduled_page_goes_live_in_time(caplog):
    home = load_home()
    page = home.add_child(
        instance=StandardPage(title="Nieuwe training", slug="nieuwe-training", live=False)
    )
    go_live_at = timezone.now() + timedelta(seconds=3)
    page.go_live_at = go_live_at
    page.save_revision().publish()  # approved, to go live at go_live_at
    page.refresh_from_db()
    assert not page.live

    # The real entry runs publish_scheduled every 60 s; this one every second. A job
    # that fails every time runs beside it: it is logged and stops nothing.
    scheduler = start_scheduler(
        beat_schedule={
            "publish": {"task": "portal.tasks.publish_scheduled", "schedule": 1.0},
            "failing": {"task": failing_job.name, "schedule": 0.5},
        },
        max_interval=0.2,
    )
    try:
        assert wait_for(lambda: StandardPage.objects.get(pk=page.pk).live, timeout=30)
    finally:
        scheduler.stop()

    assert timezone.now() >= go_live_at
    assert not scheduler.is_alive()
    failures = [r for r in caplog.records if r.name == "portal.demo_runtime"]
    assert failures, "the failing job was not logged"
    assert {r.levelno for r in failures} == {logging.ERROR}
    assert "Scheduled job failing" in failures[0].getMessage()
    assert "RuntimeError: this scheduled job always fails" in caplog.text


# --- The demo's virus scanner ------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_clamd_accepts_a_clean_pdf_and_refuses_eicar(settings, tmp_path):
    # A VAR_DIR too long for a unix socket path: the socket goes elsewhere.
    var_dir = tmp_path / ("lange-map-" * 12)
    clamd = start_demo_clamd(var_dir=var_dir)
    assert clamd is not None, "clamd is not installed: run `make install-test`"
    try:
        assert clamd.wait_ready(timeout=60), clamd.log_tail()
        assert len(str(clamd.socket_path)) <= SOCKET_PATH_MAX
        assert clamd.config.parent == var_dir / "clamd"
        settings.CASEWORK_CLAMD = str(clamd.socket_path)
        settings.CASEWORK_ATTACHMENT_ROOT = tmp_path / "private"
        organisation = OrganisationFactory()
        partner = partner_user(organisation)
        case = CaseFactory(organisation=organisation, procesregisseur=staff_user(PROCESREGISSEUR))

        clean = casework_services.attachment_add(
            upload=SimpleUploadedFile("verslag.pdf", PDF, content_type="application/pdf"),
            user=partner,
            case=case,
        )
        with pytest.raises(casework_services.CaseworkError, match="bevat een virus"):
            casework_services.attachment_add(
                upload=SimpleUploadedFile("eicar.pdf", EICAR, content_type="application/pdf"),
                user=partner,
                case=case,
            )
    finally:
        clamd.stop()

    assert list(Attachment.objects.all()) == [clean]
    assert not clamd.socket_path.exists()


def test_without_clamd_the_demo_starts_no_scanner_and_uploads_fail_closed(
    monkeypatch, settings, tmp_path
):
    monkeypatch.setattr("portal.clamd_local.clamd_binary", lambda: None)

    assert start_demo_clamd(var_dir=tmp_path) is None

    settings.CASEWORK_CLAMD = str(demo_clamd_socket(tmp_path))
    with pytest.raises(ScannerUnavailable, match="De virusscanner is nu niet beschikbaar"):
        attachments.scan(PDF)


def test_the_demo_settings_look_for_the_scanner_under_var_dir(settings):
    assert str(settings.VAR_DIR / "clamd" / "clamd.sock") == settings.CASEWORK_CLAMD


def test_production_keeps_the_system_clamd(production_settings):
    assert production_settings["CASEWORK_CLAMD"] == "/var/run/clamav/clamd.ctl"


# --- manage.py demo_serve ----------------------------------------------------------------


def test_demo_serve_refuses_to_run_outside_the_demo(settings):
    settings.DEMO = False

    with pytest.raises(CommandError, match="demo"):
        call_command("demo_serve", "127.0.0.1:0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Transactional: whatever the server's scheduler commits is flushed afterwards.
@pytest.mark.django_db(transaction=True)
def test_demo_serve_serves_with_its_scanner_and_stops_everything_on_ctrl_c(tmp_path):
    # The demo's settings (no broker: eager tasks, in-process scheduler) on the test
    # database, which is migrated already; everything else under a fresh VAR_DIR.
    database = connection.settings_dict
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "CASEWORK_CLAMD", "PORTAL_ENV"}
    }
    port = free_port()
    environ |= {
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": (
            f"postgres://{quote(database['USER'])}:{quote(database['PASSWORD'] or '')}"
            f"@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        ),
        "PORTAL_VAR_DIR": str(tmp_path),
        "PORT": str(port),
    }
    log = tmp_path / "server.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "demo_serve", f"127.0.0.1:{port}"],
            cwd=Path(__file__).resolve().parents[2],
            env=environ,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    socket_path = tmp_path / "clamd" / "clamd.sock"
    pid_file = tmp_path / "clamd" / "clamd.pid"

    def healthy() -> bool:
        if process.poll() is not None:
            return True  # it died: stop waiting
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    clamd_pid = exit_code = None
    clamd_was_running = False
    try:
        up = wait_for(healthy, timeout=120) and process.poll() is None
        if up and wait_for(socket_path.exists, timeout=30):
            clamd_pid = int(pid_file.read_text())
            clamd_was_running = Path(f"/proc/{clamd_pid}").exists()
        process.send_signal(signal.SIGINT)  # Ctrl-C
        exit_code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = log.read_text()

    assert up, output
    assert clamd_pid and clamd_was_running, output
    assert exit_code == 0, output
    assert "virusscanner (clamd) gestart" in output
    assert "Geplande taken" in output
    assert wait_for(lambda: not Path(f"/proc/{clamd_pid}").exists(), timeout=10)
    assert not socket_path.exists()
