"""Public views: register, confirm, manage, offers, calendars, 'mijn trainingen'.

Views hold no rules: they validate input with forms and call ``events.services``.
Links in e-mails lead to a page with a button (POST): mail scanners that open
links must not confirm, cancel or decline on someone's behalf.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from django_ratelimit.core import is_ratelimited

from knowledge import selectors as knowledge_selectors
from portal.middleware import no_store

from . import ical, services
from .forms import RegistrationForm, SurveyForm
from .models import EventPage, Registration, RegistrationStatus
from .selectors import public_events, registrations_of


def _event_or_404(event_id: int) -> EventPage:
    return get_object_or_404(public_events(), pk=event_id)


def _render_event(request, event: EventPage, form, status: int = 200):
    context = event.get_context(request)
    context["form"] = form
    return TemplateResponse(request, event.get_template(request), context, status=status)


def _guest_rate_limited(request) -> bool:
    # Counts every guest POST per client address (portal.net.client_ip), valid or not:
    # a script filling the form with made-up addresses is stopped as well.
    return is_ratelimited(
        request,
        group="events.register",
        key="ip",
        rate=settings.EVENTS_GUEST_REGISTER_RATE,
        method="POST",
        increment=True,
    )


@require_POST
def register(request, event_id: int):
    event = _event_or_404(event_id)
    user = request.user if request.user.is_authenticated else None
    form = RegistrationForm(request.POST, event=event, user=user)
    if services.partners_only_refusal(event=event, user=user):
        # The page explains who may register instead of showing the form.
        return _render_event(request, event, form, status=403)
    if user is None and _guest_rate_limited(request):
        form.is_valid()  # the bound form keeps what was typed
        form.add_error(
            None,
            _(
                "Too many registrations were sent from your internet address in a short time. "
                "Please wait a few minutes and send the form again; what you typed is still here."
            ),
        )
        return _render_event(request, event, form, status=429)
    if not form.is_valid():
        return _render_event(request, event, form, status=400)
    try:
        registration = services.registration_create(
            event=event,
            user=user,
            name=form.cleaned_data.get("name", ""),
            email=form.cleaned_data.get("email", ""),
            answers=form.answers(),
            register_number=form.register_number(),
        )
    except services.DuplicateRegistration as exc:
        if user is None or exc.registration is None:
            # The same answer as for a new registration: only the address itself hears
            # that it was registered already (the service mailed it its link).
            return redirect("events:check_mail")
        messages.info(request, _("You were already registered for this event."))
        return redirect("events:manage", token=services.token_for(exc.registration))
    except services.PartnersOnly:
        return _render_event(request, event, form, status=403)
    except services.RegistrationError as exc:
        form.add_error(None, exc.message)
        return _render_event(request, event, form, status=400)
    if user is None:
        return redirect("events:check_mail")
    if registration.status == RegistrationStatus.CONFIRMED:
        messages.success(
            request, _("You are registered. The confirmation is on its way by e-mail.")
        )
    else:
        messages.success(request, _("The event is full; you are on the waiting list."))
    return redirect("events:manage", token=services.token_for(registration))


def check_mail(request):
    return render(request, "events/check_mail.html")


def _registration_or_404(token: str) -> Registration:
    registration = services.registration_from_token(token)
    if registration is None:
        raise Http404(_("This link is not valid (any more)."))
    return registration


@no_store
def confirm(request, token: str):
    registration = _registration_or_404(token)
    if request.method == "POST":
        try:
            registration = services.registration_confirm_email(registration=registration)
        except services.RegistrationError as exc:
            return render(
                request,
                "events/confirm.html",
                {"registration": registration, "error": exc.message},
                status=409,
            )
        if registration.status == RegistrationStatus.CONFIRMED:
            messages.success(request, _("Your registration is confirmed."))
        else:
            messages.success(
                request, _("Your e-mail address is confirmed; you are on the waiting list.")
            )
        return redirect("events:manage", token=token)
    if registration.email_confirmed_at:
        return redirect("events:manage", token=token)
    return render(request, "events/confirm.html", {"registration": registration})


@no_store
def manage(request, token: str):
    registration = _registration_or_404(token)
    event = registration.event
    form = RegistrationForm(
        request.POST or None,
        event=event,
        include_person=False,
        initial=RegistrationForm.initial_for(registration),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.registration_update_answers(
                    registration=registration,
                    answers=form.answers(),
                    register_number=form.register_number(),
                )
            except services.RegistrationError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, _("Your answers have been saved."))
                return redirect("events:manage", token=token)
        else:
            status = 400
    deadline = registration.cancellation_deadline()
    context = {
        "registration": registration,
        "event": event,
        "sessions": event.ordered_sessions(),
        "form": form,
        "token": token,
        "can_cancel": registration.is_active
        and (not registration.has_seat or not deadline or timezone.now() <= deadline),
        "deadline": deadline,
        "show_online_link": registration.status == RegistrationStatus.CONFIRMED,
        "meets_rule": event.is_past
        and services.registration_meets_attendance_rule(registration=registration),
    }
    return render(request, "events/manage.html", context, status=status)


@no_store
@require_POST
def cancel(request, token: str):
    registration = _registration_or_404(token)
    try:
        services.registration_cancel(registration=registration)
    except services.RegistrationError as exc:
        messages.error(request, exc.message)
        return redirect("events:manage", token=token)
    messages.success(request, _("Your registration has been cancelled."))
    return redirect("events:manage", token=token)


@no_store
def offer(request, token: str):
    registration = _registration_or_404(token)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.offer_accept(registration=registration)
                messages.success(request, _("The seat is yours. The confirmation is on its way."))
                return redirect("events:manage", token=token)
            if action == "decline":
                services.offer_decline(registration=registration)
                messages.success(
                    request, _("Thank you; the seat goes to the next person on the waiting list.")
                )
                return redirect("events:manage", token=token)
            error = _("Choose whether you accept the seat.")
        except services.RegistrationError as exc:
            error = exc.message
    return render(
        request,
        "events/offer.html",
        {"registration": registration, "event": registration.event, "error": error},
        status=409 if error else 200,
    )


@no_store
def survey(request, token: str):
    registration = _registration_or_404(token)
    form = SurveyForm(
        request.POST or None,
        questions=services.evaluation_questions(event=registration.event),
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(registration=registration, answers=form.cleaned_data)
        except services.RegistrationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Thank you for your evaluation!"))
            return redirect(registration.event.url)
    if registration.survey_sent_at is None or registration.survey_answered_at:
        error = error or _("This evaluation is not (or no longer) open for you.")
    status = 400 if request.method == "POST" or error else 200
    return render(
        request,
        "events/survey.html",
        {"registration": registration, "event": registration.event, "form": form, "error": error},
        status=status,
    )


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def event_ics(request, event_id: int):
    event = _event_or_404(event_id)
    return _ics_response(ical.calendar_bytes([event]), f"{event.slug}.ics")


def feed_ics(request, theme_slug: str | None = None):
    events = public_events().filter(starts_at__gte=timezone.now() - timedelta(days=90))
    name = "ZVH Brabant Zuidoost – agenda"
    if theme_slug:
        theme = knowledge_selectors.theme_by_slug(theme_slug)
        if theme is None:
            raise Http404
        events = events.filter(themes=theme)
        name = f"{name} – {theme.name}"
    events = events.prefetch_related("sessions").order_by("starts_at")
    return _ics_response(ical.calendar_bytes(events, name=name), "agenda.ics")


@no_store
@login_required
def my_registrations(request):
    registrations = (
        registrations_of(user=request.user).select_related("event").order_by("-event__starts_at")
    )
    points: dict[tuple[str, int], float] = {}
    rows = []
    for registration in registrations:
        event = registration.event
        meets = event.is_past and services.registration_meets_attendance_rule(
            registration=registration
        )
        rows.append((registration, services.token_for(registration), meets))
        if meets and event.has_accreditation:
            key = (event.accreditation_register, timezone.localtime(event.starts_at).year)
            points[key] = points.get(key, 0) + float(event.accreditation_points)
    return render(
        request,
        "events/my_registrations.html",
        {
            "rows": rows,
            "points": sorted(points.items(), key=lambda item: (-item[0][1], item[0][0])),
        },
    )


@no_store
@login_required
def my_registrations_export(request):
    data = json.dumps(services.person_export(user=request.user), indent=2, ensure_ascii=False)
    response = HttpResponse(data, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mijn-aanmeldingen.json"'
    return response


@no_store
@login_required
@require_POST
def my_registrations_delete(request):
    count = services.person_delete_registrations(user=request.user)
    messages.success(request, _("%(count)s registrations deleted.") % {"count": count})
    return redirect("events:mine")


@no_store
def certificate(request, token: str):
    from .certificates import certificate_pdf

    registration = _registration_or_404(token)
    try:
        code = services.certificate_issue(registration=registration)
    except services.RegistrationError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(
        certificate_pdf(registration=registration, code=code), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="certificaat-{code}.pdf"'
    return response


def certificate_verify(request):
    code = request.GET.get("code", "").strip().upper().replace(" ", "")
    registration = services.certificate_lookup(code=code) if code else None
    status = 404 if code and registration is None else 200
    return render(
        request,
        "events/certificate_verify.html",
        {"code": code, "registration": registration},
        status=status,
    )
