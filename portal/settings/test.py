"""Test settings: only what the test run needs to differ from base.

Tests run against real PostgreSQL and Redis (see .ci/run); override with
DATABASE_URL / REDIS_URL when they live elsewhere.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zvh_portal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

# Under pytest-xdist every worker has its own test database (pytest-django adds the
# worker id to its name) and gets its own Redis database here, counting down from the
# configured one, so cache, rate-limit and broker state never cross between workers.
# Subprocesses (real Celery workers) inherit the adjusted URL: adjust only once.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and not os.environ.get("PORTAL_TEST_REDIS_PER_WORKER"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{(int(_db or 0) - int(_xdist_worker[2:])) % 16}"
    os.environ["PORTAL_TEST_REDIS_PER_WORKER"] = "1"
os.environ.setdefault(
    "PORTAL_VAR_DIR",
    os.path.join(
        os.path.dirname(__file__),
        "..",
        "..",
        "var",
        "test",
        os.environ.get("PYTEST_XDIST_WORKER", ""),
    ),
)

from .base import *  # noqa: E402, F403
from .base import STORAGES  # noqa: E402

# Tests call tasks in-process unless a test starts a real worker itself.
CELERY_TASK_ALWAYS_EAGER = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Every test client comes from 127.0.0.1: rate limits are switched on per test
# (override_settings(RATELIMIT_ENABLE=True)) where a test is about them.
RATELIMIT_ENABLE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise warns (an error under -W error) when STATIC_ROOT is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
