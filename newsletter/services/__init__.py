"""Business rules of the newsletter: subscriptions, consent, issues and sending.

One package, one room per part of the domain; every public name is re-exported
here, so callers keep writing ``from newsletter import services`` and
``services.subscriber_request(...)``:

- ``links``: signed subscriber and confirmation tokens, personal URLs, the IP hash
  of the consent ledger, the purge of tracking events;
- ``subscriptions``: sign-up, confirmation, preferences, unsubscribes, export and
  erasure, purge of unconfirmed requests, CSV import, the consent ledger;
- ``composing``: a new draft pre-filled with what was published since the last issue;
- ``messages``: one personalised issue e-mail, its list headers and ``smtp_send``;
- ``issues``: the welcome e-mail, test sends, scheduling;
- ``sending``: recipients, sendings and their batch chains, claims, rate limits,
  stale-sending recovery, starting due sendings;
- ``digest``: the quarterly digest.

Reads that encode a rule (an issue's upcoming events, the latest sent issue, a
sending's progress and statistics) are selectors, in newsletter/selectors.py; they are
re-exported here too.

Imports between the rooms run one way (``links`` and ``composing`` import none of
the others; ``digest`` uses ``sending``, which uses ``messages``). Code that patches
a name for a test patches it on the room that uses it (e.g.
``newsletter.services.sending``), not on this package.
"""

# Reads kept importable from here for callers that know them as services.
from ..selectors import (
    latest_sent_issue,
    sending_progress,
    sending_stats,
    upcoming_events_for_issue,
)
from .composing import issue_create_prefilled
from .digest import DIGEST_WINDOW_DAYS, digests_send, quarter_label, quarter_start
from .issues import issue_schedule, issue_send_test, subscriber_send_welcome
from .links import (
    CONFIRM_SALT,
    SUBSCRIBER_SALT,
    confirmation_token,
    ip_hash,
    preferences_url,
    subscriber_from_confirmation_token,
    subscriber_from_token,
    subscriber_links,
    subscriber_token,
    tracking_events_purge,
    unsubscribe_url,
)
from .messages import (
    PLAIN_ADDRESS,
    build_issue_message,
    issue_skeleton,
    issue_values,
    newsletter_headers,
    smtp_send,
)
from .sending import (
    CLAIM_SIZE,
    DELIVERY,
    Claimed,
    recipient_theme_keys,
    recipients_for,
    sending_pause,
    sending_resume,
    sending_send_batch,
    sending_start,
    sendings_recover_stale,
    sendings_start_due,
)
from .subscriptions import (
    IMPORT_COLUMNS,
    STOPPED,
    ImportReport,
    subscriber_confirm,
    subscriber_delete,
    subscriber_export,
    subscriber_record_soft_bounce,
    subscriber_request,
    subscriber_unsubscribe,
    subscriber_update_preferences,
    subscribers_import,
    subscribers_purge_unconfirmed,
)

__all__ = [
    "CLAIM_SIZE",
    "CONFIRM_SALT",
    "DELIVERY",
    "DIGEST_WINDOW_DAYS",
    "IMPORT_COLUMNS",
    "PLAIN_ADDRESS",
    "STOPPED",
    "SUBSCRIBER_SALT",
    "Claimed",
    "ImportReport",
    "build_issue_message",
    "confirmation_token",
    "digests_send",
    "ip_hash",
    "issue_create_prefilled",
    "issue_schedule",
    "issue_send_test",
    "issue_skeleton",
    "issue_values",
    "latest_sent_issue",
    "newsletter_headers",
    "preferences_url",
    "quarter_label",
    "quarter_start",
    "recipient_theme_keys",
    "recipients_for",
    "sending_pause",
    "sending_progress",
    "sending_resume",
    "sending_send_batch",
    "sending_start",
    "sending_stats",
    "sendings_recover_stale",
    "sendings_start_due",
    "smtp_send",
    "subscriber_confirm",
    "subscriber_delete",
    "subscriber_export",
    "subscriber_from_confirmation_token",
    "subscriber_from_token",
    "subscriber_links",
    "subscriber_record_soft_bounce",
    "subscriber_request",
    "subscriber_send_welcome",
    "subscriber_token",
    "subscriber_unsubscribe",
    "subscriber_update_preferences",
    "subscribers_import",
    "subscribers_purge_unconfirmed",
    "tracking_events_purge",
    "unsubscribe_url",
    "upcoming_events_for_issue",
]
