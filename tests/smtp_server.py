"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can be stopped.

A message counts as received only once the server has answered 250 to its DATA: that is the
moment a real mail server takes responsibility for it. A client that disconnects (or is killed)
while the server is still busy with DATA has delivered nothing, and is recorded as aborted.
"""

import asyncio
import email
import socket
import threading
import time
from dataclasses import dataclass, field
from email import policy

from aiosmtpd.controller import Controller


@dataclass
class Delivery:
    """One message the server accepted (answered 250 to)."""

    message_id: str
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    peer: tuple
    accepted_at: float = field(default_factory=time.monotonic)


class Recorder:
    def __init__(self, delay: float = 0.0):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.deliveries: list[Delivery] = []
        # Message-IDs whose client went away before the server answered DATA.
        self.aborted: list[str] = []
        self.delay = delay  # seconds spent "processing" each DATA before answering
        self.quit_delay = 0.0  # seconds before answering QUIT (a slow or hanging server)
        # Called (in the server's thread) when DATA arrives and when QUIT arrives, with the
        # client's address: lets a test act while a client is in the middle of a conversation.
        self.on_data = None
        self.on_quit = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message_id = str(message["Message-ID"] or "").strip()  # a long one arrives folded
        if self.on_data:
            self.on_data(session.peer, message_id)
        try:
            if self.delay:
                # Asynchronous, so other connections go on meanwhile (concurrent workers overlap).
                await asyncio.sleep(self.delay)
        except asyncio.CancelledError:
            # The client disconnected while we were busy: nothing was accepted.
            with self.lock:
                self.aborted.append(message_id)
            raise
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            recipients = list(envelope.rcpt_tos)
            self.deliveries.append(
                Delivery(message_id, envelope.mail_from, recipients, message, session.peer)
            )
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        if self.on_quit:
            self.on_quit(session.peer)
        if self.quit_delay:
            await asyncio.sleep(self.quit_delay)
        return "221 Bye"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [delivery.message_id for delivery in self.deliveries]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    """Stopping and starting again keeps the same port and everything recorded so far."""

    def __init__(self, delay: float = 0.0, port: int | None = None):
        self.port = port or free_port()
        self.recorder = Recorder(delay)
        self.controller = None

    @property
    def messages(self):
        return self.recorder.messages

    @property
    def envelopes(self):
        return self.recorder.envelopes

    @property
    def deliveries(self):
        return self.recorder.deliveries

    @property
    def running(self) -> bool:
        return self.controller is not None

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
