import runpy
import socket
from pathlib import Path

import pytest
from cryptography.fernet import Fernet


@pytest.fixture
def closed_port() -> int:
    """A local TCP port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PRODUCTION_KEY_VARIABLES = (
    "CASEWORK_ENCRYPTION_KEYS",
    "CASEWORK_BLIND_INDEX_KEY",
    "MFA_ENCRYPTION_KEYS",
    "AUDIT_CHAIN_KEY",
)
BASE_SETTINGS = Path(__file__).resolve().parents[2] / "portal" / "settings" / "base.py"
PRODUCTION_ENV = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "postgres://portal@db.intern:5432/portal",
    "REDIS_URL": "redis://redis.intern:6379/0",
    "ALLOWED_HOSTS": "portal.example.nl",
    "EMAIL_PROVIDER": "smtp",
    "EMAIL_HOST": "relay.intern",
    # Production refuses to start without its own keys for data at rest.
    **{name: Fernet.generate_key().decode() for name in PRODUCTION_KEY_VARIABLES},
}


@pytest.fixture
def load_settings(monkeypatch):
    """Evaluate portal/settings/base.py under a given environment, without touching
    the running test settings; returns the module's names as a dict."""

    def load(**environ: str) -> dict:
        for name in (
            *("PORTAL_ENV", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"),
            *("EMAIL_PROVIDER", "EMAIL_HOST"),
        ):
            monkeypatch.delenv(name, raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(BASE_SETTINGS))

    return load


@pytest.fixture
def production_settings(load_settings) -> dict:
    return load_settings(**PRODUCTION_ENV)
