"""Attendance and accreditation: recording who was present, and the certificate
(issued once to those who meet the event's attendance rule, checked by its code)."""

import re
import secrets

from django.utils.translation import gettext as _

from ..models import Attendance, EventSession, Registration
from ..selectors import registration_meets_attendance_rule
from ._common import RegistrationError


def attendance_record(*, registration: Registration, session: EventSession, present: bool) -> None:
    Attendance.objects.update_or_create(
        registration=registration, session=session, defaults={"present": present}
    )


def certificate_issue(*, registration: Registration) -> str:
    """The verification code of the registration's certificate (created once)."""
    if not registration_meets_attendance_rule(registration=registration):
        raise RegistrationError(_("A certificate is only issued to people who attended."))
    if not registration.certificate_code:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        registration.certificate_code = "".join(secrets.choice(alphabet) for _ in range(10))
        registration.save(update_fields=["certificate_code"])
    return registration.certificate_code


def certificate_lookup(*, code: str) -> Registration | None:
    """The registration a certificate code belongs to, for the public check page."""
    if not re.fullmatch(r"[A-Z0-9]{10}", code):
        return None
    return (
        Registration.objects.select_related("event")
        .filter(certificate_code=code, anonymised_at__isnull=True)
        .first()
    )
