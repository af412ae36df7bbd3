"""The smoke tests' data, created in the running stack's database with its settings
(``Stack.seed`` runs ``python -m tests.stack.seed`` as the web user) and printed as one
JSON line: a partner with a second factor and a case, a private and a public document,
and a page scheduled to go live in a few seconds. All synthetic."""

import io
import json

import django

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.images import ImageFile  # noqa: E402
from django.utils import timezone  # noqa: E402

from wagtail.documents import get_document_model  # noqa: E402
from wagtail.images import get_image_model  # noqa: E402
from wagtail.models import Collection, CollectionViewRestriction  # noqa: E402

from PIL import Image  # noqa: E402

from casework.roles import PROCESREGISSEUR  # noqa: E402
from portal.demo import load_home, load_reference_data  # noqa: E402
from portal.models import StandardPage  # noqa: E402
from tests.casework.factories import (  # noqa: E402
    CaseFactory,
    OrganisationFactory,
    partner_user,
    staff_user,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SCHEDULED_IN_SECONDS = 8


def document(title: str, name: str, collection: Collection):
    doc = get_document_model()(title=title, collection=collection)
    doc.file.save(name, ContentFile(PDF), save=False)
    doc.save()
    return {"url": doc.url, "file": doc.file.name, "filename": doc.filename}


def image(collection: Collection) -> dict:
    """An uploaded image and the rendition pages show: only the latter is on disk for nginx."""
    data = io.BytesIO()
    Image.new("RGB", (16, 16), "teal").save(data, "PNG")
    picture = get_image_model()(
        title="Rookproef", collection=collection, file=ImageFile(data, name="rookproef.png")
    )
    picture.save()
    return {"rendition": picture.get_rendition("fill-8x8").url, "original": picture.file.name}


def main() -> dict:
    load_reference_data()
    home = load_home()
    organisation = OrganisationFactory(name="Gemeente Rookproef")
    partner = partner_user(organisation)
    case = CaseFactory(organisation=organisation, procesregisseur=staff_user(PROCESREGISSEUR))
    root = Collection.get_first_root_node()
    private = root.add_child(instance=Collection(name="Vertrouwelijk"))
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    page = home.add_child(
        instance=StandardPage(title="Rookproef gepland", slug="rookproef-gepland", live=False)
    )
    page.go_live_at = timezone.now() + timezone.timedelta(seconds=SCHEDULED_IN_SECONDS)
    page.save_revision().publish()
    page.refresh_from_db()
    return {
        "partner": {
            "email": partner.email,
            "password": "een-lang-wachtwoord-123",
            "totp_secret": partner.totp_secret,
        },
        "case": str(case.public_id),
        "private_document": document("Intern verslag", "intern-verslag.pdf", private),
        "public_document": document("Openbare folder", "openbare-folder.pdf", root),
        "image": image(root),
        # Not live yet: beat's publish_scheduled makes it so (the smoke test waits).
        "scheduled_page": {"url": f"/{page.slug}/", "live": page.live},
    }


print(json.dumps(main()))
