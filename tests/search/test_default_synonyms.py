"""Every default synonym and acronym group finds its pages, whichever member is typed.

One page per group uses the group's first member, another its last; a search for any
member must find both (search/data/synonyms_nl.txt).
"""

import pytest

from search import services
from search.backends import get_backend
from search.documents import IndexedDoc
from search.query import default_synonyms

pytestmark = pytest.mark.django_db

GROUPS = [[m.strip() for m in terms.split("=") if m.strip()] for terms, _note in default_synonyms()]


def _doc(page_id: int, member: str) -> IndexedDoc:
    text = member.strip('"')
    return IndexedDoc(
        page_id,
        "knowledge.expertisearticlepage",
        f"/s/{page_id}/",
        f"Pagina {page_id}",
        "",
        f"Over {text} in de praktijk.",
        "achtergrond",
        "",
        None,
        [],
    )


@pytest.fixture
def synonym_pages(backend_name):
    docs = []
    for number, members in enumerate(GROUPS):
        docs += [_doc(1000 + 2 * number, members[0]), _doc(1001 + 2 * number, members[-1])]
    services.synonyms_ensure_defaults()
    services.vocabulary_rebuild(texts=[d.body for d in docs])
    get_backend(backend_name).rebuild(docs, services.lexicon_get(), lambda n: None)
    return backend_name


def test_the_default_list_covers_the_field():
    acronyms = {members[0] for members in GROUPS}
    for expected in ["Wmo", "Wzd", "VT", "OGGZ", "GGZ", "Bibob", "OM", "RvdK", "3RO", "GGD"]:
        assert expected in acronyms


@pytest.mark.parametrize(
    ("number", "member"),
    [(n, member) for n, members in enumerate(GROUPS) for member in members],
)
def test_each_member_of_each_default_group_finds_both_pages(synonym_pages, number, member):
    results = services.search_query(
        text=member.strip('"'), backend=synonym_pages, page_size=len(GROUPS) * 2
    )
    found = {hit.page_id for hit in results.hits}
    assert {1000 + 2 * number, 1001 + 2 * number} <= found, GROUPS[number]
