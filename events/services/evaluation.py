"""The evaluation: sent after the event to those who were present, answered once and
stored without a link to the registration. The questions and the results are reads:
``events.selectors.evaluation_questions`` and ``survey_summary``."""

from collections.abc import Mapping
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Registration, SurveyResponse
from ..selectors import evaluation_questions
from ._common import RegistrationError, Status, _notify, _now


def surveys_send(*, now: datetime | None = None) -> int:
    """Beat: after the event, the evaluation goes to people who were present only."""
    now = _now(now)
    due = Registration.objects.filter(
        status=Status.CONFIRMED,
        survey_sent_at__isnull=True,
        anonymised_at__isnull=True,
        event__is_cancelled=False,
        event__ends_at__lte=now,
        event__ends_at__gte=now - timedelta(days=14),
        attendances__present=True,
    ).distinct()
    count = 0
    for registration in due:
        if Registration.objects.filter(pk=registration.pk, survey_sent_at__isnull=True).update(
            survey_sent_at=now
        ):
            _notify(registration, "survey")
            count += 1
    return count


def survey_submit(*, registration: Registration, answers: Mapping[str, object]) -> SurveyResponse:
    """Store one attendee's evaluation; ``answers`` maps question keys to values."""
    questions = evaluation_questions(event=registration.event)
    stored: dict[str, dict[str, object]] = {}
    for question in questions:
        value = answers.get(question.key)
        if value in (None, ""):
            continue
        if isinstance(value, str):
            value = value.strip()
        stored[question.key] = {"label": question.label, "kind": question.kind, "value": value}
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.survey_sent_at is None:
            raise RegistrationError(_("This evaluation is only for people who attended."))
        if registration.survey_answered_at:
            raise RegistrationError(_("You have already filled in this evaluation. Thank you!"))
        registration.survey_answered_at = timezone.now()
        registration.save(update_fields=["survey_answered_at"])
        # Stored without a link to the registration: the answers stay anonymous.
        return SurveyResponse.objects.create(event=registration.event, answers=stored)
