"""Trainingen & bijeenkomsten: the agenda, events with sessions, and registrations.

Rules (who gets a seat, waiting list, expiry, privacy) live in ``events.services``;
the models hold data and small read-only helpers.
"""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable
from wagtail.search import index

from modelcluster.fields import ParentalKey, ParentalManyToManyField

from portal.blocks import BodyBlock
from portal.models import BasePage


class AgendaPage(BasePage):
    """The "Trainingen & bijeenkomsten" section: upcoming and past events with filters."""

    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("body"),
        InlinePanel(
            "evaluation_questions",
            label=_("Default evaluation questions"),
            help_text=_(
                "Asked after every event that has no evaluation questions of its own. "
                "Empty: the standard questions (overall rating, usefulness, comment)."
            ),
        ),
    ]
    search_fields = [*BasePage.search_fields, index.SearchField("body")]
    parent_page_types = ["portal.HomePage"]
    subpage_types = ["events.EventPage"]
    max_count = 1

    class Meta:
        verbose_name = _("agenda page")

    def get_context(self, request, *args, **kwargs):
        from .selectors import agenda_listing

        context = super().get_context(request, *args, **kwargs)
        context.update(agenda_listing(agenda=self, params=request.GET))
        return context


class EventKind(models.TextChoices):
    TRAINING = "training", _("Training")
    NETWORK = "netwerkbijeenkomst", _("Network meeting")
    WEBINAR = "webinar", _("Webinar")
    INTERVISIE = "intervisie", _("Peer review (intervisie)")


class AttendanceRule(models.TextChoices):
    ALL_SESSIONS = "all", _("Present at every session")
    ANY_SESSION = "any", _("Present at one session or more")


class EventPageForm(WagtailAdminPageForm):
    """Attendance is accreditation evidence: a session with recorded attendance cannot be
    removed from the event (cancel the event instead, or keep the session)."""

    def clean(self):
        cleaned = super().clean()
        sessions = self.formsets.get("sessions")
        if sessions is not None:
            for form in sessions.deleted_forms:
                session = form.instance
                if session.pk and Attendance.objects.filter(session_id=session.pk).exists():
                    self.add_error(
                        None,
                        _(
                            "Session “%(session)s” has recorded attendance and cannot be "
                            "removed: that record is accreditation evidence."
                        )
                        % {"session": session},
                    )
        return cleaned


class EventPage(BasePage):
    base_form_class = EventPageForm
    kind = models.CharField(_("kind"), max_length=30, choices=EventKind.choices)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("description"))
    themes = ParentalManyToManyField(
        "knowledge.Theme", verbose_name=_("themes"), blank=True, related_name="events"
    )
    region = models.ForeignKey(
        "portal.Basisteam",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The basisteam the event is held in or meant for; empty for the whole region."),
    )
    audience = models.CharField(_("audience"), max_length=250, blank=True)
    # Trainers with a profile in the knowledge app; the page links to their profile.
    trainer_experts = ParentalManyToManyField(
        "knowledge.Expert",
        verbose_name=_("trainers (expert profiles)"),
        blank=True,
        related_name="events",
    )
    # Free text for trainers without an expert profile (external trainers).
    trainers = models.CharField(
        _("other trainers"),
        max_length=250,
        blank=True,
        help_text=_("Trainers without an expert profile, e.g. an external trainer."),
    )
    price = models.DecimalField(
        _("price (euro)"), max_digits=7, decimal_places=2, default=0, help_text=_("0 means free.")
    )

    venue = models.CharField(_("venue"), max_length=150, blank=True)
    address = models.CharField(_("address"), max_length=250, blank=True)
    route_url = models.URLField(_("route link"), blank=True)
    online_url = models.URLField(
        _("online link"),
        blank=True,
        help_text=_("Only confirmed registrants receive this link."),
    )

    accreditation_register = models.CharField(
        _("accreditation register"), max_length=60, blank=True, help_text=_("E.g. SKJ or BIG.")
    )
    accreditation_points = models.DecimalField(
        _("accreditation points"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    accreditation_course_id = models.CharField(_("course id"), max_length=60, blank=True)
    attendance_rule = models.CharField(
        _("attendance rule"),
        max_length=10,
        choices=AttendanceRule.choices,
        default=AttendanceRule.ALL_SESSIONS,
    )

    capacity = models.PositiveIntegerField(_("capacity"), default=30)
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    cancellation_deadline_hours = models.PositiveIntegerField(
        _("cancellation deadline (hours before the start)"), default=24
    )
    partners_only = models.BooleanField(
        _("partners only"),
        default=False,
        help_text=_("Only logged-in partner professionals can register."),
    )

    # Set by services, never by editors.
    is_cancelled = models.BooleanField(_("cancelled"), default=False, editable=False)
    ical_sequence = models.PositiveIntegerField(default=0, editable=False)
    ical_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    # The sessions registrants' calendars last received (id, title, times): lets
    # services.event_published cancel a removed session by its UID.
    ical_sessions = models.JSONField(default=list, blank=True, editable=False)
    # Denormalised from the sessions so listings and feeds can sort and filter cheaply.
    starts_at = models.DateTimeField(null=True, editable=False, db_index=True)
    ends_at = models.DateTimeField(null=True, editable=False)

    content_panels = [
        *BasePage.content_panels,
        FieldRowPanel([FieldPanel("kind"), FieldPanel("region")]),
        InlinePanel("sessions", label=_("Sessions"), min_num=1),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("themes"),
                FieldPanel("audience"),
                FieldPanel("trainer_experts"),
                FieldPanel("trainers"),
            ],
            heading=_("For whom, by whom"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("venue"),
                FieldPanel("address"),
                FieldPanel("route_url"),
                FieldPanel("online_url"),
            ],
            heading=_("Location"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("price")]),
                FieldRowPanel(
                    [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                ),
                FieldPanel("cancellation_deadline_hours"),
                FieldPanel("partners_only"),
            ],
            heading=_("Registration"),
        ),
        InlinePanel("questions", label=_("Registration questions")),
        InlinePanel(
            "evaluation_questions",
            label=_("Evaluation questions"),
            help_text=_(
                "Asked after the event to the people who attended. Empty: the agenda's "
                "default questions."
            ),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("accreditation_register"),
                        FieldPanel("accreditation_points"),
                        FieldPanel("accreditation_course_id"),
                    ]
                ),
                FieldPanel("attendance_rule"),
            ],
            heading=_("Accreditation"),
        ),
    ]
    search_fields = [
        *BasePage.search_fields,
        index.SearchField("body"),
        index.SearchField("audience"),
        index.FilterField("kind"),
        index.FilterField("starts_at"),
    ]
    parent_page_types = ["events.AgendaPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def get_context(self, request, *args, **kwargs):
        from .forms import RegistrationForm
        from .selectors import event_public_state

        context = super().get_context(request, *args, **kwargs)
        context.update(event_public_state(event=self, user=request.user))
        context["form"] = RegistrationForm(event=self, user=request.user)
        if self.is_past:
            from .selectors import survey_summary

            context["survey"] = survey_summary(event=self)
        return context

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            sessions = self.ordered_sessions()
            self.starts_at = sessions[0].starts_at if sessions else None
            self.ends_at = max((s.ends_at for s in sessions), default=None)
            if self.pk:
                # Publishing an older revision must not roll back what services
                # own (cancellation, calendar sequence): those come from the row.
                current = (
                    EventPage.objects.filter(pk=self.pk)
                    .values("is_cancelled", "ical_sequence", "ical_fingerprint", "ical_sessions")
                    .first()
                )
                if current:
                    for field, value in current.items():
                        setattr(self, field, value)
        return super().save(*args, **kwargs)

    def search_document(self) -> dict:
        """The site search dates an event by its first session, not by its publication,
        and finds it by what the page shows besides its body: the trainers (a visitor
        searching a trainer's name gets her trainings), the sessions, the audience and
        the venue."""
        shown = [
            *(expert.name for expert in self.trainer_experts.all()),
            self.trainers,
            *(session.title for session in self.sessions.all()),
            self.audience,
            self.venue,
        ]
        document: dict = {"extra_body": " ".join(text for text in shown if text)}
        if self.starts_at:
            document["date"] = timezone.localdate(self.starts_at)
        return document

    # --- read helpers ---
    def ordered_sessions(self) -> list["EventSession"]:
        return sorted(self.sessions.all(), key=lambda s: s.starts_at)

    def sessions_snapshot(self) -> list[dict]:
        """What a calendar holds of each session; stored as ``ical_sessions``."""
        return [
            {
                "id": s.pk,
                "title": s.title,
                "starts_at": s.starts_at.astimezone(UTC).isoformat(),
                "ends_at": s.ends_at.astimezone(UTC).isoformat(),
            }
            for s in self.ordered_sessions()
        ]

    def schedule_fingerprint(self, session_times: list[tuple[str, str]] | None = None) -> str:
        """Changes when time or place changes: what calendars must be told about.
        ``session_times`` (ISO start, end per session) replaces the current sessions."""
        if session_times is None:
            session_times = [
                (s.starts_at.isoformat(), s.ends_at.isoformat()) for s in self.ordered_sessions()
            ]
        parts = [self.venue, self.address, self.online_url]
        parts += [f"{start}-{end}" for start, end in session_times]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()

    @property
    def is_online(self) -> bool:
        return bool(self.online_url) and not self.address

    @property
    def is_past(self) -> bool:
        end = self.ends_at or self.starts_at
        return bool(end and end < timezone.now())

    @property
    def has_accreditation(self) -> bool:
        return bool(self.accreditation_register and self.accreditation_points)


class EventSession(Orderable):
    """One part of an event; a registration covers every session of its event."""

    page = ParentalKey(EventPage, related_name="sessions", on_delete=models.CASCADE)
    title = models.CharField(
        _("title"), max_length=150, blank=True, help_text=_("E.g. Dag 1: de basis.")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    panels = [FieldPanel("title"), FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])]

    class Meta(Orderable.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return self.title or local.strftime("%d-%m-%Y %H:%M")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    CHOICE = "choice", _("Choice")
    YES_NO = "yes_no", _("Yes/no")
    REGISTER_NUMBER = "register_number", _("Register number")
    DIETARY = "dietary", _("Dietary needs")
    ACCESSIBILITY = "accessibility", _("Accessibility needs")
    ORGANISATION = "organisation", _("Organisation")
    FUNCTION = "function", _("Function")


# Answers to these kinds are deleted right after the event (see services.privacy_sweep).
SENSITIVE_QUESTION_KINDS = {QuestionKind.DIETARY, QuestionKind.ACCESSIBILITY}


class RegistrationQuestion(Orderable):
    page = ParentalKey(EventPage, related_name="questions", on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("help text"), max_length=250, blank=True)
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(_("choices"), blank=True, help_text=_("One choice per line."))
    register = models.CharField(
        _("register"),
        max_length=20,
        blank=True,
        help_text=_("For register numbers: BIG, SKJ or Registerplein; sets the format checked."),
    )

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("required")]),
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldPanel("choices"),
        FieldPanel("register"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("registration question")

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        return f"q{self.pk}"

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class RegistrationStatus(models.TextChoices):
    HELD = "held", _("Awaiting e-mail confirmation (seat held)")
    CONFIRMED = "confirmed", _("Confirmed")
    WAITLISTED = "waitlisted", _("Waiting list")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


# Statuses that take up a seat; capacity counts these, inside the event lock.
SEAT_STATUSES = [RegistrationStatus.HELD, RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED]
ACTIVE_STATUSES = [*SEAT_STATUSES, RegistrationStatus.WAITLISTED]


class Registration(models.Model):
    event = models.ForeignKey(
        EventPage, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    status = models.CharField(
        _("status"), max_length=20, choices=RegistrationStatus.choices, db_index=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    register_number = models.CharField(_("register number"), max_length=30, blank=True)

    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Order on the waiting list: when the person joined it.
    waitlisted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    survey_sent_at = models.DateTimeField(null=True, blank=True)
    survey_answered_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    certificate_code = models.CharField(max_length=20, blank=True, db_index=True)
    # Random, so links cannot be derived from ids; signed on top (see services.token_for).
    secret = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # One active registration per person per event; the form turns a
            # violation into a friendly message, this makes it true under races.
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=Q(status__in=["held", "confirmed", "waitlisted", "offered"]),
                name="events_one_active_registration_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} – {self.event.title}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def has_seat(self) -> bool:
        return self.status in SEAT_STATUSES

    def cancellation_deadline(self) -> datetime | None:
        if self.event.starts_at is None:
            return None
        return self.event.starts_at - timedelta(hours=self.event.cancellation_deadline_hours)


class Attendance(models.Model):
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances"
    )
    session = models.ForeignKey(EventSession, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(_("present"))
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "session"], name="events_one_attendance_per_session"
            )
        ]
        verbose_name = _("attendance")

    def __str__(self) -> str:
        return (
            f"{self.registration_id}/{self.session_id}: {'present' if self.present else 'absent'}"
        )


class EvaluationKind(models.TextChoices):
    SCALE = "scale", _("Scale 1–5")
    CHOICE = "choice", _("Choice")
    YES_NO = "yes_no", _("Yes/no")
    TEXT = "text", _("Open answer")


class EvaluationQuestionBase(Orderable):
    """A question of the evaluation survey; editors set them per event or per agenda."""

    kind = models.CharField(_("kind"), max_length=20, choices=EvaluationKind.choices)
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(
        _("help text"),
        max_length=250,
        blank=True,
        help_text=_("For a scale, e.g. 1 = not at all, 5 = very much."),
    )
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice: one option per line.")
    )

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("required")]),
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldPanel("choices"),
    ]
    key_prefix = ""

    class Meta(Orderable.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        return f"{self.key_prefix}{self.pk}"

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == EvaluationKind.CHOICE and len(self.choice_list()) < 2:
            raise ValidationError({"choices": _("Give at least two options, one per line.")})


class EventEvaluationQuestion(EvaluationQuestionBase):
    page = ParentalKey(EventPage, related_name="evaluation_questions", on_delete=models.CASCADE)
    key_prefix = "e"

    class Meta(EvaluationQuestionBase.Meta):
        verbose_name = _("evaluation question")


class AgendaEvaluationQuestion(EvaluationQuestionBase):
    page = ParentalKey(AgendaPage, related_name="evaluation_questions", on_delete=models.CASCADE)
    key_prefix = "a"

    class Meta(EvaluationQuestionBase.Meta):
        verbose_name = _("default evaluation question")


class SurveyResponse(models.Model):
    """An evaluation answer; kept apart from the registration so it stays anonymous.

    ``answers`` maps a question key to ``{"label", "kind", "value"}`` as asked, so
    results stay readable after an editor changes the questions."""

    event = models.ForeignKey(EventPage, on_delete=models.CASCADE, related_name="survey_responses")
    answers = models.JSONField(_("answers"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey response")

    def __str__(self) -> str:
        return f"{self.event_id}: {len(self.answers)} answers"
