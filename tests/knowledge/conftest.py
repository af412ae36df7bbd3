"""Fixtures of the knowledge tests.

Loading the demo (~40 articles) takes seconds on this machine, so it is loaded once
per test module (``module_demo``) and every test runs in a transaction that is rolled
back; the module's teardown flushes the database for the next module.
"""

from django.core.management import call_command

from wagtail.models import Site

import pytest

from knowledge.models import KnowledgeIndexPage


@pytest.fixture(scope="module")
def module_demo(django_db_setup, django_db_blocker):
    from portal import demo

    with django_db_blocker.unblock():
        demo.load()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_site(module_demo, db):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home(demo_site):
    return demo_site.root_page.specific


@pytest.fixture
def knowledge_index(home):
    return KnowledgeIndexPage.objects.get()
