import json
import socket

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone

import pytest

from portal.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def redis_cache_at(url: str) -> dict:
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}


def test_health_reports_eager_tasks_in_the_embedded_mode(client):
    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "eager"},
        "worker_last_seen": None,
    }


def test_health_is_ok_against_real_postgresql_redis_cache_and_redis_broker(client):
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")

    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=settings.REDIS_URL):
        response = client.get("/health/")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_health_is_503_when_the_broker_is_unreachable(client, closed_port):
    broker = f"redis://:geheim-wachtwoord@127.0.0.1:{closed_port}/0"

    with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker):
        response = client.get("/health/")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "down"}
    # The failure is reported without the broker's address or credentials.
    assert str(closed_port) not in response.content.decode()
    assert "geheim" not in response.content.decode()


def test_health_is_503_when_the_cache_is_unreachable(client, closed_port):
    with override_settings(CACHES=redis_cache_at(f"redis://127.0.0.1:{closed_port}/0")):
        response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "down"
    assert response.json()["checks"]["database"] == "ok"


def test_health_logs_which_check_failed_without_the_address(client, closed_port, caplog):
    with override_settings(CACHES=redis_cache_at(f"redis://127.0.0.1:{closed_port}/0")):
        client.get("/health/")

    messages = [record.getMessage() for record in caplog.records if record.name == "portal.health"]
    assert messages == ["Health check cache failed: ConnectionError"]


def test_health_shows_when_a_worker_last_ran_without_naming_the_host(client):
    seen = timezone.now()
    WorkerHeartbeat.objects.create(hostname="worker-7.intern", seen_at=seen)

    response = client.get("/health/")

    assert response.json()["worker_last_seen"] == seen.isoformat()
    assert "worker-7" not in response.content.decode()
    assert socket.gethostname() not in response.content.decode()


def test_health_response_is_json_and_never_cached(client):
    response = client.get("/health/")

    assert response["Content-Type"] == "application/json"
    json.loads(response.content)
    cache_control = response["Cache-Control"]
    for directive in ("no-cache", "no-store", "must-revalidate", "private", "max-age=0"):
        assert directive in cache_control
    assert "Expires" in response


def test_health_only_answers_get(client):
    assert client.post("/health/").status_code == 405


def test_health_is_not_redirected_to_https_so_load_balancers_can_probe_it(
    client, production_settings
):
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    exempt = production_settings["SECURE_REDIRECT_EXEMPT"]

    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert client.get("/health/").status_code == 200
        assert client.get("/").status_code == 301


def test_health_is_503_not_500_when_the_database_answers_but_lacks_the_portal_tables(client):
    # Inside the test's transaction, rolled back afterwards.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE portal_workerheartbeat RENAME TO portal_workerheartbeat_away")

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"
