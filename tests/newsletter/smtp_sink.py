"""A local SMTP sink (aiosmtpd, a test-only dependency, in a thread) for the newsletter
SMTP tests and bench/newsletter.py; not used in production."""

import email
import socket
import threading
import time

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SinkHandler:
    """Keeps (To, Message-ID) of every accepted message.

    ``hold_at``: the n-th DATA command (1-based) is held until ``release`` is
    set and then refused with a temporary error, like a server that had not yet
    accepted the message when the client died.
    """

    def __init__(self, hold_at: int | None = None, keep_headers: bool = True):
        self.received: list[tuple[str, str]] = []
        self.count = 0
        self.data_commands = 0
        self.hold_at = hold_at
        self.keep_headers = keep_headers
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.first_at = self.last_at = 0.0

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.data_commands += 1
            number = self.data_commands
        if number == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await _sleep(0.05)
            return "451 4.3.0 Try again later"
        with self.lock:
            now = time.perf_counter()
            self.first_at = self.first_at or now
            self.last_at = now
            self.count += 1
            if self.keep_headers:
                message = email.message_from_bytes(envelope.content, _class=email.message.Message)
                self.received.append((envelope.rcpt_tos[0], message["Message-ID"]))
        return "250 OK"


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


class Sink:
    def __init__(self, handler: SinkHandler):
        self.handler = handler
        self.port = free_port()
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.handler.release.set()
        self.controller.stop()
