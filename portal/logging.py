"""Log filtering that keeps personal data out of the logs.

Logs go to shared log stores with long retention; they must never carry
e-mail addresses, phone numbers, citizen service numbers, tokens in URLs or
query strings. The filter sits on the console handler (settings.LOGGING), so
every line the portal writes passes it; see docs/operations.md.
"""

import logging
import re

from gunicorn.glogging import Logger as GunicornBaseLogger
from pythonjsonlogger.json import JsonFormatter

# "jan@example.nl", also URL-encoded as "jan%40example.nl". The local part may hold
# nearly any character, so take everything up to a space or URL separator.
EMAIL = re.compile(r"[^\s/?=&\"'<>:;,()\[\]]*(?:@|%40)[\w-]+(?:\.[\w-]+)+")
# Dutch numbers: 0612345678, 06-1234 5678, 040 123 4567, +31 6 12345678, +31 (0)40 1234567.
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)31[\s.-]?(?:\(0\)[\s.-]?)?|0)\d(?:[\s.-]?\d){8}(?!\d)")
# A BSN (citizen service number) is nine digits; better to lose an odd id than leak one.
BSN = re.compile(r"(?<![\d.,])\d{9}(?![\d.,]?\d)")
# Everything after "?" up to whitespace or a quote: query strings carry search
# terms, e-mail addresses and tokens alike.
QUERY = re.compile(r"\?[^\s\"'<>]+")
PATH_SEGMENT = re.compile(r"(?<=/)[^/\s?#\"'<>]+")
# A token: a run of 16+ letters/digits/underscores holding both a letter and a
# digit (reset keys, signed ids, hashes), or a UUID. Readable slugs with a year
# ("jaarverslag-2024") are left alone.
TOKEN_RUN = re.compile(r"(?=[A-Za-z0-9_]*\d)(?=[A-Za-z0-9_]*[A-Za-z])[A-Za-z0-9_]{16,}")
UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

REDACTED = "[verwijderd]"

# Attributes every LogRecord has; anything else on a record came in via `extra=`.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _scrub_segment(match: re.Match) -> str:
    segment = match.group(0)
    if TOKEN_RUN.search(segment) or UUID.search(segment):
        return REDACTED
    return segment


def scrub(text: str) -> str:
    """Return ``text`` with personal data and secrets replaced by a marker."""
    text = EMAIL.sub(REDACTED, text)
    text = QUERY.sub("?" + REDACTED, text)
    text = PATH_SEGMENT.sub(_scrub_segment, text)
    text = PHONE.sub(REDACTED, text)
    return BSN.sub(REDACTED, text)


def _scrub_value(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrub_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_scrub_value(item) for item in value]
    # Anything else would be serialised with str(), and str(user) is an e-mail address.
    return scrub(str(value))


class ScrubPersonalDataFilter(logging.Filter):
    """Scrubs the message, the traceback and every ``extra`` field of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A malformed call (wrong number of %-arguments) must not break the
            # request that logs it; keep the template, drop the arguments.
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        if record.exc_info:
            # Tracebacks quote values ("Key (email)=(...) already exists"): format
            # once, scrub, and let formatters use the scrubbed text.
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        for name in set(vars(record)) - _STANDARD_ATTRIBUTES:
            if name == "request":
                # django.request attaches the request object; never serialise it.
                record.request = None
            else:
                setattr(record, name, _scrub_value(getattr(record, name)))
        return True


# The same JSON shape as settings.LOGGING's formatter.
JSON_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON_RENAME = {"asctime": "time", "levelname": "level", "name": "logger"}
# gunicorn's access line without the client's IP address, user agent or referrer;
# %(U)s is the path without the query string.
GUNICORN_ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(B)s %(M)sms"


class GunicornLogger(GunicornBaseLogger):
    """gunicorn's error and access logs as scrubbed JSON lines, like the portal's.

    Use with ``gunicorn --logger-class=portal.logging.GunicornLogger
    --access-logfile=- --access-logformat='<GUNICORN_ACCESS_FORMAT>'``
    (docker-compose.yml's web service).
    """

    def setup(self, cfg):
        super().setup(cfg)
        for handler in [*self.error_log.handlers, *self.access_log.handlers]:
            handler.setFormatter(JsonFormatter(JSON_FORMAT, rename_fields=JSON_RENAME))
            if not any(isinstance(f, ScrubPersonalDataFilter) for f in handler.filters):
                handler.addFilter(ScrubPersonalDataFilter())
