"""Settings for the real Celery worker that tests/portal/test_worker.py starts.

The test settings, but with tasks going through the Redis broker instead of
running in-process. The test passes DATABASE_URL (the test database) and
REDIS_URL in the worker's environment.
"""

from .test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
