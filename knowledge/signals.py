"""Signal handlers: publishing a publication extracts its PDF text in the background."""

from wagtail.signals import page_published


def extract_text_on_publish(sender, instance, **kwargs):
    from .tasks import extract_publication_text

    extract_publication_text.delay_on_commit(instance.pk)


def connect() -> None:
    from .models import PublicationPage

    page_published.connect(
        extract_text_on_publish, sender=PublicationPage, dispatch_uid="knowledge_extract_pdf"
    )
