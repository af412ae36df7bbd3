"""Wagtail documents: an allow-list of office formats, always a download under a
sandboxing policy, and private collections enforced by the one view that serves them
(nginx does not serve /media/documents/: tests/stack)."""

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

import pytest

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def document(name: str, data: bytes = PDF, collection=None):
    doc = get_document_model()(
        title=name, collection=collection or Collection.get_first_root_node()
    )
    doc.file.save(name, ContentFile(data), save=False)
    return doc


@pytest.mark.parametrize("name", ["pagina.html", "tekening.svg", "script.js", "data.xml"])
def test_documents_that_a_browser_would_run_are_refused_at_upload(name):
    with pytest.raises(ValidationError) as refused:
        document(name, b"<svg onload='alert(1)'/>").full_clean()

    assert "file" in refused.value.message_dict


@pytest.mark.parametrize("name", ["verslag.pdf", "notulen.docx", "cijfers.xlsx", "lijst.csv"])
def test_office_documents_are_accepted(name):
    document(name).full_clean()


def test_a_document_is_a_download_under_a_sandboxing_policy(client):
    doc = document("folder.pdf")
    doc.save()

    response = client.get(doc.url)
    content = b"".join(response.streaming_content)
    response.close()

    assert response.status_code == 200
    assert content == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_document_in_a_private_collection_sends_the_anonymous_visitor_to_login(client):
    root = Collection.get_first_root_node()
    private = root.add_child(instance=Collection(name="Vertrouwelijk"))
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    doc = document("intern.pdf", collection=private)
    doc.save()

    response = client.get(doc.url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert b"%PDF" not in response.content


def test_wagtails_own_login_form_is_not_a_way_around_the_second_factor(client):
    """Private documents (and pages) send visitors to Wagtail's frontend login unless told
    otherwise; that form is Django's plain LoginView: password only, no second factor,
    no rate limit. It leads to allauth's login instead."""
    from tests.casework.factories import OrganisationFactory, partner_user

    partner = partner_user(OrganisationFactory())

    form = client.get("/_util/login/?next=/partners/")
    posted = client.post(
        "/_util/login/", {"username": partner.username, "password": "een-lang-wachtwoord-123"}
    )

    assert form.status_code == 302
    assert form["Location"] == "/accounts/login/?next=%2Fpartners%2F"
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")
    assert client.get("/partners/").status_code == 302  # not signed in
