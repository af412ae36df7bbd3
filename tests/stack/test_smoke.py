"""Smoke checks of the production topology, every request through the load balancer
and nginx (docs/deployment.md, "make stack")."""

import re
import time
from pathlib import Path

import pytest

from portal.clamd_local import EICAR
from tests.mfa import totp_code

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf(response) -> str:
    match = CSRF.search(response.text)
    assert match, f"no CSRF token on {response.url}"
    return match.group(1)


def post_form(session, url: str, data: dict, **kwargs):
    token = csrf(session.get(url))
    return session.post(
        url, data={"csrfmiddlewaretoken": token, **data}, allow_redirects=False, **kwargs
    )


@pytest.fixture(scope="module")
def partner_session(stack):
    """The partner signed in with password and second factor (the login test's steps)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    session.verify = str(stack.cert)
    session.headers.update({"Origin": stack.url, "Referer": stack.url + "/"})
    partner = stack.data["partner"]
    login = post_form(
        session,
        stack.url + "/accounts/login/",
        {"login": partner["email"], "password": partner["password"]},
    )
    assert login.status_code == 302
    assert login.headers["Location"].startswith("/accounts/2fa/authenticate/")
    second = post_form(
        session,
        stack.url + "/accounts/2fa/authenticate/",
        {"code": totp_code(partner["totp_secret"])},
    )
    assert second.status_code == 302, second.text[:500]
    yield session
    session.close()


def test_health_answers_through_the_load_balancer_and_nginx(stack, visitor):
    response = visitor().get(stack.url + "/health/")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_a_page_and_its_static_files_are_served(stack, visitor):
    browser = visitor()
    page = browser.get(stack.url + "/")

    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page.text).group(1)
    static = browser.get(stack.url + stylesheet)
    assert static.status_code == 200
    assert "text/css" in static.headers["Content-Type"]
    # Hashed names (the manifest): cached for good by browsers.
    assert "immutable" in static.headers["Cache-Control"]


def test_nginx_spreads_requests_over_both_gunicorn_processes(stack, visitor):
    def served(web: str) -> int:
        return stack.log(web, 10_000_000).count("GET /nginx-spread-probe/ 404")

    before = {web: served(web) for web in ("web1", "web2")}
    browser = visitor()
    for _ in range(6):
        assert browser.get(stack.url + "/nginx-spread-probe/").status_code == 404

    for web in ("web1", "web2"):
        assert served(web) > before[web], web


def test_nginx_serves_image_renditions_but_no_original_upload(stack, visitor):
    browser = visitor()
    image = stack.data["image"]

    rendition = browser.get(stack.url + image["rendition"])
    original = browser.get(stack.url + "/media/" + image["original"])

    assert rendition.status_code == 200
    assert rendition.headers["Content-Type"] == "image/png"
    assert rendition.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in rendition.headers["Content-Security-Policy"]
    assert original.status_code == 404


def test_login_with_the_second_factor_opens_the_partner_area(stack, partner_session):
    response = partner_session.get(stack.url + "/partners/", allow_redirects=False)

    assert response.status_code == 200
    cookies = {cookie.name: cookie for cookie in partner_session.cookies}
    assert cookies["__Host-sessionid"].secure


def test_a_private_document_is_refused_to_the_anonymous_visitor_at_every_path(
    stack, visitor, partner_session
):
    document = stack.data["private_document"]
    stranger = visitor("127.0.0.7")
    paths = [
        document["url"],
        document["url"].replace("/documents/", "/documents//"),
        "/media/" + document["file"],
        "/media//" + document["file"],
        "/media/images/../" + document["file"],
        "/media/images/%2e%2e/" + document["file"],
        "/media/%64ocuments/" + document["filename"],
        "/media/documents/",
        "/media/original_images/",
    ]

    for path in paths:
        response = stranger.get(stack.url + path, allow_redirects=False)
        assert PDF not in response.content, path
        assert response.status_code in {302, 404}, (path, response.status_code)
    login = stranger.get(stack.url + document["url"], allow_redirects=False)
    assert login.headers["Location"].startswith("/accounts/login/")
    # The document is there: the signed-in partner gets it.
    assert partner_session.get(stack.url + document["url"]).content == PDF


def test_an_uploaded_document_is_an_attachment_under_a_sandboxing_policy(stack, visitor):
    response = visitor().get(stack.url + stack.data["public_document"]["url"])

    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    policy = [part.strip() for part in response.headers["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_attachment_is_scanned_and_stored_by_the_unprivileged_web_user(stack, partner_session):
    case_url = f"{stack.url}/partners/casus/{stack.data['case']}/"
    upload_url = case_url + "bijlage/"
    private = Path(stack.env["CASEWORK_ATTACHMENT_ROOT"])

    def upload(name: str, data: bytes):
        token = csrf(partner_session.get(case_url))
        return partner_session.post(
            upload_url,
            data={"csrfmiddlewaretoken": token},
            files={"attachment": (name, data, "application/pdf")},
            allow_redirects=False,
        )

    infected = upload("besmet.pdf", EICAR)
    assert infected.status_code == 400
    assert not any(private.rglob("*"))

    clean = upload("verslag.pdf", PDF)
    assert clean.status_code == 302
    stored = [path for path in private.rglob("*") if path.is_file()]
    assert len(stored) == 1
    assert stored[0].stat().st_uid == stack.uid
    assert PDF not in stored[0].read_bytes()  # encrypted at rest


def test_a_mail_from_the_worker_reaches_the_smtp_sink(stack, visitor):
    reader = visitor("127.0.0.6")
    address = "lezer.rookproef@example.org"
    signed_up = post_form(reader, stack.url + "/abonnement/", {"email": address})
    assert signed_up.status_code == 302
    confirmation = stack.sink.wait_for(lambda m: m["To"] == address)
    link = re.search(r"/abonnement/bevestigen/[^/\s]+/", confirmation.get_body().get_content())

    confirmed = post_form(reader, stack.url + link.group(0), {})

    assert confirmed.status_code == 302
    # The welcome mail is a Celery task (newsletter.tasks.send_welcome): only the worker sends it.
    welcome = stack.sink.wait_for(
        lambda m: m["To"] == address and m["Subject"] != confirmation["Subject"]
    )
    assert welcome["Message-ID"] != confirmation["Message-ID"]
    assert "newsletter.tasks.send_welcome" in stack.log("worker", 500_000)


def test_beat_publishes_a_scheduled_page(stack, visitor):
    page = stack.data["scheduled_page"]
    assert page["live"] is False
    browser = visitor()

    deadline = time.monotonic() + 90
    status = None
    while time.monotonic() < deadline:
        status = browser.get(stack.url + page["url"], allow_redirects=False).status_code
        if status == 200:
            break
        time.sleep(1)

    assert status == 200
    assert "portal.tasks.publish_scheduled" in stack.log("beat", 500_000)


def test_two_clients_behind_the_load_balancer_have_separate_rate_limit_buckets(stack, visitor):
    first, second = visitor("127.0.0.2"), visitor("127.0.0.3")
    url = stack.url + "/abonnement/"
    # NEWSLETTER_SIGNUP_RATE is 3/h in the stack.
    for number in range(3):
        assert post_form(first, url, {"email": f"a{number}@example.org"}).status_code == 302

    assert post_form(first, url, {"email": "a3@example.org"}).status_code == 429
    assert post_form(second, url, {"email": "b0@example.org"}).status_code == 302


def test_a_spoofed_x_forwarded_for_changes_nothing(stack, visitor):
    url = stack.url + "/abonnement/"
    limited, other = visitor("127.0.0.4"), visitor("127.0.0.5")
    for number in range(3):
        assert post_form(limited, url, {"email": f"c{number}@example.org"}).status_code == 302

    # Claiming another address does not give the limited client a fresh bucket ...
    for claimed in ("203.0.113.9", "127.0.0.5", "127.0.0.5, 203.0.113.9"):
        limited.headers["X-Forwarded-For"] = claimed
        assert post_form(limited, url, {"email": "c9@example.org"}).status_code == 429
    # ... nor spend another client's: the claimed 127.0.0.5 still has all of its own.
    for number in range(3):
        other.headers["X-Forwarded-For"] = "127.0.0.4"
        assert post_form(other, url, {"email": f"d{number}@example.org"}).status_code == 302


def test_a_spoofed_x_forwarded_proto_does_not_make_plain_http_secure(stack):
    spoofed = {"X-Forwarded-Proto": "https"}
    for base in (stack.http_url, stack.site_url):  # the LB's HTTP port, nginx directly
        status, headers, _ = stack.get("/accounts/login/", base=base, headers=spoofed)
        assert status == 301, base
        assert headers["Location"].startswith("https://"), base
        assert "Set-Cookie" not in headers
    # Over HTTPS a client's "http" is overruled too: no redirect loop.
    status, _, _ = stack.get("/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    assert status == 200


def test_a_forged_webhook_post_is_refused(stack, visitor):
    forger = visitor("127.0.0.8")
    event = {"RecordType": "Bounce", "Type": "HardBounce", "Email": "a0@example.org"}
    for provider in ("postmark", "mailgun", "sendgrid"):
        response = forger.post(
            f"{stack.url}/abonnement/anymail/{provider}/tracking/",
            json=event,
            allow_redirects=False,
        )
        assert response.status_code == 404, provider
