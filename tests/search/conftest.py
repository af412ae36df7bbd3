"""Search fixtures: a small known corpus (``corpus_index``) and the demo (``module_demo``)."""

from wagtail.models import Site

import pytest

from search import navigation, services
from search.backends import get_backend
from tests import demo_database

from .corpus import DOCS

BACKENDS = ["database", "elasticsearch"]


@pytest.fixture(autouse=True)
def _fresh_lexicon():
    """A test's writes are rolled back, but the lexicon its process loaded meanwhile
    (and the main sections it cached) would stay: every test starts from the
    database's own."""
    yield
    services.lexicon_invalidate()
    navigation.sections_forget()


@pytest.fixture(params=BACKENDS)
def backend_name(request, settings):
    if request.param == "elasticsearch" and not settings.ELASTICSEARCH_URL:
        pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch server on this machine")
    return request.param


@pytest.fixture
def corpus_index(db, backend_name):
    """The known corpus indexed on ``backend_name``; returns a search function."""
    from portal.demo import load_reference_data

    load_reference_data()
    services.synonyms_ensure_defaults()
    services.vocabulary_rebuild(texts=[f"{d.title} {d.summary} {d.body}" for d in DOCS])
    get_backend(backend_name).rebuild(DOCS, services.lexicon_get(), lambda n: None)

    def search(text, **kwargs):
        return services.search_query(text=text, backend=backend_name, **kwargs)

    return search


@pytest.fixture(scope="module")
def module_demo(django_db_setup, django_db_blocker):
    """The demo with a full search rebuild, once per module: the test database becomes
    a copy of the demo template (tests/demo_database.py), rebuilt, and goes back to
    its freshly migrated state when the module ends."""
    with django_db_blocker.unblock():
        demo_database.replace_test_database_with_demo()
        services.search_rebuild()
    yield
    with django_db_blocker.unblock():
        demo_database.restore_migrated_test_database()


@pytest.fixture
def demo_site(module_demo, db):
    return Site.objects.get(is_default_site=True)


@pytest.fixture
def home(demo_site):
    return demo_site.root_page.specific
