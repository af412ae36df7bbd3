"""Django on the embedded demo's settings, for a test script run in a process of its own.

The suite's database is PostgreSQL; code paths that only the demo takes (SQLite,
in-process tasks, the outbox) are checked by scripts under ``tests/*/scripts/`` that
a test starts as a subprocess. Each calls :func:`setup_embedded_demo` before importing
anything from Django.
"""

import atexit
import os
import shutil
import tempfile


class NoMigrations(dict):
    """``MIGRATION_MODULES`` that creates tables straight from the models: seconds
    instead of minutes of migrations on SQLite."""

    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


def setup_embedded_demo(*, prefix: str, **env: str) -> str:
    """Point this process at the embedded default (no DATABASE_URL, broker or Redis;
    a fresh var directory, removed at exit), apply ``env`` and set Django up.
    Returns the var directory."""
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    var_dir = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.environ.update(
        PORTAL_ENV="demo",
        PORTAL_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        LOG_LEVEL="ERROR",
        **env,
    )
    import django

    django.setup()
    return var_dir
