"""Business rules of the knowledge centre: expert questions and publication text."""

import io
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.mail import absolute_url, normalise_email, send_transactional

from .models import Expert, ExpertQuestion, ExpertRole, PublicationPage, QuestionStatus, Theme

if TYPE_CHECKING:
    from portal.types import AnyUser

logger = logging.getLogger(__name__)

CONFIRM_SALT = "knowledge.question.confirm"  # noqa: S105 - a signing namespace, not a secret


def expert_for_theme(*, theme: Theme) -> Expert | None:
    """Who answers questions on a theme: a procesregisseur first, then a partner expert."""
    experts = theme.experts.filter(active=True)
    return (
        experts.filter(role=ExpertRole.PROCESREGISSEUR).order_by("name").first()
        or experts.order_by("name").first()
    )


def _address_verified(user: "AnyUser | None", email: str) -> bool:
    """The signed-in user has confirmed this address with their account (allauth)."""
    if user is None or not user.is_authenticated or not email:
        return False
    from allauth.account.models import EmailAddress

    return bool(EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists())


def _forward_on_commit(pk: int) -> None:
    """After the commit: the question to the expert(s) and its copy to the asker.

    Robust: when the tasks run in-process (no broker) or the broker hiccups, a mail
    failure is logged instead of turning the stored question into an error page, and
    one failing mail does not stop the other.
    """
    from .tasks import acknowledge_question, notify_experts_of_question

    transaction.on_commit(lambda: acknowledge_question.delay(pk), robust=True)
    transaction.on_commit(lambda: notify_experts_of_question.delay(pk), robust=True)


@transaction.atomic
def question_submit(
    *,
    theme: Theme,
    question: str,
    name: str,
    email: str,
    organisation: str = "",
    expert: Expert | None = None,
    user: "AnyUser | None" = None,
) -> ExpertQuestion:
    """Store a question first; then ask the asker to confirm the address (retried task).

    The question is committed before any mail is attempted, so a mail server that is
    down never loses it. Until the address is confirmed (``question_confirm_email``)
    nothing the asker wrote leaves the portal: the one mail is a request to confirm,
    without the name or the question, so the form cannot be used to send someone
    else words or links from our address. A signed-in user who gives an address
    verified for their account is confirmed at once; the question goes on directly.
    """
    from .tasks import request_question_confirmation

    routed = expert if expert is not None and expert.active else expert_for_theme(theme=theme)
    email = normalise_email(email)
    confirmed = _address_verified(user, email)
    item = ExpertQuestion.objects.create(
        theme=theme,
        expert=routed,
        question=question,
        name=name,
        email=email,
        organisation=organisation,
        email_confirmed_at=timezone.now() if confirmed else None,
    )
    pk = item.pk
    if confirmed:
        _forward_on_commit(pk)
    else:
        transaction.on_commit(lambda: request_question_confirmation.delay(pk), robust=True)
    return item


def _unconfirmed_term() -> timedelta:
    return timedelta(days=settings.RETENTION_DAYS["knowledge_unconfirmed"])


def question_confirmation_token(*, question: ExpertQuestion) -> str:
    """The signed token in the confirmation link; valid for the unconfirmed term."""
    return signing.dumps(question.pk, salt=CONFIRM_SALT)


def question_from_confirmation_token(*, token: str) -> ExpertQuestion | None:
    """The question a confirmation link belongs to; None when forged, expired or gone."""
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=_unconfirmed_term())
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(pk, int):
        return None
    question: ExpertQuestion | None = (
        ExpertQuestion.objects.select_related("theme")
        .filter(pk=pk, personal_data_purged_at__isnull=True)
        .first()
    )
    return question


def question_request_confirmation(*, question_id: int) -> bool:
    """Mail the address a link to confirm it. Raises on mail errors so the task retries.

    The mail carries nothing the asker typed: no name, no question, no organisation.
    Whoever fills in someone else's address sends that person only our own text.
    """
    item = ExpertQuestion.objects.filter(pk=question_id).first()
    if item is None or item.email_confirmed_at or item.confirmation_sent_at or not item.email:
        return False
    link = absolute_url(
        reverse("knowledge:ask_confirm", args=[question_confirmation_token(question=item)])
    )
    body = _(
        "Hello,\n\n"
        'Someone, hopefully you, asked a question through "Ask the expert" on the website of '
        "the Zorg- en Veiligheidshuis Brabant Zuidoost and gave this e-mail address. Before we "
        "pass the question on to our experts, please confirm that this address is yours: open "
        "this link and press the button.\n\n%(link)s\n\n"
        "Did you not ask a question? Then ignore this e-mail: without confirmation the question "
        "is not sent on, and we delete it within %(days)s days.\n\n"
        "Kind regards,\nZorg- en Veiligheidshuis Brabant Zuidoost"
    ) % {"link": link, "days": settings.RETENTION_DAYS["knowledge_unconfirmed"]}
    send_transactional(to=[item.email], subject=_("Please confirm your e-mail address"), text=body)
    ExpertQuestion.objects.filter(pk=item.pk).update(confirmation_sent_at=timezone.now())
    return True


@transaction.atomic
def question_confirm_email(*, question: ExpertQuestion) -> bool:
    """The asker pressed the button behind the link: the question goes to the expert(s)
    and a copy to the asker (both retried tasks). False when it was confirmed before."""
    item = ExpertQuestion.objects.select_for_update().get(pk=question.pk)
    if item.email_confirmed_at is not None:
        return False
    item.email_confirmed_at = timezone.now()
    item.save(update_fields=["email_confirmed_at"])
    question.email_confirmed_at = item.email_confirmed_at
    _forward_on_commit(item.pk)
    return True


def question_purge_unconfirmed(*, now=None) -> int:
    """Delete questions whose address was not confirmed within the term
    (``settings.RETENTION_DAYS["knowledge_unconfirmed"]``): nobody but the portal
    ever saw them, and they may carry someone else's address."""
    now = now or timezone.now()
    deleted, _by_model = ExpertQuestion.objects.filter(
        email_confirmed_at__isnull=True, created_at__lt=now - _unconfirmed_term()
    ).delete()
    return deleted


def question_recipients(*, question: ExpertQuestion) -> list[str]:
    """Who is told of a new question: its expert, or else every active expert of the theme."""
    if question.expert is not None and question.expert.active and question.expert.email:
        return [question.expert.email]
    return sorted(
        set(
            question.theme.experts.filter(active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def question_notify_experts(*, question_id: int) -> bool:
    """Mail the expert(s) that a question waits in the admin. Raises on mail errors (retry).

    The mail carries the question and a link to the advice request, not the asker's
    name or address: those stay in the portal, where they are purged on schedule.
    """
    item = ExpertQuestion.objects.select_related("theme", "expert").get(pk=question_id)
    if item.expert_notified_at or item.email_confirmed_at is None:
        return False
    recipients = question_recipients(question=item)
    if not recipients:
        # Nobody with an address for this theme: staff see it in the admin list.
        logger.warning("Expert question %s has no expert to notify", item.pk)
        return False
    link = absolute_url(reverse("expert_questions:edit", args=[item.pk]))
    body = _(
        'A new question was asked through "Ask the expert" on the theme %(theme)s.\n\n'
        "Question:\n%(question)s\n\n"
        "Answer or refer it in the portal (the asker receives your answer by e-mail):\n"
        "%(link)s\n\n"
        "The asker has received a confirmation that the answer usually follows within five "
        "working days."
    ) % {"theme": item.theme.name, "question": item.question, "link": link}
    send_transactional(
        to=recipients,
        subject=_("New question for the expert: %(theme)s") % {"theme": item.theme.name},
        text=body,
    )
    ExpertQuestion.objects.filter(pk=item.pk).update(expert_notified_at=timezone.now())
    return True


def question_acknowledge(*, question_id: int) -> bool:
    """Send the asker a copy of the question, once the address is confirmed. Raises on
    mail errors so the task retries."""
    item = ExpertQuestion.objects.select_related("theme", "expert").get(pk=question_id)
    if item.acknowledged_at or not item.email or item.email_confirmed_at is None:
        return False
    body = _(
        "Dear %(name)s,\n\n"
        "Thank you for your question on the theme %(theme)s. We have received it and an expert "
        "of the Zorg- en Veiligheidshuis Brabant Zuidoost will answer you, usually within five "
        "working days.\n\nYour question:\n%(question)s\n\n"
        "Kind regards,\nZorg- en Veiligheidshuis Brabant Zuidoost"
    ) % {"name": item.name, "theme": item.theme.name, "question": item.question}
    send_transactional(to=[item.email], subject=_("We have received your question"), text=body)
    ExpertQuestion.objects.filter(pk=item.pk).update(acknowledged_at=timezone.now())
    return True


@transaction.atomic
def question_answer(
    *, question: ExpertQuestion, status: str, answer: str = "", expert: Expert | None = None
) -> ExpertQuestion:
    """Record the answer or referral and mail it to the asker (retried task).

    Closing a question starts its retention period. The mail goes once per closing:
    editing the answer text afterwards only corrects the record; reopening and closing
    again (or changing answered into referred) mails the asker again.
    """
    from .tasks import send_question_reply

    previous = (
        ExpertQuestion.objects.filter(pk=question.pk).values_list("status", flat=True).first()
    )
    question.status = status
    question.answer = answer
    if expert is not None:
        question.expert = expert
    if status == QuestionStatus.OPEN:
        question.closed_at = None
        question.reply_sent_at = None
    else:
        if question.closed_at is None:
            question.closed_at = timezone.now()
        if previous != status:
            question.reply_sent_at = None
    question.save()
    if status != QuestionStatus.OPEN and question.reply_sent_at is None:
        send_question_reply.delay_on_commit(question.pk)
    return question


def question_send_reply(*, question_id: int) -> bool:
    """Mail the answer or referral to the asker. Raises on mail errors so the task retries."""
    item = ExpertQuestion.objects.select_related("theme").get(pk=question_id)
    if item.reply_sent_at or item.status == QuestionStatus.OPEN or not item.email:
        return False
    if item.email_confirmed_at is None:  # the reply quotes the question: never unconfirmed
        return False
    context = {
        "name": item.name,
        "theme": item.theme.name,
        "question": item.question,
        "answer": item.answer,
    }
    if item.status == QuestionStatus.REFERRED:
        subject = _("Your question has been referred")
        body = (
            _(
                "Dear %(name)s,\n\n"
                "Thank you for your question on the theme %(theme)s. Another organisation is "
                "better placed to answer it, so we have referred it:\n\n%(answer)s\n\n"
                "Your question:\n%(question)s\n\n"
                "Kind regards,\nZorg- en Veiligheidshuis Brabant Zuidoost"
            )
            % context
        )
    else:
        subject = _("The answer to your question")
        body = (
            _(
                "Dear %(name)s,\n\n"
                "Thank you for your question on the theme %(theme)s. Our answer:\n\n%(answer)s\n\n"
                "Your question:\n%(question)s\n\n"
                "Kind regards,\nZorg- en Veiligheidshuis Brabant Zuidoost"
            )
            % context
        )
    send_transactional(to=[item.email], subject=subject, text=body)
    ExpertQuestion.objects.filter(pk=item.pk).update(reply_sent_at=timezone.now())
    return True


# A mail that has not gone out this long after it was due is queued again; the send
# services check their "sent" mark first, so a late duplicate task sends nothing.
QUESTION_MAIL_RESEND_AFTER = timedelta(minutes=30)
QUESTION_MAIL_RESEND_WITHIN = timedelta(days=7)


def question_mails_resend(*, now=None) -> dict:
    """Queue again the question mails that never went out: the broker was down when the
    question was stored, confirmed or answered, or the retries ran out. Run hourly by
    beat; each question is re-queued at most once per run, only within a week of being
    due (a confirmation request only while its link is still valid)."""
    from .tasks import (
        acknowledge_question,
        notify_experts_of_question,
        request_question_confirmation,
        send_question_reply,
    )

    now = now or timezone.now()
    due = now - QUESTION_MAIL_RESEND_AFTER
    window = now - QUESTION_MAIL_RESEND_WITHIN
    unrequested = list(
        ExpertQuestion.objects.filter(
            created_at__lte=due,
            created_at__gte=max(window, now - _unconfirmed_term()),
            email_confirmed_at__isnull=True,
            confirmation_sent_at__isnull=True,
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    fresh = ExpertQuestion.objects.filter(
        email_confirmed_at__lte=due, email_confirmed_at__gte=window
    )
    unacknowledged = list(
        fresh.filter(acknowledged_at__isnull=True).exclude(email="").values_list("pk", flat=True)
    )
    unnotified = list(fresh.filter(expert_notified_at__isnull=True).values_list("pk", flat=True))
    unanswered = list(
        ExpertQuestion.objects.filter(
            closed_at__lte=due,
            closed_at__gte=window,
            reply_sent_at__isnull=True,
            email_confirmed_at__isnull=False,
        )
        .exclude(status=QuestionStatus.OPEN)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    for task, pks in (
        (request_question_confirmation, unrequested),
        (acknowledge_question, unacknowledged),
        (notify_experts_of_question, unnotified),
        (send_question_reply, unanswered),
    ):
        for pk in pks:
            try:
                task.delay(pk)
            except Exception as exc:  # noqa: BLE001 - the next hourly run tries again
                logger.warning("question mail not queued", extra={"error": type(exc).__name__})
    return {
        "confirmation_requests": len(unrequested),
        "acknowledgements": len(unacknowledged),
        "expert_notifications": len(unnotified),
        "replies": len(unanswered),
    }


def question_purge_personal_data(*, now=None) -> int:
    """Blank the asker's name, e-mail and organisation once the retention period is over.

    Closed questions: ``settings.RETENTION_DAYS["knowledge_question"]`` after closing.
    Questions left open: twice that period after asking. The question and answer stay,
    anonymous, as knowledge for the centre.
    """
    now = now or timezone.now()
    days = settings.RETENTION_DAYS["knowledge_question"]
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
