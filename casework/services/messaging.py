"""Messages and notifications: secure messages between partners and regisseurs,
the content-free notification and confirmation e-mails, the after-commit mail
helpers the other services use, and what of the timeline a user sees."""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.mail import absolute_url, send_transactional
from portal.types import AnyUser

from .. import audit
from ..models import Case, PartnerOrganisation, TimelineEntry
from ..selectors import Access, organisation_of, users_to_notify
from ._common import CaseworkError, _require_open, _require_staff, _require_write_access, logger


def _notify(case: Case, users: Iterable[User]) -> None:
    """A content-free e-mail to each user who may see the case, one task per recipient."""
    for user in users_to_notify(case, users):
        if user.email:
            _enqueue_mail("send_case_notification", case.pk, user.pk)


def _after_commit_quietly(send: Callable[[], object], **context: object) -> None:
    """Run ``send`` (a mail, or queueing one) once the action has committed. If it fails
    (broker down; or, without a broker, the mail server), the saved action stands and a
    warning without content is logged. Survey links are sent this way, not queued in
    Celery (the token would sit in the broker, as with invitations); a lost first survey
    invitation is covered by the reminder, which carries a fresh link."""

    def run() -> None:
        try:
            send()
        except Exception as exc:  # noqa: BLE001 - the action has been saved already
            logger.warning("casework mail not sent", extra={**context, "error": type(exc).__name__})

    transaction.on_commit(run)


def _enqueue_mail(task_name: str, case_id: int, user_id: int) -> None:
    """Queue a mail task once the case action has committed."""
    from .. import tasks

    _after_commit_quietly(
        lambda: getattr(tasks, task_name).delay(case_id, user_id),
        task=task_name,
        case_id=case_id,
    )


def notification_send(*, case_id: int, user_id: int) -> bool:
    """Send "there is news" with a link and nothing else, if the user may still see the case.

    Mail errors propagate: the Celery task retries them."""
    case = Case.objects.filter(pk=case_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if case is None or user is None or not user.email or not users_to_notify(case, [user]):
        return False
    link = absolute_url(reverse("casework:case_detail", args=[case.public_id]))
    with translation.override(settings.LANGUAGE_CODE):
        send_transactional(
            to=[user.email],
            subject=_("New message in the secure environment"),
            text=_("There is news about one of your cases. Log in to read it:\n\n%(link)s\n")
            % {"link": link},
        )
    return True


def registration_confirmation_send(*, case_id: int, user_id: int) -> bool:
    """The aanmelder's confirmation: the reference and a link, never case content."""
    case = Case.objects.filter(pk=case_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if case is None or user is None or not user.email:
        return False
    link = absolute_url(reverse("casework:case_detail", args=[case.public_id]))
    with translation.override(settings.LANGUAGE_CODE):
        send_transactional(
            to=[user.email],
            subject=_("Registration received: %(reference)s") % {"reference": case.reference},
            text=_(
                "We have received your registration with reference %(reference)s.\n"
                "Follow it in the secure environment:\n\n%(link)s\n"
            )
            % {"reference": case.reference, "link": link},
        )
    return True


@transaction.atomic
def message_send(
    *,
    case: Case,
    author: User,
    body: str,
    to_organisation: PartnerOrganisation | None = None,
    request: HttpRequest | None = None,
) -> TimelineEntry:
    """A partner writes to the ZVH, or staff write to a partner organisation on the case."""
    _require_write_access(author, case)
    _require_open(case)
    body = body.strip()
    if not body:
        raise CaseworkError(_("Write a message first."))
    own_organisation = organisation_of(author)
    if own_organisation is not None:
        partner_organisation = own_organisation
        recipients: list[User] = [
            user for user in [case.procesregisseur, case.casusregisseur] if user
        ]
    else:
        # Messages are between partners and the regisseurs directing the case.
        _require_staff(author)
        if to_organisation is None:
            raise CaseworkError(_("Choose the organisation the message is for."))
        involved = {case.organisation_id, *case.shares.values_list("organisation_id", flat=True)}
        if to_organisation.pk not in involved:
            raise CaseworkError(_("This organisation is not involved in the case."))
        partner_organisation = to_organisation
        recipients = [
            membership.user
            for membership in to_organisation.memberships.select_related("user")
            if membership.user.is_active
        ]
    entry = TimelineEntry.objects.create(
        case=case,
        kind=TimelineEntry.Kind.MESSAGE,
        author=author,
        author_organisation=own_organisation,
        partner_organisation=partner_organisation,
        body=body,
    )
    audit.record(action="message.send", user=author, request=request, obj=case)
    _notify(case, recipients)
    return entry


def timeline_for(*, case: Case, user: AnyUser, access: Access | None) -> list[TimelineEntry]:
    """Staff and the registering organisation see everything on the timeline except
    messages with other partners; a shared partner sees status changes and its own messages."""
    entries = case.timeline.select_related("author")
    organisation = organisation_of(user)
    if organisation is None:
        return list(entries)
    visible: list[TimelineEntry] = []
    for entry in entries:
        if entry.kind == TimelineEntry.Kind.MESSAGE:
            if entry.partner_organisation_id == organisation.pk:
                visible.append(entry)
        elif (
            entry.kind == TimelineEntry.Kind.STATUS
            or access == Access.FULL
            and entry.kind
            in {
                TimelineEntry.Kind.ASSIGNMENT,
            }
        ):
            visible.append(entry)
    return visible
