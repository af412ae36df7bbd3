"""The running stack for the smoke tests (tests/stack/runner.py).

These tests need the whole production topology started (a few minutes), so they run
only when asked for by path: `make stack-test` (`pytest tests/stack`), which CI runs
after the suite. `make test` (`pytest` over tests/) leaves this directory out.
"""

from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from tests.stack.runner import Stack

HERE = Path(__file__).resolve().parent


def _asked_for(config) -> bool:
    for arg in config.args:
        path = Path(config.invocation_params.dir, arg.split("::")[0]).resolve()
        if path == HERE or HERE in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path, config):
    if collection_path != HERE and HERE in collection_path.parents:
        return None if _asked_for(config) else True
    return None


@pytest.fixture(scope="session")
def stack():
    running = Stack()
    try:
        running.start()
        running.data = running.seed()
        yield running
    finally:
        running.stop()


class _SourceAdapter(HTTPAdapter):
    """Connects from a given loopback address: a visitor with an address of its own."""

    def __init__(self, source: str):
        self.source = source
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture
def visitor(stack):
    """visitor("127.0.0.2") is a browser at that address, talking to the load balancer."""
    sessions = []

    def make(source: str = "127.0.0.1") -> requests.Session:
        session = requests.Session()
        adapter = _SourceAdapter(source)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        # Not the environment's CA bundle or proxies: the stack's own certificate, direct.
        session.trust_env = False
        session.verify = str(stack.cert)
        # Django's CSRF check over HTTPS wants the page's own origin.
        session.headers.update({"Origin": stack.url, "Referer": stack.url + "/"})
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        session.close()
