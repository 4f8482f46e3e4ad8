"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and can be stopped."""

import email
import socket
import threading
import time
from email import policy

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, delay: float = 0.0):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # a slow server: lets concurrent workers overlap
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPServer:
    def __init__(self, delay: float = 0.0):
        self.port = free_port()
        self.recorder = Recorder(delay)
        self.controller = None

    @property
    def messages(self):
        return self.recorder.messages

    @property
    def envelopes(self):
        return self.recorder.envelopes

    def start(self):
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
