"""Every rule about events and registrations. Views, forms, the admin and tasks call
these; they hold no rules.

The rules live in one module per part of the domain; this package re-exports every
public name, so callers keep writing ``from events import services`` and
``services.registration_create(...)``:

- ``_common``: ``RegistrationError`` and its kinds, the event and registration row
  locks every seat-changing write takes first (why: see its docstring), the mail hook;
- ``registration``: sign-up, confirming a guest's address, answers, cancelling,
  register numbers, the signed personal links;
- ``waiting_list``: offering free seats in order, accepting and declining offers,
  expiry of holds and offers;
- ``event``: the event as a whole: schedule changes, cancellation, messages to
  registrants, the reminder;
- ``attendance``: attendance and certificates;
- ``evaluation``: sending and storing the evaluation;
- ``privacy``: the privacy sweep, anonymising, a person's export and erasure.

Reads that encode a rule (seats taken and free, the registration window, who may
register for a partners-only event, the attendance rule, the evaluation's questions
and results) are selectors in ``events.selectors``; they are re-exported here too,
for the callers that always found them on ``services``. ``events.selectors`` never
imports this package.

Imports between the modules run one way: ``_common`` imports none of the others;
``registration`` and ``event`` use ``waiting_list``; ``privacy`` uses
``registration``.

To replace a function in a test, patch it in the module that calls it (for example
``events.services.registration.seats_free`` for ``registration_create``): patching
the package's name only changes what callers of ``services.<name>`` get.
"""

from ..selectors import (
    STANDARD_EVALUATION,
    EvaluationItem,
    QuestionResult,
    SurveySummary,
    evaluation_questions,
    partners_only_admits,
    partners_only_refusal,
    registration_meets_attendance_rule,
    registration_window_state,
    seats_free,
    seats_taken,
    survey_summary,
)
from ._common import DuplicateRegistration, PartnersOnly, RegistrationError, Status
from .attendance import attendance_record, certificate_issue, certificate_lookup
from .evaluation import survey_submit, surveys_send
from .event import event_cancel, event_message_registrants, event_published, reminders_send
from .privacy import (
    person_delete_registrations,
    person_export,
    privacy_sweep,
    registration_anonymise,
)
from .registration import (
    REGISTER_FORMATS,
    TOKEN_SALT,
    register_number_hint,
    register_number_is_valid,
    registration_cancel,
    registration_confirm_email,
    registration_create,
    registration_from_token,
    registration_update_answers,
    token_for,
)
from .waiting_list import holds_and_offers_expire, offer_accept, offer_decline, offer_window

__all__ = [
    "Status",
    "RegistrationError",
    "DuplicateRegistration",
    "PartnersOnly",
    "seats_taken",
    "seats_free",
    "registration_window_state",
    "partners_only_admits",
    "partners_only_refusal",
    "REGISTER_FORMATS",
    "TOKEN_SALT",
    "register_number_is_valid",
    "register_number_hint",
    "token_for",
    "registration_from_token",
    "registration_create",
    "registration_confirm_email",
    "registration_update_answers",
    "registration_cancel",
    "offer_window",
    "offer_accept",
    "offer_decline",
    "holds_and_offers_expire",
    "event_published",
    "event_cancel",
    "event_message_registrants",
    "reminders_send",
    "attendance_record",
    "registration_meets_attendance_rule",
    "certificate_issue",
    "certificate_lookup",
    "surveys_send",
    "EvaluationItem",
    "STANDARD_EVALUATION",
    "evaluation_questions",
    "survey_submit",
    "QuestionResult",
    "SurveySummary",
    "survey_summary",
    "privacy_sweep",
    "registration_anonymise",
    "person_export",
    "person_delete_registrations",
]
