"""Case meetings (casusoverleg): planning one with the involved partners, the
content-free invitation with its .ics, and the minutes with attendance afterwards."""

import datetime
import functools
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.mail import absolute_url, send_transactional

from .. import audit, ics
from ..models import Case, CaseMeeting, MeetingInvitee, Membership, PartnerOrganisation
from ..selectors import users_to_notify
from ._common import CaseworkError, _require_open, _require_staff, _require_write_access
from .messaging import _after_commit_quietly, _notify

TEXT_LIMIT = 10_000


def involved_organisations(case: Case) -> list[PartnerOrganisation]:
    """The registering organisation and every organisation the case is shared with:
    the only ones that can be invited or own an action (they can see the case)."""
    ids = {case.organisation_id, *case.shares.values_list("organisation_id", flat=True)}
    return list(PartnerOrganisation.objects.filter(pk__in=ids - {None}).order_by("name"))


def _clean_text(value: str, label: str) -> str:
    value = value.strip()
    if len(value) > TEXT_LIMIT:
        raise CaseworkError(
            _("%(field)s is too long (at most %(limit)s characters).")
            % {"field": label, "limit": TEXT_LIMIT}
        )
    return value


@transaction.atomic
def meeting_plan(
    *,
    case: Case,
    actor: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    organisations: Iterable[PartnerOrganisation],
    people: Iterable[User] = (),
    location: str = "",
    online_url: str = "",
    agenda: str = "",
    request: HttpRequest | None = None,
) -> CaseMeeting:
    """Plan a casusoverleg. Each invited person gets a content-free e-mail with an .ics;
    an invited organisation without chosen people is invited as a whole (its active
    members)."""
    _require_staff(actor)
    _require_write_access(actor, case)
    _require_open(case)
    if ends_at <= starts_at:
        raise CaseworkError(_("The meeting must end after it starts."))
    location = _clean_text(location, _("Place"))
    online_url = _clean_text(online_url, _("Online link"))
    if not location and not online_url:
        raise CaseworkError(_("Give a place or an online link for the meeting."))
    chosen = list(dict.fromkeys(organisations))
    if not chosen:
        raise CaseworkError(_("Invite at least one partner organisation."))
    involved = {organisation.pk for organisation in involved_organisations(case)}
    if any(organisation.pk not in involved for organisation in chosen):
        raise CaseworkError(_("This organisation is not involved in the case."))
    chosen_ids = {organisation.pk for organisation in chosen}
    memberships = {
        membership.user_id: membership
        for membership in Membership.objects.filter(
            organisation_id__in=chosen_ids, user__is_active=True
        ).select_related("user", "organisation")
    }
    people = list(dict.fromkeys(people))
    if any(person.pk not in memberships for person in people):
        raise CaseworkError(_("Invite only people of the invited organisations."))
    with_people = {memberships[person.pk].organisation_id for person in people}
    invited = [memberships[person.pk] for person in people] + [
        membership
        for membership in memberships.values()
        if membership.organisation_id not in with_people
    ]
    meeting = CaseMeeting.objects.create(
        case=case,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        online_url=online_url,
        agenda=_clean_text(agenda, _("Agenda")),
        created_by=actor,
    )
    meeting.organisations.set(chosen)
    MeetingInvitee.objects.bulk_create(
        MeetingInvitee(meeting=meeting, user=membership.user, organisation=membership.organisation)
        for membership in invited
    )
    audit.record(
        action="meeting.plan",
        user=actor,
        request=request,
        obj=case,
        purpose=f"meeting={meeting.public_id}; invited={len(invited)}",
    )
    from .. import tasks

    for membership in invited:
        if membership.user.email:
            _after_commit_quietly(
                functools.partial(
                    tasks.send_meeting_invitation.delay, meeting.pk, membership.user_id
                ),
                mail="meeting_invitation",
                meeting_id=meeting.pk,
            )
    return meeting


def meeting_invitation_send(*, meeting_id: int, user_id: int) -> bool:
    """The invitation: "Casusoverleg ZVH", the time, a link and an .ics, never the case
    (no reference, no subject, no place: the place can say who it is about). Sent only
    while the person is still invited and may still see the case. Mail errors
    propagate: the Celery task retries them."""
    meeting = (
        CaseMeeting.objects.filter(pk=meeting_id, cancelled_at__isnull=True)
        .select_related("case")
        .first()
    )
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if meeting is None or user is None or not user.email:
        return False
    if not meeting.invitees.filter(user=user).exists():
        return False
    if not users_to_notify(meeting.case, [user]):
        return False
    link = absolute_url(reverse("casework:case_detail", args=[meeting.case.public_id]))
    local = timezone.localtime(meeting.starts_at, ics.AMSTERDAM)
    with translation.override(settings.LANGUAGE_CODE):
        send_transactional(
            to=[user.email],
            subject=_("Invitation: case meeting on %(date)s")
            % {"date": local.strftime("%d-%m-%Y %H:%M")},
            text=_(
                "You are invited to a case meeting (casusoverleg) of the Zorg- en "
                "Veiligheidshuis on %(date)s. The place or online link and the agenda are "
                "in the secure environment:\n\n%(link)s\n\nThe attached calendar file "
                "adds the meeting to your calendar.\n"
            )
            % {"date": local.strftime("%d-%m-%Y %H:%M"), "link": link},
            attachments=[("casusoverleg.ics", ics.meeting_bytes(meeting), ics.MIME_REQUEST)],
        )
    return True


@transaction.atomic
def meeting_record_minutes(
    *,
    meeting: CaseMeeting,
    actor: User,
    minutes: str,
    decisions: str = "",
    attended: Iterable[int] = (),
    request: HttpRequest | None = None,
) -> CaseMeeting:
    """The verslag after the meeting: minutes, decisions and who attended (invitee
    ids). Saving again replaces them. The invitees get a content-free "there is news"."""
    case = meeting.case
    _require_staff(actor)
    _require_write_access(actor, case)
    meeting = CaseMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled_at is not None:
        raise CaseworkError(_("This meeting was cancelled."))
    if meeting.starts_at > timezone.now():
        raise CaseworkError(_("Minutes can be recorded once the meeting has started."))
    minutes = _clean_text(minutes, _("Minutes"))
    if not minutes:
        raise CaseworkError(_("Write the minutes first."))
    present = set(attended)
    invitees = list(meeting.invitees.select_related("user"))
    if not present <= {invitee.pk for invitee in invitees}:
        raise CaseworkError(_("Choose attendees from the invited people."))
    first_time = meeting.minutes_recorded_at is None
    meeting.minutes = minutes
    meeting.decisions = _clean_text(decisions, _("Decisions"))
    meeting.minutes_recorded_at = timezone.now()
    meeting.save(update_fields=["minutes", "decisions", "minutes_recorded_at"])
    for invitee in invitees:
        invitee.attended = invitee.pk in present
    MeetingInvitee.objects.bulk_update(invitees, ["attended"])
    audit.record(
        action="meeting.minutes",
        user=actor,
        request=request,
        obj=case,
        purpose=f"meeting={meeting.public_id}; attended={len(present)}",
    )
    if first_time:
        _notify(case, [invitee.user for invitee in invitees])
    return meeting
