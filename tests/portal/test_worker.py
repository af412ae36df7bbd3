"""A real Celery worker on Redis runs a task and its effect lands in the database.

The worker is a subprocess on the test database (DATABASE_URL points at it) and
listens on a queue of its own, so it never takes tasks of another test run or of
another developer sharing the same Redis.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction

import pytest
import redis

from portal.celery import app
from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Bounded waits, generous for a slow shared machine.
TASK_DEADLINE = 90
STOP_DEADLINE = 30


def worker_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgresql://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture
def worker_queue():
    name = f"test-worker-{uuid.uuid4().hex[:12]}"
    yield name
    # Leave nothing behind in Redis, whatever happened: the queue and kombu's bindings.
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(name, *client.scan_iter(match=f"_kombu.binding*.{name}"))


@pytest.fixture
def celery_worker(transactional_db, worker_queue, tmp_path):
    """Starts `celery -A portal worker` on the test database; stops it with a warm
    shutdown (SIGTERM) before the test database is flushed."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.worker_test",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                f"--queues={worker_queue}",
                f"--hostname={worker_queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def tasks_through_the_broker():
    """The test process itself runs tasks eagerly; this one test sends them to Redis."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def wait_for_heartbeat(process, log_path) -> WorkerHeartbeat:
    deadline = time.monotonic() + TASK_DEADLINE
    while time.monotonic() < deadline:
        heartbeat = WorkerHeartbeat.objects.filter(hostname=socket.gethostname()).first()
        if heartbeat:
            return heartbeat
        if process.poll() is not None:
            pytest.fail(f"The worker exited early:\n{log_path.read_text()}")
        time.sleep(0.5)
    pytest.fail(f"No heartbeat within {TASK_DEADLINE} s. Worker log:\n{log_path.read_text()}")


def test_a_real_worker_runs_a_task_sent_through_redis_after_commit(
    celery_worker, worker_queue, tasks_through_the_broker
):
    process, log_path = celery_worker
    assert not WorkerHeartbeat.objects.exists()

    with transaction.atomic():
        record_worker_heartbeat.apply_async_on_commit(queue=worker_queue)

    heartbeat = wait_for_heartbeat(process, log_path)

    assert heartbeat.seen_at is not None
    # The worker logs through settings.LOGGING: JSON lines, not Celery's own format.
    (success,) = [line for line in log_path.read_text().splitlines() if "succeeded" in line]
    record = json.loads(success)
    assert record["logger"] == "celery.app.trace"
    assert "portal.tasks.record_worker_heartbeat" in record["message"]

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=STOP_DEADLINE) == 0
