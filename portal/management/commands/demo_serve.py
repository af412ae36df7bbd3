"""``manage.py demo_serve [addrport]``: the embedded demo in one process.

Starts the demo's private virus scanner (clamd, when installed), ticks the Celery beat
schedule in-process (scheduled publishing, reminders, purges, ...), then serves with
Django's development server without the autoreloader. Ctrl-C, SIGTERM or SIGHUP stop
all of it. Demo mode only (PORTAL_ENV=demo); ``make demo`` runs it.
"""

import atexit
import errno
import os
import signal
import socket

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand
from django.core.management.base import CommandError

from portal import demo_runtime

ENABLE_SCANNER_NOTE = (
    "Bijlagen: geen virusscanner (clamd) gevonden, dus uploads worden geweigerd. "
    "Installeer het Debian-pakket clamav-daemon (als root: apt-get install clamav-daemon) "
    "en start de demo opnieuw; of zet CASEWORK_CLAMD op een draaiende clamd."
)


def _interrupt(signum, frame):
    # runserver stops cleanly on KeyboardInterrupt. SIGTERM and SIGHUP would otherwise
    # end the process at once, without stopping clamd; SIGINT is ignored in a process a
    # non-interactive shell started in the background (`... &`), and Ctrl-C must work.
    raise KeyboardInterrupt


class Command(RunserverCommand):
    # Set by runserver's handle() from the address argument; read by _check_port_free.
    use_ipv6: bool
    addr: str
    port: str

    help = (
        "Serve the embedded demo: start its virus scanner (clamd, if installed) and the "
        "in-process scheduler for the periodic jobs, then run the development server "
        "without autoreloader. Demo mode only."
    )

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError("demo_serve runs the embedded demo only (PORTAL_ENV=demo).")
        options["use_reloader"] = False  # one process: the scheduler and clamd live in it
        super().handle(*args, **options)

    def run(self, **options):
        # Called by runserver's handle() once the address and port are parsed.
        self._check_port_free()
        clamd = scheduler = None

        def stop() -> None:
            # Let nothing interrupt the clean-up: clamd must not outlive the demo.
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(signum, signal.SIG_IGN)
            if scheduler is not None:
                scheduler.stop(timeout=5)
            if clamd is not None:
                clamd.stop()

        atexit.register(stop)
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, _interrupt)
        try:
            clamd = self._start_scanner()
            if settings.CELERY_TASK_ALWAYS_EAGER:
                scheduler = demo_runtime.start_scheduler()
                self.stdout.write(
                    f"Geplande taken: {len(scheduler.scheduler.schedule)} taken uit "
                    "CELERY_BEAT_SCHEDULE lopen in dit proces (o.a. gepland publiceren, elke minuut)."
                )
            else:
                self.stdout.write(
                    "Geplande taken: er is een broker ingesteld; start `celery beat` en een worker."
                )
            super().run(**options)
        except KeyboardInterrupt:
            pass  # stopped before the server was up (runserver handles it after)
        finally:
            stop()
            atexit.unregister(stop)

    def _start_scanner(self):
        configured = settings.CASEWORK_CLAMD
        if configured != str(demo_runtime.demo_clamd_socket()):
            # CASEWORK_CLAMD was set: use that scanner, start none of our own.
            self.stdout.write(f"Bijlagen: virusscanner volgens CASEWORK_CLAMD ({configured}).")
            return None
        try:
            clamd = demo_runtime.start_demo_clamd()
        except OSError as exc:
            # Serve anyway: uploads are refused while there is no scanner.
            self.stdout.write(self.style.WARNING(f"Bijlagen: clamd kon niet starten ({exc})."))
            return None
        if clamd is None:
            self.stdout.write(self.style.WARNING(ENABLE_SCANNER_NOTE))
            return None
        # The socket may live elsewhere than the settings' default (a VAR_DIR too long
        # for a unix socket path): point this process, and anything it starts, at it.
        settings.CASEWORK_CLAMD = os.environ["CASEWORK_CLAMD"] = str(clamd.socket_path)
        self.stdout.write(
            "Bijlagen: eigen virusscanner (clamd) gestart met een testdatabase die alleen "
            "het EICAR-testbestand herkent; tot hij klaar is worden uploads geweigerd."
        )
        return clamd

    def _check_port_free(self) -> None:
        """runserver ends the process with os._exit() when it cannot bind, which would
        leave clamd running: find that out before anything is started."""
        family = socket.AF_INET6 if self.use_ipv6 else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((self.addr, int(self.port)))
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    raise CommandError(f"Port {self.port} is already in use.") from exc
                raise CommandError(f"Cannot listen on {self.addr}:{self.port}: {exc}") from exc
