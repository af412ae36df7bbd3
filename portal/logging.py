"""Log filtering that keeps personal data out of the logs.

Logs go to shared log stores with long retention; they must never carry
e-mail addresses, phone numbers, tokens in URLs or query strings.
"""

import logging
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"(?<!\d)(\+31|0031|0)[\s-]?\d([\s-]?\d){8}(?!\d)")
QUERY = re.compile(r"\?[^\s\"']*")
TOKEN_PATH = re.compile(r"/(?=[\w:-]*\d)(?=[\w:-]*[a-zA-Z])[\w:-]{20,}")

REDACTED = "[verwijderd]"


def scrub(text: str) -> str:
    text = EMAIL.sub(REDACTED, text)
    text = PHONE.sub(REDACTED, text)
    text = QUERY.sub("?" + REDACTED, text)
    return TOKEN_PATH.sub("/" + REDACTED, text)


class ScrubPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = scrub(message)
        record.args = None
        # django.request attaches the request object; never serialise it.
        if hasattr(record, "request"):
            record.request = None
        return True
