"""The SMTP server's recorder, able to hold back one reply for the test.

A fault scenario needs to act (kill the sending worker, crash PostgreSQL) at an exact moment of
an SMTP conversation: while the worker waits for the answer to its DATA, or to its QUIT. The
recorder holds that one answer back and hands the moment over to the test's thread, with the
client's address and the conversation's Message-IDs; the test acts, then lets the answer go (or
the client, killed, goes away). Holding is asynchronous: the server's event loop, and every
other conversation, go on meanwhile, and nothing slow ever runs in the server's thread.

A hold ends at the latest after ``max_seconds``, chosen shorter than the client's own timeout:
a client that goes away during a hold was made to, never timed out by itself.
"""

import asyncio
import email
import queue
import threading
import time
from email import policy

from tests.smtp_server import Recorder

# The outcome of a hold.
RELEASED = "released"  # the test let the answer go
CLIENT_GONE = "client gone"  # the client disconnected (was killed) before any answer
TIMED_OUT = "timed out"  # the test did not act in time: answered anyway


class Hold:
    """One held answer: made in the server's thread, acted on in the test's."""

    def __init__(self, step: str, peer: tuple, message_ids: list[str], max_seconds: float):
        self.step = step
        self.peer = tuple(peer)[:2]
        self.message_ids = message_ids
        self.max_seconds = max_seconds
        self.arrived_at = time.monotonic()
        self.ended_at = 0.0
        self.outcome = ""
        self._release = threading.Event()
        self._ended = threading.Event()

    def release(self) -> None:
        self._release.set()

    def wait_end(self, timeout: float) -> str:
        """The outcome, once the hold is over (from the test's thread)."""
        assert self._ended.wait(timeout), f"the {self.step} hold of {self.peer} never ended"
        return self.outcome

    def _end(self, outcome: str) -> None:
        self.outcome = outcome
        self.ended_at = time.monotonic()
        self._ended.set()

    async def held(self) -> None:
        """In the server's event loop: until released or timed out; cancelled if the client
        goes away (aiosmtpd cancels the handler on EOF or a lost connection)."""
        try:
            while not self._release.is_set():
                if time.monotonic() - self.arrived_at >= self.max_seconds:
                    self._end(TIMED_OUT)
                    return
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            self._end(CLIENT_GONE)
            raise
        self._end(RELEASED)


class HoldingRecorder(Recorder):
    """tests.smtp_server.Recorder, plus: ``hold_next(step, belongs)`` holds the answer to the
    next DATA (or QUIT) of a conversation whose message ``belongs`` to the scenario, and
    ``next_hold()`` gives it to the test."""

    def __init__(self):
        super().__init__()
        self._armed: tuple | None = None
        self._arming = threading.Lock()
        self._holds: queue.Queue[Hold] = queue.Queue()

    def hold_next(self, step: str, belongs, max_seconds: float) -> None:
        """belongs(message, rcpt_tos) -> bool picks the conversation; one hold, then disarmed."""
        assert step in ("DATA", "QUIT"), step
        with self._arming:
            while not self._holds.empty():
                self._holds.get_nowait()
            self._armed = (step, belongs, max_seconds)

    def disarm(self) -> None:
        with self._arming:
            self._armed = None

    def next_hold(self, timeout: float) -> Hold:
        try:
            return self._holds.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no SMTP conversation of the scenario reached the held step in {timeout:.0f} s"
            ) from None

    def _take(self, step: str, session, messages: list) -> Hold | None:
        with self._arming:
            if self._armed is None or self._armed[0] != step:
                return None
            _, belongs, max_seconds = self._armed
            if not any(belongs(message, rcpt_tos) for message, rcpt_tos in messages):
                return None
            self._armed = None
        ids = [message_id_of(message) for message, _ in messages]
        hold = Hold(step, session.peer, ids, max_seconds)
        self._holds.put(hold)
        return hold

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        hold = self._take("DATA", session, [(message, list(envelope.rcpt_tos))])
        if hold is not None:
            try:
                await hold.held()
            except asyncio.CancelledError:
                # Gone before the answer: nothing was accepted.
                with self.lock:
                    self.aborted.append(message_id_of(message))
                raise
        answer = await super().handle_DATA(server, session, envelope)
        # What this conversation delivered, for a hold of its QUIT.
        delivered = getattr(session, "delivered", [])
        session.delivered = [*delivered, (message, list(envelope.rcpt_tos))]
        return answer

    async def handle_QUIT(self, server, session, envelope):
        hold = self._take("QUIT", session, getattr(session, "delivered", []))
        if hold is not None:
            await hold.held()
        return await super().handle_QUIT(server, session, envelope)


def message_id_of(message) -> str:
    return str(message["Message-ID"] or "").strip()  # a long one arrives folded
