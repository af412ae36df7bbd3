"""What runs next to the web server in the embedded demo (``manage.py demo_serve``).

The demo has no broker, no Celery worker and no beat process: tasks run in-process
(``CELERY_TASK_ALWAYS_EAGER``). Two things make it behave like the full stack anyway:

- :func:`start_scheduler`: Celery's own ``celery.beat.Scheduler`` with the in-memory
  ``CELERY_BEAT_SCHEDULE``, driven by ``tick()`` in a daemon thread. ``tick()`` hands a
  due entry to ``apply_async``; with eager tasks that runs the task right there, in the
  scheduler's thread, so a page scheduled to go live in two minutes goes live in the
  demo too. A job that raises is logged and the thread goes on.
- :func:`start_demo_clamd`: a private clamd (:mod:`portal.clamd_local`) under
  ``VAR_DIR/clamd``, so attachments are scanned; where clamd is not installed, uploads
  are refused (fail closed), as they are whenever the scanner is unreachable.
"""

import logging
import threading
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connections

from celery import beat

from .clamd_local import LocalClamd

logger = logging.getLogger(__name__)

# portal/settings/base.py points CASEWORK_CLAMD at VAR_DIR/clamd/clamd.sock in the demo.
DEMO_CLAMD_DIRNAME = "clamd"


class InProcessScheduler(beat.Scheduler):
    """celery beat's scheduler, in memory, for a process without a broker.

    ``beat_schedule`` defaults to the app's ``beat_schedule`` (CELERY_BEAT_SCHEDULE);
    tests pass their own."""

    # tick() passes self.producer to apply_async. Celery's default opens a broker
    # connection for it; an eager task is not published, so it needs none.
    producer = None

    def __init__(self, app, *, beat_schedule: dict | None = None, **kwargs):
        self.beat_schedule = app.conf.beat_schedule if beat_schedule is None else beat_schedule
        super().__init__(app, **kwargs)

    def setup_schedule(self) -> None:
        self.install_default_entries(self.data)
        self.merge_inplace(self.beat_schedule)

    def apply_entry(self, entry, producer=None) -> None:
        # Celery's apply_entry logs a failure as "Message Error" with a stack dump of
        # the scheduler; here a failure is the job's own exception: log that.
        logger.debug("Scheduled job %s (%s) starts", entry.name, entry.task)
        try:
            self.apply_async(entry, producer=producer, advance=False)
        except Exception as exc:
            # apply_async wraps the job's exception in a SchedulingError: log the job's.
            cause = exc.__context__ if isinstance(exc, beat.SchedulingError) else None
            logger.error(
                "Scheduled job %s (%s) failed", entry.name, entry.task, exc_info=cause or exc
            )
        finally:
            # The job ran in this thread: do not keep its database connection open.
            close_old_connections()


class SchedulerThread(threading.Thread):
    """Calls ``scheduler.tick()`` until stopped, sleeping as long as it says (at most
    ``max_interval`` seconds, the scheduler's own cap)."""

    def __init__(self, scheduler: InProcessScheduler):
        super().__init__(name="demo-scheduler", daemon=True)
        self.scheduler = scheduler
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                try:
                    delay = self.scheduler.tick()
                except Exception:
                    logger.exception("The in-process scheduler failed; it goes on")
                    delay = self.scheduler.max_interval
                if delay:
                    self._stopping.wait(delay)
        finally:
            connections.close_all()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop ticking; a job that is running finishes first (up to ``timeout``)."""
        self._stopping.set()
        if self.is_alive() and self is not threading.current_thread():
            self.join(timeout)


def start_scheduler(
    *, app=None, beat_schedule: dict | None = None, max_interval: float = 5.0
) -> SchedulerThread:
    """Start ticking the beat schedule in a daemon thread; returns the thread."""
    if app is None:
        from portal.celery import app as portal_app

        app = portal_app
    # Beat looks tasks up by name: import every app's tasks module, as a worker does.
    app.autodiscover_tasks(force=True)
    scheduler = InProcessScheduler(app, beat_schedule=beat_schedule, max_interval=max_interval)
    thread = SchedulerThread(scheduler)
    thread.start()
    return thread


def demo_clamd_socket(var_dir: Path | None = None) -> Path:
    """Where the settings look for the demo's clamd by default."""
    return Path(var_dir or settings.VAR_DIR) / DEMO_CLAMD_DIRNAME / "clamd.sock"


def start_demo_clamd(*, var_dir: Path | None = None) -> LocalClamd | None:
    """Start the demo's clamd in the background; None when clamd is not installed.

    Does not wait for it: uploads are refused until it answers (well under a second
    with the demo's database). A thread logs when it is ready or why it is not."""
    clamd = LocalClamd(
        Path(var_dir or settings.VAR_DIR) / DEMO_CLAMD_DIRNAME,
        stream_max_bytes=max(2 * settings.CASEWORK_ATTACHMENT_MAX_BYTES, 20 * 1024 * 1024),
    )
    if not clamd.available:
        return None
    clamd.start()

    def report() -> None:
        if clamd.wait_ready(timeout=60):
            logger.info("Demo virus scanner (clamd) is ready")
        elif clamd.process is not None:
            logger.error("Demo virus scanner (clamd) did not start: %s", clamd.log_tail(1000))

    threading.Thread(target=report, name="demo-clamd-ready", daemon=True).start()
    return clamd
