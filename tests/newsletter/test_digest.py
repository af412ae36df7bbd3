"""Quarterly-digest subscribers get one digest per quarter, made of the issues since their last."""

import datetime as dt
import zoneinfo

from django.core import mail
from django.utils import timezone

import pytest

from newsletter import services
from newsletter.models import Delivery, Frequency, NewsletterIssuePage, Sending

from .factories import SubscriberFactory

pytestmark = pytest.mark.django_db
AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")


def sent_issue(index, title, when) -> NewsletterIssuePage:
    page = index.add_child(
        instance=NewsletterIssuePage(
            title=title,
            slug=title.lower().replace(" ", "-"),
            body=[{"type": "intro", "value": {"heading": "", "text": "Nieuws"}}],
        )
    )
    page.save_revision().publish()
    NewsletterIssuePage.objects.filter(pk=page.pk).update(sent_at=when)
    return page


def run_digests(at, capture):
    with capture(execute=True):
        return services.digests_send(now=at)


def test_a_quarterly_reader_gets_one_digest_of_last_quarters_issues_and_no_single_issues(
    index, issue, django_capture_on_commit_callbacks
):
    reader = SubscriberFactory(
        frequency=Frequency.QUARTERLY, confirmed_at=dt.datetime(2026, 1, 5, tzinfo=AMS)
    )
    weekly = SubscriberFactory(confirmed_at=dt.datetime(2026, 1, 5, tzinfo=AMS))
    sent_issue(index, "Nieuwsbrief oktober", dt.datetime(2026, 10, 6, 9, tzinfo=AMS))
    sent_issue(index, "Nieuwsbrief november", dt.datetime(2026, 11, 10, 9, tzinfo=AMS))
    sent_issue(index, "Nieuwsbrief zomer", dt.datetime(2026, 7, 2, 9, tzinfo=AMS))

    # An ordinary issue goes to the "every issue" reader only.
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_schedule(issue=issue, when=timezone.now())
    assert [m.to for m in mail.outbox] == [[weekly.email]]
    mail.outbox.clear()

    assert (
        run_digests(dt.datetime(2027, 1, 1, 8, tzinfo=AMS), django_capture_on_commit_callbacks) == 1
    )

    assert [m.to for m in mail.outbox] == [[reader.email]]
    digest = mail.outbox[0]
    assert digest.subject == "Kwartaaloverzicht 2027-Q1"
    html = digest.alternatives[0][0]
    assert "Nieuwsbrief oktober" in html and "Nieuwsbrief november" in html
    assert "Nieuwsbrief zomer" not in html  # sent in an earlier quarter
    assert "Beste " in html and "[[" not in html
    sending = Sending.objects.get(digest_quarter="2027-Q1")
    assert sending.state == Sending.State.DONE and sending.issue is None


def test_running_the_digest_again_sends_nobody_a_second_one(
    index, django_capture_on_commit_callbacks
):
    SubscriberFactory(
        frequency=Frequency.QUARTERLY, confirmed_at=dt.datetime(2026, 1, 5, tzinfo=AMS)
    )
    sent_issue(index, "Nieuwsbrief oktober", dt.datetime(2026, 10, 6, 9, tzinfo=AMS))
    first_day = dt.datetime(2027, 1, 1, 8, tzinfo=AMS)

    assert run_digests(first_day, django_capture_on_commit_callbacks) == 1
    assert run_digests(first_day + dt.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(digest_quarter="2027-Q1").count() == 1


def test_the_next_digest_covers_the_issues_since_the_last_one_and_none_outside_the_first_week(
    index, django_capture_on_commit_callbacks
):
    SubscriberFactory(
        frequency=Frequency.QUARTERLY, confirmed_at=dt.datetime(2026, 1, 5, tzinfo=AMS)
    )
    sent_issue(index, "Nieuwsbrief oktober", dt.datetime(2026, 10, 6, 9, tzinfo=AMS))
    run_digests(dt.datetime(2027, 1, 1, 8, tzinfo=AMS), django_capture_on_commit_callbacks)
    sent_issue(index, "Nieuwsbrief februari", dt.datetime(2027, 2, 3, 9, tzinfo=AMS))

    assert (
        run_digests(dt.datetime(2027, 3, 15, 8, tzinfo=AMS), django_capture_on_commit_callbacks)
        == 0
    )
    assert (
        run_digests(dt.datetime(2027, 4, 2, 8, tzinfo=AMS), django_capture_on_commit_callbacks) == 1
    )

    second = mail.outbox[-1].alternatives[0][0]
    assert "Nieuwsbrief februari" in second and "Nieuwsbrief oktober" not in second


def test_a_quarter_without_issues_sends_no_empty_digest(index, django_capture_on_commit_callbacks):
    SubscriberFactory(
        frequency=Frequency.QUARTERLY, confirmed_at=dt.datetime(2026, 1, 5, tzinfo=AMS)
    )

    assert (
        run_digests(dt.datetime(2027, 1, 1, 8, tzinfo=AMS), django_capture_on_commit_callbacks) == 0
    )
    assert mail.outbox == []
