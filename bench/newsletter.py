"""Newsletter benchmark: MJML renderers, and one issue to 20,000 subscribers.

Run with ``python -m bench`` (or ``python -m bench.newsletter``) against a
PostgreSQL database and Redis (DATABASE_URL, REDIS_URL); it creates its
synthetic subscribers under @bench.invalid and removes them afterwards.
"""

import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# (parallel batch chains, subscribers) per measurement; one solo worker process per chain.
RUNS = [
    tuple(int(n) for n in run.split(":"))
    for run in os.environ.get("BENCH_NEWSLETTER_RUNS", "1:5000,1:20000,2:5000,2:20000").split(",")
]
RENDER_ROUNDS = 50

NODE_BENCH = """
const mjml2html = require('mjml');
const fs = require('fs');
const src = fs.readFileSync(0, 'utf8');
const rounds = parseInt(process.argv[1], 10);
(async () => {
  await mjml2html(src);  // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) { await mjml2html(src); }
  const t1 = process.hrtime.bigint();
  process.stdout.write(String(Number(t1 - t0) / 1e6 / rounds));
})();
"""


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    import django

    django.setup()


def _issue():
    from newsletter.models import NewsletterIssuePage

    issue = NewsletterIssuePage.objects.live().order_by("pk").first()
    if issue is None:
        raise RuntimeError("No issue: run `manage.py load_demo` first.")
    return issue


def bench_renderers(issue) -> list[str]:
    from newsletter import rendering
    from tests.newsletter import mjml_compare

    source = rendering.issue_mjml(issue)
    rendering.mjml_to_html(source)
    t0 = time.perf_counter()
    for _ in range(RENDER_ROUNDS):
        rendering.mjml_to_html(source)
    python_ms = (time.perf_counter() - t0) * 1000 / RENDER_ROUNDS
    node = subprocess.run(
        ["node", "-e", NODE_BENCH, str(RENDER_ROUNDS)],
        input=source.encode(),
        capture_output=True,
        cwd=ROOT,
        check=True,
    )
    npm_ms = float(node.stdout)
    t0 = time.perf_counter()
    mjml_compare.render_with_npm(source)
    cli_ms = (time.perf_counter() - t0) * 1000
    same = mjml_compare.structure(rendering.mjml_to_html(source)) == mjml_compare.structure(
        mjml_compare.render_with_npm(source)
    )
    return [
        "| renderer | ms per render | ratio |",
        "|---|---:|---:|",
        f"| mjml-python (mrml, in process) | {python_ms:.2f} | 1.0 |",
        f"| npm mjml 5 (node, warm, in process) | {npm_ms:.2f} | {npm_ms / python_ms:.1f}× |",
        f"| npm mjml 5 (CLI subprocess per render) | {cli_ms:.0f} | {cli_ms / python_ms:.0f}× |",
        "",
        f"Structure (tags, classes, links, images, text) identical: **{'yes' if same else 'NO'}**.",
    ]


# The raw-ingest client runs in a process of its own, as the workers do: in the
# bench process it would share the GIL with the aiosmtpd sink's thread.
RAW_CLIENT = """
import smtplib, sys, time
port, count = int(sys.argv[1]), int(sys.argv[2])
data = sys.stdin.buffer.read()
with smtplib.SMTP("127.0.0.1", port) as smtp:
    t0, c0 = time.perf_counter(), time.process_time()
    for n in range(count):
        smtp.sendmail("nieuwsbrief@zvh-bzo.example", [f"raw{n}@bench.invalid"], data)
    t1, c1 = time.perf_counter(), time.process_time()
print(count / (t1 - t0), (c1 - c0) * 1000 / count)
"""


def _sink_ingest(sink_port: int, message_bytes: bytes, count: int) -> tuple[float, float, float]:
    """(messages per second, client CPU ms per message, sink CPU ms per message)."""
    sink_cpu = time.process_time()  # the sink runs in this process
    client = subprocess.run(
        [sys.executable, "-c", RAW_CLIENT, str(sink_port), str(count)],
        input=message_bytes,
        capture_output=True,
        check=True,
    )
    sink_cpu = time.process_time() - sink_cpu
    rate, client_ms = (float(n) for n in client.stdout.split())
    return rate, client_ms, sink_cpu * 1000 / count


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def bench_send(issue, size: int, chains: int, sink, tmp: Path) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from knowledge.models import Theme
    from newsletter import services
    from newsletter.models import Sending, Subscriber, SubscriberStatus

    Subscriber.objects.filter(email__endswith="@bench.invalid").delete()
    Sending.objects.filter(issue=issue).delete()
    created = Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"lezer{n}@bench.invalid",
                name=f"Lezer {n}",
                status=SubscriberStatus.ACTIVE,
                confirmed_at=timezone.now(),
            )
            for n in range(size)
        ],
        batch_size=5000,
    )
    # Themes of interest as readers choose them: a third none, the rest one to three.
    themes = list(Theme.objects.values_list("pk", flat=True))
    chooser = random.Random(size)
    Subscriber.themes.through.objects.bulk_create(
        [
            Subscriber.themes.through(subscriber_id=subscriber.pk, theme_id=theme)
            for subscriber in created
            if chooser.random() > 1 / 3
            for theme in chooser.sample(themes, chooser.randint(1, min(3, len(themes))))
        ],
        batch_size=5000,
    )
    # Only the bench's own subscribers take part.
    others = Subscriber.objects.exclude(email__endswith="@bench.invalid").filter(
        status=SubscriberStatus.ACTIVE
    )
    other_ids = list(others.values_list("pk", flat=True))
    others.update(status=SubscriberStatus.UNSUBSCRIBED)
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_PROVIDER": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "NEWSLETTER_RATE_PER_SECOND": "0",
        "NEWSLETTER_RATE_PER_HOUR": "0",
        "NEWSLETTER_BATCH_SIZE": "500",
        "NEWSLETTER_SENDING_CHAINS": str(chains),
        "LOG_LEVEL": "WARNING",
    }
    handler = sink.handler
    handler.count, handler.first_at, handler.last_at = 0, 0.0, 0.0
    workers = []
    for n in range(chains):
        with open(tmp / f"worker-{size}-{chains}-{n}.log", "wb") as log:
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "portal", "worker", "-P", "solo",
                     "-l", "WARNING", "--without-mingle", "--without-gossip", "--without-heartbeat",
                     "-n", f"bench{size}-{chains}-{n}@%h"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                )
            )  # fmt: skip
    try:
        time.sleep(8)  # worker start-up, not part of the measurement
        cpu_before = sum(_cpu_seconds(worker.pid) for worker in workers)
        sink_cpu_before = time.process_time()  # the sink runs in this process
        sending = services.issue_schedule(issue=issue, when=timezone.now())
        t0 = time.perf_counter()
        services.sending_start(sending_id=sending.pk)
        start_seconds = time.perf_counter() - t0
        variants = len(Sending.objects.get(pk=sending.pk).variants) + 1
        connection.close()
        deadline = time.monotonic() + 1800
        while handler.count < size and time.monotonic() < deadline:
            time.sleep(0.5)
        peak = max(_peak_rss_kib(worker.pid) for worker in workers)
        worker_cpu = sum(_cpu_seconds(worker.pid) for worker in workers) - cpu_before
        sink_cpu = time.process_time() - sink_cpu_before
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(60)
        Subscriber.objects.filter(email__endswith="@bench.invalid").delete()
        Subscriber.objects.filter(pk__in=other_ids).update(status=SubscriberStatus.ACTIVE)
        Sending.objects.filter(issue=issue).delete()
    elapsed = handler.last_at - handler.first_at
    return {
        "size": size,
        "chains": chains,
        "sent": handler.count,
        "rate": handler.count / elapsed,
        "peak_mib": peak / 1024,
        "worker_cpu_ms": worker_cpu * 1000 / max(handler.count, 1),
        "sink_cpu_ms": sink_cpu * 1000 / max(handler.count, 1),
        "start_s": start_seconds,
        "variants": variants,
    }


def run() -> str:
    import tempfile

    from .stack import run_stamp

    stamp = run_stamp()
    _setup_django()
    import logging

    from django.conf import settings

    logging.getLogger("mail.log").setLevel(logging.WARNING)

    from newsletter import rendering, services
    from newsletter.models import Subscriber
    from tests.newsletter.smtp_sink import Sink, SinkHandler

    if settings.CELERY_TASK_ALWAYS_EAGER:
        raise RuntimeError("bench/newsletter.py needs REDIS_URL (a real broker and worker).")
    issue = _issue()
    lines = ["## Newsletter", "", stamp, "", "### MJML renderers (demo issue)", ""]
    lines += bench_renderers(issue)
    rendered = rendering.render_issue(issue)
    sample = (
        services.build_issue_message(
            html=rendered.html,
            text=rendered.text,
            subject=rendered.subject,
            subscriber=Subscriber(email="raw@bench.invalid", name="Lezer"),
            message_id="<raw@bench.invalid>",
        )
        .message()
        .as_bytes(linesep="\r\n")
    )
    results = []
    with tempfile.TemporaryDirectory() as tmp, Sink(SinkHandler(keep_headers=False)) as sink:
        raw_before = _sink_ingest(sink.port, sample, 2000)
        for chains, size in RUNS:
            results.append(bench_send(issue, size, chains, sink, Path(tmp)))
        # The machine is shared: the limit is measured before and after the sends.
        raw_after = _sink_ingest(sink.port, sample, 2000)
    raw_rate = (raw_before[0] + raw_after[0]) / 2
    client_cpu = (raw_before[1] + raw_after[1]) / 2
    sink_cpu = (raw_before[2] + raw_after[2]) / 2
    lines += [
        "",
        "### Sending one issue (real Celery worker, solo pool, into a local aiosmtpd sink)",
        "",
        f"Message size {len(sample) / 1024:.0f} KiB. Limit: the sink's raw ingest of pre-rendered "
        f"messages over one SMTP connection (smtplib.sendmail in a process of its own, as the "
        f"workers are), measured in the same run: **{raw_rate:.0f} msg/s** "
        f"(mean of {raw_before[0]:.0f} before and {raw_after[0]:.0f} after the sends).",
        "",
        f"CPU per message of the raw ingest: client {client_cpu:.2f} ms, sink {sink_cpu:.2f} ms.",
        "",
        "| chains (solo workers) | subscribers | delivered | msg/s | ratio to raw ingest | "
        "worker CPU ms/msg | sink CPU ms/msg | peak RSS per worker (MiB) | theme variants | "
        "start: render variants + deliveries (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['chains']} | {r['size']:,} | {r['sent']:,} | {r['rate']:.0f} | "
            f"{r['rate'] / raw_rate:.2f} | {r['worker_cpu_ms']:.2f} | {r['sink_cpu_ms']:.2f} | "
            f"{r['peak_mib']:.0f} | {r['variants']} | {r['start_s']:.1f} |"
        )
    lines.append("")
    lines.append(
        f"Bench process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
