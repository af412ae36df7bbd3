"""What a reader sees of files: the size next to a download, several sizes of an image
(srcset), and review dates that lie in the past."""

import datetime
import io
import re

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile

from wagtail.documents import get_document_model
from wagtail.images import get_image_model

import PIL.Image
import pytest

from knowledge.models import ExpertiseArticlePage, PublicationPage
from knowledge.templatetags.knowledge_tags import download_size
from portal.blocks import FigureBlock

from .factories import ThemeFactory, make_article

pytestmark = pytest.mark.django_db


def document_of(size: int):
    document = get_document_model()(title="Jaarverslag")
    document.file.save("jaarverslag.pdf", ContentFile(b"%PDF" + b"x" * (size - 4)), save=False)
    document.save()
    return document


@pytest.mark.parametrize(
    "size, shown",
    [(500, "1 kB"), (245_760, "240 kB"), (1_363_149, "1,3 MB")],
)
def test_a_download_size_is_shown_in_kilobytes_or_megabytes(size, shown, settings):
    settings.LANGUAGE_CODE = "nl"

    assert download_size(document_of(size)) == shown


def test_a_document_saved_without_a_size_is_measured_once():
    document = document_of(2048)
    type(document).objects.filter(pk=document.pk).update(file_size=None)
    document.refresh_from_db()

    assert download_size(document) == "2 kB"
    document.refresh_from_db()
    assert document.file_size == 2048


def test_every_demo_publication_shows_pdf_and_its_real_size(client, home):
    for publication in PublicationPage.objects.live():
        html = client.get(publication.url).content.decode()

        size = round(publication.document.file.size / 1024)
        assert f'<span class="download__meta">(PDF, {size} kB)</span>' in html, publication.url


def test_no_demo_article_was_reviewed_after_it_was_loaded(home):
    today = datetime.date.today()

    reviewed = ExpertiseArticlePage.objects.exclude(reviewed_on=None)
    assert reviewed.exists()
    assert [a.title for a in reviewed if a.reviewed_on > today] == []
    assert [a.title for a in reviewed if a.reviewed_on < a.publication_date] == []


# Wagtail leaves the temporary file of each new rendition to the garbage collector
# (wagtail/images/models.py, generate_rendition_file); not the portal's to close.
WAGTAIL_RENDITION_LEAK = pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*SpooledTemporaryFile:pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture
def image():
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (1600, 900), "#0b3d6e").save(buffer, "PNG")
    return get_image_model().objects.create(
        title="Overleg", file=ImageFile(buffer, name="overleg.png")
    )


@WAGTAIL_RENDITION_LEAK
def test_an_article_image_offers_three_widths_to_the_browser(client, knowledge_index, image):
    article = make_article(
        knowledge_index,
        title="Artikel met beeld",
        themes=[ThemeFactory()],
        image=image,
        image_alt="Drie mensen aan een tafel",
    )

    html = client.get(article.url).content.decode()

    header_image = re.search(r'<img[^>]*class="article-image"[^>]*>', html).group()
    assert 'alt="Drie mensen aan een tafel"' in header_image
    assert re.search(r'srcset="[^"]+ 480w, [^"]+ 960w, [^"]+ 1440w"', header_image)
    assert 'sizes="(max-width: 50rem) 100vw, 48rem"' in header_image


@WAGTAIL_RENDITION_LEAK
def test_an_image_in_a_page_body_offers_three_widths_to_the_browser(image):
    block = FigureBlock()
    value = block.to_python(
        {
            "image": {"image": image.pk, "alt_text": "Een overleg aan tafel", "decorative": False},
            "caption": "Een overleg",
        }
    )

    html = block.render(value)

    assert re.search(r'srcset="[^"]+ 400w, [^"]+ 800w, [^"]+ 1200w"', html)
    assert 'alt="Een overleg aan tafel"' in html
    assert "<figcaption>Een overleg</figcaption>" in html
