"""Fixtures shared by the whole suite.

The database is real PostgreSQL (see portal/settings/test.py). ``demo_site``
loads the same demo content `make demo` loads, so tests look at what users see.
"""

from wagtail.models import Site

import pytest


@pytest.fixture
def demo_site(db):
    from portal import demo

    demo.load()
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home(demo_site):
    return demo_site.root_page.specific
