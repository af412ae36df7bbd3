"""Business rules of the knowledge centre: expert questions and publication text."""

import io
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Expert, ExpertQuestion, ExpertRole, PublicationPage, QuestionStatus, Theme

logger = logging.getLogger(__name__)


def expert_for_theme(*, theme: Theme) -> Expert | None:
    """Who answers questions on a theme: a procesregisseur first, then a partner expert."""
    experts = theme.experts.filter(active=True)
    return (
        experts.filter(role=ExpertRole.PROCESREGISSEUR).order_by("name").first()
        or experts.order_by("name").first()
    )


@transaction.atomic
def question_submit(
    *,
    theme: Theme,
    question: str,
    name: str,
    email: str,
    organisation: str = "",
    expert: Expert | None = None,
) -> ExpertQuestion:
    """Store a question first, then acknowledge it by e-mail in a retried task.

    The question is committed before any mail is attempted, so a mail server
    that is down never loses it.
    """
    from .tasks import acknowledge_question

    routed = expert if expert is not None and expert.active else expert_for_theme(theme=theme)
    item = ExpertQuestion.objects.create(
        theme=theme,
        expert=routed,
        question=question,
        name=name,
        email=email,
        organisation=organisation,
    )
    acknowledge_question.delay_on_commit(item.pk)
    return item


def question_acknowledge(*, question_id: int) -> bool:
    """Send the asker a confirmation. Raises on mail errors so the task retries."""
    item = ExpertQuestion.objects.select_related("theme", "expert").get(pk=question_id)
    if item.acknowledged_at or not item.email:
        return False
    body = _(
        "Dear %(name)s,\n\n"
        "Thank you for your question on the theme %(theme)s. We have received it and an expert "
        "of the Zorg- en Veiligheidshuis Brabant Zuidoost will answer you, usually within five "
        "working days.\n\nYour question:\n%(question)s\n\n"
        "Kind regards,\nZorg- en Veiligheidshuis Brabant Zuidoost"
    ) % {"name": item.name, "theme": item.theme.name, "question": item.question}
    message = EmailMessage(
        subject=_("We have received your question"),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[item.email],
    )
    message.send(fail_silently=False)
    ExpertQuestion.objects.filter(pk=item.pk).update(acknowledged_at=timezone.now())
    return True


@transaction.atomic
def question_answer(
    *, question: ExpertQuestion, status: str, answer: str = "", expert: Expert | None = None
) -> ExpertQuestion:
    """Record the answer or referral; closing a question starts its retention period."""
    question.status = status
    question.answer = answer
    if expert is not None:
        question.expert = expert
    if status == QuestionStatus.OPEN:
        question.closed_at = None
    elif question.closed_at is None:
        question.closed_at = timezone.now()
    question.save()
    return question


def question_purge_personal_data(*, now=None) -> int:
    """Blank the asker's name, e-mail and organisation once the retention period is over.

    Closed questions: KNOWLEDGE_QUESTION_RETENTION_DAYS after closing. Questions left
    open: twice that period after asking. The question and answer stay, anonymous,
    as knowledge for the centre.
    """
    now = now or timezone.now()
    days = settings.KNOWLEDGE_QUESTION_RETENTION_DAYS
    due = ExpertQuestion.objects.filter(personal_data_purged_at__isnull=True).filter(
        Q(closed_at__lt=now - timedelta(days=days))
        | Q(closed_at__isnull=True, created_at__lt=now - timedelta(days=2 * days))
    )
    return due.update(name="", email="", organisation="", personal_data_purged_at=now)


def publication_extract_text(*, page_id: int) -> int:
    """Extract the text of a publication's PDF with pypdf and store it for search."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    page = PublicationPage.objects.select_related("document").get(pk=page_id)
    try:
        with page.document.open_file() as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
            text = "\n".join((p.extract_text() or "") for p in reader.pages)
    except (PdfReadError, OSError, ValueError):
        # A broken or non-PDF upload: searchable by title and summary only.
        logger.warning("Could not extract text from publication %s", page_id)
        text = ""
    text = " ".join(text.split())
    PublicationPage.objects.filter(pk=page_id).update(
        extracted_text=text, extracted_at=timezone.now()
    )
    # The text changed after the page was published: index it again.
    from search.services import search_schedule_page

    search_schedule_page(page_id=page_id)
    return len(text)
