import io
import json
import logging
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.db import IntegrityError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.logging import GUNICORN_ACCESS_FORMAT, REDACTED, ScrubPersonalDataFilter, scrub


@pytest.fixture
def log_lines():
    """Redirect the portal's configured console handler (settings.LOGGING) to a buffer;
    returns a function giving the JSON lines written so far, each parsed."""
    root = logging.getLogger()
    (handler,) = [
        h for h in root.handlers if any(isinstance(f, ScrubPersonalDataFilter) for f in h.filters)
    ]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        handler.setStream(previous)


@pytest.mark.parametrize(
    "text",
    [
        "jan.de-vries+nieuwsbrief@example.nl",
        "JAN@VOORBEELD.ORG",
        "jan%40example.nl",
        "0612345678",
        "06-12345678",
        "06 1234 5678",
        "040 123 4567",
        "040-1234567",
        "+31 6 12345678",
        "+31612345678",
        "0031612345678",
        "+31 (0)40 1234567",
        "123456789",
    ],
)
def test_personal_data_is_scrubbed_from_free_text(text):
    scrubbed = scrub(f"Aanmelding van {text} ontvangen")

    assert scrubbed == f"Aanmelding van {REDACTED} ontvangen"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /zoeken/?q=jan@example.nl HTTP/1.1", f"GET /zoeken/?{REDACTED} HTTP/1.1"),
        ("/abonnement/?email=jan%40example.nl&page=2", f"/abonnement/?{REDACTED}"),
        (
            "/accounts/confirm-email/MQ:1tXyzA:aB3dEf9GhIjKlMnOpQrStUvWx/",
            f"/accounts/confirm-email/{REDACTED}/",
        ),
        (
            "/accounts/password/reset/key/2-cfo8zk-6b1a9b2b6ff5c3e4d2f1/",
            f"/accounts/password/reset/key/{REDACTED}/",
        ),
        ("/partners/550e8400-e29b-41d4-a716-446655440000/", f"/partners/{REDACTED}/"),
        ("/abonnement/afmelden/jan@example.nl/", f"/abonnement/afmelden/{REDACTED}/"),
    ],
)
def test_query_strings_and_token_like_path_segments_are_scrubbed(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Not Found: /expertise/jaarverslag-2024-zorg-en-veiligheid/",
        "Task portal.tasks.record_worker_heartbeat succeeded in 0.012s",
        "2026-11-28 14:21:34,512 elasticsearch 8.19.0 on port 9200, pid 4711",
        "Sent 1500 newsletters in 3 batches",
    ],
)
def test_ordinary_operational_text_is_left_readable(text):
    assert scrub(text) == text


@given(email=st.emails())
def test_no_generated_email_address_survives_scrubbing(email):
    assert "@" not in scrub(f"bevestiging verstuurd aan {email}.")


@given(digits=st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_no_dutch_mobile_number_survives_scrubbing(digits):
    for number in (f"06{digits}", f"+316{digits}", f"06-{digits}"):
        assert digits not in scrub(f"terugbellen op {number} graag")


def test_log_lines_are_json_with_the_message_scrubbed(log_lines):
    logging.getLogger("portal.test").warning(
        "Bevestiging voor %s naar %s", "jan@example.nl", "/a/?token=abc123"
    )

    (line,) = log_lines()
    assert line["level"] == "WARNING"
    assert line["logger"] == "portal.test"
    assert line["message"] == f"Bevestiging voor {REDACTED} naar /a/?{REDACTED}"
    assert "time" in line


def test_extra_fields_are_scrubbed_and_objects_never_serialised_raw(log_lines):
    class Person:
        def __str__(self):
            return "jan@example.nl"

    logging.getLogger("portal.test").warning(
        "Inschrijving",
        extra={"person": Person(), "phone": "06 1234 5678", "count": 3, "tags": ["a@b.nl"]},
    )

    (line,) = log_lines()
    assert line["person"] == REDACTED
    assert line["phone"] == REDACTED
    assert line["count"] == 3
    assert line["tags"] == [REDACTED]


def test_tracebacks_are_scrubbed(log_lines):
    try:
        raise IntegrityError("Key (email)=(jan@example.nl) already exists.")
    except IntegrityError:
        logging.getLogger("portal.test").exception("Opslaan mislukt")

    (line,) = log_lines()
    assert "IntegrityError" in line["exc_info"]
    assert "jan@example.nl" not in json.dumps(line)


@pytest.mark.django_db
def test_a_404_for_a_url_with_personal_data_logs_nothing_personal(client, log_lines):
    client.get("/abonnement/afmelden/jan@example.nl/?email=piet%40example.nl&tel=0612345678")

    lines = log_lines()
    assert [line["logger"] for line in lines] == ["django.request"]
    assert lines[0]["status_code"] == 404
    assert lines[0]["request"] is None
    output = json.dumps(lines)
    for secret in ("jan@example.nl", "piet", "0612345678"):
        assert secret not in output


def test_the_request_log_of_the_development_server_drops_the_query_string(log_lines):
    logging.getLogger("django.server").warning(
        '"%s" %s %s', "GET /zoeken/?q=jan%40example.nl HTTP/1.1", 404, 179
    )

    (line,) = log_lines()
    assert line["message"] == f'"GET /zoeken/?{REDACTED} HTTP/1.1" 404 179'


def test_a_malformed_log_call_keeps_its_template_and_drops_the_arguments(log_lines):
    logging.getLogger("portal.test").warning("Afmelding %s van %s", "jan@example.nl")

    (line,) = log_lines()
    assert line["message"] == "Afmelding %s van %s"


def test_gunicorn_logs_scrubbed_json_and_an_access_line_without_ip_or_query(closed_port, tmp_path):
    root = Path(__file__).resolve().parents[2]
    output = tmp_path / "gunicorn.log"
    with output.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tests.portal.gunicorn_probe:app",
                f"--bind=127.0.0.1:{closed_port}",
                "--workers=1",
                "--logger-class=portal.logging.GunicornLogger",
                "--access-logfile=-",
                f"--access-logformat={GUNICORN_ACCESS_FORMAT}",
            ],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{closed_port}/afmelden/jan@example.nl/?email=piet%40example.nl"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"gunicorn did not answer:\n{output.read_text()}")
                time.sleep(0.2)
    finally:
        process.terminate()
        process.wait(timeout=30)

    lines = [json.loads(line) for line in output.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert [line["message"].rsplit(" ", 1)[0] for line in access] == [
        f"GET /afmelden/{REDACTED}/ 200 2"
    ]
    assert any(line["logger"] == "gunicorn.error" for line in lines)
    text = output.read_text()
    for leak in ("jan@example.nl", "piet", "127.0.0.1 -"):
        assert leak not in text
