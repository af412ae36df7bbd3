"""Fixtures of the knowledge tests. ``demo_site`` and ``home`` (the demo, loaded once
per test process: tests/demo_database.py) come from tests/conftest.py."""

import pytest

from knowledge.models import KnowledgeIndexPage


@pytest.fixture
def knowledge_index(home):
    return KnowledgeIndexPage.objects.get()
