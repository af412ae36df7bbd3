"""The closing-satisfaction survey: recipients, single-use links and their mails,
answers, reminders, follow-up tasks for strongly negative answers, and clearing
spent addresses."""

import functools
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal import locks
from portal.mail import absolute_url, send_transactional

from .. import audit
from ..models import (
    Case,
    FollowUpTask,
    PartnerOrganisation,
    SurveyInvitation,
    SurveyResponse,
    TimelineEntry,
)
from ..selectors import organisation_of, users_to_notify
from ._common import CaseworkError, _require_staff, logger
from .messaging import _after_commit_quietly

# A strongly negative answer: satisfaction (overall or with the process direction) of 1
# or 2 out of 5, or a rapportcijfer of 4 or lower. With consent it becomes a follow-up task.
NEGATIVE_SCALE_MAX = 2
NEGATIVE_GRADE_MAX = 4


class SurveyState(StrEnum):
    OPEN = "open"
    GONE = "gone"  # answered or expired: 410
    UNKNOWN = "unknown"  # no such token: 404


# Who is asked: (role, user, their organisation).
Recipient = tuple[str, User, PartnerOrganisation | None]


def survey_recipients(*, case: Case) -> list[Recipient]:
    """Who is asked, as (role, user, organisation); each person once.

    - the aanmelder: the user who registered the case, if active with an address;
    - the involved partners' contacts: the casusregisseur when a partner user of an
      involved organisation, and every partner user of a shared (involved)
      organisation who wrote a secure message on the case. Organisations nobody
      worked for on the case are not mailed as a whole.
    Only people who may still see the case are asked.
    """
    Role = SurveyInvitation.Role
    shared = set(case.shares.values_list("organisation_id", flat=True))
    involved = shared | {case.organisation_id}
    candidates: list[Recipient] = []
    if case.registered_by is not None:
        candidates.append((Role.AANMELDER, case.registered_by, case.organisation))
    partner_users: list[tuple[User, AbstractSet[int | None]]] = []
    if case.casusregisseur is not None:
        partner_users.append((case.casusregisseur, involved))
    writer_ids = case.timeline.filter(
        kind=TimelineEntry.Kind.MESSAGE, author_organisation_id__in=shared
    ).values("author_id")
    for writer in get_user_model().objects.filter(pk__in=writer_ids).order_by("pk"):
        partner_users.append((writer, shared))
    for user, allowed in partner_users:
        organisation = organisation_of(user)
        if organisation is not None and organisation.pk in allowed:
            candidates.append((Role.PARTNER, user, organisation))
    seen: set[int] = set()
    recipients: list[Recipient] = []
    for role, user, organisation in candidates:
        if user.pk in seen or not user.is_active or not user.email:
            continue
        seen.add(user.pk)
        recipients.append((role, user, organisation))
    may_see = {user.pk for user in users_to_notify(case, [row[1] for row in recipients])}
    return [row for row in recipients if row[1].pk in may_see]


def _survey_mail(
    *, reference: str, token: str, email: str, expires_at: datetime, reminder: bool
) -> None:
    """Only the reference and the link: no case content."""
    link = absolute_url(reverse("casework_survey:survey", args=[token]))
    with translation.override(settings.LANGUAGE_CODE):
        until = date_format(timezone.localtime(expires_at), "j F Y")
        values = {"reference": reference, "link": link, "date": until}
        if reminder:
            subject = _("Reminder: how satisfied are you? Case %(reference)s") % values
            intro = _(
                "A week ago we asked how satisfied you are with our work on case "
                "%(reference)s. If you have not answered yet, you can still do so until "
                "%(date)s."
            )
        else:
            subject = _("How satisfied are you? Case %(reference)s") % values
            intro = _(
                "The Zorg- en Veiligheidshuis has closed case %(reference)s. Would you tell "
                "us in two minutes how satisfied you are with our work? The link works once "
                "and is valid until %(date)s."
            )
        body = (
            intro % values
            + "\n\n"
            + link
            + "\n\n"
            + _("You do not need to sign in. Only ZVH staff see your answers.")
            + "\n"
        )
    send_transactional(to=[email], subject=subject, text=body)


def survey_invitations_create(
    *, case: Case, actor: User | None = None, request: HttpRequest | None = None
) -> list[SurveyInvitation]:
    """One single-use, expiring link per recipient; only the token's hash is stored."""
    now = timezone.now()
    expires_at = now + timedelta(days=settings.CASEWORK_SURVEY_DAYS)
    invitations: list[SurveyInvitation] = []
    mails: list[tuple[str, str]] = []  # (token, address)
    for role, user, organisation in survey_recipients(case=case):
        token = SurveyInvitation.new_token()
        invitations.append(
            SurveyInvitation.objects.create(
                case=case,
                role=role,
                organisation=organisation,
                user=user,
                email=user.email,
                token_hash=SurveyInvitation.hash_token(token),
                created_at=now,
                expires_at=expires_at,
            )
        )
        mails.append((token, user.email))
    audit.record(
        action="survey.invite",
        user=actor,
        request=request,
        obj=case,
        purpose=f"{len(invitations)} invitations",
    )
    reference = case.reference
    for token, email in mails:
        _after_commit_quietly(
            functools.partial(
                _survey_mail,
                reference=reference,
                token=token,
                email=email,
                expires_at=expires_at,
                reminder=False,
            ),
            mail="survey.invite",
        )
    return invitations


def _survey_open(invitation: SurveyInvitation) -> bool:
    return invitation.used_at is None and invitation.expires_at > timezone.now()


def survey_invitation_for_token(*, token: str) -> tuple[SurveyInvitation | None, SurveyState]:
    """The invitation behind a link, and whether it can still be answered."""
    if not token or len(token) > 128:
        return None, SurveyState.UNKNOWN
    digest = SurveyInvitation.hash_token(token)
    invitation = (
        SurveyInvitation.objects.select_related("case")
        .filter(Q(token_hash=digest) | Q(reminder_token_hash=digest))
        .first()
    )
    if invitation is None:
        return None, SurveyState.UNKNOWN
    return invitation, (SurveyState.OPEN if _survey_open(invitation) else SurveyState.GONE)


def survey_is_strongly_negative(*, overall: int, process: int, grade: int) -> bool:
    return (
        overall <= NEGATIVE_SCALE_MAX
        or process <= NEGATIVE_SCALE_MAX
        or grade <= NEGATIVE_GRADE_MAX
    )


def _managers() -> QuerySet[User]:
    """Active users holding view_all_cases through a role or directly."""
    has_perm = Q(
        groups__permissions__codename="view_all_cases",
        groups__permissions__content_type__app_label="casework",
    ) | Q(
        user_permissions__codename="view_all_cases",
        user_permissions__content_type__app_label="casework",
    )
    return get_user_model().objects.filter(has_perm, is_active=True).distinct()


def _notify_managers_of_follow_up() -> None:
    """A content-free e-mail: there is a follow-up task, and where to find it."""
    recipients = [user.email for user in _managers() if user.email]
    if not recipients:
        return
    link = absolute_url(reverse("casework:follow_up"))
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New follow-up task")
        body = _(
            "There is a new follow-up task in the secure environment. Sign in to see it:"
            "\n\n%(link)s\n"
        ) % {"link": link}
    for address in recipients:
        _after_commit_quietly(
            functools.partial(send_transactional, to=[address], subject=subject, text=body),
            mail="follow_up",
        )


@transaction.atomic
def survey_submit(
    *,
    invitation: SurveyInvitation,
    answers: Mapping[str, Any],
    user: User | None = None,
    request: HttpRequest | None = None,
) -> SurveyResponse:
    """Store the answers once; the link dies and the stored address is cleared.

    A strongly negative answer with consent to be contacted creates a follow-up task
    for the manager."""
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if user is not None and invitation.user_id != user.pk:
        raise CaseworkError(_("You are not allowed to do this."))
    if not _survey_open(invitation):
        raise CaseworkError(_("This survey has already been filled in or has expired."))
    overall, process, grade = answers["overall"], answers["process"], answers["grade"]
    if not (1 <= overall <= 5 and 1 <= process <= 5 and 1 <= grade <= 10):
        raise CaseworkError(_("Choose a score on each scale."))
    response = SurveyResponse.objects.create(
        invitation=invitation,
        case=invitation.case,
        role=invitation.role,
        overall=overall,
        process=process,
        grade=grade,
        would_involve_again=bool(answers["would_involve_again"]),
        went_well=(answers.get("went_well") or "").strip(),
        could_improve=(answers.get("could_improve") or "").strip(),
        contact_consent=bool(answers.get("contact_consent")),
    )
    invitation.used_at = response.submitted_at
    invitation.email = ""
    invitation.save(update_fields=["used_at", "email"])
    audit.record(
        action="survey.answer",
        user=user,
        request=request,
        obj=invitation.case,
        purpose=invitation.role,
    )
    if response.contact_consent and survey_is_strongly_negative(
        overall=overall, process=process, grade=grade
    ):
        task = FollowUpTask.objects.create(
            case=invitation.case,
            survey_response=response,
            # Stored untranslated; the follow-up page translates it.
            reason=gettext_noop("Strongly negative survey answer; consent to be contacted"),
        )
        audit.record(
            action="followup.create",
            user=user,
            request=request,
            obj=invitation.case,
            purpose=f"follow-up {task.pk}",
        )
        _notify_managers_of_follow_up()
    return response


def survey_reminders_send() -> int:
    """One reminder to each non-responder, CASEWORK_SURVEY_REMINDER_DAYS after the
    invitation. The reminder carries a new link (only hashes are kept); the first
    link keeps working too. Returns the number sent."""
    now = timezone.now()
    due = (
        SurveyInvitation.objects.filter(
            used_at__isnull=True,
            reminded_at__isnull=True,
            expires_at__gt=now,
            created_at__lte=now - timedelta(days=settings.CASEWORK_SURVEY_REMINDER_DAYS),
        )
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        try:
            sent += _survey_remind_one(pk=pk, now=now)
        except OSError as exc:
            # Mail server down: the reminder rolled back and goes out on the next run.
            logger.warning("survey reminder not sent", extra={"error": type(exc).__name__})
    return sent


def _survey_remind_one(*, pk: int, now: datetime) -> int:
    with transaction.atomic():
        invitation = locks.skip_locked(
            SurveyInvitation.objects.select_related("case").filter(
                pk=pk, reminded_at__isnull=True, used_at__isnull=True
            )
        ).first()
        if invitation is None or not invitation.email:
            return 0
        token = SurveyInvitation.new_token()
        invitation.reminder_token_hash = SurveyInvitation.hash_token(token)
        invitation.reminded_at = now
        invitation.save(update_fields=["reminder_token_hash", "reminded_at"])
        audit.record(action="survey.remind", obj=invitation.case, purpose=invitation.role)
        # Sent inside the transaction: if the mail fails, the reminder is not marked sent.
        _survey_mail(
            reference=invitation.case.reference,
            token=token,
            email=invitation.email,
            expires_at=invitation.expires_at,
            reminder=True,
        )
        return 1


@transaction.atomic
def survey_addresses_purge() -> int:
    """Clear the stored address of every answered or expired invitation."""
    done = SurveyInvitation.objects.filter(
        Q(used_at__isnull=False) | Q(expires_at__lte=timezone.now())
    ).exclude(email="")
    count = done.update(email="")
    if count:
        audit.record(action="survey.purge", object_type="surveyinvitation", object_id=str(count))
    return count


@transaction.atomic
def follow_up_complete(
    *, task: FollowUpTask, actor: User, note: str = "", request: HttpRequest | None = None
) -> FollowUpTask:
    """The manager marks a follow-up task done, with what was agreed."""
    _require_staff(actor, "view_all_cases")
    task = FollowUpTask.objects.select_for_update().select_related("case").get(pk=task.pk)
    if task.done_at is not None:
        raise CaseworkError(_("This follow-up task has already been completed."))
    task.done_at = timezone.now()
    task.done_by = actor
    task.note = note.strip()
    task.save(update_fields=["done_at", "done_by", "note"])
    audit.record(
        action="followup.done",
        user=actor,
        request=request,
        obj=task.case,
        purpose=f"follow-up {task.pk}",
    )
    return task
