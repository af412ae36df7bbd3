"""Privacy and retention: sensitive answers go after the event, registrations are
anonymised later (accreditation evidence later still), and a person can download or
erase what we hold about their registrations."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import SENSITIVE_QUESTION_KINDS, Registration
from ..selectors import registrations_of
from ._common import Status, _now
from .registration import registration_cancel


def privacy_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Sensitive answers go after the event; the rest is anonymised later (terms
    ``events_anonymise`` and ``events_accreditation`` of ``settings.RETENTION_DAYS``).

    Run by ``portal.retention.retention_run``. ``evidence_anonymised`` counts the
    registrations among ``anonymised`` that held accreditation evidence."""
    now = _now(now)
    stripped = 0
    past = Registration.objects.filter(event__ends_at__lt=now, anonymised_at__isnull=True)
    for registration in past.select_related("event").prefetch_related("event__questions"):
        sensitive = {
            q.key for q in registration.event.questions.all() if q.kind in SENSITIVE_QUESTION_KINDS
        }
        if sensitive & set(registration.answers):
            registration.answers = {
                k: v for k, v in registration.answers.items() if k not in sensitive
            }
            registration.save(update_fields=["answers"])
            stripped += 1
    anonymise_before = now - timedelta(days=settings.RETENTION_DAYS["events_anonymise"])
    keep_evidence_before = now - timedelta(days=settings.RETENTION_DAYS["events_accreditation"])
    # Accreditation evidence (name, register number, certificate) is kept for
    # its own, longer period; everyone else is anonymised after the first one.
    anonymise = Registration.objects.filter(
        anonymised_at__isnull=True, event__ends_at__lt=anonymise_before
    ).filter(Q(certificate_code="") | Q(event__ends_at__lt=keep_evidence_before))
    anonymised = evidence_anonymised = 0
    for registration in anonymise:
        if registration.certificate_code:
            evidence_anonymised += 1
        registration_anonymise(registration=registration, now=now)
        anonymised += 1
    return {
        "answers_stripped": stripped,
        "anonymised": anonymised,
        "evidence_anonymised": evidence_anonymised,
    }


def registration_anonymise(*, registration: Registration, now: datetime | None = None) -> None:
    """Remove everything personal; the row stays so counts and attendance figures stay."""
    registration.name = _("Anonymised")
    registration.email = f"geanonimiseerd-{registration.pk}@invalid"
    registration.user = None
    registration.answers = {}
    registration.register_number = ""
    registration.certificate_code = ""
    registration.anonymised_at = _now(now)
    if registration.is_active:
        registration.status = Status.CANCELLED
    registration.save()


def person_export(*, user: User) -> list[dict[str, Any]]:
    """Everything we hold about a person's registrations (the download on 'mijn trainingen')."""
    rows = []
    for r in registrations_of(user=user).select_related("event"):
        rows.append(
            {
                "event": r.event.title,
                "starts_at": r.event.starts_at.isoformat() if r.event.starts_at else None,
                "status": r.status,
                "name": r.name,
                "email": r.email,
                "answers": r.answers,
                "register_number": r.register_number,
                "registered_at": r.created_at.isoformat(),
                "attendance": [
                    {"session": str(a.session), "present": a.present} for a in r.attendances.all()
                ],
                "certificate_code": r.certificate_code,
            }
        )
    return rows


def person_delete_registrations(*, user: User, now: datetime | None = None) -> int:
    """Cancel what is still active (freeing seats) and anonymise everything."""
    now = _now(now)
    count = 0
    for registration in registrations_of(user=user):
        if registration.is_active:
            registration_cancel(registration=registration, by_staff=True, now=now)
            registration.refresh_from_db()
        registration_anonymise(registration=registration, now=now)
        count += 1
    return count
