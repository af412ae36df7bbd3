"""E-mails to registrants: MJML rendered to HTML (mjml-python), a plain-text part,
and an .ics invitation or cancellation where the calendar must change."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from mjml import mjml2html

from portal.mail import absolute_url, send_transactional

from . import ical
from .models import Registration, RegistrationStatus


@dataclass
class Mail:
    subject: str
    paragraphs: list[str]
    button: tuple[str, str] | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    ics_method: str | None = None
    show_online_link: bool = False
    # Sessions removed from the event: sent as a METHOD:CANCEL of their own.
    cancelled_sessions: list[dict] = field(default_factory=list)


def _link(name: str, registration: Registration) -> str:
    from .services import token_for

    return absolute_url(reverse(name, kwargs={"token": token_for(registration)}))


def _when(registration: Registration) -> list[str]:
    lines = []
    for session in registration.event.ordered_sessions():
        start = timezone.localtime(session.starts_at)
        end = timezone.localtime(session.ends_at)
        line = f"{formats.date_format(start, 'l j F Y')}, {start:%H.%M}–{end:%H.%M} uur"
        lines.append(f"{session.title}: {line}" if session.title else line)
    return lines


def _session_line(session: dict) -> str:
    start = timezone.localtime(datetime.fromisoformat(session["starts_at"]))
    end = timezone.localtime(datetime.fromisoformat(session["ends_at"]))
    line = f"{formats.date_format(start, 'l j F Y')}, {start:%H.%M}–{end:%H.%M} uur"
    return f"{session['title']}: {line}" if session.get("title") else line


def _mail_for(registration: Registration, kind: str, sessions: list[dict] | None = None) -> Mail:
    event = registration.event
    manage = (_("View or change your registration"), _link("events:manage", registration))
    title = event.title
    match kind:
        case "already_registered":
            intro = _(
                "Someone, probably you, tried to register this e-mail address for %(title)s "
                "again. It is registered already, so nothing has changed."
            ) % {"title": title}
            if registration.email_confirmed_at is None:
                return Mail(
                    subject=_("You are already registered: %(title)s") % {"title": title},
                    paragraphs=[
                        intro,
                        _(
                            "You have not confirmed your e-mail address yet. Confirm it with "
                            "the button below to make the registration final."
                        ),
                        _("Did you not register? Then ignore this e-mail; nothing happens."),
                    ],
                    button=(_("Confirm my registration"), _link("events:confirm", registration)),
                )
            return Mail(
                subject=_("You are already registered: %(title)s") % {"title": title},
                paragraphs=[
                    intro,
                    _(
                        "Status of your registration: %(status)s. With the button below you "
                        "can view, change or cancel it."
                    )
                    % {"status": registration.get_status_display()},
                ],
                button=manage,
            )
        case "verify":
            held = registration.status == RegistrationStatus.HELD
            return Mail(
                subject=_("Please confirm your registration: %(title)s") % {"title": title},
                paragraphs=[
                    _("Thank you for registering for %(title)s.") % {"title": title},
                    _(
                        "We hold a seat for you for %(minutes)s minutes. Confirm your e-mail address to make it yours."
                    )
                    % {"minutes": settings.EVENTS_HOLD_MINUTES}
                    if held
                    else _(
                        "The event is full. Confirm your e-mail address to take your place on the waiting list."
                    ),
                    _("Did you not register? Then ignore this e-mail; nothing happens."),
                ],
                button=(_("Confirm my registration"), _link("events:confirm", registration)),
            )
        case "confirmed":
            return Mail(
                subject=_("Registration confirmed: %(title)s") % {"title": title},
                paragraphs=[
                    _(
                        "Your registration for %(title)s is confirmed. The calendar invitation is attached."
                    )
                    % {"title": title},
                ],
                button=manage,
                ics_method="REQUEST",
                show_online_link=True,
            )
        case "waitlisted":
            return Mail(
                subject=_("You are on the waiting list: %(title)s") % {"title": title},
                paragraphs=[
                    _(
                        "%(title)s is full. You are on the waiting list; when a seat comes free we offer it to you by e-mail."
                    )
                    % {"title": title},
                ],
                button=manage,
            )
        case "offer":
            deadline = timezone.localtime(registration.offer_expires_at)
            return Mail(
                subject=_("A seat is free for you: %(title)s") % {"title": title},
                paragraphs=[
                    _("A seat has come free for %(title)s and you are first on the waiting list.")
                    % {"title": title},
                    _(
                        "Please accept before %(deadline)s; after that the seat goes to the next person."
                    )
                    % {"deadline": formats.date_format(deadline, "j F Y, H.i") + " uur"},
                ],
                button=(_("Accept or decline the seat"), _link("events:offer", registration)),
            )
        case "offer_expired":
            return Mail(
                subject=_("The offered seat has passed on: %(title)s") % {"title": title},
                paragraphs=[
                    _(
                        "You did not accept the seat in time, so it went to the next person on the waiting list."
                    )
                ],
            )
        case "cancelled":
            return Mail(
                subject=_("Registration cancelled: %(title)s") % {"title": title},
                paragraphs=[
                    _(
                        "Your registration for %(title)s has been cancelled. Your calendar entry is removed."
                    )
                    % {"title": title}
                ],
                ics_method="CANCEL",
            )
        case "changed":
            return Mail(
                subject=_("Changed: %(title)s") % {"title": title},
                paragraphs=[
                    _(
                        "The time or place of %(title)s has changed. The updated calendar invitation is attached."
                    )
                    % {"title": title}
                ],
                button=manage,
                ics_method="REQUEST",
                show_online_link=True,
            )
        case "session_removed":
            removed = sessions or []
            return Mail(
                subject=_("Session cancelled: %(title)s") % {"title": title},
                paragraphs=[
                    _(
                        "This part of %(title)s no longer takes place: %(sessions)s. Your calendar entry for it is removed."
                    )
                    % {"title": title, "sessions": "; ".join(_session_line(s) for s in removed)},
                    _(
                        "Your registration stays valid for the other sessions, listed below. We apologise for the inconvenience."
                    ),
                ],
                button=manage,
                cancelled_sessions=removed,
            )
        case "event_cancelled":
            return Mail(
                subject=_("Cancelled: %(title)s") % {"title": title},
                paragraphs=[
                    _(
                        "Unfortunately %(title)s has been cancelled. Your calendar entry is removed. We apologise for the inconvenience."
                    )
                    % {"title": title}
                ],
                ics_method="CANCEL",
            )
        case "reminder":
            return Mail(
                subject=_("Reminder: %(title)s") % {"title": title},
                paragraphs=[
                    _("See you soon at %(title)s.") % {"title": title},
                    _(
                        "Can you not come after all? Let us know, so someone on the waiting list gets your seat."
                    ),
                ],
                button=manage,
                links=[(_("I cannot come"), _link("events:manage", registration) + "#afmelden")],
                show_online_link=True,
            )
        case "survey":
            return Mail(
                subject=_("How was %(title)s?") % {"title": title},
                paragraphs=[
                    _(
                        "Thank you for taking part. Would you tell us how it was? It takes two minutes and is anonymous."
                    )
                ],
                button=(_("Fill in the evaluation"), _link("events:survey", registration)),
            )
    raise ValueError(f"unknown mail kind {kind!r}")


def _send(registration: Registration, mail: Mail) -> None:
    event = registration.event
    # Until the address is confirmed, whoever filled in the form may not own it: the
    # mail then carries nothing they typed (no name in the greeting or the invitation,
    # never the answers), so the form cannot send someone else a stranger's words.
    name = registration.name if registration.email_confirmed_at else ""
    context = {
        "mail": mail,
        "greeting_name": name,
        "registration": registration,
        "event": event,
        "when": _when(registration),
        "event_url": absolute_url(event.url or "/"),
        "online_url": event.online_url
        if mail.show_online_link and registration.status == RegistrationStatus.CONFIRMED
        else "",
    }
    html = mjml2html(render_to_string("events/email/message.mjml", context))
    text = render_to_string("events/email/message.txt", context)
    attachments = []
    if mail.ics_method:
        ics = ical.calendar_bytes(
            [event],
            method=mail.ics_method,
            attendee=(name or registration.email, registration.email),
            with_online_link=bool(context["online_url"]),
        )
        attachments.append(("uitnodiging.ics", ics, f"text/calendar; method={mail.ics_method}"))
    if mail.cancelled_sessions:
        ics = ical.session_cancellation_bytes(
            event,
            mail.cancelled_sessions,
            attendee=(name or registration.email, registration.email),
        )
        attachments.append(("afzegging.ics", ics, "text/calendar; method=CANCEL"))
    send_transactional(
        to=[registration.email],
        subject=mail.subject,
        text=text,
        html=html,
        attachments=attachments,
    )


def registration_mail_send(
    *, registration_id: int, kind: str, sessions: list[dict] | None = None
) -> None:
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None or registration.anonymised_at:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _send(registration, _mail_for(registration, kind, sessions))


def event_message_send(*, registration_id: int, subject: str, body: str) -> None:
    registration = Registration.objects.select_related("event").filter(pk=registration_id).first()
    if registration is None or registration.anonymised_at:
        return
    with translation.override(settings.LANGUAGE_CODE):
        mail = Mail(
            subject=subject,
            paragraphs=[p.strip() for p in body.split("\n\n") if p.strip()],
            button=(_("View or change your registration"), _link("events:manage", registration)),
        )
        _send(registration, mail)
