"""Staff views in the Wagtail admin: registrations per event, attendance, exports,
messages to registrants, cancelling an event, survey results.

Every change goes through ``events.services``; these views only read and route.
"""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from openpyxl import Workbook

from . import services
from .models import ACTIVE_STATUSES, EventPage, Registration, RegistrationStatus


def _require(request, action: str) -> None:
    if not request.user.has_perm(f"events.{action}_registration"):
        raise PermissionDenied


def event_index(request):
    _require(request, "view")
    events = EventPage.objects.all().order_by("-starts_at")
    rows = []
    for event in events:
        counts = {
            status: event.registrations.filter(status=status).count()
            for status in [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]
        }
        rows.append((event, counts))
    return TemplateResponse(request, "events/admin/index.html", {"rows": rows})


def _registrations(event: EventPage):
    return (
        event.registrations.exclude(status=RegistrationStatus.EXPIRED)
        .prefetch_related("attendances")
        .order_by("status", "waitlisted_at", "created_at")
    )


def event_registrations(request, event_id: int):
    _require(request, "view")
    event = get_object_or_404(EventPage, pk=event_id)
    sessions = event.ordered_sessions()
    questions = list(event.questions.all())
    registrations = list(_registrations(event))
    table = []
    for registration in registrations:
        present = {a.session_id: a.present for a in registration.attendances.all()}
        table.append(
            {
                "registration": registration,
                "answers": [registration.answers.get(q.key, "") for q in questions],
                "attendance": [(session, present.get(session.pk)) for session in sessions],
                "meets_rule": services.registration_meets_attendance_rule(
                    registration=registration
                ),
            }
        )
    context = {
        "event": event,
        "sessions": sessions,
        "questions": questions,
        "table": table,
        "seats_taken": services.seats_taken(event=event),
        "survey": services.survey_summary(event=event),
        "can_change": request.user.has_perm("events.change_registration"),
    }
    return TemplateResponse(request, "events/admin/registrations.html", context)


def event_attendance(request, event_id: int):
    _require(request, "change")
    event = get_object_or_404(EventPage, pk=event_id)
    if request.method == "POST":
        sessions = {s.pk: s for s in event.sessions.all()}
        confirmed = event.registrations.filter(status=RegistrationStatus.CONFIRMED)
        for registration in confirmed:
            for session_id, session in sessions.items():
                value = request.POST.get(f"att-{registration.pk}-{session_id}")
                if value in ("1", "0"):
                    services.attendance_record(
                        registration=registration, session=session, present=value == "1"
                    )
        messages.success(request, _("Attendance saved."))
    return redirect("events_admin:registrations", event_id=event.pk)


def event_message(request, event_id: int):
    _require(request, "change")
    event = get_object_or_404(EventPage, pk=event_id)
    if request.method == "POST":
        subject = request.POST.get("subject", "").strip()
        body = request.POST.get("body", "").strip()
        if not subject or not body:
            messages.error(request, _("Give a subject and a message."))
        else:
            count = services.event_message_registrants(event=event, subject=subject, body=body)
            messages.success(
                request, _("Message sent to %(count)s registrants.") % {"count": count}
            )
    return redirect("events_admin:registrations", event_id=event.pk)


def event_cancel(request, event_id: int):
    _require(request, "change")
    event = get_object_or_404(EventPage, pk=event_id)
    if request.method == "POST" and request.POST.get("confirm") == "ja":
        count = services.event_cancel(event=event)
        messages.success(
            request,
            _("The event is cancelled; %(count)s registrants are told.") % {"count": count},
        )
    elif request.method == "POST":
        messages.error(request, _("Tick the box to confirm the cancellation."))
    return redirect("events_admin:registrations", event_id=event.pk)


def registration_cancel(request, registration_id: int):
    _require(request, "change")
    registration = get_object_or_404(Registration, pk=registration_id)
    if request.method == "POST":
        services.registration_cancel(registration=registration, by_staff=True)
        messages.success(request, _("Registration cancelled."))
    return redirect("events_admin:registrations", event_id=registration.event_id)


def _export_rows(event: EventPage, *, presence: bool) -> tuple[list[str], list[list]]:
    sessions = event.ordered_sessions()
    questions = list(event.questions.all())
    header = [_("Name"), _("E-mail address"), _("Status"), _("Registered at")]
    if presence:
        header += [
            pgettext("accreditation", "Register"),
            _("Register number"),
            _("Course id"),
            _("Points"),
        ]
    else:
        header += [q.label for q in questions]
    header += [f"{_('Present')}: {s}" for s in sessions]
    if presence:
        header.append(_("Meets the attendance rule"))
    rows = []
    attendance_labels: dict[bool | None, str] = {True: _("present"), False: _("absent")}
    registrations = _registrations(event)
    if presence:
        registrations = registrations.filter(status=RegistrationStatus.CONFIRMED)
    else:
        registrations = registrations.filter(status__in=ACTIVE_STATUSES)
    for registration in registrations:
        present = {a.session_id: a.present for a in registration.attendances.all()}
        row = [
            registration.name,
            registration.email,
            registration.get_status_display(),
            timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        if presence:
            meets = services.registration_meets_attendance_rule(registration=registration)
            row += [
                event.accreditation_register,
                registration.register_number,
                event.accreditation_course_id,
                float(event.accreditation_points or 0) if meets else 0,
            ]
        else:
            row += [registration.answers.get(q.key, "") for q in questions]
        row += [attendance_labels.get(present.get(s.pk), "") for s in sessions]
        if presence:
            row.append(_("yes") if meets else _("no"))
        rows.append(row)
    return header, rows


def _safe_cell(value):
    # Spreadsheet programs run cells starting with these as formulas (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def event_export(request, event_id: int, kind: str, fmt: str):
    _require(request, "view")
    event = get_object_or_404(EventPage, pk=event_id)
    header, rows = _export_rows(event, presence=kind == "presentielijst")
    rows = [[_safe_cell(cell) for cell in row] for row in rows]
    filename = f"{kind}-{slugify(event.title)}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(
            "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
