"""Background jobs are enqueued only after the transaction commits."""

from django.db import transaction

import pytest
from celery.signals import task_prerun

from portal.models import WorkerHeartbeat
from portal.tasks import record_worker_heartbeat

# Real commits and rollbacks: the test's own transaction must not wrap them.
pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


@pytest.fixture
def runs():
    """Names of the tasks that started, recorded outside the database."""
    started: list[str] = []

    def record(sender=None, **kwargs):
        started.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield started
    task_prerun.disconnect(record)


def test_a_task_enqueued_in_a_transaction_that_rolls_back_never_runs(runs):
    with pytest.raises(Rollback), transaction.atomic():
        record_worker_heartbeat.delay_on_commit()
        raise Rollback

    assert runs == []
    assert not WorkerHeartbeat.objects.exists()


def test_a_task_enqueued_in_a_transaction_that_commits_runs_once_after_the_commit(runs):
    with transaction.atomic():
        record_worker_heartbeat.delay_on_commit()
        assert runs == []  # not yet: the transaction is still open

    assert runs == ["portal.tasks.record_worker_heartbeat"]
    assert WorkerHeartbeat.objects.count() == 1
